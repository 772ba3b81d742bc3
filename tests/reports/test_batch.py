"""Progress reports in a batch: every student of a section or a school the requester may see,
written by the background worker as PDFs into one zip, followed on a page while it runs, the
zip served to the requester alone; audited once per student; one failing report does not
stop the others; a dead worker's batch says so; old zips are not kept."""

import csv
import io
import os
import zipfile
from datetime import timedelta
from decimal import Decimal

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.reports import batch as batches
from proficio.reports.batch import (
    KEEP_DAYS,
    Period,
    batch_claim,
    batch_execute,
    batch_scope,
    batch_start,
    batches_expire,
)
from proficio.reports.models import BatchState, ReportBatch
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_home(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROFICIO_RECOMPUTE_LEASE_SECONDS = 60


@pytest.fixture
def database_tasks(settings):
    """The production task backend: a task is a row that nothing runs during the test."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def rated(world):
    policy(world, "latest", minimum_evidence=1)
    for student, level in ((world.student, 3), (world.classmate, 2), (world.other_student, 4)):
        evidence_record(
            assessor=world.teacher if student != world.other_student else world.other_teacher,
            student=student,
            competency=world.competency,
            stage=1,
            level=Decimal(level),
            observed_at=timezone.now() - timedelta(days=3),
            source="observation",
            feedback_next="Cite a second source.",
        )
    return world


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def zip_of(batch: ReportBatch) -> zipfile.ZipFile:
    with batch.archive.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def test_a_teacher_gets_every_report_of_their_section_in_one_zip(rated):
    client = signed_in(rated.teacher)
    start = reverse("reports:batch_new") + f"?section={rated.section.uuid}"
    assert "2 reports" in client.get(start).content.decode()

    answer = client.post(reverse("reports:batch_new"), {"section": rated.section.uuid})

    batch = ReportBatch.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "reports:batch", args=[batch.uuid]
    )
    assert (batch.state, batch.total, batch.done, batch.failed) == (BatchState.DONE, 2, 2, 0)
    archive = zip_of(batch)
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert pdfs == ["tester-classmate-classmate.pdf", "tester-student-student.pdf"]
    assert all(archive.read(name).startswith(b"%PDF") for name in pdfs)
    index = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert [row[1] for row in index[1:]] == ["classmate", "student"]
    assert not str(batch.archive.name).startswith("/") and "student" not in batch.archive.name

    page = client.get(reverse("reports:batch", args=[batch.uuid])).content.decode()
    assert "2 reports written." in page and reverse("reports:batch_download", args=[batch.uuid])
    download = client.get(reverse("reports:batch_download", args=[batch.uuid]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "private, no-store"
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()


def test_a_batch_is_audited_once_as_a_read_of_each_student(rated):
    batch = batch_start(actor=rated.teacher, scope=rated.section)

    read = AuditEntry.objects.filter(action="student.viewed", actor=rated.teacher)
    assert sorted(read.values_list("student__username", flat=True)) == ["classmate", "student"]
    assert {entry.data["via"] for entry in read} == {"progress reports batch"}
    assert {entry.data["batch"] for entry in read} == {str(batch.uuid)}
    signed_in(rated.teacher).get(reverse("reports:batch_download", args=[batch.uuid]))
    assert read.filter(data__via="progress reports zip").count() == 2


def test_who_may_start_a_batch_of_what(rated):
    teacher, school_admin, district_admin = (
        rated.teacher,
        rated.school_admin,
        rated.district_admin,
    )
    assert batch_scope(user=teacher, section_id=str(rated.section.uuid)) == rated.section
    for user, kind, scope in (
        (teacher, "section_id", rated.other_section),
        (teacher, "school_id", rated.school),
        (school_admin, "school_id", rated.other_school),
        (rated.guardian, "section_id", rated.section),
        (rated.student, "section_id", rated.section),
        (rated.other_district_teacher, "school_id", rated.school),
    ):
        with pytest.raises(NotVisible):
            batch_scope(user=user, **{kind: str(scope.uuid)})

    school = batch_start(actor=school_admin, scope=rated.school)
    assert sorted(ReportBatch.objects.get(pk=school.pk).students) == sorted(
        [rated.student.pk, rated.classmate.pk, rated.other_student.pk]
    )
    other_school = batch_start(actor=district_admin, scope=rated.other_school)
    assert other_school.students == [rated.far_student.pk] and other_school.done == 1


def test_the_pages_answer_only_the_requester(rated):
    batch = batch_start(actor=rated.teacher, scope=rated.section)
    for person in (rated.other_teacher, rated.guardian, rated.student, rated.school_admin):
        client = signed_in(person)
        for name in ("reports:batch", "reports:batch_download"):
            assert client.get(reverse(name, args=[batch.uuid])).status_code == 404
    for person in (rated.guardian, rated.student):
        client = signed_in(person)
        assert client.get(reverse("reports:batches")).status_code == 404
        new = reverse("reports:batch_new") + f"?section={rated.section.uuid}"
        assert client.get(new).status_code == 404
    other = signed_in(rated.other_teacher)
    assert (
        other.post(reverse("reports:batch_new"), {"section": rated.section.uuid}).status_code == 404
    )
    assert ReportBatch.objects.count() == 1
    mine = signed_in(rated.teacher).get(reverse("reports:batches")).content.decode()
    assert str(batch.uuid) in mine and rated.section.name in mine


def test_one_failing_report_does_not_stop_the_others(rated, monkeypatch):
    written = batches.progress_pdf_write

    def fails_for_the_classmate(*, report, destination):
        if report.student == rated.classmate:
            raise ValueError("the chart could not be drawn")
        written(report=report, destination=destination)

    monkeypatch.setattr(batches, "progress_pdf_write", fails_for_the_classmate)
    batch = batch_start(actor=rated.teacher, scope=rated.section)

    assert (batch.state, batch.done, batch.failed) == (BatchState.DONE, 1, 1)
    assert batch.failures == [
        {"student": rated.classmate.display_name, "reason": "the chart could not be drawn"}
    ]
    assert [n for n in zip_of(batch).namelist() if n.endswith(".pdf")] == [
        "tester-student-student.pdf"
    ]
    page = signed_in(rated.teacher).get(reverse("reports:batch", args=[batch.uuid]))
    assert "1 report could not be written" in page.content.decode()


def test_the_page_follows_the_worker(rated, database_tasks):
    client = signed_in(rated.teacher)
    client.post(reverse("reports:batch_new"), {"section": rated.section.uuid})
    batch = ReportBatch.objects.get()
    address = reverse("reports:batch", args=[batch.uuid])
    waiting = client.get(address, headers={"HX-Request": "true"})
    assert "Waiting for the background worker" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "<html" not in waiting.content.decode() and "HX-Request" in waiting["Vary"]

    seen = []

    def look(step, done, total):
        part = client.get(address, headers={"HX-Request": "true"}).content.decode()
        seen.append((done, total, f'value="{done}"' in part or "written" in part))

    claimed = batch_claim(batch_id=batch.pk, task_id="")
    batch_execute(batch=claimed, progress=look)

    assert [(done, total) for done, total, _ in seen] == [(1, 2), (2, 2)]
    assert seen[0][2]  # the progress bar showed one of two while the second was written
    done = client.get(address, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Download the zip" in done


def test_a_batch_whose_worker_died_says_so(rated, database_tasks):
    batch = batch_start(actor=rated.teacher, scope=rated.section)
    batch_claim(batch_id=batch.pk, task_id="")
    ReportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=5), done=1
    )

    page = signed_in(rated.teacher).get(reverse("reports:batch", args=[batch.uuid]))

    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert "stopped after 1 of 2 reports" in batch.message
    assert "It stopped" in page.content.decode()


def test_a_period_and_an_empty_scope_are_checked(rated):
    today = timezone.localdate()
    with pytest.raises(InvalidInput):
        batch_start(
            actor=rated.teacher,
            scope=rated.section,
            period=Period(since=today, as_of=today - timedelta(days=1)),
        )
    batch = batch_start(
        actor=rated.teacher,
        scope=rated.section,
        period=Period(since=today - timedelta(days=30), as_of=today - timedelta(days=1)),
    )
    assert batch.state == BatchState.DONE and batch.as_of == today - timedelta(days=1)


def test_old_zips_are_not_kept(rated):
    batch = batch_start(actor=rated.teacher, scope=rated.section)
    path = batch.archive.path
    ReportBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - timedelta(days=KEEP_DAYS + 1)
    )

    assert batches_expire() == 1

    batch.refresh_from_db()
    assert not batch.archive
    assert not os.path.exists(path)
    client = signed_in(rated.teacher)
    assert client.get(reverse("reports:batch_download", args=[batch.uuid])).status_code == 404
    assert (
        "no longer kept" in client.get(reverse("reports:batch", args=[batch.uuid])).content.decode()
    )


def test_the_reports_are_in_the_requesters_language(rated):
    client = signed_in(rated.teacher)
    client.post(
        reverse("reports:batch_new"),
        {"section": rated.section.uuid},
        headers={"Accept-Language": "es"},
    )
    batch = ReportBatch.objects.get()
    assert batch.language == "es"
    archive = zip_of(batch)
    pdf = pypdfium2.PdfDocument(archive.read("tester-student-student.pdf"))
    text = pdf[0].get_textpage().get_text_range()
    assert "Informe de progreso" in text and "Progress report" not in text
