"""GET /students: the caller's students, by name, a page at a time."""

import pytest

from proficio.people.models import Role
from proficio.people.services import person_create, role_assign
from tests.api.client import Api, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world) -> Api:
    return Api(token_for(world.district_admin.username))


def enrol_students(world, names: list[tuple[str, str]]) -> None:
    for first, last in names:
        person = person_create(
            district=world.district,
            username=f"{first}.{last}".lower(),
            first_name=first,
            last_name=last,
        )
        role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)


def test_an_item_has_exactly_the_documented_keys(world, admin):
    body = admin.get("/students").json()
    assert set(body) == {"items", "count"}
    item = next(i for i in body["items"] if i["username"] == world.student.username)
    assert set(item) == {"id", "name", "username", "age_grade"}
    assert item == {
        "id": str(world.student.uuid),
        "name": world.student.display_name,
        "username": "student",
        "age_grade": None,
    }


def test_age_grade_is_given_when_known(world, admin):
    person = person_create(
        district=world.district, username="ada", first_name="Ada", last_name="Byron", age_grade=7
    )
    role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)
    items = admin.get("/students").json()["items"]
    assert next(i for i in items if i["username"] == "ada")["age_grade"] == 7


def test_students_come_by_last_name_then_first_name(world, admin):
    enrol_students(world, [("Zoe", "Adams"), ("Amy", "Young"), ("Bea", "Adams")])
    names = [item["name"] for item in admin.get("/students").json()["items"]]
    assert names[:2] == ["Bea Adams", "Zoe Adams"]
    assert names[-1] == "Amy Young"


def test_limit_and_offset_page_through_and_count_is_the_total(world, admin):
    enrol_students(world, [(f"Kid{n:02}", "Zed") for n in range(6)])
    everyone = [item["id"] for item in admin.get("/students").json()["items"]]
    assert len(everyone) == 10
    page = admin.get("/students", limit=3, offset=4).json()
    assert page["count"] == 10
    assert [item["id"] for item in page["items"]] == everyone[4:7]
    past_the_end = admin.get("/students", offset=50).json()
    assert past_the_end == {"items": [], "count": 10}


def test_a_page_holds_100_by_default_and_never_more_than_500(world, admin):
    enrol_students(world, [(f"Kid{n:03}", "Many") for n in range(501)])
    assert len(admin.get("/students").json()["items"]) == 100
    capped = admin.get("/students", limit=10_000).json()
    assert len(capped["items"]) == 500
    assert capped["count"] == 505


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"offset": 10**30}, "offset"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(world, admin, params, field):
    response = admin.get("/students", **params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_a_huge_limit_is_capped_rather_than_refused(world, admin):
    response = admin.get("/students", limit=10**30)
    assert response.status_code == 200
    assert response.json()["count"] == 4
