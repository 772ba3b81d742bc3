"""Reads of pace: ahead, on pace or behind, and stalled, per student and competency.

Pace is worked out when it is read, from the counted ratings (one query for a whole
section) and the policy in force today, by `proficio.engine.pace`. Nothing is stored
but the school's expectations, so a policy change or a correction shows at once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proficio.engine.pace import (
    AHEAD,
    BEHIND,
    ON_PACE,
    Rating,
    StageGrade,
    classify,
    is_stalled,
    work_history,
)
from proficio.evidence.api import EvidenceSource, ratings_counted_for
from proficio.frameworks.api import Competency, competencies_for_student, competencies_visible_to
from proficio.mastery.compute import scale_labels
from proficio.mastery.models import MasteryPolicy, PaceExpectation
from proficio.mastery.policies import policy_for
from proficio.people.api import (
    Person,
    Section,
    section_students,
    sections_taught_by,
    student_get,
    student_school_ids,
)

STALLED = "stalled"
# The gradebook's filter keys, in the order its chips show them: who needs support first.
PACE_FILTERS = (STALLED, BEHIND, ON_PACE, AHEAD)
PACE_LABELS = {
    STALLED: _("Stalled"),
    BEHIND: _("Behind"),
    ON_PACE: _("On pace"),
    AHEAD: _("Ahead"),
}


@dataclass(frozen=True)
class Pace:
    """One student's pace on one competency: a standing (or None when it cannot be told),
    whether they are stalled, and the reasons in plain words."""

    standing: str | None
    standing_reason: str
    stalled: bool
    stall_reason: str

    @property
    def known(self) -> bool:
        return self.standing is not None or self.stalled

    @property
    def reason(self) -> str:
        """Everything that applies, the stall first: it is what asks for action."""
        reasons = [self.stall_reason] if self.stalled else []
        if self.standing is not None:
            reasons.append(self.standing_reason)
        return " ".join(reasons)

    @property
    def badge(self) -> str | None:
        """What a badge shows first: a stall, since it asks for action; else the standing."""
        return STALLED if self.stalled else self.standing

    @property
    def label(self) -> str:
        return str(PACE_LABELS[self.badge]) if self.badge else ""

    @property
    def standing_label(self) -> str:
        return str(PACE_LABELS[self.standing]) if self.standing else ""

    @property
    def also_label(self) -> str:
        """The standing, when a stall takes the badge but a standing is known too."""
        return self.standing_label if self.stalled else ""

    def matches(self, key: str) -> bool:
        """Whether the gradebook filter `key` (one of PACE_FILTERS) picks this pace."""
        return self.stalled if key == STALLED else self.standing == key


def matching_cells(paces: Mapping[tuple[int, int], Pace]) -> dict[str, set[tuple[int, int]]]:
    """For each filter key of PACE_FILTERS, the (student id, competency id) pairs it picks."""
    return {
        key: {pair for pair, pace in paces.items() if pace.matches(key)} for key in PACE_FILTERS
    }


def expectation_for(*, district_id: int, school_id: int | None) -> PaceExpectation:
    """The school's own expectations, else the district's, else the documented defaults."""
    rows = {
        row.school_id: row
        for row in PaceExpectation.objects.filter(
            Q(school_id=school_id) | Q(school__isnull=True), district_id=district_id
        )
    }
    return rows.get(school_id) or rows.get(None) or PaceExpectation(district_id=district_id)


@dataclass(frozen=True)
class _Trajectory:
    """What pace reads of one competency, gathered once for all its students."""

    ordinal_of: dict[int, int]  # stage id → ordinal
    grades: list[StageGrade]
    labels: dict[float, str]

    @classmethod
    def of(cls, competency: Competency) -> "_Trajectory":
        stages = list(competency.stages.all())
        return cls(
            ordinal_of={stage.pk: stage.ordinal for stage in stages},
            grades=[StageGrade(stage.ordinal, stage.typical_grade) for stage in stages],
            labels=scale_labels(competency),
        )


def paces_of(
    *, students: list[Person], competencies: list[Competency], today: date
) -> dict[tuple[int, int], Pace]:
    """Pace for every (student id, competency id), from the ratings observed up to `today`.

    Callers pass students the requesting user may see (the public reads below do).
    """
    if not students or not competencies:
        return {}
    schools = student_school_ids(students)
    trajectories = {competency.pk: _Trajectory.of(competency) for competency in competencies}
    expectations: dict[tuple[int, int | None], PaceExpectation] = {}
    policies: dict[tuple[int | None, int], MasteryPolicy] = {}
    rows = ratings_counted_for(students=students, competencies=competencies, as_of=today)
    fields = ("student_id", "competency_id", "stage_id", "level", "weight", "observed_at", "source")
    ratings: dict[tuple[int, int], list] = {}
    for row in rows.values_list(*fields):
        ratings.setdefault((row[0], row[1]), []).append(row)
    paces = {}
    for student in students:
        school_id = schools.get(student.pk)
        expectation_key = (student.district_id, school_id)
        if expectation_key not in expectations:
            expectations[expectation_key] = expectation_for(
                district_id=student.district_id, school_id=school_id
            )
        for competency in competencies:
            policy_key = (school_id, competency.pk)
            if policy_key not in policies:
                policies[policy_key] = policy_for(student=student, competency=competency, on=today)
            paces[student.pk, competency.pk] = _pace(
                age_grade=student.age_grade,
                trajectory=trajectories[competency.pk],
                rows=ratings.get((student.pk, competency.pk), []),
                policy=policies[policy_key],
                expectation=expectations[expectation_key],
                today=today,
            )
    return paces


def _pace(
    *,
    age_grade: int | None,
    trajectory: _Trajectory,
    rows: list,
    policy: MasteryPolicy,
    expectation: PaceExpectation,
    today: date,
) -> Pace:
    zone = timezone.get_current_timezone()
    counted = [
        Rating(
            observed_at.astimezone(zone).date(),
            trajectory.ordinal_of[stage_id],
            float(level),
            float(weight),
        )
        for _, _, stage_id, level, weight, observed_at, source in rows
        if policy.include_self_assessment or source != EvidenceSource.SELF
    ]
    threshold = float(policy.threshold)
    history = work_history(
        stages=list(trajectory.ordinal_of.values()),
        ratings=counted,
        method=policy.method,
        params=policy.parameters,
        threshold=threshold,
        minimum_evidence=policy.minimum_evidence,
        higher_implies_lower=policy.higher_implies_lower,
    )
    standing = classify(
        stages=trajectory.grades,
        age_grade=age_grade,
        working_stage=history.placed_stage,
        completed=history.completed,
        tolerance=expectation.stages_below_on_pace,
    )
    stall = is_stalled(
        history=history,
        ratings=counted,
        today=today,
        stall_weeks=expectation.stall_weeks,
        threshold=threshold,
        minimum_ratings=expectation.stall_ratings,
        labels=trajectory.labels,
    )
    return Pace(standing.status, standing.reason, stall.stalled, stall.reason)


# ---- reads for pages ------------------------------------------------------------------------


def student_pace(*, user: Person, student_id: str, today: date | None = None) -> dict[int, Pace]:
    """A visible student's pace on each of their competencies, keyed by competency id."""
    student = student_get(user=user, student_id=student_id)
    competencies = list(competencies_for_student(student))
    paces = paces_of(
        students=[student], competencies=competencies, today=today or timezone.localdate()
    )
    return {competency_id: pace for (_, competency_id), pace in paces.items()}


@dataclass(frozen=True)
class StalledWork:
    section: Section
    student: Person
    competency: Competency
    pace: Pace


def stalled_in_sections(*, user: Person, today: date | None = None) -> list[StalledWork]:
    """Who is stalled, on what, across the sections this user teaches.

    A student in two of the user's sections is listed under the first, once per competency.
    """
    today = today or timezone.localdate()
    sections = list(sections_taught_by(user))
    competencies = list(competencies_visible_to(user))
    members = {
        section.pk: list(section_students(user=user, section=section)) for section in sections
    }
    everyone = list(
        {student.pk: student for group in members.values() for student in group}.values()
    )
    paces = paces_of(students=everyone, competencies=competencies, today=today)
    found: list[StalledWork] = []
    seen: set[tuple[int, int]] = set()
    for section in sections:
        for student in members[section.pk]:
            for competency in competencies:
                pace = paces[student.pk, competency.pk]
                if pace.stalled and (student.pk, competency.pk) not in seen:
                    seen.add((student.pk, competency.pk))
                    found.append(StalledWork(section, student, competency, pace))
    return found
