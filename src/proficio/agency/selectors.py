"""Reading goals and check-ins, always as someone who may: a student's goals with their steps
and conversation, a student's check-ins, and a mentor's list of check-ins due."""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from proficio.agency.models import (
    DEFAULT_CHECK_IN_DAYS,
    CheckIn,
    CheckInCadence,
    Goal,
    GoalStatus,
    PortfolioPiece,
)
from proficio.agency.permissions import (
    check_ins_visible_to,
    goals_visible_to,
    pieces_visible_to,
)
from proficio.frameworks.api import Competency
from proficio.lib.visibility import visible_get
from proficio.people.api import Mentorship, Person, mentorships_open


def _goals(user: Person) -> QuerySet[Goal]:
    return (
        goals_visible_to(user)
        .select_related("student", "competency", "stage", "created_by")
        .prefetch_related("steps", "comments__author", "check_ins")
    )


STATUS_ORDER = {GoalStatus.WORKING: 0, GoalStatus.DONE: 1, GoalStatus.CHANGED: 2}


def goals_of(*, user: Person, student: Person) -> list[Goal]:
    """A student's goals as `user` may read them: those worked on first, the nearest target
    date first; then done, then changed, the newest first."""
    goals = list(_goals(user).filter(student=student).order_by("-created_at", "-pk"))
    goals.sort(
        key=lambda goal: (
            STATUS_ORDER[goal.status],
            goal.status == GoalStatus.WORKING and goal.target_date is None,
            goal.target_date
            if goal.status == GoalStatus.WORKING and goal.target_date
            else date.max,
        )
    )
    return goals


def goal_get(*, user: Person, goal_id: UUID | str) -> Goal:
    return visible_get(_goals(user), goal_id, "goal")


def check_ins_of(*, user: Person, student: Person) -> list[CheckIn]:
    """A student's check-ins as `user` may read them, newest first."""
    return list(
        check_ins_visible_to(user)
        .filter(student=student)
        .select_related("mentor")
        .prefetch_related("goals")
    )


def check_in_get(*, user: Person, check_in_id: UUID | str) -> CheckIn:
    return visible_get(
        check_ins_visible_to(user).select_related("student", "mentor"), check_in_id, "check-in"
    )


def check_in_days(district_id: int) -> int:
    """How often the district's mentors check in with each student (7 by default)."""
    days = CheckInCadence.objects.filter(district_id=district_id).values_list("days", flat=True)
    return next(iter(days), DEFAULT_CHECK_IN_DAYS)


@dataclass(frozen=True)
class Due:
    """One mentee: their last check-in with this mentor (if any) and when the next is due."""

    mentorship: Mentorship
    last: date | None
    due: date
    goals_working: int

    @property
    def overdue(self) -> bool:
        return self.due < timezone.localdate()

    @property
    def due_today(self) -> bool:
        return self.due == timezone.localdate()


def check_ins_due(*, mentor: Person, today: date | None = None) -> list[Due]:
    """The mentor's mentees, the most overdue first: a check-in is due the cadence's number
    of days after the last one (or after the mentorship began). Four queries."""
    today = today or timezone.localdate()
    mentorships = list(mentorships_open(mentor=mentor))
    if not mentorships:
        return []
    days = timedelta(days=check_in_days(mentor.district_id))
    students = [m.student_id for m in mentorships]
    last = dict(
        CheckIn.objects.filter(mentor=mentor, student__in=students)
        .values("student_id")
        .annotate(last=Max("happened_on"))
        .values_list("student_id", "last")
    )
    working = dict(
        Goal.objects.filter(student__in=students, status=GoalStatus.WORKING)
        .values("student_id")
        .annotate(count=Count("pk"))
        .values_list("student_id", "count")
    )
    found = []
    for mentorship in mentorships:
        latest = last.get(mentorship.student_id)
        found.append(
            Due(
                mentorship=mentorship,
                last=latest,
                due=(latest or mentorship.started_on) + days,
                goals_working=working.get(mentorship.student_id, 0),
            )
        )
    found.sort(key=lambda due: (due.due, due.mentorship.student.last_name))
    return found


# ---- the portfolio ------------------------------------------------------------------------


def _pieces(user: Person) -> QuerySet[PortfolioPiece]:
    return (
        pieces_visible_to(user)
        .select_related(
            "student",
            "revision__submission__task",
            "evidence__competency",
            "evidence__stage",
        )
        .prefetch_related("competencies")
    )


def portfolio_of(*, user: Person, student: Person) -> list[PortfolioPiece]:
    """The pieces of a student's portfolio `user` may see, newest first, across every year
    and section."""
    return list(_pieces(user).filter(student=student))


def piece_get(*, user: Person, piece_id: UUID | str) -> PortfolioPiece:
    return visible_get(_pieces(user), piece_id, "piece")


@dataclass(frozen=True)
class GrowthPair:
    """One competency's first piece of the school year beside its latest."""

    competency: Competency
    first: PortfolioPiece
    latest: PortfolioPiece


def growth_pairs(pieces: list[PortfolioPiece], *, year_start: date) -> list[GrowthPair]:
    """Per competency tagged on two or more of this year's pieces: the first beside the
    latest, competencies by code."""
    by_competency: dict[int, list[PortfolioPiece]] = {}
    found: dict[int, Competency] = {}
    for piece in pieces:
        if timezone.localdate(piece.created_at) < year_start:
            continue
        for competency in piece.competencies.all():
            by_competency.setdefault(competency.pk, []).append(piece)
            found[competency.pk] = competency
    pairs = []
    for pk, tagged in by_competency.items():
        if len(tagged) < 2:
            continue
        tagged.sort(key=lambda piece: (piece.created_at, piece.pk))
        pairs.append(GrowthPair(competency=found[pk], first=tagged[0], latest=tagged[-1]))
    pairs.sort(key=lambda pair: pair.competency.code)
    return pairs


def baseline_due(pieces: list[PortfolioPiece], *, year_start: date) -> bool:
    """Whether the student has yet to add this school year's baseline piece."""
    return not any(
        piece.baseline and timezone.localdate(piece.created_at) >= year_start for piece in pieces
    )
