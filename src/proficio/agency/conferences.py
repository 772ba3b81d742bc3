"""Student-led conferences: the agenda drafted from the student's record since their last
conference, the student's edits and sharing, and what is recorded once it is held — notes,
next steps (which can become goals), acknowledgements, and the family's word on soft skills.

Who does what (permissions.conferences_visible_to says who reads): the student drafts, edits
and shares their agenda; those who serve the student and the student record the conference;
each participant acknowledges it; the student's guardians add a note once it is shared.
"""

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proficio.agency.models import (
    Conference,
    ConferenceNextStep,
    ConferenceParticipant,
    FamilyNote,
    Goal,
    GoalStatus,
    ParticipantRole,
    PortfolioPiece,
)
from proficio.agency.permissions import (
    conferences_visible_to,
    goals_visible_to,
    pieces_visible_to,
)
from proficio.agency.selectors import goals_of, growth_pairs, portfolio_of
from proficio.agency.services import TEXT_MAX, goal_write
from proficio.audit import api as audit
from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.lib.errors import InvalidInput, NotVisible
from proficio.lib.moments import moment
from proficio.lib.visibility import visible_get
from proficio.mastery.api import competency_paces, student_mastery, students_mastery
from proficio.people.api import (
    Person,
    guardian_of,
    guardians_linked_to,
    is_self,
    mentorships_open,
    school_year_start,
    serves_as_staff,
)

EVIDENCE_SHOWN = 3  # ratings behind each stage mastered
FAMILY_PIECES = 3  # the newest shared pieces on the family page, per child
NEXT_STEPS_MAX = 10


# ---- the agenda ---------------------------------------------------------------------------


def _statuses(student: Person, on: date) -> list:
    """The student's mastery as it stood on `on`: as stored, when that is today."""
    if on >= timezone.localdate():
        return students_mastery(students=[student], explained=False)[student.pk]
    return student_mastery(user=student, student_id=str(student.uuid), as_of=on)[1]


def mastered_since(student: Person, since: date, until: date | None = None) -> list[tuple]:
    """(status, stage) of every stage the student masters on `until` (today by default) and
    did not on `since`, by competency then stage: mastery as it stood on each day."""
    then = _statuses(student, since)
    before = {
        (status.competency.pk, stage.stage.pk)
        for status in then
        for stage in status.stages
        if stage.mastered
    }
    now = _statuses(student, until or timezone.localdate())
    return [
        (status, stage)
        for status in now
        for stage in status.stages
        if stage.mastered and (status.competency.pk, stage.stage.pk) not in before
    ]


def _rating(evidence) -> dict:
    return {
        "level": format(evidence.level.normalize(), "f"),
        "observed_on": timezone.localdate(evidence.observed_at).isoformat(),
        "source": evidence.source,
        "work": evidence.artifact_title,
        "url": evidence.artifact_url,
        "present": evidence.feedback_present,
    }


def agenda_of(student: Person, *, since: date, today: date | None = None) -> dict:
    """The agenda Proficio drafts: the stages mastered since `since` with the ratings behind
    them, growth pairs from the portfolio, goals (with the check-ins since), pace, and what
    is next. Plain values, kept with the conference as drafted."""
    today = today or timezone.localdate()
    newly = mastered_since(student, since, today)
    ratings: dict[int, list] = {}
    for evidence in (
        evidence_standing()
        .filter(
            student=student,
            stage_id__in=[stage.stage.pk for _status, stage in newly],
            observed_at__date__lte=today,
        )
        .exclude(source=EvidenceSource.SELF)
        .order_by("-observed_at", "-pk")
    ):
        ratings.setdefault(evidence.stage_id, [])
        if len(ratings[evidence.stage_id]) < EVIDENCE_SHOWN:
            ratings[evidence.stage_id].append(_rating(evidence))
    pieces = [
        piece
        for piece in portfolio_of(user=student, student=student)
        if timezone.localdate(piece.created_at) <= today
    ]
    statuses = _statuses(student, today)
    paces = competency_paces(
        student=student, competencies=[s.competency for s in statuses], today=today
    )
    goals = goals_of(user=student, student=student)
    return {
        "since": since.isoformat(),
        "drafted_on": today.isoformat(),
        "mastered": [
            {
                "competency": status.competency.code,
                "title": status.competency.title,
                "stage": stage.stage.ordinal,
                "label": stage.stage.label,
                "implied": stage.implied,
                "ratings": ratings.get(stage.stage.pk, []),
            }
            for status, stage in newly
        ],
        "growth": [
            {
                "competency": pair.competency.code,
                "title": pair.competency.title,
                "first": str(pair.first.uuid),
                "latest": str(pair.latest.uuid),
            }
            for pair in growth_pairs(pieces, year_start=since)
        ],
        "goals": [
            {
                "goal": str(goal.uuid),
                "title": goal.title,
                "status": goal.status,
                "steps_done": goal.steps_done,
                "steps": len(goal.steps.all()),
                "check_ins": sum(
                    1 for check_in in goal.check_ins.all() if check_in.happened_on >= since
                ),
            }
            for goal in goals
            if goal.status == GoalStatus.WORKING or timezone.localdate(goal.updated_at) >= since
        ],
        "pace": [
            {
                "competency": status.competency.code,
                "standing": paces[status.competency.pk].standing,
                "stalled": paces[status.competency.pk].stalled,
            }
            for status in statuses
            if status.competency.pk in paces and paces[status.competency.pk].known
        ],
        "next": [
            {
                "competency": status.competency.code,
                "title": status.competency.title,
                "stage": status.working.stage.ordinal,
                "label": status.working.stage.label,
            }
            for status in statuses
            if status.working is not None
        ],
    }


