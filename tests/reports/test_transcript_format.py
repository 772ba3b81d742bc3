"""The transcript format (a design choice, issue 16 item 6): a district admin chooses whether
transcripts carry the appendix of evidence and the stage typical for the student's
age-grade; the page, its export, the PDF and transcripts issued from then on follow it, and a
transcript already issued keeps the format it was issued in."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pypdfium2
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Stage
from proficio.lib.errors import NotVisible
from proficio.mastery.services import evidence_record
from proficio.people.models import Person, Role
from proficio.reports.models import IssuedTranscript
from proficio.reports.transcript_pdf import transcript_pdf_write
from proficio.reports.transcripts import (
    credit_add,
    digest_of,
    transcript_format_of,
    transcript_format_set,
    transcript_issue,
    transcript_of,
    verify,
)
from tests.factories import make_person
from tests.mastery.varied import policy
from tests.web.test_spanish import untranslated

pytestmark = pytest.mark.django_db

FORMAT = reverse("reports:transcript_format")


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def record(world):
    """Stage 1 mastered, with a credit; typical grades 3, 5 and 7 on the three stages; the
    student in grade 4, so stage 2 is typical."""
    policy(world, "latest", minimum_evidence=1, threshold=Decimal(3))
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now() - timedelta(days=3),
        source="observation",
        artifact_title="A letter to the council",
    )
    credit_add(
        actor=world.district_admin,
        district=world.district,
        stage=world.competency.stages.get(ordinal=1),
        title="Writing: stage 1",
    )
    for ordinal, grade in ((1, 3), (2, 5), (3, 7)):
        Stage.objects.filter(competency=world.competency, ordinal=ordinal).update(
            typical_grade=grade
        )
    Person.objects.filter(pk=world.student.pk).update(age_grade=4)
    world.student.refresh_from_db()
    return world


def choose(world, *, appendix: bool, typical_stage: bool):
    return transcript_format_set(
        actor=world.district_admin,
        district=world.district,
        appendix=appendix,
        typical_stage=typical_stage,
    )


def item_of(content: dict) -> dict:
    (area,) = content["areas"]
    (item,) = area["competencies"]
    return item


# ---- the setting -----------------------------------------------------------------------------


def test_proficios_default_is_the_appendix_without_the_typical_stage(record):
    default = transcript_format_of(record.district.pk)
    assert (default.appendix, default.typical_stage) == (True, False)
    content = transcript_of(user=record.district_admin, student=record.student)
    assert content["format"] == {"appendix": True, "typical_stage": False}
    assert content["appendix"] and "typical" not in item_of(content)
    assert "age_grade" not in content


def test_a_district_admin_sets_the_format_and_it_is_audited(record):
    choose(record, appendix=False, typical_stage=True)
    stored = transcript_format_of(record.district.pk)
    assert (stored.appendix, stored.typical_stage) == (False, True)
    entry = AuditEntry.objects.get(action="transcript_format.set")
    assert entry.actor == record.district_admin and entry.district_id == record.district.pk
    assert entry.student is None
    assert entry.data == {
        "appendix": False,
        "typical_stage": True,
        "before": {"appendix": True, "typical_stage": False},
    }


@pytest.mark.parametrize("who", ["school_admin", "teacher", "student", "guardian"])
def test_no_one_else_sets_it(record, who):
    with pytest.raises(NotVisible):
        transcript_format_set(
            actor=getattr(record, who),
            district=record.district,
            appendix=False,
            typical_stage=True,
        )
    assert not AuditEntry.objects.filter(action="transcript_format.set").exists()


def test_another_districts_admin_sets_their_own_only(record):
    elsewhere = record.other_district_teacher.district
    their_admin = make_person(elsewhere, "elsewhereadmin", Role.DISTRICT_ADMIN, None)
    with pytest.raises(NotVisible):
        transcript_format_set(
            actor=their_admin, district=record.district, appendix=False, typical_stage=True
        )
    response = client_for(their_admin).post(FORMAT, {"typical_stage": "on"})
    assert response.status_code == 302
    assert transcript_format_of(elsewhere.pk).typical_stage
    ours = transcript_format_of(record.district.pk)
    assert (ours.appendix, ours.typical_stage) == (True, False)


# ---- its effect ------------------------------------------------------------------------------


def test_the_typical_stage_stands_beside_each_competency(record):
    choose(record, appendix=True, typical_stage=True)
    content = transcript_of(user=record.district_admin, student=record.student)
    assert content["age_grade"] == 4
    assert item_of(content)["typical"] == {"stage": 2, "label": "Stage 2"}
    page = client_for(record.guardian).get(
        reverse("reports:transcript", args=[record.student.uuid])
    )
    text = page.content.decode()
    assert "Typical for grade 4" in text and "Stage 2 · Stage 2" in text
    # The export carries the column the page shows.
    export = client_for(record.district_admin).get(
        reverse("reports:transcript", args=[record.student.uuid]), {"format": "csv"}
    )
    header, row = export.content.decode("utf-8-sig").splitlines()[:2]
    assert header.endswith("Typical for grade 4") and row.endswith("Stage 2 · Stage 2")


def test_past_the_last_stages_grade_every_stage_is_typical(record):
    Person.objects.filter(pk=record.student.pk).update(age_grade=9)
    record.student.refresh_from_db()
    choose(record, appendix=True, typical_stage=True)
    content = transcript_of(user=record.district_admin, student=record.student)
    assert item_of(content)["typical"] == {"stage": None, "label": ""}


def test_without_an_age_grade_the_transcript_says_there_is_none_to_compare(record):
    Person.objects.filter(pk=record.student.pk).update(age_grade=None)
    record.student.refresh_from_db()
    choose(record, appendix=True, typical_stage=True)
    content = transcript_of(user=record.district_admin, student=record.student)
    assert content["age_grade"] is None and item_of(content)["typical"] is None
    text = (
        client_for(record.student)
        .get(reverse("reports:transcript", args=[record.student.uuid]))
        .content.decode()
    )
    assert "Typical for the age-grade" in text
    assert "No age-grade is recorded" in text


def test_without_the_appendix_the_credits_keep_their_link_to_the_evidence(record):
    choose(record, appendix=False, typical_stage=False)
    content = transcript_of(user=record.district_admin, student=record.student)
    assert content["appendix"] == [] and content["credits"]
    text = (
        client_for(record.student)
        .get(reverse("reports:transcript", args=[record.student.uuid]))
        .content.decode()
    )
    assert "Appendix: the evidence behind each credit" not in text
    assert "A letter to the council" not in text
    assert "Writing: stage 1" in text and "the evidence" in text


def test_an_issued_transcript_keeps_the_format_it_was_issued_in(record):
    before = transcript_issue(actor=record.district_admin, student=record.student)
    choose(record, appendix=False, typical_stage=True)
    after = transcript_issue(actor=record.district_admin, student=record.student)

    before.refresh_from_db()
    assert before.content["format"] == {"appendix": True, "typical_stage": False}
    assert before.content["appendix"]
    assert after.content["format"] == {"appendix": False, "typical_stage": True}
    assert after.content["appendix"] == [] and item_of(after.content)["typical"]["stage"] == 2
    assert verify(before.code).unchanged and verify(after.code).unchanged

    admin = client_for(record.district_admin)
    old_page = admin.get(reverse("reports:issued", args=[before.uuid])).content.decode()
    assert "Appendix: the evidence behind each credit" in old_page
    assert "Typical for grade" not in old_page
    new_page = admin.get(reverse("reports:issued", args=[after.uuid])).content.decode()
    assert "Appendix: the evidence behind each credit" not in new_page
    assert "Typical for grade 4" in new_page


def test_a_snapshot_issued_before_the_format_existed_reads_as_it_was(record):
    issued = transcript_issue(actor=record.district_admin, student=record.student)
    # What a transcript issued before the setting holds: no format in its snapshot.
    content = {k: v for k, v in issued.content.items() if k != "format"}
    digest = digest_of(
        code=issued.code,
        student_uuid=str(record.student.uuid),
        issued_at=issued.issued_at,
        content=content,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IssuedTranscript._meta.db_table} SET content = %s, digest = %s WHERE id = %s",
            [json.dumps(content), digest, issued.pk],
        )
    choose(record, appendix=False, typical_stage=True)
    page = (
        client_for(record.district_admin)
        .get(reverse("reports:issued", args=[issued.uuid]))
        .content.decode()
    )
    assert "Appendix: the evidence behind each credit" in page
    assert "Typical for" not in page
    assert verify(issued.code).unchanged


def _pdf_words(issued) -> tuple[str, int]:
    buffer = io.BytesIO()
    transcript_pdf_write(
        issued=issued,
        destination=buffer,
        verify_url=f"https://proficio.example/reports/verify/?code={issued.code}",
        evidence_url=lambda competency: f"https://proficio.example/{competency}",
    )
    document = pypdfium2.PdfDocument(buffer.getvalue())
    words = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(words.split()), len(document)


def test_the_pdf_follows_the_format_it_was_issued_in(record):
    plain = transcript_issue(actor=record.district_admin, student=record.student)
    choose(record, appendix=False, typical_stage=True)
    shaped = transcript_issue(actor=record.district_admin, student=record.student)
    words, pages = _pdf_words(plain)
    assert "Appendix" in words and pages == 2 and "Typical for" not in words
    words, pages = _pdf_words(shaped)
    assert "Appendix" not in words and pages == 1
    assert "Typical for grade 4" in words and "Stage 2 · Stage 2" in words


# ---- the page --------------------------------------------------------------------------------


def test_the_format_page_shows_the_choice_and_saves_it(record):
    admin = client_for(record.district_admin)
    page = admin.get(FORMAT).content.decode()
    assert "What does a transcript show?" in page
    assert re.search(r'name="appendix"[^>]*checked', page)
    assert not re.search(r'name="typical_stage"[^>]*checked', page)
    response = admin.post(FORMAT, {"typical_stage": "on"})
    assert response.status_code == 302 and response["Location"] == FORMAT
    stored = transcript_format_of(record.district.pk)
    assert (stored.appendix, stored.typical_stage) == (False, True)
    assert "Saved the transcript format." in admin.get(FORMAT).content.decode()
    assert f'href="{FORMAT}"' in admin.get(reverse("reports:credits")).content.decode()


@pytest.mark.parametrize(
    "who", ["school_admin", "teacher", "student", "guardian", "other_district_teacher"]
)
def test_everyone_else_finds_no_format_page(record, who):
    client = client_for(getattr(record, who))
    assert client.get(FORMAT).status_code == 404
    assert client.post(FORMAT, {"typical_stage": "on"}).status_code == 404
    assert not transcript_format_of(record.district.pk).typical_stage


def test_the_signed_out_sign_in_first(db):
    response = Client().get(FORMAT)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_typical_stage_reads_in_spanish(record):
    choose(record, appendix=False, typical_stage=True)
    url = reverse("reports:transcript", args=[record.student.uuid])
    for who in (record.student, record.guardian):
        assert untranslated(client_for(who), url) == []
    text = client_for(record.guardian).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Típica para grado 4" in text and "Etapa 2 · Stage 2" in text
