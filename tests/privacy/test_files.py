"""The files hook: a table with a key to the student and a file column (none today; the work
and portfolio apps to come) has its files put in the export and deleted by erasure."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, models
from django.test.utils import isolate_apps

from proficio.people.models import Person
from proficio.privacy import services
from proficio.privacy.tables import PersonTable, person_tables


@pytest.fixture
def upload_table(tmp_path, monkeypatch):
    """A table of uploads, made for the test, that the privacy app sees among its tables."""
    storage = FileSystemStorage(location=tmp_path)
    with isolate_apps("proficio.privacy"):

        class Upload(models.Model):
            student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
            file = models.FileField(storage=storage)

            class Meta:
                app_label = "privacy"
                db_table = "privacy_test_upload"

            def __str__(self) -> str:
                return self.file.name

    with connection.schema_editor() as editor:
        editor.create_model(Upload)
    table = PersonTable(Upload, ("student_id",))
    monkeypatch.setattr(services, "person_tables", lambda: [*person_tables(), table])
    yield Upload
    with connection.schema_editor() as editor:
        editor.delete_model(Upload)


@pytest.mark.django_db(transaction=True)
def test_the_export_holds_the_students_files_and_erasure_deletes_them(world, upload_table):
    upload = upload_table(student=world.student)
    upload.file.save("essay.txt", ContentFile(b"My essay about rivers."))
    path = upload.file.path

    buffer = io.BytesIO()
    services.student_export(
        actor=world.district_admin, student=world.student, destination=buffer, via="page"
    )
    archive = zipfile.ZipFile(buffer)
    assert archive.read(f"files/privacy_test_upload/{upload.pk}/essay.txt") == (
        b"My essay about rivers."
    )

    erasure = services.student_erase(actor=world.district_admin, student=world.student, via="page")
    assert erasure.files_removed == 1
    upload.refresh_from_db()
    assert not upload.file
    assert not Path(path).exists()
