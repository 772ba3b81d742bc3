"""The work pages as people use them: a teacher writes a task and gives it out; the student
submits work with a file and a self-assessment; the teacher returns it, the student revises,
the teacher rates it into evidence; the guardian reads it; everyone else gets 404."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.people.models import Role
from proficio.people.services import guardian_link, section_enroll
from proficio.work.models import Comment, Submission, Task
from tests.factories import make_person
from tests.work.test_file_kinds import WAV
from tests.work.test_file_view import png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def stage_value(world, ordinal: int) -> str:
    return f"{world.competency.uuid}:{ordinal}"


@pytest.fixture
def task(world) -> Task:
    teacher = as_user(world.teacher)
    response = teacher.post(
        reverse("work:task_new"),
        {
            "title": "Reading aloud",
            "instructions": "Read **a page** aloud.",
            "stages": [stage_value(world, 1), stage_value(world, 2)],
            "options": "Record yourself\nRead to the class",
            "revision_policy": "unlimited",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get()
    assert (
        teacher.post(
            reverse("work:task_assign", args=[task.uuid]), {"section": str(world.section.uuid)}
        ).status_code
        == 302
    )
    return task


def submit(world, task, **extra):
    data = {
        "text": "I read chapter one.",
        "option": str(task.options.first().uuid),
        "files": [SimpleUploadedFile("drawing.png", png()), SimpleUploadedFile("reading.wav", WAV)],
        f"self-{task.alignments.first().pk}": "3",
        "reflection": "I slowed down.",
        "submit": "1",
        **extra,
    }
    return as_user(world.student).post(reverse("work:my_work", args=[task.uuid]), data)


def review(world, submission, decision, level="3"):
    alignment = submission.task.alignments.first()
    return as_user(world.teacher).post(
        reverse("work:review_save", args=[submission.uuid]),
        {
            f"a{alignment.pk}-level": level,
            f"a{alignment.pk}-present": "Clear voice.",
            f"a{alignment.pk}-next": "Pause at full stops.",
            "decision": decision,
            "revision": submission.revisions.exclude(submitted_at=None)
            .order_by("-number")[0]
            .number,
        },
    )


def test_the_whole_round_of_a_task(world, task):
    page = as_user(world.teacher).get(reverse("work:task", args=[task.uuid])).content.decode()
    assert "<strong>a page</strong>" in page
    assert "Record yourself" in page

    home = as_user(world.student).get(reverse("work:home")).content.decode()
    assert "Reading aloud" in home and "To start" in home

    assert submit(world, task).status_code == 302
    submission = Submission.objects.get()
    assert Evidence.objects.filter(student=world.student, source="self").count() == 1

    queue = as_user(world.teacher).get(reverse("work:review_queue")).content.decode()
    assert world.student.display_name in queue
    review_page = as_user(world.teacher).get(reverse("work:submission", args=[submission.uuid]))
    content = review_page.content.decode()
    assert "<audio" in content and "<img" in content and "I slowed down." in content

    assert review(world, submission, "revise").status_code == 302
    mine = as_user(world.student).get(reverse("work:my_work", args=[task.uuid])).content.decode()
    assert "Pause at full stops." in mine

    assert submit(world, task, text="I read it again, pausing.").status_code == 302
    assert review(world, submission, "rated", "4").status_code == 302

    rated = Evidence.objects.filter(student=world.student, source="task").latest("recorded_at")
    assert rated.artifact_title == "Reading aloud, revision 2"
    assert rated.artifact_url.endswith(f"{submission.uuid}#revision-2")
    competency_page = (
        as_user(world.student)
        .get(
            reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
        )
        .content.decode()
    )
    link = f'<a href="{rated.artifact_url}">'
    assert "The latest work rated here: 4 on" in competency_page
    assert f"{link}Reading aloud, revision 2</a>" in competency_page
    cell = (
        as_user(world.teacher)
        .get(
            reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid]),
            {"section": str(world.section.uuid)},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "The work: Reading aloud, revision 2" in cell
    guardian_page = as_user(world.guardian).get(reverse("work:submission", args=[submission.uuid]))
    assert "I read it again, pausing." in guardian_page.content.decode()
    assert 'name="text"' not in guardian_page.content.decode()  # guardians read, not write
    family = as_user(world.guardian).get(reverse("guardian_home")).content.decode()
    assert reverse("work:submission", args=[submission.uuid]) in family


def test_the_conversation_is_kept_and_a_teachers_words_are_audited(world, task):
    submit(world, task)
    submission = Submission.objects.get()
    url = reverse("work:comment_save", args=[submission.uuid])
    assert as_user(world.student).post(url, {"text": "Is the audio clear?"}).status_code == 302
    assert as_user(world.teacher).post(url, {"text": "Yes, clear."}).status_code == 302
    assert as_user(world.guardian).post(url, {"text": "Well done"}).status_code == 404

    assert list(Comment.objects.values_list("text", flat=True)) == [
        "Is the audio clear?",
        "Yes, clear.",
    ]
    assert AuditEntry.objects.filter(action="work.commented", student=world.student).count() == 1


def test_every_view_of_a_submission_by_someone_else_is_audited(world, task):
    submit(world, task)
    submission = Submission.objects.get()
    before = AuditEntry.objects.filter(action="student.viewed", student=world.student).count()
    for person in (world.teacher, world.guardian, world.student):
        as_user(person).get(reverse("work:submission", args=[submission.uuid]))
    after = AuditEntry.objects.filter(action="student.viewed", student=world.student).count()
    assert after == before + 2


def test_a_refused_file_on_the_page_says_why_and_keeps_nothing(world, task):
    response = submit(world, task, files=[SimpleUploadedFile("essay.pdf", png())])
    assert response.status_code == 422
    assert re.search(r"essay\.pdf is named \.pdf but holds image/png", response.content.decode())
    assert not Submission.objects.filter(revisions__isnull=False).exists()


@pytest.mark.parametrize("who", ["other_student", "classmate", "other_teacher", "far_student"])
def test_someone_elses_submission_page_is_404(world, task, who):
    submit(world, task)
    submission = Submission.objects.get()
    response = as_user(getattr(world, who)).get(reverse("work:submission", args=[submission.uuid]))
    assert response.status_code == 404


def test_a_guardian_of_another_child_gets_404(world, task):
    submit(world, task)
    submission = Submission.objects.get()
    other = make_person(world.district, "otherparent", Role.GUARDIAN, None)
    guardian_link(guardian=other, student=world.classmate)
    response = as_user(other).get(reverse("work:submission", args=[submission.uuid]))
    assert response.status_code == 404


def test_a_student_proposes_an_option_that_their_teacher_approves(world, task):
    as_user(world.student).post(
        reverse("work:option_propose", args=[task.uuid]), {"title": "Build a puppet show"}
    )
    option = task.options.get(title="Build a puppet show")
    assert not option.approved
    page = as_user(world.teacher).get(reverse("work:task", args=[task.uuid])).content.decode()
    assert "Build a puppet show" in page
    as_user(world.teacher).post(reverse("work:option_approve", args=[task.uuid, option.uuid]))
    option.refresh_from_db()
    assert option.approved


def test_the_teacher_rewords_the_rubric(world, task):
    alignment = task.alignments.first()
    as_user(world.teacher).post(
        reverse("work:rubric_save", args=[task.uuid]),
        {f"criteria-{alignment.pk}": "Reads with expression\nPauses at punctuation\n"},
    )
    assert list(alignment.criteria.values_list("text", flat=True)) == [
        "Reads with expression",
        "Pauses at punctuation",
    ]


def test_a_student_lands_on_their_work(world):
    response = as_user(world.student).get(reverse("home"))
    assert response["Location"] == reverse("work:home")


def test_a_teacher_gives_files_with_a_task_that_only_its_students_open(world, task):
    url = reverse("work:resources_add", args=[task.uuid])
    as_user(world.teacher).post(url, {"files": [SimpleUploadedFile("model.pdf", b"%PDF-1.7\n")]})
    resource = task.resources.get()
    address = reverse("work:resource", args=[resource.uuid])

    mine = as_user(world.student).get(reverse("work:my_work", args=[task.uuid]))
    assert address in mine.content.decode()
    assert as_user(world.student).get(address).status_code == 200
    assert as_user(world.other_student).get(address).status_code == 404
    refused = as_user(world.teacher).post(
        url, {"files": [SimpleUploadedFile("page.html", b"<html></html>")]}, follow=True
    )
    assert "is a web page" in refused.content.decode()
    assert task.resources.count() == 1
    assert as_user(world.other_teacher).post(url, {"files": []}).status_code == 404


def test_the_queue_counts_by_task_and_section_and_narrows_to_one(world, task):
    submit(world, task)
    queue = as_user(world.teacher).get(reverse("work:review_queue"))
    content = queue.content.decode()
    assert "Reading aloud · 1" in content and "Studio A · 1" in content
    narrowed = as_user(world.teacher).get(
        reverse("work:review_queue"), {"section": str(world.other_section.uuid)}
    )
    assert world.student.display_name not in narrowed.content.decode().split("<tbody>")[-1]


def test_the_queue_reads_as_much_for_many_submissions_as_for_few(world, task):
    def count() -> int:
        client = as_user(world.teacher)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("work:review_queue")).status_code == 200
        return len(queries)

    submit(world, task)
    few = count()
    for number in range(6):
        learner = make_person(world.district, f"learner{number}", Role.STUDENT, world.school)
        section_enroll(section=world.section, student=learner)
        as_user(learner).post(
            reverse("work:my_work", args=[task.uuid]), {"text": "Mine", "submit": "1"}
        )
    assert count() == few
