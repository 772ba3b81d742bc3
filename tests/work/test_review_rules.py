"""Who reviews what, and when: a draft begun after submitting does not hide the submitted
work; a revision is reviewed once; a colleague who teaches the student in another subject
does not review a task that is not theirs; a student's own idea stays theirs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.services import section_create, section_enroll
from proficio.work import services
from proficio.work.data import Alignment, SelfRating
from proficio.work.models import RevisionFile, Submission, TaskOption
from proficio.work.selectors import review_queue, submission_status
from proficio.work.services import (
    option_approve,
    option_propose,
    review_record,
    revision_save,
    task_assign,
    task_copy,
    task_create,
)
from tests.work.test_file_kinds import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def task(world):
    task = task_create(
        author=world.teacher,
        title="Lab report",
        alignments=[Alignment(competency=world.competency, stage=1)],
        options=["Write it up"],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def test_a_draft_begun_after_submitting_does_not_hide_the_submitted_work(world, task):
    submitted = revision_save(student=world.student, task=task, text="Done", submit=True)
    revision_save(student=world.student, task=task, text="Still improving it")
    submission = Submission.objects.prefetch_related("revisions__reviews").get()

    assert submission_status(submission) == "submitted"
    assert [r.pk for r in review_queue(user=world.teacher)] == [submitted.pk]
    client = Client()
    client.force_login(world.teacher)
    page = client.get(reverse("work:submission", args=[submission.uuid])).content.decode()
    assert "Review revision 1" in page
    review_record(reviewer=world.teacher, revision=submitted, decision="revise")
    submission = Submission.objects.prefetch_related("revisions__reviews").get()
    assert submission_status(submission) == "draft"  # returned, and already being revised


def test_a_revision_is_reviewed_once_and_only_the_newest_submitted(world, task):
    first = revision_save(student=world.student, task=task, text="One", submit=True)
    review_record(reviewer=world.teacher, revision=first, decision="revise")
    with pytest.raises(InvalidInput, match="already reviewed"):
        review_record(reviewer=world.teacher, revision=first, decision="revise")
    revision_save(student=world.student, task=task, text="Two", submit=True)
    third = revision_save(student=world.student, task=task, text="Three", submit=True)
    second = third.submission.revisions.get(number=2)
    with pytest.raises(InvalidInput, match="Revision 3 has been submitted since"):
        review_record(reviewer=world.teacher, revision=second, decision="revise")


def test_a_colleague_teaching_the_student_elsewhere_does_not_review_this_task(world, task):
    art = section_create(school=world.school, name="Art", teachers=[world.other_teacher])
    section_enroll(section=art, student=world.student)
    revision = revision_save(student=world.student, task=task, text="Mine", submit=True)

    assert review_queue(user=world.other_teacher) == []
    with pytest.raises(NotVisible):
        review_record(reviewer=world.other_teacher, revision=revision, decision="revise")
    assert review_queue(user=world.school_admin) != []  # the school's admin may


def test_another_students_own_idea_is_neither_offered_nor_accepted(world, task):
    idea = option_propose(student=world.classmate, task=task, title="A comic strip")
    option_approve(actor=world.teacher, option=idea)
    with pytest.raises(InvalidInput, match="another student's own idea"):
        revision_save(student=world.student, task=task, option=idea, submit=True)
    client = Client()
    client.force_login(world.student)
    page = client.get(reverse("work:my_work", args=[task.uuid])).content.decode()
    assert "A comic strip" not in page


def test_a_copy_keeps_the_teachers_options_not_the_students_ideas(world, task):
    option_propose(student=world.classmate, task=task, title="A comic strip")
    task.shared = True
    task.save()
    copy = task_copy(actor=world.other_teacher, task=task)
    assert list(TaskOption.objects.filter(task=copy).values_list("title", flat=True)) == [
        "Write it up"
    ]


def test_nothing_is_stored_when_the_revision_fails_after_the_checks(
    world, task, monkeypatch, settings
):
    def failing(**kwargs):
        raise InvalidInput({"level": "No such level."})

    monkeypatch.setattr(services, "evidence_record", failing)

    with pytest.raises(InvalidInput):
        revision_save(
            student=world.student,
            task=task,
            text="Mine",
            submit=True,
            self_assessment=[SelfRating(world.competency, 1, 3)],
            files=[SimpleUploadedFile("report.pdf", PDF)],
        )
    assert RevisionFile.objects.count() == 0
    folder = settings.MEDIA_ROOT / "work"
    assert not folder.exists() or not any(folder.iterdir())
