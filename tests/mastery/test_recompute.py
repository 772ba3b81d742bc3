"""The bulk recompute gives exactly what the per-student path gives, record by record."""

import pytest

from proficio.engine import METHOD_PARAMETERS
from proficio.evidence.models import Evidence
from proficio.mastery.models import MasteryRecord, MasteryRecordHistory, WorkingStage
from proficio.mastery.recompute import Scope, recompute
from proficio.mastery.selectors import student_mastery
from proficio.mastery.services import mastery_refresh
from tests.mastery.varied import (
    assert_same_records,
    explanations,
    mixed_policies,
    policy,
    stored_records,
    stored_working,
    varied_district,
)

pytestmark = pytest.mark.django_db

METHOD_CASES = {
    "latest": {},
    "highest": {},
    "mean": {},
    "median_recent": {"n": 2},
    "mode": {},
    "weighted_average": {"weight": 0.7},
    "decaying_average": {"rate": 0.5},
    "n_mastery": {"n": 2},
    "power_law": {},
    "knowledge_tracing": {},
}


def test_every_method_is_covered():
    assert METHOD_CASES.keys() == METHOD_PARAMETERS.keys()


def refresh_every_student(varied) -> None:
    pairs = Evidence.objects.values_list("student", "competency").distinct()
    students = {s.pk: s for s in varied.students}
    competencies = {c.pk: c for c in varied.competencies}
    for student_id, competency_id in pairs:
        mastery_refresh(student=students[student_id], competency=competencies[competency_id])


def wipe_derived() -> None:
    MasteryRecord.objects.all().delete()
    WorkingStage.objects.all().delete()


@pytest.mark.parametrize("method", METHOD_CASES)
def test_bulk_equals_per_student_for_every_method(world, method):
    varied = varied_district(world)
    mixed_policies(varied, method, METHOD_CASES[method])
    refresh_every_student(varied)
    records, working, texts = stored_records(), stored_working(), explanations()
    assert len(records) > 100 and any(r[2] for r in records.values())  # some implied
    wipe_derived()

    result = recompute(scope=Scope(district_id=world.district.pk))

    assert_same_records(records, stored_records())
    assert stored_working() == working  # pace facts included
    assert explanations() == texts
    assert result.evidence_rows == Evidence.objects.count()
    assert result.records_written == len(records)


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "Asia/Kathmandu"])
def test_bulk_equals_per_student_in_a_time_zone_whose_days_are_not_utcs(world, settings, zone):
    """Pace counts days where the school is, explanations name the UTC day, as the
    per-student path does: a rating in the morning in Auckland falls on yesterday in UTC."""
    settings.TIME_ZONE = zone
    varied = varied_district(world)
    mixed_policies(varied, "decaying_average", {"rate": 0.5})
    refresh_every_student(varied)
    records, working, texts = stored_records(), stored_working(), explanations()
    wipe_derived()

    recompute(scope=Scope(district_id=world.district.pk))

    assert_same_records(records, stored_records())
    assert stored_working() == working
    assert explanations() == texts


def test_recompute_over_current_records_writes_nothing(world):
    varied = varied_district(world)
    mixed_policies(varied, "decaying_average", {})
    refresh_every_student(varied)
    before = explanations()

    result = recompute(scope=Scope(district_id=world.district.pk))

    assert (result.records_written, result.working_stages_written) == (0, 0)
    assert explanations() == before


def test_records_from_before_explanations_were_stored_read_explained_until_a_recompute(world):
    """Rows the bulk path wrote before it explained them (ADR 0025) are explained on read from
    their evidence; a recompute writes their explanations even though their values hold."""
    varied = varied_district(world)
    mixed_policies(varied, "weighted_average", {})
    refresh_every_student(varied)
    expected = explanations()
    MasteryRecord.objects.update(explanation="")

    read = {}
    for student in varied.students:
        _, statuses = student_mastery(user=world.district_admin, student_id=student.uuid)
        for status in statuses:
            for stage in status.stages:
                read[(student.pk, stage.stage.pk)] = stage.explanation
    assert {key: read[key] for key in expected} == expected

    result = recompute(scope=Scope(district_id=world.district.pk))

    assert result.records_written == len(expected)
    assert MasteryRecordHistory.objects.count() == 0
    assert explanations() == expected


def test_a_new_policy_version_moves_old_values_into_history(world):
    varied = varied_district(world)
    mixed_policies(varied, "decaying_average", {})
    refresh_every_student(varied)
    before = stored_records()
    newer = policy(world, "latest", school=world.school, minimum_evidence=1)

    recompute(scope=Scope(district_id=world.district.pk, school_id=world.school.pk))

    moved = MasteryRecordHistory.objects.all()
    assert moved.exists()
    for row in moved:
        assert before[(row.student_id, row.stage_id)][5] == row.policy_id != newer.pk
        assert row.value == before[(row.student_id, row.stage_id)][0]
    after = stored_records()
    north = {s.pk for s in varied.students if s.roles.filter(school=world.school).exists()}
    for (student_id, stage_id), record in after.items():
        changed = student_id in north and record[5] != before[(student_id, stage_id)][5]
        assert (
            changed
            == MasteryRecordHistory.objects.filter(
                student_id=student_id, stage_id=stage_id
            ).exists()
        )


@pytest.mark.parametrize("kind", ["school", "framework", "competency"])
def test_a_narrow_scope_recomputes_only_what_it_governs(world, kind):
    varied = varied_district(world)
    mixed_policies(varied, "mean", {})
    refresh_every_student(varied)
    before = stored_records()
    m1 = varied.competencies[2]
    scope = {
        "school": {"school": world.other_school},
        "framework": {"framework": m1.framework},
        "competency": {"competency": m1},
    }[kind]
    newer = policy(world, "highest", minimum_evidence=1, **scope)

    recompute(
        scope=Scope(
            district_id=world.district.pk,
            **{f"{name}_id": value.pk for name, value in scope.items()},
        )
    )

    after = stored_records()
    touched = {key for key in after if after[key][5] == newer.pk}
    assert touched
    for key in set(after) - touched:
        assert after[key] == before[key]
    wipe_derived()
    refresh_every_student(varied)
    assert_same_records(stored_records(), after)


def test_the_api_reads_the_explanations_the_bulk_path_wrote(world):
    from tests.api.client import Api, token_for

    varied = varied_district(world)
    mixed_policies(varied, "power_law", {})
    refresh_every_student(varied)
    expected = explanations()
    wipe_derived()
    recompute(scope=Scope(district_id=world.district.pk))
    assert explanations() == expected

    api = Api(token_for(world.district_admin.username))
    body = api.get(f"/students/{world.student.uuid}/mastery").json()
    stages = {
        (c["code"], s["stage"]): s["explanation"] for c in body["competencies"] for s in c["stages"]
    }
    assert stages and all(stages.values())
    stage_ids = {
        (c.code, stage.ordinal): stage.pk for c in varied.competencies for stage in c.stages.all()
    }
    for (code, ordinal), text in stages.items():
        key = (world.student.pk, stage_ids[(code, ordinal)])
        if key in expected:
            assert text == expected[key]
