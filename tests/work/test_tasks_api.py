"""Performance tasks through the API: a teacher writes one aligned to stages with a choice
board, gives it to a section (students who join later get it too) or to picked students, and
each student lists the tasks given to them. Everyone else gets 404."""

import pytest

from proficio.audit.models import AuditEntry
from proficio.frameworks.models import Stage
from proficio.people.services import section_enroll
from proficio.work.models import RubricCriterion, Task
from tests.api.client import Api, token_for
from tests.factories import make_competency

pytestmark = pytest.mark.django_db


def as_(person) -> Api:
    return Api(token_for(person.username))


def task_body(world, **changes) -> dict:
    second = make_competency(world.framework, "W2")
    return {
        "title": "A letter to the council",
        "instructions": "Argue for a change in your **neighbourhood**.",
        "alignments": [
            {"competency": str(world.competency.uuid), "stage": 2},
            {"competency": str(second.uuid), "stage": 1},
        ],
        "options": [{"title": "Write a letter"}, {"title": "Record a speech"}],
        "revision_policy": "max",
        "max_revisions": 3,
    } | changes


def test_a_teacher_writes_a_task_whose_rubric_starts_from_the_evidence_statements(world):
    response = as_(world.teacher).post("/tasks", task_body(world))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "A letter to the council"
    assert [(a["competency_code"], a["stage"]) for a in body["alignments"]] == [
        ("W1", 2),
        ("W2", 1),
    ]
    assert [option["title"] for option in body["options"]] == ["Write a letter", "Record a speech"]
    assert (body["revision_policy"], body["max_revisions"]) == ("max", 3)
    task = Task.objects.get(uuid=body["id"])
    assert list(
        RubricCriterion.objects.filter(alignment__task=task).values_list("text", flat=True)
    ) == ["The student can do 2.", "The student can do 1."]
    assert AuditEntry.objects.filter(action="task.written", actor=world.teacher).exists()


def test_every_problem_is_told_at_once_and_nothing_is_written(world):
    Stage.objects.filter(competency=world.competency, ordinal=3).update(retired=True)
    body = task_body(
        world,
        title=" ",
        alignments=[
            {"competency": str(world.competency.uuid), "stage": 9},
            {"competency": str(world.competency.uuid), "stage": 3},
        ],
        revision_policy="max",
        max_revisions=None,
    )

    response = as_(world.teacher).post("/tasks", body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"title", "alignments-1", "alignments-2", "max_revisions"}
    assert "retired" in errors["alignments-2"]
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["student", "guardian"])
def test_students_and_guardians_write_no_tasks(world, who):
    response = as_(getattr(world, who)).post("/tasks", task_body(world))
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_another_districts_competency_is_not_found(world):
    body = task_body(world)
    response = as_(world.other_district_teacher).post("/tasks", body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"alignments-1", "alignments-2"}


def test_a_section_gets_the_task_and_so_does_a_student_who_joins_later(world):
    teacher = as_(world.teacher)
    task = teacher.post("/tasks", task_body(world)).json()

    response = teacher.post(
        f"/tasks/{task['id']}/assignments", {"section": str(world.section.uuid)}
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body["students"]) == {str(world.student.uuid), str(world.classmate.uuid)}
    assert [t["id"] for t in as_(world.student).get("/tasks").json()["items"]] == [task["id"]]
    assert as_(world.other_student).get("/tasks").json() == {"items": [], "count": 0}
    section_enroll(section=world.section, student=world.other_student)
    assert as_(world.other_student).get("/tasks").json()["count"] == 1
    assert AuditEntry.objects.filter(action="task.assigned").count() == 1


def test_students_picked_by_hand_get_it_and_nobody_else(world):
    teacher = as_(world.teacher)
    task = teacher.post("/tasks", task_body(world)).json()

    response = teacher.post(
        f"/tasks/{task['id']}/assignments", {"students": [str(world.student.uuid)]}
    )

    assert response.json()["students"] == [str(world.student.uuid)]
    assert as_(world.student).get("/tasks").json()["count"] == 1
    assert as_(world.classmate).get("/tasks").json()["count"] == 0


def test_what_the_teacher_cannot_reach_is_not_found(world):
    teacher = as_(world.teacher)
    task = teacher.post("/tasks", task_body(world)).json()
    url = f"/tasks/{task['id']}/assignments"

    assert teacher.post(url, {"section": str(world.other_section.uuid)}).status_code == 404
    assert teacher.post(url, {"students": [str(world.far_student.uuid)]}).status_code == 404
    assert (
        as_(world.other_teacher).post(url, {"section": str(world.other_section.uuid)}).status_code
        == 404
    )
    assert as_(world.other_district_teacher).get("/tasks").json()["count"] == 0
    both = {"section": str(world.section.uuid), "students": [str(world.student.uuid)]}
    assert teacher.post(url, both).status_code == 400
    assert not AuditEntry.objects.filter(action="task.assigned").exists()


def test_a_district_admin_sees_every_task_of_the_district(world):
    as_(world.teacher).post("/tasks", task_body(world))
    assert as_(world.district_admin).get("/tasks").json()["count"] == 1
    assert as_(world.other_teacher).get("/tasks").json()["count"] == 0
