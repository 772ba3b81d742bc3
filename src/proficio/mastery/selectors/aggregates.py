"""Mastery of many students counted in SQL, for the reports' dashboards: how many students
work at each stage (by whatever facts of theirs the caller groups by) and how many stages
were first shown at mastery month by month. Each is one query, whatever the number of
students; callers pass students they got from a scoped selector."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.db.models.lookups import Exact

from proficio.evidence.api import EvidenceSource, evidence_standing
from proficio.frameworks.api import Competency
from proficio.mastery.models import MasteryRecord, WorkingStage
from proficio.people.api import Person, student_profile_lookups


@dataclass(frozen=True)
class StageCount:
    """How many students, of one profile (the values of the facts asked for, in order),
    work at one stage of one competency. `ordinal` None: every stage mastered. `placed`:
    their ratings establish that stage (a stage mastered, or the stage itself rated); a
    student rated only above it, say, is not placed yet, whatever stage is stored."""

    competency_id: int
    profile: tuple
    ordinal: int | None
    placed: bool
    students: int


def _placed(value: object) -> bool:
    """The pace facts' "established" as SQLite (1/0) and PostgreSQL ("true"/"false") give it;
    a working stage stored before pace facts were (None) stands as placed."""
    return value is None or value in (True, 1, "1", "true")


def _placed_column(competencies: Sequence[Competency]) -> Case:
    """Whether a working stage is placed, reading its pace facts only where the stored stage
    cannot tell: every stage mastered, or a stage above the competency's first worked at (the
    first is then mastered), is placed; only a student at the first stage needs the facts'
    "established" (parsing JSON for every row costs a district's read twice over)."""
    by_first: dict[int, list[int]] = {}
    for competency in competencies:
        first = min((stage.ordinal for stage in competency.stages.all()), default=None)
        if first is not None:
            by_first.setdefault(first, []).append(competency.pk)
    above_first = Q(pk__in=[])
    for first, ids in by_first.items():  # one condition where every trajectory starts at 1
        above_first |= (
            Q(ordinal__gt=first)
            if len(by_first) == 1
            else Q(competency_id__in=ids, ordinal__gt=first)
        )
    return Case(
        When(Q(ordinal__isnull=True) | above_first, then=Value("true")),
        default=KT("pace_facts__established"),
        output_field=CharField(),
    )


def working_stage_counts(
    *,
    students: QuerySet[Person],
    competencies: Sequence[Competency],
    by: Sequence[str] = (),
) -> list[StageCount]:
    """Students by competency, stage worked at and whether placed, and by the student facts
    `by` names (`people.api.student_profile_lookups`: "age_grade", a demographic field), in
    one GROUP BY over the stored working stages. A student with no working stage on a
    competency has no rating there and is in no count. The competencies come with their
    stages (`frameworks.api.stages_and_scales_prefetch`)."""
    lookups = [f"student__{lookup}" for lookup in student_profile_lookups(by)]
    rows = (
        WorkingStage.objects.filter(
            student__in=students, competency__in=[competency.pk for competency in competencies]
        )
        .order_by()
        .values("competency_id", *lookups, "ordinal", placed=_placed_column(competencies))
        .annotate(students=Count("pk"))
    )
    counts: dict[tuple, int] = {}
    for row in rows:
        key = (
            row["competency_id"],
            tuple(row[lookup] for lookup in lookups),
            row["ordinal"],
            _placed(row["placed"]),
        )
        counts[key] = counts.get(key, 0) + row["students"]
    return [StageCount(*key, students) for key, students in counts.items()]


def stages_first_mastered_by_month(
    *,
    students: QuerySet[Person],
    competencies: Sequence[Competency],
    since: datetime,
) -> dict[tuple[int, datetime], int]:
    """(competency id, first moment of a month, in the current time zone) → how many stages
    these students have mastered now were first rated at mastery in that month, for months
    from `since` on.

    A stage counts once, in the month of its first rating that stands, counts (weight above
    0, a self-assessment only where the policy counts them) and is at or above the
    threshold of the policy that produced the record; stages mastered only because a higher
    one is (implied) have no rating of their own and are left out. For "most recent" and
    "highest" that is the day the stage became mastered; for methods that average it can
    be earlier than the day the average reached mastery. One query: a correlated read of
    each mastered record's ratings, along the (student, competency, observed_at) index.
    """
    first_at_mastery = (
        evidence_standing()
        .filter(
            student_id=OuterRef("student_id"),
            competency_id=OuterRef("competency_id"),
            stage_id=OuterRef("stage_id"),
            level__gte=OuterRef("policy__threshold"),
            weight__gt=0,
        )
        .filter(
            ~Q(source=EvidenceSource.SELF)
            | Q(Exact(OuterRef("policy__include_self_assessment"), True))
        )
        .order_by("observed_at")
        .values("observed_at")[:1]
    )
    rows = (
        MasteryRecord.objects.filter(
            student__in=students,
            competency__in=[competency.pk for competency in competencies],
            mastered=True,
            implied=False,
        )
        .annotate(first_at=Subquery(first_at_mastery))
        .annotate(month=TruncMonth("first_at"))
        .order_by()
        .values("competency_id", "month")
        .annotate(stages=Count("pk"))
    )
    return {
        (row["competency_id"], row["month"]): row["stages"]
        for row in rows
        if row["month"] is not None and row["month"] >= since
    }
