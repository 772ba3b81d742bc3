"""CASE pages: only district admins import (upload → preview → confirm); the tree shows
standards with their associations, Markdown rendered safely."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proficio.frameworks.models import Framework
from proficio.home import home_dir
from proficio.interop.case.writer import import_case
from proficio.people.models import Role
from tests.factories import make_person
from tests.interop.conftest import row_counts

pytestmark = pytest.mark.django_db

SAMPLE = "opensalt-sample-framework.json"


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "application/json")


@pytest.fixture
def sample_path(testdata) -> Path:
    return testdata / "case" / "frameworks" / SAMPLE


@pytest.mark.parametrize("person", ["school_admin", "teacher", "student", "guardian"])
def test_only_district_admins_find_the_import_page(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("interop:case_import")).status_code == 404
    assert client.post(reverse("interop:case_confirm"), {"upload": "0" * 32}).status_code == 404


def test_upload_preview_then_confirm_imports_the_file(client, world, sample_path, settings):
    client.force_login(world.district_admin)
    page = client.get(reverse("interop:case_import"))
    assert page.status_code == 200 and "Preview the import" in page.content.decode()

    before = row_counts()
    preview = client.post(reverse("interop:case_import"), {"file": upload(sample_path)})
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: What Standards Could Be" in content
    assert "Read sequenceNumber given as text as a number" in content
    assert row_counts() == before  # a preview writes nothing to the database
    token = preview.context["confirm"].initial["upload"]
    stored = home_dir() / "uploads" / "case" / f"{world.district_admin.pk}-{token}.upload"
    assert stored.read_bytes() == sample_path.read_bytes()

    result = client.post(
        reverse("interop:case_confirm"),
        {"upload": token, "name": SAMPLE, "competency_types": ""},
    )
    assert result.status_code == 200
    framework = Framework.objects.get(case_identifier__isnull=False)
    assert framework.standards.count() == 16
    assert "Imported What Standards Could Be" in result.content.decode()
    assert not stored.exists()
    replay = client.post(reverse("interop:case_confirm"), {"upload": token, "name": SAMPLE})
    assert replay.status_code == 404


def test_another_admins_upload_cannot_be_confirmed(client, world, sample_path):
    client.force_login(world.district_admin)
    preview = client.post(reverse("interop:case_import"), {"file": upload(sample_path)})
    token = preview.context["confirm"].initial["upload"]

    other_admin = make_person(world.district, "secondadmin", Role.DISTRICT_ADMIN, None)
    client.force_login(other_admin)
    response = client.post(reverse("interop:case_confirm"), {"upload": token, "name": SAMPLE})
    assert response.status_code == 404
    assert not Framework.objects.filter(case_identifier__isnull=False).exists()


def test_a_bad_file_shows_its_located_problems_and_offers_no_import(client, world):
    client.force_login(world.district_admin)
    bad = SimpleUploadedFile("broken.json", b'{"CFDocument": {"title": "x"}, "CFItems": [{}]}')
    before = row_counts()
    response = client.post(reverse("interop:case_import"), {"file": bad})
    content = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported" in content
    assert "/CFItems/0/identifier" in content and "The CFDocument has no identifier." in content
    assert response.context["confirm"] is None
    assert row_counts() == before


def test_the_tree_shows_standards_in_order_with_their_associations(client, world, sample_path):
    import_case(data=sample_path.read_bytes(), source=SAMPLE, actor=None, district=world.district)
    framework = Framework.objects.get(case_identifier__isnull=False)
    client.force_login(world.teacher)
    listing = client.get(reverse("interop:frameworks")).content.decode()
    assert "What Standards Could Be" in listing and "Import a CASE framework" not in listing
    page = client.get(reverse("interop:framework", args=[framework.uuid]))
    content = page.content.decode()
    assert page.status_code == 200
    assert content.count('class="case-node"') == 16
    assert content.count("<ul") == content.count("</ul>")
    assert content.count("<li>") + content.count("<li ") == content.count("</li>")
    assert "exactMatchOf" in content and "precedes" in content
    assert content.index("CCSS.Math.Content.6.RP.A") < content.index("CCSS.Math.Content.6.RP.A.1")


def test_markdown_in_statements_renders_without_running_html(client, world):
    data = {
        "CFDocument": {"identifier": "d0000000-0000-0000-0000-000000000009", "title": "MD"},
        "CFItems": [
            {
                "identifier": "00000000-0000-0000-0000-000000000001",
                "fullStatement": "A _table_:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                "<script>alert(1)</script> [x](javascript:alert(1))",
            }
        ],
        "CFAssociations": [],
    }
    import_case(
        data=json.dumps(data).encode(), source="md.json", actor=None, district=world.district
    )
    framework = Framework.objects.get(case_identifier__isnull=False)
    client.force_login(world.district_admin)
    content = client.get(reverse("interop:framework", args=[framework.uuid])).content.decode()
    assert "<em>table</em>" in content and "<table>" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content
    assert 'href="javascript:' not in content


def test_a_framework_of_another_district_is_not_found(client, world, sample_path):
    elsewhere = world.other_district_student.district
    import_case(data=sample_path.read_bytes(), source=SAMPLE, actor=None, district=elsewhere)
    framework = Framework.objects.get(case_identifier__isnull=False)
    client.force_login(world.district_admin)
    assert client.get(reverse("interop:framework", args=[framework.uuid])).status_code == 404


def test_staff_find_frameworks_in_the_top_bar(client, world):
    client.force_login(world.teacher)
    assert reverse("interop:frameworks") in client.get(reverse("home")).content.decode()


def test_someone_not_signed_in_is_sent_to_sign_in_and_nothing_is_kept(client, sample_path):
    shelf = home_dir() / "uploads" / "case"
    before = set(shelf.glob("*")) if shelf.exists() else set()
    for response in (
        client.get(reverse("interop:case_import")),
        client.post(reverse("interop:case_import"), {"file": upload(sample_path)}),
        client.post(reverse("interop:case_confirm"), {"upload": "0" * 32}),
    ):
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert (set(shelf.glob("*")) if shelf.exists() else set()) == before


def test_cancelling_a_preview_forgets_the_upload(client, world, sample_path):
    client.force_login(world.district_admin)
    preview = client.post(reverse("interop:case_import"), {"file": upload(sample_path)})
    token = preview.context["confirm"].initial["upload"]
    stored = home_dir() / "uploads" / "case" / f"{world.district_admin.pk}-{token}.upload"
    cancelled = client.post(reverse("interop:case_confirm"), {"upload": token, "cancel": "1"})
    assert cancelled.status_code == 302 and cancelled["Location"] == reverse("interop:case_import")
    assert not stored.exists()
    assert not Framework.objects.filter(case_identifier__isnull=False).exists()