# ---- drafting, editing, sharing -------------------------------------------------------------


def _since(student: Person, today: date) -> date:
    last = (
        Conference.objects.filter(student=student, held_at__isnull=False)
        .order_by("-held_at")
        .values_list("held_at", flat=True)
        .first()
    )
    if last is not None:
        return timezone.localdate(last)
    return school_year_start(district_id=student.district_id, on=today)


@transaction.atomic
def conference_draft(
    *, student: Person, scheduled_for: datetime | None = None, at: datetime | None = None
) -> Conference:
    """The student asks Proficio to draft their next conference: the agenda from their
    record since their last conference (or the school year's start), and its participants —
    the student, their guardians and their mentors."""
    if not is_self(student, student):
        raise NotVisible("A conference is a student's own.")
    errors: dict[str, str] = {}
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    today = timezone.localdate(now)
    since = _since(student, today)
    conference = Conference.objects.create(
        student=student,
        scheduled_for=scheduled_for,
        since=since,
        drafted_at=now,
        agenda=agenda_of(student, since=since, today=today),
    )
    people = [(student, ParticipantRole.STUDENT)]
    people += [(guardian, ParticipantRole.GUARDIAN) for guardian in guardians_linked_to(student)]
    people += [
        (mentorship.mentor, ParticipantRole.MENTOR)
        for mentorship in mentorships_open(students=[student])
    ]
    seen: set[int] = set()
    for person, role in people:
        if person.pk not in seen:
            seen.add(person.pk)
            ConferenceParticipant.objects.create(conference=conference, person=person, role=role)
    return conference


def _open(conference: Conference, errors: dict[str, str]) -> None:
    if conference.held_at is not None:
        errors["conference"] = _("This conference has been held: its agenda stays as it was.")


@transaction.atomic
def conference_edit(
    *,
    student: Person,
    conference: Conference,
    pieces: Sequence[PortfolioPiece],
    script: str,
    questions: str,
    scheduled_for: datetime | None,
) -> Conference:
    """The student chooses the pieces they will show, writes what they will say and the
    questions they will ask, and sets the day."""
    if not is_self(student, conference.student):
        raise NotVisible(f"No conference {conference.uuid} of yours.")
    errors: dict[str, str] = {}
    _open(conference, errors)
    script, questions = script.strip(), questions.strip()
    if len(script) > TEXT_MAX or len(questions) > TEXT_MAX:
        errors["script"] = _("Keep it under %(limit)s characters.") % {"limit": f"{TEXT_MAX:,}"}
    if any(piece.student_id != student.pk or piece.removed_at for piece in pieces):
        errors["pieces"] = _("Choose pieces of your portfolio.")
    if errors:
        raise InvalidInput(errors)
    conference.script, conference.questions = script, questions
    conference.scheduled_for = scheduled_for
    conference.save(update_fields=["script", "questions", "scheduled_for"])
    conference.pieces.set(pieces)
    return conference


@transaction.atomic
def conference_share(
    *, student: Person, conference: Conference, at: datetime | None = None
) -> Conference:
    """The student shares the agenda with the participants: their family sees it from now."""
    if not is_self(student, conference.student):
        raise NotVisible(f"No conference {conference.uuid} of yours.")
    errors: dict[str, str] = {}
    now = moment(at, errors=errors, after=conference.drafted_at)
    if errors:
        raise InvalidInput(errors)
    if conference.shared_at is None:
        conference.shared_at = now
        conference.save(update_fields=["shared_at"])
    return conference


# ---- once it is held --------------------------------------------------------------------------


def may_record(user: Person, conference: Conference) -> bool:
    """The student, and those who serve them as staff, record the conference."""
    return is_self(user, conference.student) or serves_as_staff(user, conference.student)


