"""The roster import page: a district admin uploads, previews, confirms; nobody else gets in."""

import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from proficio.home import home_dir
from proficio.people.models import District, Person, Section
from proficio.people.services import person_create, person_grant_site_admin
from tests.interop.oneroster_support import (
    PACKAGE_1_1,
    PACKAGE_1_2,
    copy_package,
    edit,
    replace,
    row_counts,
    zip_package,
)

pytestmark = pytest.mark.django_db

UPLOAD = "/imports/oneroster/"


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    """Each test keeps its uploads in a home of its own."""
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path / "home"))


def signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def zip_upload(tmp_path, package=PACKAGE_1_1) -> SimpleUploadedFile:
    archive = zip_package(copy_package(package, tmp_path), tmp_path / "roster.zip")
    return SimpleUploadedFile("roster.zip", archive.read_bytes(), content_type="application/zip")


def kept_files() -> set[str]:
    folder = home_dir() / "imports"
    return {path.name for path in folder.glob("*.zip")} if folder.exists() else set()


def upload(client: Client, file) -> str:
    """Upload a file; returns the preview address it leads to."""
    response = client.post(UPLOAD, {"package": file})
    assert response.status_code == 302, response.content
    return response["Location"]


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "student", "guardian", "other_district_teacher"]
)
def test_only_a_district_admin_finds_the_page(world, who):
    assert signed_in(getattr(world, who)).get(UPLOAD).status_code == 404
    assert signed_in(world.district_admin).get(UPLOAD).status_code == 200


