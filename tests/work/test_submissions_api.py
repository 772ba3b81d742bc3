"""A submission through the API: the student, their teachers and their guardians read it with
every revision and its reviews; a teacher reviews a revision into evidence that the mastery
endpoint counts; everyone else gets 404."""

import pytest

from proficio.audit.models import AuditEntry
from proficio.work.data import Alignment
from proficio.work.models import Submission
from proficio.work.services import revision_save, task_assign, task_create
from tests.api.client import Api, token_for

pytestmark = pytest.mark.django_db


def as_(person) -> Api:
    return Api(token_for(person.username))


@pytest.fixture
def submission(world) -> Submission:
    task = task_create(
        author=world.teacher,
        title="Reading aloud",
        alignments=[Alignment(competency=world.competency, stage=1)],
    )
    task_assign(actor=world.teacher, task=task, section=world.section)
    revision_save(student=world.student, task=task, text="Once upon a time", submit=True)
    return Submission.objects.get()


def review(world, submission, decision="rated", level=4):
    return as_(world.teacher).post(
        f"/submissions/{submission.uuid}/reviews",
        {
            "revision": 1,
            "decision": decision,
            "ratings": [
                {
                    "competency": str(world.competency.uuid),
                    "stage": 1,
                    "level": level,
                    "feedback_present": "Clear voice.",
                    "feedback_next": "Pause at full stops.",
                }
            ],
        },
    )


def test_a_review_becomes_evidence_the_mastery_endpoint_counts(world, submission):
    response = review(world, submission)

    assert response.status_code == 201
    [evidence_id] = response.json()["evidence"]
    mastery = as_(world.teacher).get(f"/students/{world.student.uuid}/mastery").json()
    stage = mastery["competencies"][0]["stages"][0]
    assert stage["evidence_count"] == 1
    body = as_(world.student).get(f"/submissions/{submission.uuid}").json()
    assert body["status"] == "rated"
    [revision] = body["revisions"]
    assert revision["text"] == "Once upon a time"
    assert revision["reviews"][0]["evidence"] == [evidence_id]


def test_returned_work_says_so(world, submission):
    review(world, submission, decision="revise", level=2)
    body = as_(world.guardian).get(f"/submissions/{submission.uuid}").json()
    assert body["status"] == "returned"
    assert AuditEntry.objects.filter(
        actor=world.guardian, action="student.viewed", student=world.student
    ).exists()


@pytest.mark.parametrize("who", ["classmate", "other_teacher", "other_district_teacher"])
def test_anyone_else_gets_not_found(world, submission, who):
    assert as_(getattr(world, who)).get(f"/submissions/{submission.uuid}").status_code == 404
    assert review_as(world, who, submission).status_code == 404


def review_as(world, who, submission):
    return as_(getattr(world, who)).post(
        f"/submissions/{submission.uuid}/reviews", {"revision": 1, "decision": "revise"}
    )


def test_the_student_cannot_review_their_own_work(world, submission):
    assert review_as(world, "student", submission).status_code == 404
