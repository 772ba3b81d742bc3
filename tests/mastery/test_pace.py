"""Pace read from real ratings: ahead / on pace / behind from the age-grade, stalled from the
days the work was done, the school's expectations, and who may read it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proficio.engine.pace import AHEAD, BEHIND, ON_PACE
from proficio.frameworks.data import StageSpec
from proficio.frameworks.models import Competency, CompetencyKind
from proficio.frameworks.services import competency_create
from proficio.lib.errors import NotVisible
from proficio.mastery.models import PaceExpectation, StalledSummary, WorkingStage
from proficio.mastery.pace import (
    STALLED,
    expectation_for,
    matching_cells,
    paces_of,
    stalled_in_sections,
    student_pace,
)
from proficio.mastery.selectors import gradebook
from proficio.mastery.services import evidence_record
from proficio.people.models import Person, Role
from proficio.people.services import (
    district_create,
    person_create,
    person_grant_site_admin,
    role_assign,
    school_create,
    section_create,
    section_enroll,
)
from tests.factories import World

pytestmark = pytest.mark.django_db


@dataclass
class PaceWorld:
    """Four students of the world's section on a trajectory typical for grades 3 to 6."""

    competency: Competency
    stuck: Person  # grade 5, at stage 3 (on pace) with no growth for weeks: stalled
    growing: Person  # grade 5, at stage 3, rising: on pace, not stalled
    young: Person  # grade 4 at stage 3: ahead
    older: Person  # grade 6 at stage 3: behind
    far_stuck: Person  # like `stuck`, but in the other teacher's section


