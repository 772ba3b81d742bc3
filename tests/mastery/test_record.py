"""Recording a rating updates mastery in the same transaction, within the caller's reach."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.evidence.models import AppendOnlyError, Evidence
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.mastery.services import evidence_record

pytestmark = pytest.mark.django_db


def rate(world, assessor=None, student=None, stage=1, level=3, days_ago=1, source="task", **kw):
    kw.setdefault("competency", world.competency)
    return evidence_record(
        assessor=assessor or world.teacher,
        student=student or world.student,
        stage=stage,
        level=level,
        observed_at=timezone.now() - timedelta(days=days_ago),
        source=source,
        **kw,
    )


def test_two_proficient_ratings_master_the_stage_and_move_the_working_stage(world):
    rate(world, level=3, days_ago=3)
    rate(world, level=3, days_ago=1)
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    assert record.mastered and record.sufficient and record.evidence_count == 2
    assert record.value == pytest.approx(3.0)
    assert WorkingStage.objects.get(student=world.student).ordinal == 2


def test_one_rating_is_not_enough_evidence_under_the_default_policy(world):
    rate(world, level=4)
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    assert not record.mastered and not record.sufficient
    assert "not enough evidence yet" in record.explanation.lower()


def test_ratings_are_ordered_by_when_the_work_was_done_not_when_graded(world):
    rate(world, level=1, days_ago=1)  # recorded first, but the newer work
    rate(world, level=4, days_ago=10)
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    # decaying average 0.65: 4 then 1 → 0.35 × 4 + 0.65 × 1
    assert record.value == pytest.approx(0.35 * 4 + 0.65 * 1)
    assert WorkingStage.objects.get(student=world.student).latest_level == 1


def test_mastering_a_higher_stage_implies_the_lower_ones(world):
    rate(world, stage=3, level=3, days_ago=2)
    rate(world, stage=3, level=4, days_ago=1)
    stages = MasteryRecord.objects.filter(student=world.student).order_by("stage__ordinal")
    assert [(r.mastered, r.implied) for r in stages] == [(True, True), (True, True), (True, False)]
    assert WorkingStage.objects.get(student=world.student).ordinal is None


def test_teacher_cannot_rate_a_student_outside_their_sections(world):
    with pytest.raises(NotVisible):
        rate(world, student=world.other_student)
    assert not Evidence.objects.exists()


def test_student_may_only_self_assess_themself(world):
    rate(world, assessor=world.student, source="self")
    with pytest.raises(NotVisible):
        rate(world, assessor=world.student, source="task")
    with pytest.raises(NotVisible):
        rate(world, assessor=world.student, student=world.classmate, source="self")


def test_guardian_cannot_record_evidence(world):
    with pytest.raises(NotVisible):
        rate(world, assessor=world.guardian, source="self")


def test_self_assessment_is_kept_apart_from_mastery_by_default(world):
    rate(world, assessor=world.student, source="self", level=4)
    rate(world, assessor=world.student, source="self", level=4, days_ago=2)
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    assert record.evidence_count == 0 and not record.mastered


def test_invalid_input_names_every_bad_field_and_writes_nothing(world):
    with pytest.raises(InvalidInput) as raised:
        rate(world, stage=9, level=7, days_ago=-3, source="rumour")
    assert set(raised.value.errors) == {"stage", "level", "observed_at", "source"}
    assert not Evidence.objects.exists()


def test_evidence_is_append_only(world):
    evidence = rate(world)
    evidence.level = 1
    with pytest.raises(AppendOnlyError):
        evidence.save()
    with pytest.raises(AppendOnlyError):
        evidence.delete()


def test_a_correction_supersedes_the_old_rating(world):
    wrong = rate(world, level=1, days_ago=2)
    rate(world, level=3, days_ago=3)
    rate(world, level=3, days_ago=2, supersedes=wrong)
    record = MasteryRecord.objects.get(student=world.student, stage__ordinal=1)
    assert record.mastered and record.evidence_count == 2
    assert Evidence.objects.count() == 3


def test_a_competency_of_another_district_is_refused(world):
    from proficio.frameworks.services import framework_create, scale_create
    from tests.factories import FOUR_LEVELS, make_competency

    elsewhere = world.other_district_student.district
    scale = scale_create(district=elsewhere, name="Theirs", levels=FOUR_LEVELS)
    framework = framework_create(district=elsewhere, code="X", title="Theirs", scale=scale)
    foreign = make_competency(framework, "X1")
    with pytest.raises(InvalidInput) as raised:
        rate(world, competency=foreign)
    assert "competency" in raised.value.errors
