"""The agency API: goals, their status and comments, check-ins and reflections, and a mentor's
check-ins due, scoped as the pages are."""

import pytest
from django.utils import timezone

from proficio.people.api import mentorship_begin
from tests.api.client import Api, token_for

pytestmark = pytest.mark.django_db


def api(person) -> Api:
    return Api(token_for(person.username))


def test_a_goal_round_trip(world):
    student = api(world.student)
    made = student.post(
        "/goals",
        {
            "title": "Argue with evidence",
            "competency": str(world.competency.uuid),
            "stage": 2,
            "steps": ["Read two pieces", "Draft three reasons"],
        },
    )
    assert made.status_code == 201, made.json()
    goal = made.json()
    assert (goal["stage"], goal["status"], [s["text"] for s in goal["steps"]]) == (
        2,
        "working",
        ["Read two pieces", "Draft three reasons"],
    )
    listed = api(world.guardian).get(f"/students/{world.student.uuid}/goals").json()
    assert [g["id"] for g in listed] == [goal["id"]]
    said = api(world.guardian).post(f"/goals/{goal['id']}/comments", {"text": "Well done."})
    assert said.status_code == 201 and said.json()["text"] == "Well done."
    assert api(world.classmate).get(f"/goals/{goal['id']}").status_code == 404
    assert (
        api(world.teacher).post(f"/goals/{goal['id']}/status", {"status": "done"}).status_code
        == 404
    )
    done = student.post(f"/goals/{goal['id']}/status", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    bad = student.post(
        "/goals", {"title": "x", "competency": "00000000-0000-0000-0000-000000000000"}
    )
    assert bad.status_code == 400 and "competency" in bad.json()["errors"]


def test_a_mentor_records_a_check_in_and_the_student_reflects(world):
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    goal = api(world.student).post("/goals", {"title": "Ask for help sooner"}).json()
    mentor = api(world.other_teacher)
    made = mentor.post(
        f"/students/{world.student.uuid}/check-ins",
        {
            "happened_on": timezone.localdate().isoformat(),
            "notes": "Talked about asking for help.",
            "goals": [goal["id"]],
        },
    )
    assert made.status_code == 201 and made.json()["goals"] == [goal["id"]]
    refused = api(world.teacher).post(
        f"/students/{world.student.uuid}/check-ins",
        {"happened_on": timezone.localdate().isoformat(), "notes": "x"},
    )
    assert refused.status_code == 404
    reflected = api(world.student).post(
        f"/check-ins/{made.json()['id']}/reflection", {"reflection": "I asked twice this week."}
    )
    assert reflected.status_code == 200 and reflected.json()["reflected_at"]
    assert api(world.guardian).get(f"/students/{world.student.uuid}/check-ins").json() == []
    [due] = mentor.get("/mentoring").json()
    assert due["student"] == str(world.student.uuid) and not due["overdue"]
    assert api(world.teacher).get("/mentoring").json() == []


def test_portfolio_and_conferences_through_the_api(world):
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from proficio.mastery.services import evidence_record
    from tests.mastery.varied import policy

    policy(world, "latest", minimum_evidence=1)
    rating = evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        observed_at=timezone.now(),
        source="observation",
    )
    student = api(world.student)
    made = student.client.post(
        "/api/v1/portfolio",
        {
            "title": "My poster",
            "competencies": str(world.competency.uuid),
            "file": SimpleUploadedFile("poster.pdf", b"%PDF-1.7\n%poster\n"),
            "shared_with_family": "true",
        },
        HTTP_AUTHORIZATION=f"Bearer {student.token}",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["content_type"] == "application/pdf"
    rated = student.client.post(
        "/api/v1/portfolio",
        {"title": "Rated 4", "evidence": str(rating.uuid)},
        HTTP_AUTHORIZATION=f"Bearer {student.token}",
    )
    assert rated.status_code == 201 and rated.json()["kind"] == "evidence"
    seen = api(world.guardian).get(f"/students/{world.student.uuid}/portfolio").json()
    assert [piece["title"] for piece in seen] == ["My poster"]

    drafted = student.post("/conferences", {})
    assert drafted.status_code == 201
    conference = drafted.json()
    assert [(m["competency"], m["stage"]) for m in conference["agenda"]["mastered"]] == [("W1", 1)]
    assert api(world.teacher).post("/conferences", {}).status_code == 404
    assert api(world.guardian).get(f"/students/{world.student.uuid}/conferences").json() == []
    recorded = api(world.teacher).post(
        f"/conferences/{conference['id']}/record",
        {"notes": "Well led.", "next_steps": ["Read more"]},
    )
    assert recorded.status_code == 200 and recorded.json()["next_steps"] == ["Read more"]
    acknowledged = student.post(f"/conferences/{conference['id']}/acknowledgement", {})
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
