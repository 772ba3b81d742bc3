"""A student's work reaches their export and their erasure through the rows it hangs from:
their revisions, the reviews and comments on them, the bytes of their files and of files
kept with their ratings (docs/decisions/0033)."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.evidence.models import EvidenceFile
from proficio.mastery.services import evidence_record
from proficio.privacy.services import student_erase, student_export
from proficio.work.data import Alignment
from proficio.work.models import RevisionFile
from proficio.work.services import (
    comment_add,
    review_record,
    revision_save,
    task_assign,
    task_create,
)
from tests.work.test_file_kinds import PDF, WAV

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def work(world):
    task = task_create(
        author=world.teacher,
        title="Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(
        student=world.student,
        task=task,
        text="My reading of chapter one.",
        submit=True,
        files=[SimpleUploadedFile("reading.wav", WAV)],
    )
    review_record(reviewer=world.teacher, revision=revision, decision="revise")
    comment_add(author=world.teacher, submission=revision.submission, text="Slow down a little.")
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(3),
        observed_at=timezone.now(),
        source="observation",
        files=[SimpleUploadedFile("lab.pdf", PDF)],
    )
    return revision


def test_the_export_holds_the_students_work_and_its_files(world, work):
    buffer = io.BytesIO()
    student_export(
        actor=world.district_admin, student=world.student, destination=buffer, via="page"
    )
    archive = zipfile.ZipFile(buffer)
    names = archive.namelist()

    revisions = json.loads(archive.read("tables/work_revision.json"))
    assert [row["text"] for row in revisions["rows"]] == ["My reading of chapter one."]
    assert "tables/work_review.json" in names and "tables/work_comment.json" in names
    kept = RevisionFile.objects.get()
    assert archive.read(f"files/work_revisionfile/{kept.pk}/{kept.file.name}") == WAV
    observed = EvidenceFile.objects.get()
    assert archive.read(f"files/evidence_evidencefile/{observed.pk}/{observed.file.name}") == PDF


def test_erasure_deletes_the_bytes_of_their_files_and_keeps_the_rows(world, work, settings):
    kept, observed = RevisionFile.objects.get(), EvidenceFile.objects.get()
    paths = [settings.MEDIA_ROOT / kept.file.name, settings.MEDIA_ROOT / observed.file.name]
    assert all(path.exists() for path in paths)

    erasure = student_erase(actor=world.district_admin, student=world.student, via="page")

    assert erasure.files_removed >= 2
    assert not any(path.exists() for path in paths)
    kept.refresh_from_db()
    assert kept.file.name == "" and kept.size == len(WAV)  # the row, and its size, stay
    teacher = Client()
    teacher.force_login(world.teacher)
    response = teacher.get(reverse("work:file", args=[kept.uuid]))
    assert response.status_code == 404
