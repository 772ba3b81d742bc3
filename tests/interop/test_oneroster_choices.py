"""The roster preview never surprises: renaming the district is a choice made on the preview,
a roster for another district is refused unless a site admin chooses to make it a separate
district, big or destructive changes are warnings, and the button says what it will do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proficio.people.models import District, Person
from proficio.people.services import person_grant_site_admin
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    copy_package,
    edit,
    replace,
    row_counts,
    zip_package,
)
from tests.interop.test_oneroster_pages import (  # noqa: F401 (own_home: a fixture)
    kept_files,
    own_home,
    signed_in,
    upload,
)

pytestmark = pytest.mark.django_db

THEIR_NAME = "Maple Valley Unified School District"


def roster(tmp_path, change=None, name="roster.zip") -> SimpleUploadedFile:
    folder = copy_package(PACKAGE_1_1, tmp_path / name)
    if change:
        edit(folder, *change)
    archive = zip_package(folder, tmp_path / name / name)
    return SimpleUploadedFile(name, archive.read_bytes(), content_type="application/zip")


def imported(client: Client, file) -> None:
    preview = upload(client, file)
    assert client.post(preview + "confirm/").status_code == 302


def test_the_district_keeps_its_name_unless_renaming_is_ticked_on_the_preview(world, tmp_path):
    client = signed_in(world.district_admin)
    ours = world.district.name
    preview = upload(client, roster(tmp_path))

    html = client.get(preview).content.decode()
    assert f"Rename {ours} to “{THEIR_NAME}”, as the roster calls it" in html
    assert "and rename the district" not in html

    ticked = client.get(preview, {"rename_district": "on"}).content.decode()
    assert f"The district is renamed from {ours} to “{THEIR_NAME}”." in ticked
    assert "people and rename the district</button>" in ticked
    assert '<input type="hidden" name="rename_district" value="on">' in ticked

    client.post(preview + "confirm/", {"rename_district": "on"})
    assert District.objects.get(pk=world.district.pk).name == THEIR_NAME


def test_without_the_tick_the_name_stays(world, tmp_path):
    imported(signed_in(world.district_admin), roster(tmp_path))
    district = District.objects.get(pk=world.district.pk)
    assert district.name == world.district.name and district.sourced_id == "d-mvusd"


def test_many_people_at_once_is_a_warning_and_the_button_counts_them(world, tmp_path):
    client = signed_in(world.district_admin)
    people = Person.objects.filter(district=world.district).count()

    html = client.get(upload(client, roster(tmp_path))).content.decode()

    assert f"25 of the district&#x27;s {people} people are added, changed or deactivated" in html
    assert "Import 25 people</button>" in html


def test_deactivations_are_a_warning(world, tmp_path):
    client = signed_in(world.district_admin)
    imported(client, roster(tmp_path, name="first.zip"))
    leaving = ("users.csv", replace("u-admin-02,,,", "u-admin-02,tobedeleted,2026-01-01,"))

    html = client.get(upload(client, roster(tmp_path, leaving, "second.zip"))).content.decode()

    assert "Check before importing:" in html
    assert "People deactivated (kept, but no longer active): 1." in html


def other_district(world) -> District:
    """The world's district, already linked to a roster of its own."""
    world.district.sourced_id = "d-riverside"
    world.district.save()
    return world.district


def test_a_district_admin_is_refused_a_roster_for_another_district_and_nothing_changes(
    world, tmp_path
):
    other_district(world)
    client = signed_in(world.district_admin)
    before = row_counts()

    page = client.get(upload(client, roster(tmp_path)))

    html = page.content.decode()
    assert page.status_code == 422
    assert "The roster belongs to another district." in html
    assert "Only a site administrator can import it as a separate district" in html
    assert "Import it as a separate district" not in html.replace("can import it as a", "")
    assert row_counts() == before
    assert kept_files() == set(), "nothing is left waiting"
    forced = client.get(upload(client, roster(tmp_path, name="again.zip")), {"new_district": "on"})
    assert forced.status_code == 422 and row_counts() == before


def test_a_site_admin_may_choose_to_import_it_as_a_separate_district(world, tmp_path):
    ours = other_district(world)
    admin = person_grant_site_admin(person=world.district_admin)
    client = signed_in(admin)
    before = row_counts()

    preview = upload(client, roster(tmp_path))
    refused = client.get(preview)
    html = refused.content.decode()
    assert refused.status_code == 422 and row_counts() == before
    assert f"Import it as a separate district, {THEIR_NAME}" in html
    assert f'href="{preview}?new_district=on"' in html

    chosen = client.get(preview, {"new_district": "on"}).content.decode()
    assert f"This makes a separate district, {THEIR_NAME}, beside the ones there are." in chosen
    assert f"Import 25 people as the new district {THEIR_NAME}</button>" in chosen
    assert row_counts() == before

    client.post(preview + "confirm/", {"new_district": "on"})
    assert District.objects.get(sourced_id="d-mvusd").name == THEIR_NAME
    assert District.objects.get(pk=ours.pk).name == ours.name
    assert not Person.objects.filter(district=ours, username="rokafor").exists()


def test_a_separate_district_is_refused_when_the_package_is_ours_already(world, tmp_path):
    admin = person_grant_site_admin(person=world.district_admin)
    client = signed_in(admin)
    imported(client, roster(tmp_path, name="first.zip"))
    before = row_counts()

    page = client.get(upload(client, roster(tmp_path, name="second.zip")), {"new_district": "on"})

    assert page.status_code == 422
    assert "is in Proficio already, so it cannot be imported as a separate district" in (
        page.content.decode()
    )
    assert row_counts() == before
