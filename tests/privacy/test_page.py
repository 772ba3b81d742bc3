"""The student's data page: counts, the export download and erasure with its confirm step."""

import io
import zipfile

import pytest
from django.urls import reverse

from proficio.audit.models import AuditEntry
from proficio.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, recorded):
    client.force_login(recorded.district_admin)
    return client


def test_the_student_page_links_to_the_data_page_for_their_admins_only(client, recorded):
    link = reverse("privacy:student", args=[recorded.student.uuid])
    for who, shown in [("district_admin", True), ("school_admin", True), ("teacher", False)]:
        client.force_login(getattr(recorded, who))
        page = client.get(reverse("mastery:student", args=[recorded.student.uuid]))
        assert (link in page.content.decode()) is shown, who


def test_the_page_counts_what_is_held_and_the_download_is_a_zip(admin_client, recorded):
    page = admin_client.get(reverse("privacy:student", args=[recorded.student.uuid]))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert ("Evidence", 3) in page.context["counts"]

    download = admin_client.get(reverse("privacy:export", args=[recorded.student.uuid]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="student-student-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "README.txt" in archive.namelist()
    assert AuditEntry.objects.filter(
        action="student.exported", actor=recorded.district_admin, data__via="page"
    ).exists()


def test_erasure_needs_the_username_typed(admin_client, recorded):
    url = reverse("privacy:student", args=[recorded.student.uuid])
    wrong = admin_client.post(url, {"confirm": "Student Tester"})
    assert wrong.status_code == 422
    assert Person.objects.get(pk=recorded.student.pk).username == "student"

    done = admin_client.post(url, {"confirm": "student"}, follow=True)
    erased = Person.objects.get(pk=recorded.student.pk)
    assert erased.username.startswith("erased-")
    assert erased.username in done.content.decode()
    assert done.context["erased"]


def test_a_refused_erasure_says_why_and_changes_nothing(admin_client, recorded):
    Person.objects.filter(pk=recorded.student.pk).update(sourced_id="sis-1")
    url = reverse("privacy:student", args=[recorded.student.uuid])
    refused = admin_client.post(url, {"confirm": "student"})
    assert refused.status_code == 422
    assert "still lists this student" in refused.content.decode()
    assert Person.objects.get(pk=recorded.student.pk).username == "student"


def test_opening_the_page_is_recorded_as_a_view_of_the_student(admin_client, recorded):
    admin_client.get(reverse("privacy:student", args=[recorded.student.uuid]))
    viewed = AuditEntry.objects.get(action="student.viewed", actor=recorded.district_admin)
    assert (viewed.student, viewed.data) == (recorded.student, {"via": "privacy"})
