"""Recording many ratings at once (an import's): all or none, read in batches, and mastery
brought up to date as rating them one by one would, whichever way it is refreshed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceSource
from proficio.evidence.services import EvidenceDraft
from proficio.lib.errors import InvalidInput
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.mastery.services import evidence_record, evidence_record_many, rating_many

pytestmark = pytest.mark.django_db


def drafts_for(world, students, levels=(2, 3, 3, 4)):
    return [
        EvidenceDraft(
            assessor=None,
            student=student,
            competency=world.competency,
            stage=1 + n % 2,
            level=Decimal(level),
            observed_at=timezone.now() - timedelta(days=10 - n),
            source=EvidenceSource.STANDARDIZED,
        )
        for student in students
        for n, level in enumerate(levels)
    ]


def stored(students):
    """Each student's mastery in order, without who they are."""
    return [
        (
            [
                (r.stage.ordinal, r.value, r.mastered, r.implied, r.evidence_count)
                for r in MasteryRecord.objects.filter(student=student).order_by("stage__ordinal")
            ],
            [
                (w.ordinal, w.latest_level, w.latest_stage_ordinal)
                for w in WorkingStage.objects.filter(student=student)
            ],
        )
        for student in students
    ]


@pytest.mark.parametrize("one_by_one", [True, False])
def test_mastery_is_as_rating_one_by_one_would_make_it(world, monkeypatch, one_by_one):
    if not one_by_one:
        monkeypatch.setattr(rating_many, "REFRESH_ONE_BY_ONE", 0)  # the bulk recompute
    monkeypatch.setattr(rating_many, "BATCH", 3)  # several batches
    together, apart = [world.student, world.classmate], [world.other_student, world.far_student]

    appended = evidence_record_many(
        actor=None, district_id=world.district.pk, drafts=iter(drafts_for(world, together))
    )
    for draft in drafts_for(world, apart):
        evidence_record(
            assessor=world.district_admin,
            student=draft.student,
            competency=draft.competency,
            stage=draft.stage,
            level=draft.level,
            observed_at=draft.observed_at,
            source=draft.source,
        )

    assert appended == 8
    assert stored(together) == stored(apart)
    assert all(records and working for records, working in stored(together))


def test_one_bad_rating_refuses_them_all_counted_from_the_first(world, monkeypatch):
    monkeypatch.setattr(rating_many, "BATCH", 3)
    drafts = drafts_for(world, [world.student, world.classmate])
    drafts[4] = EvidenceDraft(**(vars(drafts[4]) | {"stage": 9}))

    with pytest.raises(InvalidInput) as refused:
        evidence_record_many(actor=None, district_id=world.district.pk, drafts=drafts)

    assert list(refused.value.errors) == ["4.stage"]
    assert not Evidence.objects.exists() and not MasteryRecord.objects.exists()


def test_a_student_of_another_district_is_refused(world):
    drafts = drafts_for(world, [world.other_district_student])

    with pytest.raises(InvalidInput):
        evidence_record_many(actor=None, district_id=world.district.pk, drafts=drafts)
