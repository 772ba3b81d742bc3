"""Student-led conferences: the agenda drafted from the record since the last conference,
edited and shared by the student, recorded once held, next steps that become goals, each
participant's acknowledgement, and the family's word on soft skills."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from proficio.agency.conferences import (
    conference_acknowledge,
    conference_draft,
    conference_edit,
    conference_get,
    conference_record,
    conference_share,
    family_note_add,
    next_step_to_goal,
)
from proficio.agency.permissions import conferences_visible_to
from proficio.agency.services import goal_write, piece_add
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.mastery.services import evidence_record
from proficio.people.api import mentorship_begin
from tests.mastery.varied import policy

pytestmark = pytest.mark.django_db


def rate(world, stage, level, days_ago):
    return evidence_record(
        assessor=world.teacher,
        student=world.student,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        observed_at=timezone.now() - timedelta(days=days_ago),
        source="observation",
        artifact_title=f"Piece at stage {stage}",
    )


@pytest.fixture
def record(world):
    """Stage 1 mastered long ago, stage 2 in the last days (the latest rating counts)."""
    policy(world, "latest", minimum_evidence=1)
    rate(world, 1, 3, 200)
    rate(world, 2, 2, 20)
    rate(world, 2, 4, 3)
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    return world


def test_the_agenda_lists_what_was_mastered_since_with_the_ratings_behind_it(record):
    world = record
    goal_write(actor=world.student, student=world.student, title="Back reasons with evidence")
    conference = conference_draft(student=world.student)
    agenda = conference.agenda
    # The school year began on 1 August: stage 1 (rated in May) was mastered before it.
    assert [(m["competency"], m["stage"]) for m in agenda["mastered"]] == [("W1", 2)]
    assert [r["level"] for r in agenda["mastered"][0]["ratings"]] == ["4", "2"]
    assert agenda["next"] == [
        {"competency": "W1", "title": world.competency.title, "stage": 3, "label": "Stage 3"}
    ]
    assert [g["title"] for g in agenda["goals"]] == ["Back reasons with evidence"]
    roles = {p.person: p.role for p in conference.participants.all()}
    assert roles == {
        world.student: "student",
        world.guardian: "guardian",
        world.other_teacher: "mentor",
    }


def test_the_next_agenda_starts_where_the_last_conference_ended(record):
    world = record
    first = conference_draft(student=world.student, at=timezone.now() - timedelta(days=10))
    conference_record(
        actor=world.other_teacher,
        conference=first,
        notes="A good start.",
        next_steps=[],
        at=timezone.now() - timedelta(days=5),
    )
    second = conference_draft(student=world.student)
    assert second.since == timezone.localdate() - timedelta(days=5)
    assert [m["stage"] for m in second.agenda["mastered"]] == [2]  # rated 4 three days ago
    rate(world, 3, 3, 1)
    third = conference_draft(student=world.student)
    assert [m["stage"] for m in third.agenda["mastered"]] == [2, 3]


def test_the_student_edits_and_shares_and_only_then_the_family_reads_it(record):
    world = record
    conference = conference_draft(student=world.student)
    piece = piece_add(
        student=world.student, title="My argument", evidence=world.student.evidence.first()
    )
    conference_edit(
        student=world.student,
        conference=conference,
        pieces=[piece],
        script="I will start with my argument piece.",
        questions="What should I read next?",
        scheduled_for=timezone.now() + timedelta(days=2),
    )
    assert not conferences_visible_to(world.guardian).exists()
    assert conferences_visible_to(world.teacher).filter(pk=conference.pk).exists()
    with pytest.raises(NotVisible):
        conference_share(student=world.classmate, conference=conference)
    with pytest.raises(NotVisible):
        family_note_add(guardian=world.guardian, conference=conference, text="Early")
    conference_share(student=world.student, conference=conference)
    shown = conference_get(user=world.guardian, conference_id=conference.uuid)
    assert list(shown.pieces.all()) == [piece]
    family_note_add(
        guardian=world.guardian,
        conference=conference,
        text="At home she organises her brother's homework: real leadership.",
    )
    assert not conferences_visible_to(world.classmate).exists()
    assert not conferences_visible_to(world.other_district_teacher).exists()


def test_once_held_next_steps_become_goals_and_participants_acknowledge(record):
    world = record
    conference = conference_draft(student=world.student)
    with pytest.raises(InvalidInput):
        conference_acknowledge(participant=world.guardian, conference=conference)
    with pytest.raises(NotVisible):
        conference_record(actor=world.guardian, conference=conference, notes="x", next_steps=[])
    conference_record(
        actor=world.other_teacher,
        conference=conference,
        notes="Amara led it with confidence.",
        next_steps=["Read one longer book a month", "  "],
    )
    [step] = conference.next_steps.all()
    goal = next_step_to_goal(actor=world.student, step=step)
    assert goal.title == "Read one longer book a month" and goal.student == world.student
    assert next_step_to_goal(actor=world.student, step=step) == goal
    for person in (world.student, world.guardian, world.other_teacher):
        conference_acknowledge(participant=person, conference=conference)
    assert all(p.acknowledged_at for p in conference.participants.all())
    with pytest.raises(NotVisible):
        conference_acknowledge(participant=world.teacher, conference=conference)
    with pytest.raises(InvalidInput):
        conference_edit(
            student=world.student,
            conference=conference,
            pieces=[],
            script="Too late",
            questions="",
            scheduled_for=None,
        )
