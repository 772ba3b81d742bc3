"""The portfolio and conference PDFs draw: each is turned into images here, page by page,
which must hold ink (not a blank page); PROFICIO_PDF_IMAGES=<folder> keeps them to look at."""

import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from proficio.agency.conferences import (
    conference_draft,
    conference_record,
    conference_share,
    family_note_add,
)
from proficio.agency.services import piece_add
from proficio.mastery.services import evidence_record
from proficio.people.api import mentorship_begin
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


def drawing() -> bytes:
    picture = Image.new("RGB", (240, 160), "white")
    for x in range(20, 220):
        for y in range(40, 60):
            picture.putpixel((x, y), (31, 79, 139))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def pages_of(pdf: bytes, name: str) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    images = [document[n].render(scale=1).to_pil() for n in range(len(document))]
    keep = os.environ.get("PROFICIO_PDF_IMAGES")
    for n, image in enumerate(images):
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            image.save(Path(keep) / f"{name}-{n + 1}.png")
    return images


def inked(image: Image.Image) -> float:
    """The share of pixels that are not white."""
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200])
    return dark / (grey.width * grey.height)


@pytest.fixture
def record(world):
    policy(world, "latest", minimum_evidence=1)
    rating = evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
        feedback_next="Quote a source for each reason — ¿por qué no?",
    )
    piece_add(
        student=world.student,
        title="Mi póster: razones",
        reflection="I drew each reason in its own colour.",
        competencies=[world.competency],
        upload=SimpleUploadedFile("poster.png", drawing()),
        shared_with_family=True,
    )
    piece_add(student=world.student, title="Rated work", evidence=rating)
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    return world


def test_the_portfolio_pdf_draws_its_pieces_and_the_picture(record, client):
    world = record
    client.force_login(world.student)
    response = client.get(reverse("agency:portfolio_pdf", args=[world.student.uuid]))
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    pages = pages_of(pdf, "portfolio")
    assert pages and all(inked(page) > 0.002 for page in pages)
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "Mi póster: razones" in text and "I drew each reason" in text


def test_the_conference_pdf_draws_the_agenda_and_the_record(record):
    world = record
    conference = conference_draft(student=world.student)
    conference_share(student=world.student, conference=conference)
    family_note_add(guardian=world.guardian, conference=conference, text="Helps at home.")
    conference_record(
        actor=world.other_teacher,
        conference=conference,
        notes="She led it well.",
        next_steps=["Read a longer book"],
    )
    guardian = Client()
    guardian.force_login(world.guardian)
    response = guardian.get(reverse("agency:conference_pdf", args=[conference.uuid]))
    pdf = b"".join(response.streaming_content)
    pages = pages_of(pdf, "conference")
    assert pages and all(inked(page) > 0.002 for page in pages)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    for words in (
        "What I mastered",
        "W1",
        "She led it well.",
        "Read a longer book",
        "Helps at home.",
    ):
        assert words in text, words
