"""Spreadsheet pages: only district admins get the template and import (upload → preview →
confirm); a bad file shows its located problems and changes nothing."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proficio.frameworks.models import Competency, Framework
from proficio.home import home_dir
from proficio.people.models import Role
from tests.factories import make_person
from tests.interop.conftest import row_counts
from tests.interop.spreadsheet_support import COLLABORATION, HEADERS, template_xlsx_with

pytestmark = pytest.mark.django_db

PAGES = ("interop:framework_template", "interop:spreadsheet_import")


def stored_upload(person, token: str) -> Path:
    return home_dir() / "uploads" / "spreadsheet" / f"{person.pk}-{token}.upload"


@pytest.mark.parametrize("person", ["school_admin", "teacher", "student", "guardian"])
def test_only_district_admins_find_the_spreadsheet_pages(client, world, person):
    client.force_login(getattr(world, person))
    for page in PAGES:
        assert client.get(reverse(page)).status_code == 404
    for extension in ("csv", "xlsx"):
        url = reverse("interop:framework_template_file", args=[extension])
        assert client.get(url).status_code == 404
    upload = SimpleUploadedFile("t.xlsx", template_xlsx_with([]))
    before = row_counts()
    assert client.post(reverse("interop:spreadsheet_import"), {"file": upload}).status_code == 404
    confirm = reverse("interop:spreadsheet_confirm")
    assert client.post(confirm, {"upload": "0" * 32, "name": "t.xlsx"}).status_code == 404
    assert row_counts() == before


def test_someone_not_signed_in_is_sent_to_sign_in(client, world):
    response = client.get(reverse("interop:framework_template"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_frameworks_list_links_the_template_for_district_admins_only(client, world):
    template = reverse("interop:framework_template")
    client.force_login(world.district_admin)
    assert template in client.get(reverse("interop:frameworks")).content.decode()
    client.force_login(world.teacher)
    assert template not in client.get(reverse("interop:frameworks")).content.decode()


def test_the_template_page_offers_both_files_and_explains_every_column(client, world):
    client.force_login(world.district_admin)
    page = client.get(reverse("interop:framework_template")).content.decode()
    for extension in ("csv", "xlsx"):
        assert reverse("interop:framework_template_file", args=[extension]) in page
    for header in HEADERS:
        assert header in page

    csv_file = client.get(reverse("interop:framework_template_file", args=["csv"]))
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="proficio-trajectories-template.csv"' in csv_file["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS and len(rows) == 4
    assert [row[HEADERS.index("Competency title")] for row in rows[1:]] == [
        "Speaking and listening"
    ] * 3

    from openpyxl import load_workbook

    xlsx = client.get(reverse("interop:framework_template_file", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert [cell.value for cell in workbook["Trajectories"][1]] == HEADERS
    missing = client.get(reverse("interop:framework_template_file", args=["ods"]))
    assert missing.status_code == 404


def test_upload_preview_then_confirm_imports_the_trajectories(client, world):
    client.force_login(world.district_admin)
    data = template_xlsx_with(COLLABORATION)
    before = row_counts()
    preview = client.post(
        reverse("interop:spreadsheet_import"),
        {"file": SimpleUploadedFile("ours.xlsx", data), "title": "", "layout": ""},
    )
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: Communication K–5" in content and "This makes a new framework" in content
    assert "Plays a role in a group task" in content and "I can take turns in a game." in content
    assert row_counts() == before  # a preview writes nothing to the database
    token = preview.context["confirm"].initial["upload"]
    assert stored_upload(world.district_admin, token).read_bytes() == data

    confirm = {"upload": token, "name": "ours.xlsx", "title": "", "layout": ""}
    result = client.post(reverse("interop:spreadsheet_confirm"), confirm)
    assert result.status_code == 200
    assert "Imported Communication K–5" in result.content.decode()
    framework = Framework.objects.get(code="COMM-K5")
    assert framework.competencies.count() == 2
    assert Competency.objects.get(code="COL1").stages.count() == 2
    assert not stored_upload(world.district_admin, token).exists()
    assert client.post(reverse("interop:spreadsheet_confirm"), confirm).status_code == 404

    again = client.post(
        reverse("interop:spreadsheet_import"), {"file": SimpleUploadedFile("ours.xlsx", data)}
    )
    assert "This updates the framework COMM-K5." in again.content.decode()
    assert again.context["report"].created == {}


def test_an_opensalt_csv_previews_its_standards_with_the_title_given(client, world, testdata):
    client.force_login(world.district_admin)
    path = testdata / "case" / "ccss-ela-items.csv"
    preview = client.post(
        reverse("interop:spreadsheet_import"),
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "title": "Common Core ELA",
            "layout": "opensalt",
        },
    )
    assert preview.status_code == 200
    report = preview.context["report"]
    assert report.created["items"] == 1189 and report.extra["format"] == "opensalt"
    content = preview.content.decode()
    assert "Preview: Common Core ELA" in content and "<td>1189</td>" in content
    token = preview.context["confirm"].initial["upload"]
    result = client.post(
        reverse("interop:spreadsheet_confirm"),
        {"upload": token, "name": path.name, "title": "Common Core ELA", "layout": "opensalt"},
    )
    framework = Framework.objects.get(title="Common Core ELA")
    assert framework.standards.count() == 1189
    assert reverse("interop:framework", args=[framework.uuid]) in result.content.decode()


def test_a_bad_file_shows_its_located_problems_and_offers_no_import(client, world):
    client.force_login(world.district_admin)
    rows = [dict(COLLABORATION[0], kind="knowledge"), COLLABORATION[1]]
    before = row_counts()
    response = client.post(
        reverse("interop:spreadsheet_import"),
        {"file": SimpleUploadedFile("bad.xlsx", template_xlsx_with(rows))},
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported: the file has 1 problem." in content
    assert "bad.xlsx, line 5 · column <code>Kind</code>" in content
    assert "“knowledge” is not a kind" in content
    assert response.context["confirm"] is None
    assert row_counts() == before


def test_another_admins_upload_cannot_be_confirmed(client, world):
    client.force_login(world.district_admin)
    preview = client.post(
        reverse("interop:spreadsheet_import"),
        {"file": SimpleUploadedFile("ours.xlsx", template_xlsx_with([]))},
    )
    token = preview.context["confirm"].initial["upload"]
    other_admin = make_person(world.district, "secondadmin", Role.DISTRICT_ADMIN, None)
    client.force_login(other_admin)
    before = row_counts()
    response = client.post(
        reverse("interop:spreadsheet_confirm"), {"upload": token, "name": "ours.xlsx"}
    )
    assert response.status_code == 404
    assert row_counts() == before


def test_someone_not_signed_in_cannot_upload_or_confirm(client, world):
    upload = SimpleUploadedFile("t.xlsx", template_xlsx_with(COLLABORATION))
    before = row_counts()
    for response in (
        client.post(reverse("interop:spreadsheet_import"), {"file": upload}),
        client.post(reverse("interop:spreadsheet_confirm"), {"upload": "0" * 32}),
    ):
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert row_counts() == before
