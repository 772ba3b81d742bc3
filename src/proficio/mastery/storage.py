"""Plain SQL for the reads and writes every saved rating makes.

Built through the ORM, each of these statements costs about half a millisecond before it
reaches the database; written out they cost a few dozen microseconds, which is what keeps
recording a rating under 5 ms (bench/rating_latency.py). Each one does what an ORM query
elsewhere does, and tests/mastery/test_rating_path.py holds the two paths to the same
records.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from proficio.evidence.api import Evidence, EvidenceSource
from proficio.frameworks.api import Stage
from proficio.mastery.compute import LatestRating, Rating
from proficio.mastery.models import MasteryRecord, WorkingStage


def _aware(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC text parsed but naive; PostgreSQL an aware datetime.
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StageRecord:
    """One stage of a competency with the student's stored record of it, if any."""

    stage: Stage
    record_id: int | None
    value: float | None
    mastered: bool
    implied: bool
    evidence_count: int
    sufficient: bool
    policy_id: int | None
    explanation: str


def stage_records(*, student_id: int, competency_id: int) -> list[StageRecord]:
    """Every stage of the competency, lowest first, each with the student's record."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.ordinal, s.label, r.id, r.value, r.mastered, r.implied, "
            "r.evidence_count, r.sufficient, r.policy_id, r.explanation "
            f"FROM {Stage._meta.db_table} s LEFT JOIN {MasteryRecord._meta.db_table} r "
            "ON r.stage_id = s.id AND r.student_id = %s "
            "WHERE s.competency_id = %s ORDER BY s.ordinal",
            [student_id, competency_id],
        )
        rows = cursor.fetchall()
    records = []
    for row in rows:
        stage_id, ordinal, label, record_id, value, mastered, implied, count, sufficient = row[:9]
        policy_id, explanation = row[9:]
        records.append(
            StageRecord(
                stage=Stage(pk=stage_id, competency_id=competency_id, ordinal=ordinal, label=label),
                record_id=record_id,
                value=value,
                mastered=bool(mastered),
                implied=bool(implied),
                evidence_count=count or 0,
                sufficient=bool(sufficient),
                policy_id=policy_id,
                explanation=explanation or "",
            )
        )
    return records


@dataclass(frozen=True)
class WorkingRow:
    pk: int
    ordinal: int | None
    latest_observed_at: datetime | None


def working_row(*, student_id: int, competency_id: int) -> WorkingRow | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, ordinal, latest_observed_at FROM {WorkingStage._meta.db_table} "
            "WHERE student_id = %s AND competency_id = %s",
            [student_id, competency_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, ordinal, observed = row
    return WorkingRow(pk, ordinal, _aware(observed) if observed else None)


def _counted_where(include_self: bool) -> str:
    # Current ratings only: none that a correction or withdrawal has replaced, and no
    # withdrawal itself.
    where = (
        "e.student_id = %s AND e.competency_id = %s AND NOT e.withdrawn AND NOT EXISTS "
        f"(SELECT 1 FROM {Evidence._meta.db_table} x WHERE x.supersedes_id = e.id)"
    )
    return where if include_self else where + " AND e.source <> %s"


def counted_ratings(
    *, student_id: int, competency_id: int, stage_ids: Collection[int], include_self: bool
) -> list[Rating]:
    """`compute.counted_ratings` of some stages: oldest work first."""
    marks = ", ".join(["%s"] * len(stage_ids))
    params: list = [student_id, competency_id]
    if not include_self:
        params.append(EvidenceSource.SELF)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.stage_id, e.level, e.observed_at, e.weight "
            f"FROM {Evidence._meta.db_table} e WHERE {_counted_where(include_self)} "
            f"AND e.stage_id IN ({marks}) ORDER BY e.observed_at, e.recorded_at, e.id",
            [*params, *stage_ids],
        )
        rows = cursor.fetchall()
    return [
        Rating(stage_id, Decimal(str(level)), _aware(observed), Decimal(str(weight)))
        for stage_id, level, observed, weight in rows
    ]


def latest_counted(
    *, student_id: int, competency_id: int, include_self: bool
) -> LatestRating | None:
    """The newest counted rating, or None when none counts (a withdrawal took the last)."""
    params: list = [student_id, competency_id]
    if not include_self:
        params.append(EvidenceSource.SELF)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.level, s.ordinal, e.observed_at "
            f"FROM {Evidence._meta.db_table} e JOIN {Stage._meta.db_table} s "
            f"ON s.id = e.stage_id WHERE {_counted_where(include_self)} "
            "ORDER BY e.observed_at DESC, e.recorded_at DESC, e.id DESC LIMIT 1",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    level, ordinal, observed = row
    return LatestRating(Decimal(str(level)), ordinal, _aware(observed))


def record_update(*, pk: int, fields: dict[str, object]) -> None:
    """UPDATE one mastery record: value, mastered, implied, evidence_count, sufficient,
    explanation and computed_at."""
    _update(MasteryRecord._meta.db_table, pk, fields)


def working_update(*, pk: int, fields: dict[str, object]) -> None:
    """Set fields on a working stage and count the write in its `revision`."""
    _update(WorkingStage._meta.db_table, pk, fields, extra="revision = revision + 1")


def _update(table: str, pk: int, fields: dict[str, object], extra: str = "") -> None:
    adapted = {
        name: connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime)
        else value
        for name, value in fields.items()
    }
    assignments = ", ".join([*(f"{name} = %s" for name in adapted), *([extra] if extra else [])])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*adapted.values(), pk])
