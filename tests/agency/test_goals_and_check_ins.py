"""Goals the student owns, read and discussed by their guardians and staff; mentors, set by an
admin, who check in on a cadence the district sets, and see their mentees while they last."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proficio.agency.models import Goal
from proficio.agency.permissions import check_ins_visible_to, goals_visible_to
from proficio.agency.selectors import check_ins_due, goal_get
from proficio.agency.services import (
    check_in_cadence_set,
    check_in_record,
    check_in_reflect,
    goal_comment,
    goal_status_set,
    goal_step_tick,
    goal_write,
)
from proficio.audit.models import AuditEntry
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.people.api import mentorship_begin, mentorship_end, serves_as_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(world):
    """The other teacher, who does not teach the student, made their mentor."""
    mentorship_begin(actor=world.school_admin, mentor=world.other_teacher, student=world.student)
    return world.other_teacher


def goal_of(world, **more):
    return goal_write(
        actor=world.student,
        student=world.student,
        title="Argue with evidence",
        why="My reasons need support.",
        competency=world.competency,
        stage=2,
        target_date=timezone.localdate() + timedelta(days=30),
        steps=more.pop("steps", ["Read two opinion pieces", "Draft three reasons"]),
        **more,
    )


def test_a_mentor_sees_their_mentee_only_while_the_mentorship_lasts(world):
    assert not serves_as_staff(world.other_teacher, world.student)
    mentorship = mentorship_begin(
        actor=world.school_admin, mentor=world.other_teacher, student=world.student
    )
    assert serves_as_staff(world.other_teacher, world.student)
    assert not serves_as_staff(world.other_teacher, world.classmate)
    mentorship_end(actor=world.district_admin, mentorship=mentorship)
    assert not serves_as_staff(world.other_teacher, world.student)
    assert (
        AuditEntry.objects.filter(action="mentorship.changed", student=world.student).count() == 2
    )


def test_only_an_admin_of_the_student_sets_a_mentor_and_only_a_teacher_mentors(world):
    with pytest.raises(NotVisible):
        mentorship_begin(actor=world.teacher, mentor=world.other_teacher, student=world.student)
    with pytest.raises(NotVisible):
        mentorship_begin(
            actor=world.school_admin, mentor=world.other_teacher, student=world.far_student
        )
    with pytest.raises(InvalidInput) as refused:
        mentorship_begin(actor=world.district_admin, mentor=world.guardian, student=world.student)
    assert "teacher" in refused.value.errors["mentor"]
    with pytest.raises(InvalidInput):
        mentorship_begin(
            actor=world.district_admin,
            mentor=world.other_district_teacher,
            student=world.student,
        )


def test_the_student_writes_a_goal_tied_to_a_stage_with_steps(world):
    goal = goal_of(world)
    assert (goal.stage.ordinal, goal.status, goal.created_by) == (2, "working", world.student)
    assert [s.text for s in goal.steps.all()] == ["Read two opinion pieces", "Draft three reasons"]
    first = goal.steps.get(position=0)
    goal_step_tick(actor=world.student, step=first, done=True)
    rewritten = goal_write(
        actor=world.student,
        student=world.student,
        goal=goal,
        title=goal.title,
        steps=["Read two opinion pieces", "Draft four reasons"],
    )
    kept = rewritten.steps.get(position=0)
    assert kept.done_at is not None and rewritten.steps.get(position=1).done_at is None


def test_a_goal_is_checked_whole(world):
    with pytest.raises(InvalidInput) as refused:
        goal_write(
            actor=world.student,
            student=world.student,
            title=" ",
            competency=world.competency,
            stage=9,
            target_date=timezone.localdate() - timedelta(days=1),
        )
    assert set(refused.value.errors) == {"title", "stage", "target_date"}
    assert not Goal.objects.exists()


def test_who_reads_a_goal_and_who_changes_it(world, mentor):
    goal = goal_of(world)
    readers = {world.student, world.guardian, world.teacher, mentor, world.school_admin}
    for person in readers:
        assert goals_visible_to(person).filter(pk=goal.pk).exists(), person
    for person in (world.classmate, world.far_student, world.other_district_teacher):
        assert not goals_visible_to(person).filter(pk=goal.pk).exists(), person
        with pytest.raises(NotVisible):
            goal_get(user=person, goal_id=goal.uuid)
    for person in readers - {world.student}:
        with pytest.raises(NotVisible):
            goal_status_set(actor=person, goal=goal, status="done")
    goal_comment(actor=world.guardian, goal=goal, text="We read together every evening.")
    with pytest.raises(NotVisible):
        goal_comment(actor=world.classmate, goal=goal, text="Hi")
    changed = goal_status_set(
        actor=world.student, goal=goal, status="changed", note="Aiming at stage 3 instead."
    )
    assert changed.status == "changed"
    with pytest.raises(InvalidInput):
        goal_status_set(actor=world.student, goal=goal, status="changed")


def test_a_mentor_writes_a_goal_with_the_student_but_no_other_teacher_does(world, mentor):
    goal = goal_write(actor=mentor, student=world.student, title="Ask for help sooner")
    assert goal.created_by == mentor
    with pytest.raises(NotVisible):
        goal_write(actor=world.teacher, student=world.student, title="Not mine to set")


def test_a_mentor_records_check_ins_and_the_student_reflects(world, mentor):
    goal = goal_of(world)
    today = timezone.localdate()
    check_in = check_in_record(
        mentor=mentor,
        student=world.student,
        happened_on=today,
        notes="Two reasons drafted; the third is hard.",
        actions="Find one source for the third reason by Friday.",
        goals=[goal],
    )
    assert list(goal.check_ins.all()) == [check_in]
    with pytest.raises(NotVisible):
        check_in_record(mentor=world.teacher, student=world.student, happened_on=today, notes="x")
    with pytest.raises(NotVisible):
        check_in_reflect(student=world.classmate, check_in=check_in, reflection="Not mine")
    reflected = check_in_reflect(
        student=world.student, check_in=check_in, reflection="I will ask the librarian."
    )
    assert reflected.reflected_at is not None
    readers = {world.student, mentor, world.school_admin, world.district_admin}
    for person in readers:
        assert check_ins_visible_to(person).filter(pk=check_in.pk).exists(), person
    for person in (world.guardian, world.teacher, world.classmate, world.other_district_teacher):
        assert not check_ins_visible_to(person).filter(pk=check_in.pk).exists(), person


def test_check_ins_come_due_on_the_districts_cadence(world, mentor):
    mentorship_begin(actor=world.school_admin, mentor=mentor, student=world.classmate)
    today = timezone.localdate()
    check_in_record(
        mentor=mentor,
        student=world.student,
        happened_on=today - timedelta(days=3),
        notes="Started.",
    )
    due = {d.mentorship.student: d for d in check_ins_due(mentor=mentor)}
    assert due[world.student].due == today + timedelta(days=4)
    assert due[world.classmate].due == today + timedelta(days=7) and not due[world.classmate].last
    check_in_cadence_set(actor=world.district_admin, district=world.district, days=2)
    due = {d.mentorship.student: d for d in check_ins_due(mentor=mentor)}
    assert due[world.student].overdue and due[world.student].due == today - timedelta(days=1)
    with pytest.raises(NotVisible):
        check_in_cadence_set(actor=world.school_admin, district=world.district, days=3)
    with pytest.raises(InvalidInput):
        check_in_cadence_set(actor=world.district_admin, district=world.district, days=0)
