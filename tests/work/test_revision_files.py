"""Files on a revision: kept by what they are, named by the student but stored under an id;
any refused file (kind, size, quota, empty) refuses the whole save and stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from proficio.lib.errors import InvalidInput
from proficio.work.data import Alignment
from proficio.work.models import Revision, RevisionFile, WorkIsAppendOnly
from proficio.work.selectors import bytes_held_by
from proficio.work.services import revision_save, task_assign, task_create
from tests.work.test_file_kinds import PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def task(world):
    task = task_create(
        author=world.teacher,
        title="Lab report",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    return task


def stored_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "work"
    return list(folder.iterdir()) if folder.exists() else []


def test_files_are_kept_with_their_kind_and_name(world, task, settings):
    revision = revision_save(
        student=world.student,
        task=task,
        files=[SimpleUploadedFile("graph.png", PNG), SimpleUploadedFile("report.pdf", PDF)],
        submit=True,
    )

    kept = list(revision.files.all())
    assert [(f.name, f.content_type, f.size) for f in kept] == [
        ("graph.png", "image/png", len(PNG)),
        ("report.pdf", "application/pdf", len(PDF)),
    ]
    assert kept[0].file.read() == PNG
    assert all("graph" not in path.name for path in stored_files(settings))
    with pytest.raises(WorkIsAppendOnly):
        RevisionFile.objects.all().delete()


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("empty.txt", b""), "is empty"),
        (SimpleUploadedFile("photo.jpg", PDF), "is named .jpg"),
        (SimpleUploadedFile("page.html", b"<html><script>x</script>"), "web page"),
    ],
)
def test_a_refused_file_stores_nothing(world, task, settings, upload, reason):
    with pytest.raises(InvalidInput) as refused:
        revision_save(
            student=world.student,
            task=task,
            files=[SimpleUploadedFile("fine.png", PNG), upload],
            submit=True,
        )
    assert reason in refused.value.errors["files-2"]
    assert not Revision.objects.exists() and stored_files(settings) == []


@override_settings(PROFICIO_MAX_FILE_MB=0)
def test_a_file_over_the_limit_is_refused(world, task):
    with pytest.raises(InvalidInput) as refused:
        revision_save(student=world.student, task=task, files=[SimpleUploadedFile("a.png", PNG)])
    assert "0 MB at most" in refused.value.errors["files-1"]


def test_a_student_over_quota_is_refused(world, task, settings):
    settings.PROFICIO_STUDENT_QUOTA_MB = 0
    with pytest.raises(InvalidInput) as refused:
        revision_save(student=world.student, task=task, files=[SimpleUploadedFile("a.png", PNG)])
    assert "each student may keep" in refused.value.errors["files"]
    assert not RevisionFile.objects.exists()


def test_a_revision_keeps_earlier_files_without_copying_or_counting_them_twice(world, task):
    first = revision_save(
        student=world.student,
        task=task,
        files=[SimpleUploadedFile("graph.png", PNG)],
        submit=True,
    )
    second = revision_save(
        student=world.student, task=task, text="Better", keep_files=list(first.files.all())
    )

    [kept], [again] = first.files.all(), second.files.all()
    assert (again.file.name, again.name, again.size) == (kept.file.name, "graph.png", len(PNG))
    assert bytes_held_by(world.student) == len(PNG)


def test_only_files_of_ones_own_revisions_are_kept(world, task):
    theirs = revision_save(
        student=world.classmate, task=task, files=[SimpleUploadedFile("r.pdf", PDF)], submit=True
    )
    with pytest.raises(InvalidInput) as refused:
        revision_save(student=world.student, task=task, keep_files=list(theirs.files.all()))
    assert "keep_files" in refused.value.errors
