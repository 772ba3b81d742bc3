"""GET /students/{id}/mastery: where a student stands, now or as of a past day."""

import pytest

from tests.api.client import Api, days_ago, rating, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(world) -> Api:
    return Api(token_for(world.teacher.username))


def rate(api: Api, world, **changes) -> None:
    response = api.post("/evidence", rating(world, **changes))
    assert response.status_code == 201, response.content


def mastery(api: Api, student, **params) -> dict:
    response = api.get(f"/students/{student.uuid}/mastery", **params)
    assert response.status_code == 200, response.content
    return response.json()


def stage_one(body: dict) -> dict:
    return body["competencies"][0]["stages"][0]


def test_the_answer_has_exactly_the_documented_keys(world, teacher):
    body = mastery(teacher, world.student)
    assert set(body) == {"student", "competencies"}
    assert body["student"] == str(world.student.uuid)
    [competency] = body["competencies"]
    assert set(competency) == {"competency", "code", "title", "working_stage", "stages"}
    assert competency["competency"] == str(world.competency.uuid)
    assert (competency["code"], competency["title"]) == ("W1", "Competency W1")
    assert [stage["stage"] for stage in competency["stages"]] == [1, 2, 3]
    for stage in competency["stages"]:
        assert set(stage) == {"stage", "value", "mastered", "evidence_count", "explanation"}


def test_before_any_rating_the_student_works_at_stage_one(world, teacher):
    competency = mastery(teacher, world.student)["competencies"][0]
    assert competency["working_stage"] == 1
    for stage in competency["stages"]:
        assert (stage["value"], stage["mastered"], stage["evidence_count"]) == (None, False, 0)
        assert stage["explanation"]


def test_one_rating_is_honestly_not_enough_evidence_yet(world, teacher):
    rate(teacher, world, level=4)
    stage = stage_one(mastery(teacher, world.student))
    assert stage["evidence_count"] == 1 and not stage["mastered"]
    assert "not enough evidence yet" in stage["explanation"].lower()


def test_two_proficient_ratings_move_the_working_stage_at_once(world, teacher):
    rate(teacher, world, level=3, observed_at=days_ago(3).isoformat())
    assert mastery(teacher, world.student)["competencies"][0]["working_stage"] == 1
    rate(teacher, world, level=3, observed_at=days_ago(1).isoformat())
    body = mastery(teacher, world.student)
    assert body["competencies"][0]["working_stage"] == 2
    assert stage_one(body) | {"explanation": ""} == {
        "stage": 1,
        "value": 3.0,
        "mastered": True,
        "evidence_count": 2,
        "explanation": "",
    }


def test_the_student_and_their_guardian_see_the_same_mastery_as_the_teacher(world, teacher):
    rate(teacher, world, level=3, observed_at=days_ago(3).isoformat())
    rate(teacher, world, level=4)
    seen_by_teacher = mastery(teacher, world.student)
    for person in (world.student, world.guardian):
        assert mastery(Api(token_for(person.username)), world.student) == seen_by_teacher


def test_mastery_as_of_a_day_counts_only_work_observed_by_then(world, teacher):
    rate(teacher, world, level=3, observed_at=days_ago(10).isoformat())
    rate(teacher, world, level=3, observed_at=days_ago(2).isoformat())
    then = mastery(teacher, world.student, as_of=days_ago(5).isoformat())
    assert stage_one(then)["evidence_count"] == 1
    assert then["competencies"][0]["working_stage"] == 1
    before_everything = mastery(teacher, world.student, as_of=days_ago(30).isoformat())
    assert stage_one(before_everything)["evidence_count"] == 0
    today = mastery(teacher, world.student, as_of=days_ago(0).isoformat())
    assert today == mastery(teacher, world.student)
    assert today["competencies"][0]["working_stage"] == 2


def test_work_observed_on_the_as_of_day_counts(world, teacher):
    rate(teacher, world, observed_at=f"{days_ago(4).isoformat()}T23:30:00")
    assert (
        stage_one(mastery(teacher, world.student, as_of=days_ago(4).isoformat()))["evidence_count"]
        == 1
    )


def test_a_self_assessment_is_kept_apart_from_mastery(world):
    student = Api(token_for(world.student.username))
    for day in (3, 1):
        rate(student, world, source="self", level=4, observed_at=days_ago(day).isoformat())
    body = mastery(student, world.student)
    assert stage_one(body)["evidence_count"] == 0
    assert body["competencies"][0]["working_stage"] == 1


@pytest.mark.parametrize(
    "as_of",
    [
        "yesterday",
        "2024-13-01",
        "2024-02-30",
        "14/03/2024",
        "99999-01-01",
        "2024-03-14T09:00",
        "0",
        "1700000000",
        "20240314",
    ],
)
def test_a_bad_as_of_day_is_a_400(world, teacher, as_of):
    response = teacher.get(f"/students/{world.student.uuid}/mastery", as_of=as_of)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"as_of"}


def test_the_as_of_rules_are_in_the_openapi_schema(world):
    schema = Api().get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/students/{student_id}/mastery"]["get"]
    (as_of,) = [p for p in operation["parameters"] if p["name"] == "as_of"]
    assert "later day is a 400" in as_of["description"]
    assert as_of["schema"]["format"] == "date"
    assert as_of["schema"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert "400" in operation["responses"]


def test_mastery_as_of_a_future_day_is_a_400(world, teacher):
    response = teacher.get(f"/students/{world.student.uuid}/mastery", as_of=days_ago(-1))
    assert response.status_code == 400
    assert response.json()["errors"] == {"as_of": "Mastery cannot be shown as of a future day."}


@pytest.mark.parametrize(
    "student_id",
    [
        "garbage",
        "12345",
        "00000000-0000-0000-0000-000000000000",
        "288cf1c6-fe09-48c9-b836-2aeae70c695",
        "%20",
        "x" * 2000,
        "é",
    ],
)
def test_an_unknown_or_malformed_student_id_is_a_404(world, teacher, student_id):
    response = teacher.get(f"/students/{student_id}/mastery")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_a_person_who_is_not_a_student_has_no_mastery(world):
    admin = Api(token_for(world.district_admin.username))
    assert admin.get(f"/students/{world.teacher.uuid}/mastery").status_code == 404
