"""The conference pages as a student, their guardian and their mentor use them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proficio.agency.models import Conference, Goal
from proficio.mastery.services import evidence_record
from proficio.people.api import mentorship_begin

pytestmark = pytest.mark.django_db


def as_user(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_conference_from_draft_to_acknowledgement(world):
    evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=1,
        level=Decimal(4),
        observed_at=timezone.now() - timedelta(days=2),
        source="observation",
    )
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    student, guardian, mentor = (
        as_user(world.student),
        as_user(world.guardian),
        as_user(world.other_teacher),
    )
    assert student.post(reverse("agency:conference_new")).status_code == 302
    conference = Conference.objects.get()
    page = student.get(reverse("agency:conference", args=[conference.uuid])).content.decode()
    assert "What I mastered" in page and "Make it yours" in page
    # Not shared yet: the guardian finds nothing.
    assert guardian.get(reverse("agency:conference", args=[conference.uuid])).status_code == 404
    student.post(
        reverse("agency:conference_edit", args=[conference.uuid]),
        {
            "scheduled_for": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "script": "First I will show my argument piece.",
            "questions": "Which book should I read next?",
            "share": "1",
        },
    )
    family = guardian.get(reverse("guardian_home")).content.decode()
    assert (
        "read the agenda" in family
        and reverse("agency:conference", args=[conference.uuid]) in family
    )
    shown = guardian.get(reverse("agency:conference", args=[conference.uuid])).content.decode()
    assert "Which book should I read next?" in shown and "Make it yours" not in shown
    slides = guardian.get(reverse("agency:conference_present", args=[conference.uuid]))
    assert slides.status_code == 200 and b"present__slide" in slides.content
    script = student.get(reverse("agency:conference_script", args=[conference.uuid]))
    assert b"First I will show my argument piece." in script.content
    assert (
        guardian.get(reverse("agency:conference_script", args=[conference.uuid])).status_code == 404
    )
    guardian.post(
        reverse("agency:family_note", args=[conference.uuid]),
        {"text": "She keeps her brother on track with homework."},
    )
    mentor.post(
        reverse("agency:conference_record", args=[conference.uuid]),
        {"notes": "She led it well.", "next_steps": "Read a longer book each month\n"},
    )
    conference.refresh_from_db()
    assert conference.held_at is not None
    step = conference.next_steps.get()
    made = student.post(reverse("agency:next_step_goal", args=[conference.uuid, step.pk]))
    assert made.status_code == 302
    assert Goal.objects.get(student=world.student).title == "Read a longer book each month"
    guardian.post(reverse("agency:conference_acknowledge", args=[conference.uuid]))
    assert conference.participants.get(person=world.guardian).acknowledged_at is not None
    listed = guardian.get(reverse("agency:student_conferences", args=[world.student.uuid]))
    assert "held" in listed.content.decode()
    # A teacher who is not the mentor nor a participant reads it (they serve the student) but
    # has nothing to acknowledge.
    teacher_page = as_user(world.teacher).get(reverse("agency:conference", args=[conference.uuid]))
    assert "I took part" not in teacher_page.content.decode()
