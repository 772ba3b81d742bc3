"""The agency pages as people use them: a student sets a goal and ticks its steps, their
guardian comments, an admin makes a teacher their mentor, the mentor records a check-in and
the student reflects on it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.models import CheckIn, Goal
from proficio.audit.models import AuditEntry
from proficio.people.models import Mentorship

pytestmark = pytest.mark.django_db


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def set_goal(world) -> Goal:
    response = as_user(world.student).post(
        reverse("agency:goal_new"),
        {
            "title": "Argue with evidence",
            "why": "My reasons need support.",
            "competency": str(world.competency.uuid),
            "stage": "2",
            "target_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
            "steps": "Read two opinion pieces\nDraft three reasons\n",
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{goal.uuid}/")
    return goal


def test_a_student_sets_a_goal_and_ticks_a_step(world):
    goal = set_goal(world)
    student = as_user(world.student)
    page = student.get(reverse("agency:goals")).content.decode()
    assert "Argue with evidence" in page and "0 of 2 steps done" in page
    step = goal.steps.get(position=0)
    student.post(reverse("agency:goal_step", args=[goal.uuid, step.pk]), {"done": "1"})
    step.refresh_from_db()
    assert step.done_at is not None
    assert "1 of 2 steps done" in student.get(reverse("agency:goals")).content.decode()
    student.post(reverse("agency:goal_status", args=[goal.uuid]), {"status": "done", "note": ""})
    goal.refresh_from_db()
    assert goal.status == "done"


def test_a_bad_goal_is_shown_again_with_the_reasons(world):
    response = as_user(world.student).post(
        reverse("agency:goal_new"),
        {"title": "Reach a stage", "competency": str(world.competency.uuid), "stage": "9"},
    )
    assert response.status_code == 422
    assert "W1 has no stage 9." in response.content.decode()
    assert not Goal.objects.exists()


def test_the_guardian_reads_and_comments_but_does_not_change_it(world):
    goal = set_goal(world)
    guardian = as_user(world.guardian)
    page = guardian.get(reverse("agency:goal", args=[goal.uuid])).content.decode()
    assert "Argue with evidence" in page and "Change the goal" not in page
    guardian.post(reverse("agency:goal_comment", args=[goal.uuid]), {"text": "Proud of you."})
    assert goal.comments.get().text == "Proud of you."
    assert guardian.get(reverse("agency:goal_edit", args=[goal.uuid])).status_code == 404
    step = goal.steps.get(position=0)
    refused = guardian.post(reverse("agency:goal_step", args=[goal.uuid, step.pk]), {"done": "1"})
    assert refused.status_code == 404
    assert AuditEntry.objects.filter(
        action="student.viewed", actor=world.guardian, student=world.student
    ).exists()


def test_an_admin_gives_a_mentor_who_checks_in_and_the_student_reflects(world):
    goal = set_goal(world)
    admin = as_user(world.school_admin)
    found = admin.get(reverse("agency:mentors"), {"q": "student"}).content.decode()
    assert world.student.display_name in found
    admin.post(
        reverse("agency:mentors"),
        {"student": str(world.student.uuid), "mentor": str(world.other_teacher.uuid), "q": "x"},
    )
    mentorship = Mentorship.objects.get()
    assert mentorship.mentor == world.other_teacher

    mentor = as_user(world.other_teacher)
    due = mentor.get(reverse("agency:mentoring")).content.decode()
    assert world.student.display_name in due
    assert (
        "Record a check-in"
        in mentor.get(reverse("agency:student_goals", args=[world.student.uuid])).content.decode()
    )
    mentor.post(
        reverse("agency:check_in_new", args=[world.student.uuid]),
        {
            "happened_on": timezone.localdate().isoformat(),
            "notes": "Two reasons drafted.",
            "actions": "Find a source by Friday.",
            "goals": [str(goal.uuid)],
        },
    )
    check_in = CheckIn.objects.get()
    assert list(check_in.goals.all()) == [goal]
    # The section's own teacher is not the mentor: no check-in form, and a post is refused.
    teacher = as_user(world.teacher)
    assert (
        "Record a check-in"
        not in teacher.get(
            reverse("agency:student_goals", args=[world.student.uuid])
        ).content.decode()
    )
    refused = teacher.post(
        reverse("agency:check_in_new", args=[world.student.uuid]),
        {"happened_on": timezone.localdate().isoformat(), "notes": "x"},
    )
    assert refused.status_code == 404

    student = as_user(world.student)
    student.post(
        reverse("agency:check_in_reflection", args=[check_in.uuid]),
        {"reflection": "I will ask the librarian."},
    )
    page = student.get(reverse("agency:goals")).content.decode()
    assert "Find a source by Friday." in page and "I will ask the librarian." in page
    assert (
        "Find a source"
        not in as_user(world.guardian)
        .get(reverse("agency:student_goals", args=[world.student.uuid]))
        .content.decode()
    )

    admin.post(reverse("agency:mentorship_end", args=[mentorship.uuid]), {"q": "student"})
    mentorship.refresh_from_db()
    assert mentorship.ended_on == timezone.localdate()
    assert (
        world.student.display_name not in mentor.get(reverse("agency:mentoring")).content.decode()
    )


def test_the_district_admin_sets_the_cadence_and_a_school_admin_may_not(world):
    as_user(world.district_admin).post(reverse("agency:cadence"), {"days": "14"})
    page = as_user(world.school_admin).get(reverse("agency:mentors")).content.decode()
    assert "every 14 days" in page
    refused = as_user(world.school_admin).post(reverse("agency:cadence"), {"days": "3"})
    assert refused.status_code == 404
