"""Correcting and withdrawing a rating through the API: a correction keeps its reason, a
withdrawal supersedes the rating and takes it out of mastery, and both are audited."""

import pytest

from proficio.audit.models import AuditEntry
from proficio.evidence.models import Evidence
from proficio.mastery.models import MasteryRecord, WorkingStage
from tests.api.client import Api, rating, token_for

pytestmark = pytest.mark.django_db


def as_(person) -> Api:
    return Api(token_for(person.username))


@pytest.fixture
def two_ratings(world) -> list[dict]:
    teacher = as_(world.teacher)
    return [teacher.post("/evidence", rating(world, level=4)).json() for _ in range(2)]


def test_a_withdrawal_supersedes_the_rating_and_takes_it_out_of_mastery(world, two_ratings):
    assert MasteryRecord.objects.get(stage__ordinal=1).mastered
    wrong = two_ratings[1]

    response = as_(world.teacher).post(
        f"/evidence/{wrong['id']}/withdrawal", {"reason": "Rated the wrong student."}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["withdrawn"], body["supersedes"], body["reason"]) == (
        True,
        wrong["id"],
        "Rated the wrong student.",
    )
    record = MasteryRecord.objects.get(stage__ordinal=1)
    assert (record.evidence_count, record.mastered) == (1, False)  # two ratings needed
    assert Evidence.objects.count() == 3  # nothing deleted
    entry = AuditEntry.objects.get(action="evidence.withdrawn")
    assert entry.data["withdraws"] == wrong["id"] and entry.data["reason"]
    mastery = as_(world.teacher).get(f"/students/{world.student.uuid}/mastery").json()
    stage = mastery["competencies"][0]["stages"][0]
    assert stage["evidence_count"] == 1


def test_withdrawing_the_only_rating_leaves_no_latest_rating(world):
    only = as_(world.teacher).post("/evidence", rating(world, level=2)).json()
    as_(world.teacher).post(f"/evidence/{only['id']}/withdrawal", {"reason": "Test entry"})
    working = WorkingStage.objects.get(student=world.student)
    assert (working.latest_level, working.latest_observed_at) == (None, None)


def test_a_withdrawal_needs_a_reason_and_changes_nothing_without_one(world, two_ratings):
    response = as_(world.teacher).post(
        f"/evidence/{two_ratings[0]['id']}/withdrawal", {"reason": "  "}
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert Evidence.objects.count() == 2


@pytest.mark.parametrize("who", ["student", "guardian", "other_teacher", "other_district_teacher"])
def test_only_those_who_may_correct_a_rating_may_withdraw_it(world, two_ratings, who):
    response = as_(getattr(world, who)).post(
        f"/evidence/{two_ratings[0]['id']}/withdrawal", {"reason": "Not mine to say"}
    )
    assert response.status_code == 404
    assert Evidence.objects.count() == 2


def test_a_rating_already_replaced_cannot_be_withdrawn(world, two_ratings):
    teacher = as_(world.teacher)
    first = two_ratings[0]["id"]
    assert teacher.post(f"/evidence/{first}/withdrawal", {"reason": "Typo"}).status_code == 201
    assert teacher.post(f"/evidence/{first}/withdrawal", {"reason": "Again"}).status_code == 404


def test_a_correction_keeps_its_reason(world, two_ratings):
    response = as_(world.teacher).post(
        "/evidence",
        rating(world, level=2, supersedes=two_ratings[0]["id"], reason="Misread the rubric."),
    )
    assert response.status_code == 201 and response.json()["reason"] == "Misread the rubric."
    entry = AuditEntry.objects.get(action="evidence.corrected")
    assert entry.data["reason"] == "Misread the rubric."
