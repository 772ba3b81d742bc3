"""A student's progress report for a period, as of a day: per competency the stage
reached, the stages mastered with the day and the ratings behind them, pace, the latest
feedback and the trajectory over time; and the student's goals. Read through the other
apps' public surfaces, as the asker may see them."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from proficio.agency.api import Goal, goals_of
from proficio.audit import api as audit
from proficio.evidence.api import Evidence, EvidenceSource, evidence_standing
from proficio.frameworks.api import Competency
from proficio.mastery.api import (
    Chart,
    Pace,
    StageReached,
    Trajectory,
    competency_paces,
    progress_phrase,
    student_mastery,
    trajectory_chart,
    trajectory_of,
)
from proficio.people.api import Person, is_self, school_year_start, sees_teacher_feedback


@dataclass(frozen=True)
class CompetencyProgress:
    competency: Competency
    phrase: str
    working_stage: int | None
    pace: Pace | None
    trajectory: Trajectory
    chart: Chart
    feedback: Evidence | None
    reached_in_period: list[StageReached]

    @property
    def reached_before(self) -> list[StageReached]:
        return [r for r in self.trajectory.reached if r not in self.reached_in_period]


@dataclass(frozen=True)
class ProgressReport:
    student: Person
    since: date
    as_of: date
    competencies: list[CompetencyProgress]
    not_started: list[Competency]
    goals: list[Goal]

    @property
    def stages_reached(self) -> int:
        return sum(len(c.reached_in_period) for c in self.competencies)

    @property
    def policies(self) -> list[tuple[str, int]]:
        return sorted({p for c in self.competencies for p in c.trajectory.policies})


def progress_report(
    *,
    user: Person,
    student: Person,
    as_of: date | None = None,
    since: date | None = None,
    audited: bool = True,
) -> ProgressReport:
    """The report of a student `user` got through a scoped selector; a read of the
    student's record (audited) unless the student reads their own, or the caller records
    the read itself (`audited=False`: a batch records all its students at once)."""
    today = timezone.localdate()
    as_of = min(as_of or today, today)
    since = since or school_year_start(district_id=student.district_id, on=as_of)
    _student, statuses = student_mastery(
        user=user, student_id=str(student.uuid), as_of=None if as_of == today else as_of
    )
    competencies = [status.competency for status in statuses]
    paces = competency_paces(student=student, competencies=competencies, today=as_of)
    # A family the district keeps teachers' written feedback from reads none here either.
    feedback = _latest_feedback(student, as_of) if sees_teacher_feedback(user, student) else {}
    found, not_started = [], []
    for status in statuses:
        competency = status.competency
        trajectory = trajectory_of(student=student, competency=competency, until=as_of)
        if not trajectory.steps:
            not_started.append(competency)
            continue
        found.append(
            CompetencyProgress(
                competency=competency,
                phrase=progress_phrase(status),
                working_stage=status.working_stage,
                pace=paces.get(competency.pk),
                trajectory=trajectory,
                chart=trajectory_chart(trajectory, start=since, until=as_of),
                feedback=feedback.get(competency.pk),
                reached_in_period=[r for r in trajectory.reached if r.on >= since],
            )
        )
    if audited and not is_self(user, student):
        audit.record_views(
            actor=user,
            action=audit.STUDENT_VIEWED,
            students=[student],
            data={"via": "progress report", "as_of": as_of.isoformat()},
        )
    return ProgressReport(
        student=student,
        since=since,
        as_of=as_of,
        competencies=found,
        not_started=not_started,
        goals=goals_of(user=user, student=student),
    )


def _latest_feedback(student: Person, as_of: date) -> dict[int, Evidence]:
    """The newest teacher rating with written feedback, by competency id."""
    latest: dict[int, Evidence] = {}
    rows = (
        evidence_standing()
        .filter(student=student, observed_at__date__lte=as_of)
        .exclude(source=EvidenceSource.SELF)
        .exclude(feedback_next="", feedback_present="")
        .select_related("stage")
        .order_by("-observed_at", "-pk")
    )
    for rating in rows:
        latest.setdefault(rating.competency_id, rating)
    return latest