def test_signing_in_comes_first(world):
    response = Client().get(UPLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_site_admin_may_import_only_while_there_is_no_district(db, tmp_path):
    admin = person_grant_site_admin(
        person=person_create(district=None, username="root", first_name="Site", last_name="Admin")
    )
    client = signed_in(admin)
    assert client.get(UPLOAD).status_code == 200

    preview = upload(client, zip_upload(tmp_path))
    assert "creates this district" in client.get(preview).content.decode()
    result = client.post(preview + "confirm/")

    assert District.objects.get().sourced_id == "d-mvusd"
    page = client.get(result["Location"])
    assert page.status_code == 200
    assert "Roster imported into Maple Valley Unified School District" in page.content.decode()
    assert "Import another roster" not in page.content.decode()
    assert client.get(UPLOAD).status_code == 404, "from now on, a district admin imports"


def test_upload_preview_confirm_result(world, tmp_path):
    client = signed_in(world.district_admin)
    before = row_counts()

    preview = upload(client, zip_upload(tmp_path))
    [kept] = kept_files()
    assert stat.S_IMODE((home_dir() / "imports" / kept).stat().st_mode) == 0o600

    page = client.get(preview)
    html = page.content.decode()
    assert page.status_code == 200
    name = world.district.name
    assert f"Preview: roster for {name}" in html
    # The district keeps its own name; the roster's is told, not taken.
    assert (
        "The roster calls this district “Maple Valley Unified School District”; it keeps its "
        f"name, {name}."
    ) in html
    assert "Nothing has been saved yet." in html
    assert "users.csv" in html and "OneRoster 1.1" in html
    assert row_counts() == before, "a preview writes nothing"

    result = client.post(preview + "confirm/")
    assert result.status_code == 302
    assert kept_files() == set(), "the upload is gone once imported"
    assert Section.objects.filter(sourced_id="cl-math7-p1").exists()
    world.district.refresh_from_db()
    assert world.district.sourced_id == "d-mvusd", "the admin's district took the roster's id"

    html = client.get(result["Location"]).content.decode()
    assert f"Roster imported into {name}" in html
    assert world.district.name == name
    assert "What the import did" in html


def test_another_session_cannot_preview_or_confirm_an_upload(world, tmp_path):
    preview = upload(signed_in(world.district_admin), zip_upload(tmp_path))
    other_admin = person_create(
        district=world.district, username="secondadmin", first_name="S", last_name="A"
    )
    from proficio.people.models import Role
    from proficio.people.services import role_assign

    role_assign(person=other_admin, role=Role.DISTRICT_ADMIN, district=world.district)
    stranger = signed_in(other_admin)

    assert stranger.get(preview).status_code == 404
    assert stranger.post(preview + "confirm/").status_code == 404
    assert not Section.objects.filter(sourced_id="cl-math7-p1").exists()


def test_a_made_up_token_is_not_found(world):
    client = signed_in(world.district_admin)
    assert client.get(UPLOAD + "../../secret_key/").status_code == 404
    assert client.get(UPLOAD + "x" * 43 + "/").status_code == 404
    assert client.post(UPLOAD + "x" * 43 + "/confirm/").status_code == 404


def test_a_broken_roster_shows_every_problem_and_writes_nothing(world, tmp_path):
    package = copy_package(PACKAGE_1_1, tmp_path)
    edit(package, "enrollments.csv", replace("s-lake,u-s-05,student", "s-lake,u-s-99,student"))
    archive = zip_package(package)
    client = signed_in(world.district_admin)
    before = row_counts()

    preview = upload(client, SimpleUploadedFile("roster.zip", archive.read_bytes()))
    page = client.get(preview)

    html = page.content.decode()
    assert page.status_code == 422
    assert "Nothing was imported: the roster has 1 problem." in html
    assert "enrollments.csv</code>, line" in html and "userSourcedId" in html
    assert "&#x27;u-s-99&#x27; is not a user in the package or in Proficio." in html
    assert row_counts() == before
    assert kept_files() == set()


def test_a_file_that_is_not_a_zip_is_refused_with_a_reason(world):
    client = signed_in(world.district_admin)
    preview = upload(client, SimpleUploadedFile("roster.zip", b"sourcedId,name\n1,2\n"))

    page = client.get(preview)

    assert page.status_code == 422
    assert "is not a readable zip file" in page.content.decode()


def test_a_roster_for_another_district_is_refused(world, tmp_path):
    world.district.sourced_id = "d-riverside"
    world.district.save()
    client = signed_in(world.district_admin)

    page = client.get(upload(client, zip_upload(tmp_path, PACKAGE_1_2)))

    assert page.status_code == 422
    assert "The roster belongs to another district." in page.content.decode()


def test_cancelling_deletes_the_upload_and_writes_nothing(world, tmp_path):
    client = signed_in(world.district_admin)
    before = row_counts()
    preview = upload(client, zip_upload(tmp_path))

    response = client.post(preview + "confirm/", {"cancel": "1"}, follow=True)

    assert "The import was cancelled; nothing was written." in response.content.decode()
    assert kept_files() == set()
    assert row_counts() == before
    assert client.post(preview + "confirm/").status_code == 404


def test_uploading_nothing_asks_again(world):
    response = signed_in(world.district_admin).post(UPLOAD, {})

    assert response.status_code == 422
    assert "Please choose the file again." in response.content.decode()


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "student", "guardian", "other_district_teacher"]
)
def test_nobody_else_reaches_an_uploads_preview_confirm_or_result(world, tmp_path, who):
    admin = signed_in(world.district_admin)
    package = zip_upload(tmp_path)
    preview = upload(admin, package)
    someone = signed_in(getattr(world, who))

    package.seek(0)
    assert someone.post(UPLOAD, {"package": package}).status_code == 404
    assert someone.get(preview).status_code == 404
    assert someone.post(preview + "confirm/").status_code == 404
    assert len(kept_files()) == 1, "only the admin's upload is kept"
    result = admin.post(preview + "confirm/")["Location"]
    assert someone.get(result).status_code == 404


def test_someone_not_signed_in_uploads_nothing(world, tmp_path):
    response = Client().post(UPLOAD, {"package": zip_upload(tmp_path)})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert kept_files() == set()
