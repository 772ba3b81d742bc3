"""Nothing a student handed in is ever changed or deleted: not through the service (there is
none that would), the models, bulk querysets, the API or the admin. A later save is a new
revision; the bytes of the earlier one stay as they were."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proficio.work.data import Alignment
from proficio.work.models import Comment, Review, Revision, RevisionFile, WorkIsAppendOnly
from proficio.work.services import (
    comment_add,
    review_record,
    revision_save,
    task_assign,
    task_create,
)
from tests.api.client import BASE, token_for
from tests.work.test_file_kinds import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def revision(world) -> Revision:
    task = task_create(
        author=world.teacher,
        title="Lab report",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision = revision_save(
        student=world.student,
        task=task,
        text="First",
        submit=True,
        files=[SimpleUploadedFile("report.pdf", PDF)],
    )
    review_record(reviewer=world.teacher, revision=revision, decision="revise")
    comment_add(author=world.teacher, submission=revision.submission, text="Add a graph.")
    return revision


def test_no_model_path_changes_or_deletes_work(revision):
    kept = revision.files.get()
    for row in (revision, kept, revision.reviews.get(), revision.submission.comments.get()):
        with pytest.raises(WorkIsAppendOnly):
            row.save()
        with pytest.raises(WorkIsAppendOnly):
            row.delete()
    for model in (Revision, RevisionFile, Review, Comment):
        with pytest.raises(WorkIsAppendOnly):
            model.objects.update(created_at=None)
        with pytest.raises(WorkIsAppendOnly):
            model.objects.all().delete()


def test_a_later_save_is_a_new_revision_and_the_earlier_bytes_stay(world, revision):
    later = revision_save(
        student=world.student,
        task=revision.submission.task,
        text="Second",
        submit=True,
        files=[SimpleUploadedFile("report.pdf", PDF + b"% revised\n")],
    )
    first_file = RevisionFile.objects.get(revision=revision)
    second_file = RevisionFile.objects.get(revision=later)

    assert (later.number, Revision.objects.get(pk=revision.pk).text) == (2, "First")
    assert first_file.file.name != second_file.file.name
    assert first_file.file.open("rb").read() == PDF


def test_the_api_has_no_way_to_change_or_delete_work(world, revision):
    token = token_for(world.teacher.username)
    client = Client()
    address = f"{BASE}/submissions/{revision.submission.uuid}"
    for method in (client.put, client.patch, client.delete):
        response = method(address, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 405
    for method in (client.put, client.patch, client.delete):
        response = method(
            f"/work/files/{revision.files.get().uuid}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 405
    assert Revision.objects.count() == RevisionFile.objects.count() == 1


def test_the_admin_does_not_offer_students_work_even_to_a_superuser(world, revision):
    world.district_admin.is_staff = world.district_admin.is_superuser = True
    world.district_admin.save()
    client = Client()
    client.force_login(world.district_admin)
    for model in ("revision", "revisionfile", "review", "comment", "submission"):
        assert client.get(f"/admin/work/{model}/").status_code == 404
        assert client.post(f"/admin/work/{model}/1/delete/", {"post": "yes"}).status_code == 404
    assert not Permission.objects.filter(
        content_type__app_label="work", codename__startswith="delete_", user=world.district_admin
    ).exists()
    assert Revision.objects.count() == 1
