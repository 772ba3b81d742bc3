"""POST /tasks/{id}/submissions as the student, multipart: text, an option, files and a
self-assessment make the next revision of their one submission; a refused file refuses the
whole revision and stores nothing; each file's url opens for those who may read the work."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proficio.evidence.models import Evidence
from proficio.work.data import Alignment
from proficio.work.models import Revision, RevisionFile
from proficio.work.services import task_assign, task_create
from tests.api.client import BASE, token_for
from tests.work.test_file_kinds import PDF, PNG, WAV

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def task(world):
    task = task_create(
        author=world.teacher,
        title="Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
        options=["Record yourself reading", "Write a review"],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def post(person, task, data, token=None):
    token = token or token_for(person.username)
    return Client().post(
        f"{BASE}/tasks/{task.uuid}/submissions", data, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_student_submits_text_files_an_option_and_a_self_assessment(world, task):
    option = task.options.first()
    response = post(
        world.student,
        task,
        {
            "text": "I read the first chapter aloud.",
            "option": str(option.uuid),
            "files": [SimpleUploadedFile("reading.wav", WAV), SimpleUploadedFile("notes.pdf", PDF)],
            "self_assessment": json.dumps(
                [{"competency": str(world.competency.uuid), "stage": 1, "level": 3}]
            ),
            "reflection": "I paused where the commas were.",
            "submit": "true",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revision"] == 1
    assert body["status"] == "submitted"
    assert [(f["name"], f["content_type"], f["size"]) for f in body["files"]] == [
        ("reading.wav", "audio/x-wav", len(WAV)),
        ("notes.pdf", "application/pdf", len(PDF)),
    ]
    assert Evidence.objects.filter(student=world.student, source="self").count() == 1
    file_url = body["files"][0]["url"]
    assert file_url.startswith("http://testserver/work/files/")
    teacher = Client()
    teacher.force_login(world.teacher)
    assert b"".join(teacher.get(file_url).streaming_content) == WAV

    read = (
        Client()
        .get(
            f"{BASE}/submissions/{body['id']}",
            HTTP_AUTHORIZATION=f"Bearer {token_for(world.guardian.username)}",
        )
        .json()
    )
    assert read["revisions"][0]["files"][0]["url"] == file_url


def test_a_later_post_adds_the_next_revision_of_the_same_submission(world, task):
    token = token_for(world.student.username)
    first = post(world.student, task, {"text": "Draft"}, token).json()
    second = post(world.student, task, {"text": "Better", "submit": "true"}, token).json()

    assert first["status"] == "draft"
    assert (second["id"], second["revision"], second["status"]) == (first["id"], 2, "submitted")


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("essay.pdf", PNG), "named .pdf but holds image/png"),
        (SimpleUploadedFile("page.html", b"<!DOCTYPE html><script>x()</script>"), "web page"),
        (
            SimpleUploadedFile(
                "icon.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()">'
            ),
            "runs scripts",
        ),
        (SimpleUploadedFile("empty.txt", b""), "is empty"),
    ],
)
def test_a_refused_file_is_400_with_the_reason_and_nothing_is_stored(
    world, task, settings, upload, reason
):
    response = post(
        world.student,
        task,
        {"text": "Mine", "files": [SimpleUploadedFile("good.pdf", PDF), upload], "submit": "true"},
    )

    assert response.status_code == 400
    assert reason in json.dumps(response.json()["errors"])
    assert Revision.objects.count() == RevisionFile.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "work").exists()


def test_a_file_over_the_limit_is_refused(world, task, settings):
    settings.PROFICIO_MAX_FILE_MB = 1
    big = SimpleUploadedFile("long.wav", WAV + b"\x00" * (1024 * 1024 + 1))
    response = post(world.student, task, {"files": [big], "submit": "true"})
    assert response.status_code == 400
    assert "1 MB at most" in json.dumps(response.json()["errors"])
    assert RevisionFile.objects.count() == 0


def test_a_malformed_self_assessment_is_400(world, task):
    response = post(world.student, task, {"self_assessment": "not json", "submit": "true"})
    assert response.status_code == 400
    assert "self_assessment" in response.json()["errors"]


@pytest.mark.parametrize("who", ["teacher", "other_student", "far_student", "guardian"])
def test_only_a_student_given_the_task_submits_to_it(world, task, who):
    response = post(getattr(world, who), task, {"text": "Not mine", "submit": "true"})
    assert response.status_code in (404,)
    assert Revision.objects.count() == 0
