"""Changing a policy: who may, what is checked, versions and effective dates, the background
recompute it starts, the history it leaves, and the preview that says it all beforehand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.data import PolicyDraft
from proficio.mastery.models import (
    MasteryPolicy,
    MasteryRecord,
    MasteryRecordHistory,
    RecomputeRun,
    RecomputeState,
    WorkingStage,
)
from proficio.mastery.policies import policy_for
from proficio.mastery.selectors import mastery_history, policy_preview
from proficio.mastery.services import policy_change
from tests.mastery.varied import policy, stored_records, varied_district

pytestmark = pytest.mark.django_db

MEAN = {"method": "mean", "parameters": {}, "minimum_evidence": 2, "threshold": "3"}


def change(world, actor=None, **fields):
    return policy_change(
        actor=actor or world.district_admin,
        draft=PolicyDraft(district=world.district, **{**MEAN, **fields}),
    )


# ---- who may change what


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("district_admin", "district"),
        ("district_admin", "school"),
        ("district_admin", "other_school"),
        ("district_admin", "framework"),
        ("district_admin", "competency"),
        ("school_admin", "school"),
    ],
)
def test_admins_change_the_scopes_they_run(world, who, scope):
    parts = {
        "district": {},
        "school": {"school": world.school},
        "other_school": {"school": world.other_school},
        "framework": {"framework": world.framework},
        "competency": {"competency": world.competency},
    }[scope]
    saved = change(world, actor=getattr(world, who), **parts)
    assert saved.pk and saved.created_by == getattr(world, who)


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("school_admin", "district"),
        ("school_admin", "other_school"),
        ("school_admin", "framework"),
        ("teacher", "school"),
        ("student", "school"),
        ("guardian", "district"),
        ("other_district_teacher", "district"),
    ],
)
def test_nobody_else_may_and_is_told_nothing_exists(world, who, scope):
    parts = {
        "district": {},
        "school": {"school": world.school},
        "other_school": {"school": world.other_school},
        "framework": {"framework": world.framework},
    }[scope]
    with pytest.raises(NotVisible):
        change(world, actor=getattr(world, who), **parts)
    assert not MasteryPolicy.objects.filter(created_by__isnull=False).exists()


def test_a_scope_of_another_district_is_not_visible(world):
    from proficio.people.services import school_create

    foreign = school_create(district=world.other_district_student.district, name="Far away")
    with pytest.raises(NotVisible):
        change(world, school=foreign)


# ---- what is checked


def test_every_bad_field_is_named_and_nothing_is_saved(world):
    with pytest.raises(InvalidInput) as raised:
        change(
            world,
            method="decaying_average",
            parameters={"rate": 0.2},
            minimum_evidence=0,
            threshold="9",
            effective_from=timezone.localdate() - timedelta(days=1),
        )
    assert set(raised.value.errors) == {
        "parameters.rate",
        "minimum_evidence",
        "threshold",
        "effective_from",
    }
    assert "0.5" in raised.value.errors["parameters.rate"]
    assert "between 1 and 4" in raised.value.errors["threshold"]
    assert not MasteryPolicy.objects.exists()


def test_an_unknown_method_or_parameter_is_refused(world):
    with pytest.raises(InvalidInput) as raised:
        change(world, method="vibes")
    assert set(raised.value.errors) == {"method"}
    with pytest.raises(InvalidInput) as raised:
        change(world, method="mean", parameters={"rate": 0.6})
    assert set(raised.value.errors) == {"parameters"}


def test_one_scope_at_a_time(world):
    with pytest.raises(InvalidInput) as raised:
        change(world, school=world.school, framework=world.framework)
    assert set(raised.value.errors) == {"scope"}


def test_parameters_are_stored_checked_and_defaults_stay_defaults(world):
    saved = change(world, method="median_recent", parameters={"n": "4"})
    assert saved.parameters == {"n": 4}
    assert change(world, method="decaying_average", parameters={}).parameters == {}


# ---- versions and effective dates


def test_each_change_is_a_new_version_of_its_own_scope(world):
    first = change(world, school=world.school)
    second = change(world, school=world.school, method="latest")
    other = change(world, school=world.other_school)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert MasteryPolicy.objects.get(pk=first.pk).method == "mean"  # never edited


def test_the_district_default_is_kept_as_the_version_a_change_replaces(world, rate):
    rate(level=3)
    default = MasteryPolicy.objects.get()
    saved = change(world)
    assert (default.version, saved.version) == (1, 2)


def test_the_latest_effective_version_of_the_narrowest_scope_is_in_force(world):
    today = timezone.localdate()
    change(world)
    school_v1 = change(world, school=world.school, method="latest")
    tomorrow = change(
        world, school=world.school, method="highest", effective_from=today + timedelta(1)
    )
    assert policy_for(student=world.student, competency=world.competency) == school_v1
    assert (
        policy_for(student=world.student, competency=world.competency, on=today + timedelta(1))
        == tomorrow
    )
    framework = change(world, framework=world.framework, method="mode")
    assert policy_for(student=world.student, competency=world.competency) == framework
    assert policy_for(student=world.far_student, competency=world.competency) == framework


# ---- the background recompute and the history it leaves


def test_saving_recomputes_in_the_background_and_keeps_old_values_as_history(world, rate):
    rate(level=2, days_ago=3)
    rate(level=3, days_ago=2)
    rate(level=4, days_ago=1)
    before = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)

    saved = change(world, method="highest", minimum_evidence=1)

    run = RecomputeRun.objects.get(policy=saved)
    assert run.state == RecomputeState.DONE and run.evidence_rows == 3
    after = MasteryRecord.objects.get(pk=before.pk)
    assert (after.policy_id, after.value) == (saved.pk, 4.0)
    past = MasteryRecordHistory.objects.get(stage=before.stage)
    assert (past.value, past.policy_id) == (before.value, before.policy_id)
    history = mastery_history(
        user=world.guardian, student_id=world.student.uuid, competency_id=world.competency.uuid
    )
    newest = history[0]
    assert (newest.stage.ordinal, newest.value, newest.policy.version) == (1, before.value, 1)


def test_history_is_as_private_as_the_student(world, rate):
    rate(level=3)
    change(world)
    with pytest.raises(NotVisible):
        mastery_history(
            user=world.other_teacher,
            student_id=world.student.uuid,
            competency_id=world.competency.uuid,
        )


def test_a_future_version_waits_for_its_day(world, rate):
    rate(level=3, days_ago=2)
    rate(level=3, days_ago=1)
    before = stored_records()
    saved = change(world, method="latest", effective_from=timezone.localdate() + timedelta(7))
    run = RecomputeRun.objects.get(policy=saved)
    assert run.run_after is not None
    assert stored_records() == before  # not in force yet: nothing moves today


def test_a_failed_recompute_is_reported_and_changes_nothing(world, rate, monkeypatch):
    from proficio.mastery.services import runs

    rate(level=3)
    before = stored_records()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "recompute", broken)
    saved = change(world)
    run = RecomputeRun.objects.get(policy=saved)
    assert (run.state, run.message) == (RecomputeState.FAILED, "disk full")
    assert stored_records() == before


# ---- the preview


def preview(world, **fields):
    return policy_preview(
        user=world.district_admin, draft=PolicyDraft(district=world.district, **{**MEAN, **fields})
    )


def test_the_preview_counts_exactly_what_saving_changes(world):
    varied = varied_district(world, ratings=12)
    from tests.mastery.test_recompute import refresh_every_student

    refresh_every_student(varied)
    records_before = stored_records()
    working_before = dict(WorkingStage.objects.values_list("pk", "ordinal"))
    proposal = {"method": "highest", "minimum_evidence": 1, "threshold": "3"}

    shown = preview(world, **proposal)
    assert stored_records() == records_before  # the preview wrote nothing

    saved = change(world, **proposal)
    after = stored_records()
    flips = [key for key in after if after[key][1] != records_before[key][1]]
    assert shown.newly_mastered == sum(after[key][1] for key in flips) > 0
    assert shown.no_longer_mastered == sum(records_before[key][1] for key in flips)
    moved = {
        pk
        for pk, ordinal in WorkingStage.objects.values_list("pk", "ordinal")
        if working_before[pk] != ordinal
    }
    assert shown.working_stages_moved == len(moved)
    changed_students = {student for student, _ in flips} | set(
        WorkingStage.objects.filter(pk__in=moved).values_list("student_id", flat=True)
    )
    assert shown.students_changed == len(changed_students)
    assert 0 < len(shown.examples) <= 5
    assert all(e.now_mastered != e.was_mastered for e in shown.examples[:1])
    assert MasteryPolicy.objects.filter(pk=saved.pk).exists()


def test_a_preview_reads_like_a_sentence(world, rate):
    rate(level=3, days_ago=3)
    rate(level=1, days_ago=2)  # decaying average: 0.35 × 3 + 0.65 × 1 = 1.7
    shown = preview(world, method="highest", minimum_evidence=1)
    assert shown.examples[0].text == (
        "Student Tester, W1 stage 1: 1.7 → 3, would become mastered: "
        "highest rating 3 reaches 3 with 2 ratings"
    )
    assert not MasteryPolicy.objects.filter(method="highest").exists()


def test_previewing_is_checked_like_saving(world):
    with pytest.raises(NotVisible):
        policy_preview(user=world.teacher, draft=PolicyDraft(district=world.district, **MEAN))
    with pytest.raises(InvalidInput):
        preview(world, threshold="0")


def test_a_narrower_policy_shields_its_scope_from_a_broader_change(world, rate):
    rate(level=2, days_ago=2)
    rate(level=4, days_ago=1)
    policy(
        world, "latest", school=world.school, minimum_evidence=1, effective_from=date(2020, 1, 1)
    )
    shown = preview(world, method="highest", minimum_evidence=1)
    assert shown.students == 0
    assert Decimal(3) == MasteryPolicy.objects.get(school=world.school).threshold


def test_a_later_change_is_previewed_against_what_will_be_in_force_that_day(world, rate):
    rate(level=2, days_ago=2)
    rate(level=4, days_ago=1)  # decaying average today: 0.35 × 2 + 0.65 × 4 = 3.3
    today = timezone.localdate()
    policy(world, "latest", minimum_evidence=1, effective_from=today + timedelta(days=10))
    # From day 20, "highest" reads 4 where the version of day 10 already reads 4.
    shown = preview(
        world, method="highest", minimum_evidence=1, effective_from=today + timedelta(days=20)
    )
    assert (shown.students, shown.values_changed, shown.students_changed) == (1, 0, 0)
    # From day 5, it still changes what today's default makes of the same ratings.
    sooner = preview(
        world, method="highest", minimum_evidence=1, effective_from=today + timedelta(days=5)
    )
    assert (sooner.values_changed, sooner.examples[0].before) == (1, 3.3)


def test_a_narrower_policy_scheduled_sooner_shields_a_later_broader_change(world, rate):
    rate(level=2, days_ago=2)
    rate(level=4, days_ago=1)
    today = timezone.localdate()
    policy(
        world,
        "latest",
        school=world.school,
        minimum_evidence=1,
        effective_from=today + timedelta(days=10),
    )
    later = preview(
        world, method="highest", minimum_evidence=1, effective_from=today + timedelta(days=20)
    )
    assert later.students == 0
    sooner = preview(
        world, method="highest", minimum_evidence=1, effective_from=today + timedelta(days=5)
    )
    assert sooner.students == 1


# ---- the background recompute is enqueued with the change (ADR 0012)


def test_a_policy_change_enqueues_its_recompute_in_the_same_transaction(world, database_tasks):
    from django_tasks_db.models import DBTaskResult

    saved = change(world)
    (task,) = DBTaskResult.objects.filter(task_path__endswith=".recompute_in_background")
    run = RecomputeRun.objects.get(policy=saved)
    assert run.state == RecomputeState.QUEUED and run.task_id == str(task.id)


def test_a_rolled_back_policy_change_leaves_no_task_behind(world, database_tasks):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        change(world)
        raise RuntimeError("the request failed after saving")
    assert DBTaskResult.objects.count() == 0
    assert not RecomputeRun.objects.exists()
