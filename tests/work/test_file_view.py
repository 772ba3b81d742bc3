"""A student's file by its address: served to the student, their teachers and admins and
guardians (signed in or with a bearer token), whole or by range, sealed against running as a
page; 404 to everyone else, including a classmate and the guardian of another child."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from proficio.audit.models import AuditEntry
from proficio.people.models import Role
from proficio.people.services import api_token_issue, guardian_link
from proficio.work.data import Alignment
from proficio.work.services import revision_save, task_assign, task_create
from tests.factories import make_person
from tests.work.test_file_kinds import PDF, WAV

pytestmark = pytest.mark.django_db

AUDIO = WAV + bytes(range(256)) * 400  # 100 KB: a player seeks past the opening


def png(width: int = 1200, height: int = 800) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def revision(world):
    task = task_create(
        author=world.teacher,
        title="Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return revision_save(
        student=world.student,
        task=task,
        files=[
            SimpleUploadedFile("reading.wav", AUDIO),
            SimpleUploadedFile("drawing.png", png()),
            SimpleUploadedFile("report.pdf", PDF),
        ],
        submit=True,
    )


def file_of(revision, name):
    return revision.files.get(name=name)


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def read(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "who", ["student", "teacher", "guardian", "school_admin", "district_admin"]
)
def test_the_student_and_those_who_keep_their_record_get_the_bytes(world, revision, who):
    kept = file_of(revision, "reading.wav")
    response = as_user(getattr(world, who)).get(reverse("work:file", args=[kept.uuid]))

    assert response.status_code == 200
    assert read(response) == AUDIO
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Length"] == str(len(AUDIO))
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["Content-Disposition"].startswith('inline; filename="reading.wav"')


def test_a_range_request_returns_206_with_exactly_those_bytes(world, revision):
    kept = file_of(revision, "reading.wav")
    client = as_user(world.teacher)
    url = reverse("work:file", args=[kept.uuid])

    middle = client.get(url, HTTP_RANGE="bytes=100-1123")
    assert middle.status_code == 206
    assert read(middle) == AUDIO[100:1124]
    assert middle["Content-Range"] == f"bytes 100-1123/{len(AUDIO)}"
    assert middle["Content-Length"] == "1024"

    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert read(tail) == AUDIO[-10:]
    open_ended = client.get(url, HTTP_RANGE=f"bytes={len(AUDIO) - 5}-")
    assert read(open_ended) == AUDIO[-5:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(AUDIO)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(AUDIO)}"


@pytest.mark.parametrize(
    "who", ["classmate", "other_student", "other_teacher", "far_student", "other_district_teacher"]
)
def test_everyone_else_gets_404(world, revision, who):
    kept = file_of(revision, "reading.wav")
    response = as_user(getattr(world, who)).get(reverse("work:file", args=[kept.uuid]))
    assert response.status_code == 404


def test_a_guardian_of_another_child_gets_404(world, revision):
    other_guardian = make_person(world.district, "otherguardian", Role.GUARDIAN, None)
    guardian_link(guardian=other_guardian, student=world.classmate)
    kept = file_of(revision, "drawing.png")

    for name in ("work:file", "work:file_thumbnail"):
        response = as_user(other_guardian).get(reverse(name, args=[kept.uuid]))
        assert response.status_code == 404


def test_a_school_admin_of_another_school_gets_404(world, revision):
    other_admin = make_person(world.district, "southadmin", Role.SCHOOL_ADMIN, world.other_school)
    kept = file_of(revision, "report.pdf")
    assert as_user(other_admin).get(reverse("work:file", args=[kept.uuid])).status_code == 404


def test_a_bearer_token_opens_a_file_its_person_may_read_and_no_other(world, revision):
    kept = file_of(revision, "report.pdf")
    url = reverse("work:file", args=[kept.uuid])
    teacher_token = api_token_issue(person=world.teacher)
    classmate_token = api_token_issue(person=world.classmate)

    ok = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {teacher_token}")
    assert ok.status_code == 200
    assert read(ok) == PDF
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {classmate_token}").status_code == 404
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 404


def test_signed_out_is_sent_to_sign_in(revision):
    kept = file_of(revision, "report.pdf")
    response = Client().get(reverse("work:file", args=[kept.uuid]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_image_has_a_small_upright_preview(world, revision):
    kept = file_of(revision, "drawing.png")
    response = as_user(world.teacher).get(reverse("work:file_thumbnail", args=[kept.uuid]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    preview = Image.open(BytesIO(read(response)))
    assert max(preview.size) == 480
    assert preview.size == (480, 320)
    audio = file_of(revision, "reading.wav")
    no_preview = as_user(world.teacher).get(reverse("work:file_thumbnail", args=[audio.uuid]))
    assert no_preview.status_code == 404


def test_opening_a_file_is_audited_once_not_at_every_seek(world, revision):
    kept = file_of(revision, "reading.wav")
    url = reverse("work:file", args=[kept.uuid])
    teacher = as_user(world.teacher)
    before = AuditEntry.objects.filter(student=world.student, action="student.viewed").count()

    read(teacher.get(url, HTTP_RANGE="bytes=0-"))
    read(teacher.get(url, HTTP_RANGE="bytes=80000-90000"))
    read(as_user(world.student).get(url))

    entries = AuditEntry.objects.filter(student=world.student, action="student.viewed")
    assert entries.count() == before + 1
    assert entries.latest("pk").data == {"via": "file", "file": str(kept.uuid)}