@transaction.atomic
def conference_record(
    *,
    actor: Person,
    conference: Conference,
    notes: str,
    next_steps: Sequence[str],
    at: datetime | None = None,
) -> Conference:
    """Record the conference as held: the notes and the next steps agreed (each can become
    a goal)."""
    if not may_record(actor, conference):
        raise NotVisible(f"No conference {conference.uuid} for you to record.")
    errors: dict[str, str] = {}
    notes = notes.strip()
    steps = [step.strip() for step in next_steps if step.strip()]
    if len(notes) > TEXT_MAX:
        errors["notes"] = _("Keep the notes under %(limit)s characters.") % {
            "limit": f"{TEXT_MAX:,}"
        }
    if len(steps) > NEXT_STEPS_MAX or any(len(step) > 500 for step in steps):
        errors["next_steps"] = _("Keep to %(most)s next steps of a line each.") % {
            "most": NEXT_STEPS_MAX
        }
    now = moment(at, errors=errors, after=conference.drafted_at)
    if errors:
        raise InvalidInput(errors)
    conference.notes = notes
    conference.held_at = conference.held_at or now
    conference.save(update_fields=["notes", "held_at"])
    conference.next_steps.all().delete()
    ConferenceNextStep.objects.bulk_create(
        ConferenceNextStep(conference=conference, text=text, position=n)
        for n, text in enumerate(steps)
    )
    audit.record(
        actor=actor,
        action=audit.CONFERENCE_RECORDED,
        student=conference.student,
        target=conference,
        data={"next_steps": len(steps)},
    )
    return conference


@transaction.atomic
def next_step_to_goal(
    *, actor: Person, step: ConferenceNextStep, at: datetime | None = None
) -> Goal:
    """A next step agreed at the conference becomes one of the student's goals (set by the
    student, or their mentor with them)."""
    if step.goal_id is not None:
        return step.goal
    goal = goal_write(
        actor=actor,
        student=step.conference.student,
        title=step.text,
        why="Agreed at my conference.",
        at=at,
    )
    step.goal = goal
    step.save(update_fields=["goal"])
    return goal


@transaction.atomic
def conference_acknowledge(
    *, participant: Person, conference: Conference, at: datetime | None = None
) -> ConferenceParticipant:
    """A participant says they took part and agree with what was recorded."""
    found = conference.participants.filter(person=participant).first()
    if found is None:
        raise NotVisible(f"You are not a participant of conference {conference.uuid}.")
    errors: dict[str, str] = {}
    if conference.held_at is None:
        errors["conference"] = _("The conference is acknowledged once it has been held.")
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    if found.acknowledged_at is None:
        found.acknowledged_at = now
        found.save(update_fields=["acknowledged_at"])
    return found


@transaction.atomic
def family_note_add(
    *, guardian: Person, conference: Conference, text: str, at: datetime | None = None
) -> FamilyNote:
    """A guardian's word on the soft skills they see at home, kept with the conference."""
    if not guardian_of(guardian, conference.student) or conference.shared_at is None:
        raise NotVisible(f"No conference {conference.uuid}.")
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = _("Write something first.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("Keep it under %(limit)s characters.") % {"limit": f"{TEXT_MAX:,}"}
    now = moment(at, errors=errors)
    if errors:
        raise InvalidInput(errors)
    return FamilyNote.objects.create(
        conference=conference, author=guardian, text=text, created_at=now
    )


def conferences_of(*, user: Person, student: Person) -> list[Conference]:
    return list(conferences_visible_to(user).filter(student=student))


def conference_get(*, user: Person, conference_id) -> Conference:
    return visible_get(
        conferences_visible_to(user)
        .select_related("student")
        .prefetch_related(
            "participants__person", "next_steps__goal", "family_notes__author", "pieces"
        ),
        conference_id,
        "conference",
    )


def family_agency(*, user: Person, students: Sequence[Person]) -> dict[int, dict]:
    """For a family page: each child's goals worked on, the newest pieces of their portfolio
    the guardian may see, and their latest conference the guardian may read (shared by the
    child). A fixed number of queries for any number of children."""
    found: dict[int, dict] = {
        s.pk: {"goals": [], "pieces": [], "conference": None} for s in students
    }
    goals = (
        goals_visible_to(user)
        .filter(student__in=list(students), status=GoalStatus.WORKING)
        .prefetch_related("steps")
        .order_by("target_date", "-created_at")
    )
    for goal in goals:
        found[goal.student_id]["goals"].append(goal)
    pieces = (
        pieces_visible_to(user).filter(student__in=list(students)).order_by("-created_at", "-pk")
    )
    for piece in pieces[: FAMILY_PIECES * 10 * max(1, len(students))]:
        if len(found[piece.student_id]["pieces"]) < FAMILY_PIECES:
            found[piece.student_id]["pieces"].append(piece)
    for conference in (
        conferences_visible_to(user).filter(student__in=list(students)).order_by("-drafted_at")
    ):
        if found[conference.student_id]["conference"] is None:
            found[conference.student_id]["conference"] = conference
    return found
