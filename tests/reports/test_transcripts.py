"""The competency transcript: mastered stages and their days worked out by hand under the
policy versions in force on each day; issuing an immutable snapshot; verification by code;
credits; the PDF; who reads and who issues."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.mastery.services import evidence_record
from proficio.reports.models import IssuedTranscript, TranscriptIsImmutable
from proficio.reports.transcript_pdf import transcript_pdf_write
from proficio.reports.transcripts import credit_add, transcript_issue, transcript_of, verify
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def rate(world, stage, level, days):
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days),
        source="observation",
        artifact_title=f"Work of day -{days}",
    )


@pytest.fixture
def record(world):
    """Two policy versions: "latest, one rating, 3 or more" until 20 days ago, then "mean of
    two or more, 3.5 or more".
    - Stage 1: 3 (day -40) → mastered on -40 under the first policy. Under the second its
      one rating is too few: lost on -20; a 4 on -15 makes the mean 3.5 of two: mastered
      again on -15.
    - Stage 2: 3 (day -30) → mastered on -30; on -20 one rating is too few: lost; 4 on -10
      makes (3 + 4) / 2 = 3.5: mastered on -10.
    - Stage 3: 4 (day -5) alone: never two ratings, never mastered."""
    policy(world, "latest", minimum_evidence=1, threshold=Decimal(3), effective_from=ago(400))
    policy(world, "mean", minimum_evidence=2, threshold=Decimal("3.5"), effective_from=ago(20))
    rate(world, 1, 3, 40)
    rate(world, 2, 3, 30)
    rate(world, 1, 4, 15)
    rate(world, 2, 4, 10)
    rate(world, 3, 4, 5)
    stages = {s.ordinal: s for s in world.competency.stages.all()}
    credit_add(
        actor=world.district_admin,
        district=world.district,
        stage=stages[2],
        title="Writing: stage 2",
    )
    credit_add(
        actor=world.district_admin,
        district=world.district,
        stage=stages[3],
        title="Writing: stage 3",
    )
    return world


def test_mastered_stages_and_days_by_hand(record):
    content = transcript_of(user=record.district_admin, student=record.student)
    (area,) = content["areas"]
    (item,) = area["competencies"]
    assert (item["reached"], item["reached_on"], item["working"]) == (2, ago(10).isoformat(), 3)
    assert [(c["title"], c["on"]) for c in content["credits"]] == [
        ("Writing: stage 2", ago(10).isoformat())
    ]
    (appendix,) = content["appendix"]
    assert [r["day"] for r in appendix["ratings"]] == [ago(10).isoformat(), ago(30).isoformat()]
    assert len(content["policies"]) == 2  # both versions were in force on some day


def test_as_of_a_day_under_the_first_policy(record):
    content = transcript_of(user=record.district_admin, student=record.student, as_of=ago(25))
    item = content["areas"][0]["competencies"][0]
    assert (item["reached"], item["reached_on"]) == (2, ago(30).isoformat())
    assert [c["on"] for c in content["credits"]] == [ago(30).isoformat()]


def test_an_issued_transcript_is_unchanged_by_new_evidence_and_verifies(record):
    issued = transcript_issue(actor=record.school_admin, student=record.student)
    before = issued.content
    rate(record, 3, 4, 0)  # the second rating of stage 3 masters it today
    assert (
        transcript_of(user=record.district_admin, student=record.student)["credits"][-1]["title"]
        == "Writing: stage 3"
    )
    issued.refresh_from_db()
    assert issued.content == before
    assert verify(issued.code).found and verify(issued.code).unchanged
    assert verify(issued.code.lower()).unchanged  # typed in lower case
    changed = issued.code[:-1] + ("A" if issued.code[-1] != "A" else "B")
    assert not verify(changed).found
    with pytest.raises(TranscriptIsImmutable):
        issued.save()
    with pytest.raises(TranscriptIsImmutable):
        IssuedTranscript.objects.filter(pk=issued.pk).update(as_of=ago(1))


def test_a_row_changed_behind_the_service_reads_as_changed(record):
    from django.db import connection

    issued = transcript_issue(actor=record.district_admin, student=record.student)
    table = IssuedTranscript._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET content = %s WHERE id = %s", ['{"credits": []}', issued.pk]
        )
    result = verify(issued.code)
    assert result.found and not result.unchanged


def test_the_verification_page_says_only_that(record, client):
    issued = transcript_issue(actor=record.district_admin, student=record.student)
    page = client.get(reverse("reports:verify"), {"code": issued.code}).content.decode()
    assert "Authentic." in page and record.student.last_name not in page
    assert "Writing" not in page
    missing = client.get(reverse("reports:verify"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "Not found." in missing.content.decode()


def test_who_reads_and_who_issues(record):
    issue_url = reverse("reports:transcript_issue", args=[record.student.uuid])
    page_url = reverse("reports:transcript", args=[record.student.uuid])
    for role, reads, issues in (
        ("student", True, False),
        ("guardian", True, False),
        ("teacher", True, False),
        ("school_admin", True, True),
        ("district_admin", True, True),
        ("other_teacher", False, False),
        ("other_district_teacher", False, False),
    ):
        client = Client()
        client.force_login(getattr(record, role))
        assert client.get(page_url).status_code == (200 if reads else 404), role
        answer = client.post(issue_url)
        assert answer.status_code == (302 if issues else 404), role
    issued = IssuedTranscript.objects.first()
    guardian = Client()
    guardian.force_login(record.guardian)
    assert guardian.get(reverse("reports:issued", args=[issued.uuid])).status_code == 200
    stranger = Client()
    stranger.force_login(record.other_district_teacher)
    assert stranger.get(reverse("reports:issued_pdf", args=[issued.uuid])).status_code == 404


def test_credits_are_the_district_admins(record):
    url = reverse("reports:credits")
    admin = Client()
    admin.force_login(record.district_admin)
    assert "Writing: stage 2" in admin.get(url).content.decode()
    refused = admin.post(
        url, {"competency": str(record.competency.uuid), "stage": "2", "title": "Again"}
    )
    assert refused.status_code == 422 and "already" in refused.content.decode()
    for role in ("school_admin", "teacher", "student"):
        client = Client()
        client.force_login(getattr(record, role))
        assert client.get(url).status_code == 404


def test_the_pdf_holds_the_credits_and_a_code_to_verify(record):
    issued = transcript_issue(actor=record.district_admin, student=record.student)
    buffer = io.BytesIO()
    transcript_pdf_write(
        issued=issued,
        destination=buffer,
        verify_url=f"https://proficio.example/reports/verify/?code={issued.code}",
        evidence_url=lambda competency: f"https://proficio.example/{competency}",
    )
    document = pypdfium2.PdfDocument(buffer.getvalue())
    words = " ".join(page.get_textpage().get_text_range() for page in document)
    assert "Writing: stage 2" in words and issued.code in words
    assert "Appendix" in words and len(document) == 2
    client = Client()
    client.force_login(record.student)
    answer = client.get(reverse("reports:issued_pdf", args=[issued.uuid]))
    assert answer["Content-Type"] == "application/pdf"