def observed(days_ago: int) -> datetime:
    """Mid-morning, `days_ago` calendar days before today."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def rate(world: World, student: Person, competency: Competency, *rows, assessor=None, **extra):
    """rows: (days ago, stage, level), recorded now, observed then."""
    for days_ago, stage, level in rows:
        evidence_record(
            assessor=assessor or world.teacher,
            student=student,
            competency=competency,
            stage=stage,
            level=level,
            observed_at=observed(days_ago),
            source=extra.get("source", "observation"),
        )


def graded_student(world: World, username: str, age_grade: int, section=None) -> Person:
    person = person_create(
        district=world.district,
        username=username,
        first_name=username.capitalize(),
        last_name="Pacer",
        age_grade=age_grade,
    )
    role_assign(person=person, role=Role.STUDENT, district=world.district, school=world.school)
    section_enroll(section=section or world.section, student=person)
    return person


# Stage 2 mastered long ago (two Advanced ratings), so each starts the half-year at stage 3.
PLACED = [(120, 2, 4), (115, 2, 4)]


def graded_competency(world: World, code: str) -> Competency:
    """A competency of four stages, typical for grades 3, 4, 5 and 6."""
    return competency_create(
        framework=world.framework,
        code=code,
        title="Graded trajectory",
        kind=CompetencyKind.ACADEMIC,
        stages=[
            StageSpec(label=f"Grade {grade}", typical_grade=grade, evidence_statements=["I can."])
            for grade in (3, 4, 5, 6)
        ],
    )


def build_pace_world(world: World) -> PaceWorld:
    competency = graded_competency(world, "G1")
    stuck = graded_student(world, "stuck", 5)
    growing = graded_student(world, "growing", 5)
    young = graded_student(world, "young", 4)
    older = graded_student(world, "older", 6)
    far_stuck = graded_student(world, "farstuck", 5, section=world.other_section)
    flat = [(70, 3, 2), (30, 3, 2), (20, 3, 1), (10, 3, 2)]
    rate(world, stuck, competency, *PLACED, *flat)
    rate(world, far_stuck, competency, *PLACED, *flat, assessor=world.other_teacher)
    rate(world, growing, competency, *PLACED, (70, 3, 1), (30, 3, 1), (10, 3, 2))
    for student in (young, older):
        rate(world, student, competency, *PLACED, (10, 3, 2))
    return PaceWorld(competency, stuck, growing, young, older, far_stuck)


@pytest.fixture
def paced(world) -> PaceWorld:
    return build_pace_world(world)


def pace_of(student: Person, competency: Competency, today: date | None = None):
    today = today or timezone.localdate()
    return paces_of(students=[student], competencies=[competency], today=today)[
        student.pk, competency.pk
    ]


# ahead, on pace, behind


def test_standing_compares_the_working_stage_with_the_stage_for_the_age_grade(paced):
    assert pace_of(paced.growing, paced.competency).standing == ON_PACE
    assert pace_of(paced.young, paced.competency).standing == AHEAD
    older = pace_of(paced.older, paced.competency)
    assert older.standing == BEHIND
    assert older.standing_reason == "Working at stage 3; stage 4 is typical for grade 6 — behind."


def test_the_working_stage_read_for_pace_is_the_one_the_service_stored(paced):
    for student in (paced.stuck, paced.growing, paced.young, paced.older):
        stored = WorkingStage.objects.get(student=student, competency=paced.competency)
        reason = pace_of(student, paced.competency).standing_reason
        assert reason.startswith(f"Working at stage {stored.ordinal};")


def test_pace_is_unknown_without_an_age_grade_or_typical_grades(world, paced):
    rate(world, world.student, paced.competency, (10, 1, 2))  # no age-grade recorded
    assert not pace_of(world.student, paced.competency).known
    rate(world, paced.growing, world.competency, (10, 1, 2))  # W1 has no typical grades
    assert not pace_of(paced.growing, world.competency).known


def test_pace_is_unknown_before_any_rating(world, paced):
    newcomer = graded_student(world, "newcomer", 5)
    pace = pace_of(newcomer, paced.competency)
    assert not pace.known and pace.label == ""


def test_completing_the_trajectory_early_reads_ahead(world, paced):
    rate(world, paced.growing, paced.competency, (5, 4, 4), (4, 4, 4))
    pace = pace_of(paced.growing, paced.competency)
    assert pace.standing == AHEAD and pace.standing_reason.startswith("Completed all 4 stages")


# stalled


def test_no_growth_at_the_working_stage_for_six_weeks_is_stalled(paced):
    pace = pace_of(paced.stuck, paced.competency)
    assert pace.stalled and pace.standing == ON_PACE  # both, the stall first
    assert pace.badge == STALLED and pace.label == "Stalled" and pace.standing_label == "On pace"
    assert pace.stall_reason.startswith("Needs support: no new stage since")
    below = "all 3 ratings at stage 3 in the last 6 weeks are below 3 (Proficient)"
    assert below in pace.stall_reason
    assert pace.reason == f"{pace.stall_reason} {pace.standing_reason}"


def test_stalled_is_read_from_when_the_work_was_done_not_when_it_was_recorded(paced):
    # Every rating was recorded today: read by recorded_at, none would come before the window.
    # As of 15 days ago, two of the window's ratings had been done: the 2 and the 1 ...
    then = pace_of(paced.stuck, paced.competency, today=timezone.localdate() - timedelta(days=15))
    assert then.stalled and "both ratings at stage 3" in then.stall_reason
    # ... and 100 days ago stage 3 had been reached only 15 days before.
    early = pace_of(paced.stuck, paced.competency, today=timezone.localdate() - timedelta(days=100))
    assert not early.stalled and early.stall_reason.startswith("A new stage was reached on")


def test_rising_ratings_are_growth_not_a_stall(paced):
    pace = pace_of(paced.growing, paced.competency)
    assert not pace.stalled and pace.stall_reason.startswith("Growing:")


def test_a_student_who_reached_their_stage_recently_is_not_stalled(world, paced):
    fresh = graded_student(world, "fresh", 5)
    rate(world, fresh, paced.competency, (40, 2, 4), (35, 2, 4), (30, 3, 1), (20, 3, 1))
    pace = pace_of(fresh, paced.competency)
    assert not pace.stalled and "A new stage was reached on" in pace.stall_reason


def test_a_self_assessment_does_not_lift_a_stall_unless_the_policy_counts_it(world, paced):
    rate(world, paced.stuck, paced.competency, (2, 3, 4), assessor=paced.stuck, source="self")
    assert pace_of(paced.stuck, paced.competency).stalled


def test_a_corrected_rating_counts_only_in_its_corrected_form(world, paced):
    latest = paced.growing.evidence.order_by("-observed_at").first()
    evidence_record(
        assessor=world.teacher,
        student=paced.growing,
        competency=paced.competency,
        stage=3,
        level=1,
        observed_at=latest.observed_at,
        source="observation",
        supersedes=latest,
    )
    # The rise to 2 was a mistake: corrected to 1, the ratings are flat and the student stalled.
    assert pace_of(paced.growing, paced.competency).stalled


# the school's expectations


def test_expectations_fall_back_from_school_to_district_to_the_defaults(world):
    default = expectation_for(district_id=world.district.pk, school_id=world.school.pk)
    assert default.pk is None and default.stall_weeks == 6 and default.stall_ratings == 2
    PaceExpectation.objects.create(district=world.district, stall_weeks=10)
    assert (
        expectation_for(district_id=world.district.pk, school_id=world.school.pk).stall_weeks == 10
    )
    PaceExpectation.objects.create(district=world.district, school=world.school, stall_weeks=4)
    assert (
        expectation_for(district_id=world.district.pk, school_id=world.school.pk).stall_weeks == 4
    )
    other = expectation_for(district_id=world.district.pk, school_id=world.other_school.pk)
    assert other.stall_weeks == 10


def test_a_longer_stall_window_waits_longer_before_flagging(world, paced):
    PaceExpectation.objects.create(district=world.district, stall_weeks=12)
    # With 12 weeks the window reaches back past the first rating at stage 3: too soon to tell.
    pace = pace_of(paced.stuck, paced.competency)
    assert not pace.stalled and "too soon to tell" in pace.stall_reason


def test_a_school_may_count_a_stage_below_as_on_pace(world, paced):
    PaceExpectation.objects.create(
        district=world.district, school=world.school, stages_below_on_pace=1
    )
    older = pace_of(paced.older, paced.competency)
    assert older.standing == ON_PACE and "up to 1 stage below" in older.standing_reason


def test_an_expectation_refuses_a_school_of_another_district(world):
    elsewhere = school_create(district=district_create(name="Far away"), name="Far")
    with pytest.raises(ValidationError):
        PaceExpectation(district=world.district, school=elsewhere).full_clean()


def test_a_site_admin_sets_expectations_in_the_admin_and_pace_follows_at_once(client, world):
    person_grant_site_admin(person=world.district_admin)
    client.force_login(world.district_admin)
    add = reverse("admin:mastery_paceexpectation_add")
    fields = {"district": world.district.pk, "school": "", "stall_ratings": 2}
    refused = client.post(add, {**fields, "stall_weeks": 0, "stages_below_on_pace": 0})
    assert refused.status_code == 200 and not PaceExpectation.objects.exists()
    saved = client.post(add, {**fields, "stall_weeks": 8, "stages_below_on_pace": 1})
    assert saved.status_code == 302
    expectation = expectation_for(district_id=world.district.pk, school_id=world.school.pk)
    assert expectation.stall_weeks == 8 and expectation.stages_below_on_pace == 1
    twice = client.post(add, {**fields, "stall_weeks": 6, "stages_below_on_pace": 0})
    assert twice.status_code == 200 and PaceExpectation.objects.count() == 1  # one per district


# reads, scoped to who asks


def test_the_gradebook_carries_pace_in_every_rated_cell(world, paced):
    book = gradebook(user=world.teacher, section=world.section)
    assert book.cell(paced.stuck, paced.competency).pace.stalled
    assert book.cell(paced.young, paced.competency).pace.standing == AHEAD
    assert book.cell(world.student, paced.competency) is None  # never rated: no cell, no pace
    picked = matching_cells({pair: cell.pace for pair, cell in book.cells.items() if cell.pace})
    assert picked[STALLED] == {(paced.stuck.pk, paced.competency.pk)}
    assert picked[AHEAD] == {(paced.young.pk, paced.competency.pk)}


def test_student_pace_is_read_by_those_who_may_see_the_student(world, paced):
    for reader in (world.teacher, world.school_admin, paced.stuck):
        assert student_pace(user=reader, student_id=str(paced.stuck.uuid))[
            paced.competency.pk
        ].stalled
    for stranger in (world.other_teacher, world.guardian, world.other_district_teacher):
        with pytest.raises(NotVisible):
            student_pace(user=stranger, student_id=str(paced.stuck.uuid))


def test_the_stalled_list_holds_only_the_teachers_own_students(world, paced):
    mine = stalled_in_sections(user=world.teacher)
    assert [(group.section, group.pairs) for group in mine] == [
        (world.section, [(paced.stuck.pk, paced.competency.pk)])
    ]
    assert [(row.student, row.competency, row.section) for row in mine[0].shown] == [
        (paced.stuck, paced.competency, world.section)
    ]
    theirs = stalled_in_sections(user=world.other_teacher)
    assert [row.student for group in theirs for row in group.shown] == [paced.far_stuck]
    # Admins who teach no section have no "my sections" list; students and guardians neither.
    for nobody in (world.school_admin, world.district_admin, world.student, world.guardian):
        assert stalled_in_sections(user=nobody) == []


def stalled_names(user, today=None) -> list[str]:
    return [
        row.student.username
        for group in stalled_in_sections(user=user, today=today)
        for row in group.shown
    ]


def test_the_stalled_list_is_kept_and_read_again_only_when_what_it_comes_from_changes(world, paced):
    """The teacher home reads who is stalled from its stored summary while nothing changed;
    a rating, a new classmate, a stall setting, a policy and the next day each change it."""
    assert stalled_names(world.teacher) == ["stuck"]
    summary = StalledSummary.objects.get(person=world.teacher)
    assert summary.sections == {str(world.section.pk): [[paced.stuck.pk, paced.competency.pk]]}
    with CaptureQueriesContext(connection) as reads:
        assert stalled_names(world.teacher) == ["stuck"]
    assert not [q for q in reads.captured_queries if "stall_start" in q["sql"]]
    # A rating at mastery level ends the stall.
    rate(world, paced.stuck, paced.competency, (1, 3, 4))
    assert stalled_names(world.teacher) == []
    # A stalled classmate joins the section.
    section_enroll(section=world.section, student=paced.far_stuck)
    assert stalled_names(world.teacher) == ["farstuck"]
    # Four recent ratings needed before a stall shows: nobody.
    PaceExpectation.objects.create(district=world.district, stall_ratings=4)
    assert stalled_names(world.teacher) == []
    # A shorter window: three weeks hold the farstuck's two latest ratings, at 20 and 10 days.
    PaceExpectation.objects.filter(district=world.district).update(stall_weeks=3, stall_ratings=2)
    assert stalled_names(world.teacher) == ["farstuck"]
    # Weeks later, no rating in the window: nobody.
    assert stalled_names(world.teacher, today=timezone.localdate() + timedelta(weeks=4)) == []


def test_a_student_in_two_of_my_sections_is_listed_once(world, paced):
    second = section_create(school=world.school, name="Studio D", teachers=[world.teacher])
    section_enroll(section=second, student=paced.stuck)
    listed = stalled_in_sections(user=world.teacher)
    assert [(group.section, group.pairs) for group in listed] == [
        (world.section, [(paced.stuck.pk, paced.competency.pk)])
    ]
