"""Who gets what from every endpoint: each caller against each student of the world.

Hidden students answer 404, never 403, so the API does not reveal who exists.
"""

import pytest

from proficio.evidence.models import Evidence
from proficio.people.models import ApiToken
from proficio.people.services import api_token_issue
from tests.api.client import CALLERS, NOT_SIGNED_IN, PEOPLE, rating

pytestmark = pytest.mark.django_db

TARGETS = ("student", "classmate", "other_student", "far_student", "other_district_student")

# The students each caller may see (and so list, and open the mastery of).
SEES = {
    "district_admin": {"student", "classmate", "other_student", "far_student"},
    "school_admin": {"student", "classmate", "other_student"},
    "teacher": {"student", "classmate"},
    "other_teacher": {"other_student"},
    "student": {"student"},
    "guardian": {"student"},
    "other_district_teacher": set(),
}
# The students each caller may rate on a task: the staff who serve them.
RATES = {
    "district_admin": {"student", "classmate", "other_student", "far_student"},
    "school_admin": {"student", "classmate", "other_student"},
    "teacher": {"student", "classmate"},
    "other_teacher": {"other_student"},
    "student": set(),
    "guardian": set(),
    "other_district_teacher": set(),
}
ROLES = {
    "district_admin": ["district_admin"],
    "school_admin": ["school_admin"],
    "teacher": ["teacher"],
    "other_teacher": ["teacher"],
    "student": ["student"],
    "guardian": ["guardian"],
    "other_district_teacher": ["teacher"],
}
COMPETENCIES = {caller: {"W1"} for caller in PEOPLE} | {"other_district_teacher": set()}


def usernames(world, names):
    return {getattr(world, name).username for name in names}


@pytest.mark.parametrize("caller", CALLERS)
def test_me(world, api_as, caller):
    response = api_as(caller).get("/me")
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    person = getattr(world, caller)
    assert response.json() == {
        "id": str(person.uuid),
        "username": person.username,
        "name": person.display_name,
        "roles": ROLES[caller],
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_students(world, api_as, caller):
    response = api_as(caller).get("/students")
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    listed = {item["username"] for item in response.json()["items"]}
    assert listed == usernames(world, SEES[caller])
    assert response.json()["count"] == len(SEES[caller])


@pytest.mark.parametrize("caller", CALLERS)
def test_competencies(api_as, caller):
    response = api_as(caller).get("/competencies")
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert {item["code"] for item in response.json()["items"]} == COMPETENCIES[caller]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("caller", CALLERS)
def test_mastery(world, api_as, caller, target):
    student = getattr(world, target)
    response = api_as(caller).get(f"/students/{student.uuid}/mastery")
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
    elif target in SEES[caller]:
        assert response.status_code == 200
        assert response.json()["student"] == str(student.uuid)
    else:
        assert response.status_code == 404
        assert "competencies" not in response.json()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("caller", CALLERS)
def test_posting_a_task_rating(world, api_as, caller, target):
    student = getattr(world, target)
    response = api_as(caller).post("/evidence", rating(world, student=str(student.uuid)))
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
    elif target in RATES[caller]:
        assert response.status_code == 201
        assert response.json()["student"] == str(student.uuid)
    else:
        assert response.status_code == 404
    assert Evidence.objects.count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize(
    ("caller", "target", "status"),
    [
        ("student", "student", 201),
        ("student", "classmate", 404),
        ("guardian", "student", 404),
        ("other_district_teacher", "student", 404),
    ],
)
def test_posting_a_self_assessment(world, api_as, caller, target, status):
    student = getattr(world, target)
    body = rating(world, student=str(student.uuid), source="self")
    response = api_as(caller).post("/evidence", body)
    assert response.status_code == status
    assert Evidence.objects.filter(source="self").count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("caller", NOT_SIGNED_IN)
def test_not_signed_in_is_turned_away_before_the_body_is_read(api_as, caller):
    response = api_as(caller).post_raw("/evidence", "not json at all")
    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in: send a bearer token."}


# Whose tokens each caller may revoke by id, of the teacher's and the other district's teacher's.
REVOKES = {
    "district_admin": {"teacher"},
    "school_admin": set(),
    "teacher": {"teacher"},
    "other_teacher": set(),
    "student": set(),
    "guardian": set(),
    "other_district_teacher": {"other_district_teacher"},
}


@pytest.mark.parametrize("caller", CALLERS)
def test_own_tokens(api_as, caller):
    response = api_as(caller).get("/auth/tokens")
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [token["current"] for token in response.json()] == [True]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("owner", ["teacher", "other_district_teacher"])
def test_revoking_a_token_by_id(world, api_as, caller, owner):
    person = getattr(world, owner)
    api_token_issue(person=person)
    token = ApiToken.objects.filter(person=person).latest("created_at")
    response = api_as(caller).delete(f"/auth/tokens/{token.uuid}")
    token.refresh_from_db()
    if caller in NOT_SIGNED_IN:
        assert response.status_code == 401
    elif owner in REVOKES[caller]:
        assert response.status_code == 204
    else:
        assert response.status_code == 404
    assert (token.revoked_at is not None) == (response.status_code == 204)
