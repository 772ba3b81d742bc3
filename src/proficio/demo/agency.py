"""The demo's agency, through the agency app's services as students and mentors use them:
the login teacher mentors the login student and a few others (two of them from the studio
below, whom she does not teach); students' goals with steps, one done and one about a skill;
weekly check-ins over the last weeks with the students' reflections; the guardian's word on
a goal; the login student's portfolio from her baseline to her latest work. Everything
carries the school day it happened.
"""

import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from proficio.agency.api import (
    check_in_record,
    check_in_reflect,
    conference_acknowledge,
    conference_draft,
    conference_edit,
    conference_record,
    conference_share,
    family_note_add,
    goal_comment,
    goal_status_set,
    goal_step_tick,
    goal_write,
    next_step_to_goal,
    piece_add,
)
from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.frameworks.api import Competency
from proficio.mastery.api import students_mastery
from proficio.people.api import Person, mentorship_begin, school_year_start
from proficio.work.api import revisions_of_student

from . import content
from .pathways import Pupil

MENTEES_OWN = 4  # of the login teacher's studio, beside the login student
MENTEES_BELOW = 2  # of the studio below, whom she does not teach
# How many school days ago each mentee's last check-in was: a few are due, two overdue.
MENTEE_LAST_CHECK_IN = (2, 3, 5, 6, 9, 12)


def _at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 15)))


def load_agency(
    *,
    rng: random.Random,
    days: Sequence[date],
    admin: Person,
    teachers: Mapping[str, Person],
    competencies: Mapping[str, Competency],
    pupils: Sequence[Pupil],
    login: Person,
    guardian: Person,
) -> None:
    mentor = teachers[content.TEACHER_SECTION]
    own = sorted(
        (
            p.person
            for p in pupils
            if p.studio.name == content.TEACHER_SECTION and p.person != login
        ),
        key=lambda person: (person.last_name, person.first_name),
    )[:MENTEES_OWN]
    below = sorted(
        (p.person for p in pupils if p.studio.name == content.SECTIONS[0].name),
        key=lambda person: (person.last_name, person.first_name),
    )[:MENTEES_BELOW]
    start = days[-25] if len(days) >= 25 else days[0]
    for student in [login, *own, *below]:
        mentorship_begin(actor=admin, mentor=mentor, student=student, started_on=start)
    _login_student(days, mentor, competencies, login, guardian)
    _portfolio(login)
    _conferences(days, mentor, login, guardian)
    for student, since in zip([*own, *below], MENTEE_LAST_CHECK_IN, strict=False):
        _mentee(rng, days, mentor, competencies, student, school_days_ago=since)


def _first_of(pupils: Sequence[Pupil], studio: str, *, but: Person) -> list[Person]:
    """A studio's students by name, one left out."""
    people = [p.person for p in pupils if p.studio.name == studio and p.person != but]
    return sorted(people, key=lambda person: (person.last_name, person.first_name, person.pk))


def _working(student: Person, code: str) -> int | None:
    """The student's working stage of a competency, as their pages read it."""
    statuses = students_mastery(students=[student], explained=False)[student.pk]
    status = next((s for s in statuses if s.competency.code == code), None)
    return status.working.stage.ordinal if status and status.working else None


def _login_student(
    days: Sequence[date],
    mentor: Person,
    competencies: Mapping[str, Competency],
    student: Person,
    guardian: Person,
) -> None:
    """Three goals (one done, one about collaboration) and three weekly check-ins, the
    latest waiting for her reflection."""
    first_day, second_day, third_day = days[-14], days[-9], days[-4]
    done = goal_write(
        actor=student,
        student=student,
        title="Hand in every draft on time",
        why="Last term I rushed my drafts the night before.",
        steps=["Write the due dates in my planner", "Start each draft two days early"],
        at=_at(first_day, 10),
    )
    for step in done.steps.all():
        goal_step_tick(actor=student, step=step, done=True, at=_at(third_day, 11))
    goal_status_set(
        actor=student,
        goal=done,
        status="done",
        note="Four drafts in a row on time. The planner works.",
        at=_at(third_day, 11),
    )
    stage = _working(student, "W1")
    argument = goal_write(
        actor=student,
        student=student,
        title="Back every reason with evidence",
        why="My teacher says my reasons are good but my evidence is thin.",
        competency=competencies["W1"],
        stage=stage,
        target_date=days[-1] + timedelta(days=28),
        steps=[
            "Find two sources for each reason",
            "Quote one of them in each paragraph",
            "Ask a classmate to check every reason has evidence",
        ],
        at=_at(first_day, 10),
    )
    goal_step_tick(
        actor=student, step=argument.steps.get(position=0), done=True, at=_at(second_day, 13)
    )
    team = goal_write(
        actor=student,
        student=student,
        title="Speak up when my group falls behind",
        why="I notice it, but I wait for someone else to say it.",
        competency=competencies["COL"],
        target_date=days[-1] + timedelta(days=21),
        steps=["Ask “are we on track?” at each check-in", "Suggest one change when we are not"],
        at=_at(second_day, 9),
    )
    goal_comment(
        actor=guardian,
        goal=argument,
        text="We looked for sources together at the library on Saturday. Proud of you!",
        at=_at(second_day, 19),
    )
    check_ins = [
        (
            first_day,
            "Set two goals for the term: drafts on time, and evidence for each reason.",
            "Amara writes the due dates in her planner tonight.",
            [done, argument],
            "The planner already helped: I knew the narrative draft was due Thursday.",
        ),
        (
            second_day,
            "Drafts on time this week. Found sources for the first two reasons.",
            "Quote one source in each paragraph of the opinion piece.",
            [argument],
            "Quoting is harder than finding. I will ask Ms Márquez how much to quote.",
        ),
        (
            third_day,
            "The drafts goal is done. Talked about her group project: she sees problems "
            "early but waits for others to raise them.",
            "At the next team check-in, Amara asks “are we on track?” first.",
            [argument, team],
            "",
        ),
    ]
    for day, notes, actions, goals, reflection in check_ins:
        check_in = check_in_record(
            mentor=mentor,
            student=student,
            happened_on=day,
            notes=notes.replace("Amara", student.first_name),
            actions=actions.replace("Amara", student.first_name),
            goals=goals,
            at=_at(day, 15),
        )
        if reflection:
            check_in_reflect(
                student=student, check_in=check_in, reflection=reflection, at=_at(day, 19)
            )


