"""The edges of calibration: names that are also words, accents and hyphens; office
documents; odd input on the pages; and an exemplar used as a piece, hidden from a rater
until they have rated."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proficio.calibration.anonymise import Names, identifiers_of, scrub
from proficio.calibration.models import Exemplar
from proficio.calibration.permissions import exemplars_visible_q
from proficio.calibration.services import (
    PieceSpec,
    exemplar_confirm,
    exemplar_propose,
    session_open,
)
from proficio.people.api import Role, person_create, role_assign, section_enroll
from tests.calibration.conftest import rate
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def will(world):
    person = person_create(
        district=world.district,
        username="will.garcia-lopez",
        first_name="Will José",
        last_name="García-López",
        password=PASSWORD,
    )
    role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)
    section_enroll(section=world.section, student=person)
    return person


def test_a_name_that_is_also_a_word_stays_a_word(will):
    names = identifiers_of(will)
    text = "I will argue, says Will. Jose Garcia agrees with García-López and José\u0301."
    assert scrub(text, names) == (
        "I will argue, says [student]. [student] [student] agrees with [student] and [student]."
    )
    assert scrub("De la Cruz", Names(whole=(), parts=("De", "La", "Cruz"))) == (
        "[student] la [student]"
    )


def _docx(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
        docx.writestr(
            "docProps/core.xml",
            "<cp:coreProperties><dc:creator>Will García-López</dc:creator></cp:coreProperties>",
        )
    return buffer.getvalue()


def test_an_office_document_loses_the_names_in_its_text_and_author(world, will):
    exemplar = exemplar_propose(
        actor=world.teacher,
        student=will,
        upload=SimpleUploadedFile("Will essay.docx", _docx("An essay by Will García-López."), DOCX),
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        title="An essay",
        annotation="Why.",
        consent="policy",
    )
    kept = exemplar.files.get()
    assert kept.read_for_names and kept.name == "w1-stage-1-1.docx"
    with kept.file.open("rb") as stored, zipfile.ZipFile(stored) as docx:
        words = docx.read("word/document.xml").decode() + docx.read("docProps/core.xml").decode()
    assert "Will" not in words and "García" not in words and "[student]" in words


def test_a_pdf_is_marked_unread_and_the_confirmer_is_told(world):
    exemplar = exemplar_propose(
        actor=world.teacher,
        student=world.classmate,
        upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%scan\n"),
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        title="A scan",
        annotation="Why.",
        consent="policy",
    )
    assert not exemplar.files.get().read_for_names
    client = Client()
    client.force_login(world.other_teacher)
    page = client.get(reverse("calibration:exemplar", args=[exemplar.uuid])).content.decode()
    assert "could not read these for names" in page and "w1-stage-1-1.pdf" in page


def test_odd_input_is_refused_kindly(world, session):
    client = Client()
    client.force_login(world.teacher)
    assert client.get(reverse("calibration:library") + "?level=NaN&stage=x").status_code == 200
    piece = session.pieces.first()
    odd = client.post(
        reverse("calibration:session_rate", args=[session.uuid]),
        {f"level-{piece.uuid}": "sNaN", f"rationale-{piece.uuid}": "Hm."},
    )
    assert odd.status_code == 422
    opened = client.post(
        reverse("calibration:session_new"),
        {"title": "T", "piece": ["r:x"], "against-r:x": f"{world.competency.uuid}:²"},
    )
    assert opened.status_code == 422


def test_an_exemplar_used_as_a_piece_is_hidden_from_a_rater_until_they_rate(world, third_teacher):
    exemplars = []
    for level in (2, 3, 4):
        exemplar = exemplar_propose(
            actor=world.teacher,
            student=world.classmate,
            text=f"Work at {level}.",
            competency=world.competency,
            stage=1,
            level=Decimal(level),
            title=f"Level {level}",
            annotation="Why.",
            consent="policy",
        )
        exemplars.append(
            exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)
        )
    session = session_open(
        actor=world.teacher,
        title="Anchors",
        school=world.school,
        pieces=[PieceSpec(competency=world.competency, stage=1, exemplar=e) for e in exemplars],
        raters=[world.other_teacher, third_teacher],
    )

    def visible(person):
        return set(Exemplar.objects.filter(exemplars_visible_q(person)))

    assert visible(third_teacher) == set()
    assert visible(world.teacher) == set(exemplars)  # the facilitator does not rate
    rate(session, third_teacher, [2, 3, 4])
    assert visible(third_teacher) == set(exemplars)
