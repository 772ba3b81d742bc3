"""A student's work on a task is kept as revisions, each appended, never changed: drafts,
then submissions; a submission's self-assessment is `self` evidence; the revision policy
bounds how many submissions a task takes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.evidence.models import Evidence
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.work.data import Alignment, SelfRating
from proficio.work.models import Revision, Submission, TaskOption, WorkIsAppendOnly
from proficio.work.services import review_record, revision_save, task_assign, task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    task = task_create(
        author=world.teacher,
        title="A letter to the council",
        alignments=[Alignment(competency=world.competency, stage=1)],
        options=["Write a letter", "Record a speech"],
        revision_policy="max",
        max_revisions=1,
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def test_drafts_and_submissions_are_each_a_new_revision(world, task):
    draft = revision_save(student=world.student, task=task, text="Dear council,")
    submitted = revision_save(
        student=world.student, task=task, text="Dear council, our park…", submit=True
    )

    assert (draft.number, draft.submitted_at) == (1, None)
    assert submitted.number == 2 and submitted.submitted_at is not None
    assert Revision.objects.get(pk=draft.pk).text == "Dear council,"
    assert Submission.objects.get().revisions.count() == 2


def test_a_submitted_self_assessment_is_self_evidence_and_a_draft_is_none(world, task):
    rating = SelfRating(competency=world.competency, stage=1, level=Decimal(2))
    revision_save(student=world.student, task=task, text="Draft", self_assessment=[rating])
    assert not Evidence.objects.exists()

    revision_save(
        student=world.student,
        task=task,
        text="Done",
        self_assessment=[rating],
        reflection="I gave two reasons.",
        submit=True,
    )

    [own] = Evidence.objects.all()
    assert (own.source, own.assessor, own.level, own.feedback_present) == (
        "self",
        world.student,
        Decimal(2),
        "I gave two reasons.",
    )


def test_at_most_one_revision_means_two_submissions_and_nothing_more_is_stored(world, task):
    for _ in range(2):
        revision_save(student=world.student, task=task, text="Work", submit=True)

    with pytest.raises(InvalidInput) as refused:
        revision_save(student=world.student, task=task, text="More", submit=True)

    assert "2 submissions at most" in refused.value.errors["submit"]
    assert Revision.objects.count() == 2


def test_what_does_not_belong_to_the_task_is_refused_at_once(world, task):
    other = task_create(
        author=world.teacher,
        title="Another",
        alignments=[Alignment(competency=world.competency, stage=2)],
        options=["Elsewhere"],
    )
    with pytest.raises(InvalidInput) as refused:
        revision_save(
            student=world.student,
            task=task,
            option=TaskOption.objects.get(task=other),
            self_assessment=[SelfRating(competency=world.competency, stage=3, level=Decimal(3))],
            submit=True,
        )
    assert set(refused.value.errors) == {"option", "self_assessment-1"}
    assert not Revision.objects.exists()


@pytest.mark.parametrize("who", ["other_student", "teacher", "guardian", "other_district_student"])
def test_only_a_student_given_the_task_saves_work_on_it(world, task, who):
    with pytest.raises(NotVisible):
        revision_save(student=getattr(world, who), task=task, text="Mine?")
    assert not Revision.objects.exists()


def test_no_path_changes_or_deletes_a_stored_revision(world, task):
    revision = revision_save(student=world.student, task=task, text="Kept", submit=True)

    revision.text = "Rewritten"
    with pytest.raises(WorkIsAppendOnly):
        revision.save()
    with pytest.raises(WorkIsAppendOnly):
        revision.delete()
    with pytest.raises(WorkIsAppendOnly):
        Revision.objects.filter(pk=revision.pk).update(text="Rewritten")
    with pytest.raises(WorkIsAppendOnly):
        Revision.objects.filter(pk=revision.pk).delete()
    assert Revision.objects.get(pk=revision.pk).text == "Kept"


def test_an_assignment_shows_where_each_students_work_stands_in_constant_queries(world, task):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proficio.people.models import Role
    from proficio.people.services import section_enroll
    from proficio.work.models import Assignment
    from proficio.work.selectors import assignment_progress
    from tests.factories import make_person

    revision_save(student=world.student, task=task, text="Draft")
    assignment = Assignment.objects.get(task=task)

    def read():
        with CaptureQueriesContext(connection) as queries:
            progress = assignment_progress(user=world.teacher, assignment=assignment)
        return progress, len(queries)

    read()  # warm: what a first read caches
    progress, few = read()
    assert progress["draft"] == [world.student]
    assert progress["not started"] == [world.classmate]
    assert progress["submitted"] == progress["returned"] == progress["rated"] == []

    for n in range(4):
        newcomer = make_person(world.district, f"newcomer{n}", Role.STUDENT, world.school)
        section_enroll(section=world.section, student=newcomer)
        revision_save(student=newcomer, task=task, text="Mine", submit=True)
    progress, many = read()
    assert len(progress["submitted"]) == 4 and many == few


def test_a_student_proposes_their_own_option_and_uses_it_once_approved(world, task):
    from proficio.work.services import option_approve, option_propose

    own = option_propose(student=world.student, task=task, title="Build a model of the park")
    with pytest.raises(InvalidInput) as waiting:
        revision_save(student=world.student, task=task, option=own, submit=True)
    assert "approval" in waiting.value.errors["option"]

    with pytest.raises(NotVisible):
        option_approve(actor=world.other_teacher, option=own)
    option_approve(actor=world.teacher, option=own)

    revision = revision_save(student=world.student, task=task, option=own, submit=True)
    assert revision.option == own
    with pytest.raises(NotVisible):
        option_propose(student=world.other_student, task=task, title="Mine")


def test_work_brought_in_from_before_keeps_its_time_within_reason(world):
    task = task_create(
        author=world.teacher,
        title="Brought in",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    then = timezone.now() - timedelta(days=40)
    first = revision_save(student=world.student, task=task, text="Then", submit=True, at=then)
    review = review_record(
        reviewer=world.teacher, revision=first, decision="revise", at=then + timedelta(days=2)
    )

    assert first.submitted_at == first.created_at == then
    assert review.created_at == then + timedelta(days=2)
    with pytest.raises(InvalidInput) as early:
        revision_save(student=world.student, task=task, text="x", at=then - timedelta(days=1))
    assert "before what it follows" in early.value.errors["at"]
    with pytest.raises(InvalidInput) as ahead:
        revision_save(
            student=world.student, task=task, text="x", at=timezone.now() + timedelta(days=1)
        )
    assert "not come yet" in ahead.value.errors["at"]
    with pytest.raises(InvalidInput):
        review_record(
            reviewer=world.teacher, revision=first, decision="revise", at=then - timedelta(hours=1)
        )