def _portfolio(student: Person) -> None:
    """Her portfolio from the start of the year: the first rating of her argument writing as
    her baseline, her latest rated work on a task beside it, and what she handed in since;
    she shares most of it with her family."""
    first_day = school_year_start(district_id=student.district_id, on=timezone.localdate())
    ratings = (
        evidence_standing()
        .filter(student=student, competency__code="W1", observed_at__date__gte=first_day)
        .exclude(source=EvidenceSource.SELF)
        .select_related("competency")
        .order_by("observed_at", "pk")
    )
    earliest = ratings.first()
    if earliest is not None:
        piece_add(
            student=student,
            title="Where I started: my first opinion piece",
            reflection="I had an opinion but only one reason, and no evidence for it.",
            competencies=[earliest.competency],
            evidence=earliest,
            shared_with_family=True,
            baseline=True,
            at=earliest.observed_at + timedelta(hours=2),
        )
    for n, revision in enumerate(reversed(revisions_of_student(student)[:3])):
        task = revision.submission.task
        piece_add(
            student=student,
            title=f"{task.title} (revision {revision.number})",
            reflection=REFLECTIONS[n % len(REFLECTIONS)],
            competencies=list({a.stage.competency for a in task.alignments.all()}),
            revision=revision,
            shared_with_family=n != 1,
            at=revision.submitted_at + timedelta(hours=3),
        )


def _conferences(days: Sequence[date], mentor: Person, student: Person, guardian: Person) -> None:
    """Two conferences she led this term, each drafted from her record, shared, held with her
    mother and her mentor, and acknowledged; the second's next step is one of her goals now."""
    first = student.first_name
    held = [
        (
            days[max(-60, -len(days))],
            "I will start with my first opinion piece, then show how I plan my drafts now.",
            "How can I make my reasons stronger?",
            f"{first} explained her drafting plan clearly and chose her own goal.",
            ["Hand in every draft on time"],
            f"{first} plans her week on the fridge calendar without being asked.",
        ),
        (
            days[max(-32, -len(days))],
            "I will show the piece where every reason has evidence, and what I still find hard.",
            "Which longer book should I try next?",
            f"{first} led the whole conference and asked good questions about her reading.",
            ["Read one longer book each month"],
            f"{first} helps her brother with his reading most evenings.",
        ),
    ]
    for day, script, questions, notes, next_steps, at_home in held:
        conference = conference_draft(student=student, at=_at(day, 8))
        conference_edit(
            student=student,
            conference=conference,
            pieces=[],
            script=script,
            questions=questions,
            scheduled_for=_at(day, 16),
        )
        conference_share(student=student, conference=conference, at=_at(day, 9))
        family_note_add(guardian=guardian, conference=conference, text=at_home, at=_at(day, 12))
        conference_record(
            actor=mentor,
            conference=conference,
            notes=notes,
            next_steps=next_steps,
            at=_at(day, 17),
        )
        for person in (student, guardian, mentor):
            conference_acknowledge(participant=person, conference=conference, at=_at(day, 18))
    last_step = conference.next_steps.get()
    next_step_to_goal(actor=student, step=last_step, at=_at(held[-1][0], 19))


REFLECTIONS = (
    "I revised it twice. The second version explains every step, not just the answer.",
    "This one was hard: I am not sure the ending works yet.",
    "I am proudest of this one. My group said my explanation was the clearest.",
)


GOALS = (
    ("Read a longer book each month", "W3", ["Choose the next book on Friday"]),
    ("Finish my math practice before the workshop", None, ["Do ten minutes each evening"]),
    ("Share my ideas in group work", "COL", ["Say one idea in each meeting"]),
)


def _mentee(
    rng: random.Random,
    days: Sequence[date],
    mentor: Person,
    competencies: Mapping[str, Competency],
    student: Person,
    *,
    school_days_ago: int,
) -> None:
    """One goal and a check-in some school days ago."""
    title, code, steps = rng.choice(GOALS)
    day = days[-school_days_ago] if len(days) >= school_days_ago else days[0]
    goal = goal_write(
        actor=student,
        student=student,
        title=title,
        competency=competencies.get(code) if code else None,
        steps=steps,
        at=_at(day, 9),
    )
    check_in_record(
        mentor=mentor,
        student=student,
        happened_on=day,
        notes=f"{student.first_name} set a goal: {title.lower()}.",
        actions=steps[0] + ".",
        goals=[goal],
        at=_at(day, 15),
    )
