"""A student's progress report: the trajectory over time worked out by hand, on a page and
as a PDF from the same report, for whoever may see the student."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.mastery.api import trajectory_of
from proficio.mastery.services import evidence_record
from proficio.reports.pdf import progress_pdf_write
from proficio.reports.progress import progress_report
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


def rate(world, stage, level, days_ago, **feedback):
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days_ago),
        source="observation",
        **feedback,
    )


@pytest.fixture
def rated(world):
    """Under "latest, one rating": stage 1 reached 20 days ago, stage 2 reached 10 days ago,
    lost 5 days ago (a lower rating), reached again 2 days ago."""
    policy(world, "latest", minimum_evidence=1)
    rate(world, 1, 2, 30)
    rate(world, 1, 3, 20)
    rate(world, 2, 4, 10)
    rate(world, 2, 2, 5)
    rate(world, 2, 3, 2, feedback_next="Cite a second source.", artifact_title="River essay")
    return world


def test_the_trajectory_by_hand(rated):
    today = timezone.localdate()
    trajectory = trajectory_of(student=rated.student, competency=rated.competency, until=today)
    ago = {today - timedelta(days=n): n for n in (30, 20, 10, 5, 2)}
    steps = [(ago.get(step.day, 0), step.reached, step.working) for step in trajectory.steps]
    assert steps[:5] == [(30, 0, 1), (20, 1, 2), (10, 2, 3), (5, 1, 2), (2, 2, 3)]
    assert {r.stage.ordinal: r.on for r in trajectory.reached} == {
        1: today - timedelta(days=20),
        2: today - timedelta(days=2),  # reached anew after it was lost
    }
    assert [e.level for e in trajectory.reached[1].evidence] == [3, 2, 4]


def test_as_of_a_past_day(rated):
    day = timezone.localdate() - timedelta(days=7)
    report = progress_report(user=rated.teacher, student=rated.student, as_of=day)
    (item,) = report.competencies
    assert item.working_stage == 3 and item.trajectory.now.reached == 2
    assert [r.stage.ordinal for r in item.trajectory.reached] == [1, 2]
    assert item.feedback is None  # the feedback came later


def test_the_page_and_the_pdf_say_the_same(rated, tmp_path):
    client = Client()
    client.force_login(rated.guardian)
    url = reverse("reports:progress", args=[rated.student.uuid])
    page = client.get(url).content.decode()
    assert "Cite a second source." in page and "River essay" in page
    assert "<svg" in page and "2 stages reached in this period." in page
    assert AuditEntry.objects.filter(action="student.viewed", actor=rated.guardian).exists()

    pdf = client.get(reverse("reports:progress_pdf", args=[rated.student.uuid]))
    assert pdf["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    words = " ".join(page.get_textpage().get_text_range() for page in document)
    assert "Cite a second source." in words and "Stage 2" in words
    image = document[0].render(scale=1).to_pil()
    assert image.getextrema()[0][0] < 100  # there is ink on the page


def test_who_reads_a_progress_report(rated):
    url = reverse("reports:progress", args=[rated.student.uuid])
    allowed = {"student", "guardian", "teacher", "school_admin", "district_admin"}
    for role in allowed:
        client = Client()
        client.force_login(getattr(rated, role))
        assert client.get(url).status_code == 200, role
    for person in (rated.classmate, rated.other_teacher, rated.other_district_teacher):
        client = Client()
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert (
            client.get(reverse("reports:progress_pdf", args=[rated.student.uuid])).status_code
            == 404
        )


def test_a_pdf_in_spanish(rated):
    from django.utils import translation

    buffer = io.BytesIO()
    with translation.override("es"):
        report = progress_report(user=rated.student, student=rated.student)
        progress_pdf_write(report=report, destination=buffer)
    words = " ".join(
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(buffer.getvalue())
    )
    assert "Informe de progreso" in words and "etapas alcanzadas" in words
    assert date.today().year
