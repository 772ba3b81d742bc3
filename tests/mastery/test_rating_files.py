"""A teacher's quick rating keeps a photo, recording or file of what they saw, stored and
checked like students' work; the student, their guardians and staff open it, nobody else."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import Evidence, EvidenceFile
from proficio.lib.errors import InvalidInput
from proficio.mastery.services import evidence_record
from proficio.people.models import Role
from proficio.people.services import guardian_link
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


def rate_with(world, *files, htmx=True):
    url = reverse("mastery:student_competency", args=[world.student.uuid, world.competency.uuid])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return as_user(world.teacher).post(
        f"{url}?section={world.section.uuid}",
        {
            "stage": "1",
            "level": "3",
            "observed_on": timezone.localdate().isoformat(),
            "source": "observation",
            "feedback_present": "Measured carefully.",
            "attachments": list(files),
        },
        **headers,
    )


def test_a_rating_keeps_a_photo_and_a_recording(world):
    response = rate_with(
        world, SimpleUploadedFile("lab.png", png()), SimpleUploadedFile("talk.wav", WAV)
    )

    assert response.status_code == 200
    evidence = Evidence.objects.get(student=world.student)
    photo, talk = evidence.files.order_by("pk")
    assert (photo.name, photo.content_type, bool(photo.thumbnail)) == ("lab.png", "image/png", True)
    assert talk.content_type == "audio/x-wav"
    content = response.content.decode()
    assert reverse("mastery:evidence_file_thumbnail", args=[photo.uuid]) in content
    assert "<audio" in content


def test_a_refused_file_refuses_the_rating_with_the_reason(world):
    response = rate_with(world, SimpleUploadedFile("notes.html", b"<html><script>x()</script>"))

    assert response.status_code == 422
    assert "is a web page" in response.content.decode()
    assert Evidence.objects.count() == EvidenceFile.objects.count() == 0


def test_the_service_tells_file_and_rating_problems_at_once(world):
    with pytest.raises(InvalidInput) as refused:
        evidence_record(
            assessor=world.teacher,
            student=world.student,
            competency=world.competency,
            stage=1,
            level=Decimal(9),
            observed_at=timezone.now(),
            source="observation",
            files=[SimpleUploadedFile("empty.txt", b"")],
        )
    assert set(refused.value.errors) >= {"level", "files-1"}
    assert Evidence.objects.count() == EvidenceFile.objects.count() == 0


@pytest.mark.parametrize("who", ["student", "guardian", "teacher", "school_admin"])
def test_those_who_see_the_record_open_the_file(world, who):
    rate_with(world, SimpleUploadedFile("lab.png", png()))
    kept = EvidenceFile.objects.get()
    response = as_user(getattr(world, who)).get(reverse("mastery:evidence_file", args=[kept.uuid]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


@pytest.mark.parametrize("who", ["classmate", "other_teacher", "other_district_teacher"])
def test_everyone_else_gets_404(world, who):
    rate_with(world, SimpleUploadedFile("lab.png", png()))
    kept = EvidenceFile.objects.get()
    for name in ("mastery:evidence_file", "mastery:evidence_file_thumbnail"):
        response = as_user(getattr(world, who)).get(reverse(name, args=[kept.uuid]))
        assert response.status_code == 404


def test_a_guardian_of_another_child_gets_404(world):
    rate_with(world, SimpleUploadedFile("lab.png", png()))
    kept = EvidenceFile.objects.get()
    other = make_person(world.district, "otherparent", Role.GUARDIAN, None)
    guardian_link(guardian=other, student=world.classmate)
    response = as_user(other).get(reverse("mastery:evidence_file", args=[kept.uuid]))
    assert response.status_code == 404
