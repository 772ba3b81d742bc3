"""A teacher reviews a submitted revision: each rating is task evidence of that revision,
observed when it was submitted, and mastery moves in the same transaction; a later, better
revision counts as new evidence. Drafts are not reviewed, and only the student's staff review."""

from decimal import Decimal

import pytest

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.models import MasteryRecord
from proficio.work.data import Alignment, WorkRating
from proficio.work.models import Review, WorkIsAppendOnly
from proficio.work.permissions import submissions_visible_to
from proficio.work.services import review_record, revision_save, task_assign, task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    task = task_create(
        author=world.teacher,
        title="Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def rating(world, level: int, **more) -> WorkRating:
    return WorkRating(competency=world.competency, stage=1, level=Decimal(level), **more)


def test_each_rating_is_evidence_of_the_revision_and_moves_mastery(world, task):
    first = revision_save(student=world.student, task=task, text="First go", submit=True)
    returned = review_record(
        reviewer=world.teacher,
        revision=first,
        decision="revise",
        ratings=[rating(world, 2, feedback_next="Give a second reason.")],
    )
    second = revision_save(student=world.student, task=task, text="Better", submit=True)
    rated = review_record(
        reviewer=world.teacher, revision=second, decision="rated", ratings=[rating(world, 4)]
    )

    [early] = returned.evidence.all()
    [late] = rated.evidence.all()
    assert (early.source, early.observed_at, early.feedback_next) == (
        "task",
        first.submitted_at,
        "Give a second reason.",
    )
    assert late.observed_at == second.submitted_at and late.level == Decimal(4)
    assert MasteryRecord.objects.get(student=world.student, stage__ordinal=1).evidence_count == 2
    assert AuditEntry.objects.filter(action="work.reviewed").count() == 2


def test_a_draft_is_not_reviewed_and_a_rating_must_be_of_the_task(world, task):
    draft = revision_save(student=world.student, task=task, text="Not yet")
    wrong = WorkRating(competency=world.competency, stage=3, level=Decimal(3))

    with pytest.raises(InvalidInput) as refused:
        review_record(reviewer=world.teacher, revision=draft, decision="rated", ratings=[wrong])

    assert set(refused.value.errors) == {"revision", "ratings-1"}
    assert not Evidence.objects.exists() and not Review.objects.exists()


@pytest.mark.parametrize("who", ["other_teacher", "student", "guardian", "other_district_teacher"])
def test_only_the_students_staff_review(world, task, who):
    work = revision_save(student=world.student, task=task, text="Mine", submit=True)
    with pytest.raises(NotVisible):
        review_record(
            reviewer=getattr(world, who),
            revision=work,
            decision="rated",
            ratings=[rating(world, 3)],
        )
    assert not Evidence.objects.exists()


def test_who_reads_a_submission(world, task):
    revision_save(student=world.student, task=task, text="Mine", submit=True)
    readers = {
        who
        for who in (
            "student",
            "teacher",
            "guardian",
            "district_admin",
            "classmate",
            "other_teacher",
        )
        if submissions_visible_to(getattr(world, who)).exists()
    }
    assert readers == {"student", "teacher", "guardian", "district_admin"}


def test_a_review_is_never_changed_or_deleted(world, task):
    work = revision_save(student=world.student, task=task, text="Mine", submit=True)
    review = review_record(reviewer=world.teacher, revision=work, decision="revise")
    review.decision = "rated"
    with pytest.raises(WorkIsAppendOnly):
        review.save()
    with pytest.raises(WorkIsAppendOnly):
        Review.objects.all().delete()
    assert Review.objects.get().decision == "revise"


def test_until_mastered_takes_no_more_submissions_once_every_stage_is_mastered(world):
    task = task_create(
        author=world.teacher,
        title="Until it is there",
        alignments=[Alignment(competency=world.competency, stage=1)],
        revision_policy="until_mastered",
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    for _ in range(2):
        work = revision_save(student=world.student, task=task, text="Again", submit=True)
        review_record(
            reviewer=world.teacher, revision=work, decision="rated", ratings=[rating(world, 4)]
        )
    assert MasteryRecord.objects.get(student=world.student, stage__ordinal=1).mastered

    with pytest.raises(InvalidInput) as refused:
        revision_save(student=world.student, task=task, text="Once more", submit=True)

    assert "needs no more revisions" in refused.value.errors["submit"]
    revision_save(student=world.student, task=task, text="A draft is still kept")
