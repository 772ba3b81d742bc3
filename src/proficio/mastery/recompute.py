"""The bulk path: a district's mastery recomputed from its evidence in a few vectorised passes.

For each chunk of students, one query reads the evidence (in the order the per-student path
uses: observed_at, recorded_at, id), NumPy maps every (student, stage) to an int64 key,
`engine.bulk.compute` gives every stage's value per policy, and minimum evidence, threshold,
higher-implies-lower, working stages and latest ratings follow in array operations; so do
the pace facts (`engine.bulk_pace`, ADR 0025). The result equals `services.mastery_refresh`
record by record, pace facts and explanations included (tests/mastery/test_recompute.py).

Only what changed is written, in one transaction per chunk: a record whose producing policy
changes is copied into MasteryRecordHistory first. Every record written carries its
explanation, worded as the per-student path words it (`bulk.explaining`), so reads need no
evidence; a stored record without one (written before ADR 0025) counts as changed.

This module reads the evidence and runs the chunks; `mastery.bulk` holds the arrays, the
computing, the pace facts, the explanations and the writing, which `mastery.preview` shares.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from numpy.typing import NDArray

from proficio.evidence.api import Evidence, EvidenceSource
from proficio.mastery.bulk.arrays import (
    EvidenceChunk,
    Ints,
    Layout,
    PolicyGrid,
    district_layout,
    governing_policies,
)
from proficio.mastery.bulk.computing import Computed, compute_chunk
from proficio.mastery.bulk.explaining import Explainer
from proficio.mastery.bulk.pacing import no_rating_facts, pace_facts
from proficio.mastery.bulk.sql import ID_BATCH, ID_BITS, competency_filter, fetch_records
from proficio.mastery.bulk.writing import stored_records, write_records, write_working_stages
from proficio.mastery.data import Scope
from proficio.mastery.events import stages_mastered_publish
from proficio.mastery.policies import district_default, policies_in_force

# PostgreSQL's memory for sorting one chunk's evidence (its default spills it to disk).
SORT_MEMORY = "64MB"

# (people done, people in scope, evidence rows read so far)
Progress = Callable[[int, int, int], None]
# (people done once this chunk commits, people in scope): called first thing in each chunk's
# transaction, so what it writes commits with the chunk and what it raises rolls it back.
ChunkGuard = Callable[[int, int], None]


@dataclass
class RecomputeResult:
    students: int = 0  # with at least one rating in scope
    evidence_rows: int = 0
    records_written: int = 0
    history_rows: int = 0
    working_stages_written: int = 0
    seconds: float = 0.0


# ---- reading evidence -----------------------------------------------------------------------


# Rows come back packed into few integers: each value a Python object costs more than all the
# database's work, so three per row instead of seven reads a chunk about twice as fast.
_EVIDENCE_ROW = np.dtype(
    [("id", np.int64), ("who", np.int64), ("what", np.int64), ("observed", np.int64)]
)
# who = student_id · 2³² + stage_id; what = level·100 · 2²² + weight·100 · 4 + self · 2 + replaced
# (superseded, or a withdrawal: either way not counted).
# Levels and weights have two decimals (their fields say so), so ·100 is exact.
_LEVEL_SHIFT = 1 << 22


def _epoch_seconds(column: str) -> str:
    """SQL for a datetime column in whole seconds since the epoch, the fraction dropped (never
    rounded up into the next day)."""
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" in UTC. Its date functions round a fraction
    # (23:59:59.9999 would fall on the next day), so it is cut off first; julianday parses
    # faster than strftime, and its error is far under the half second ROUND takes away.
    return f"CAST(ROUND((julianday(substr({column}, 1, 19)) - 2440587.5) * 86400) AS BIGINT)"


def read_evidence(layout: Layout, student_lookup: Ints, low: int, high: int) -> EvidenceChunk:
    """Every evidence row of the students numbered in student_lookup with ids low…high.

    Straight into a NumPy record array: no Python object per value survives the read.
    """
    where, params = competency_filter(layout, "e.competency_id")
    table = Evidence._meta.db_table
    rows = fetch_records(
        f"SELECT e.id, e.student_id * {1 << ID_BITS} + e.stage_id, "
        f"CAST(CAST(ROUND(e.level * 100) AS BIGINT) * {_LEVEL_SHIFT} "
        "+ CAST(ROUND(e.weight * 100) AS BIGINT) * 4 "
        "+ CASE WHEN e.source = %s THEN 2 ELSE 0 END "
        "+ CASE WHEN e.withdrawn OR EXISTS "
        f"(SELECT 1 FROM {table} x WHERE x.supersedes_id = e.id) "
        f"THEN 1 ELSE 0 END AS BIGINT), {_epoch_seconds('e.observed_at')} "
        f"FROM {table} e WHERE e.student_id BETWEEN %s AND %s{where} "
        "ORDER BY e.student_id, e.competency_id, e.observed_at, e.recorded_at, e.id",
        [EvidenceSource.SELF, low, high, *params],
        _EVIDENCE_ROW,
    )
    stage = layout.stage_index[rows["who"] & ((1 << ID_BITS) - 1)]
    level, flags = np.divmod(rows["what"], _LEVEL_SHIFT)  # floor: negative levels decode too
    evidence = EvidenceChunk(
        ids=rows["id"],
        student=student_lookup[rows["who"] >> ID_BITS],
        competency=layout.stage_owner[stage],
        stage=stage,
        level=level / 100,
        weight=(flags >> 2) / 100,
        is_self=(flags & 2).astype(bool),
        replaced=(flags & 1).astype(bool),
        observed=rows["observed"],
    )
    return evidence.where(evidence.student >= 0)  # the id range may take in others


def _observed_at(ids: Ints) -> list[object]:
    """The observed_at of some evidence rows, as the database spells it, in the ids' order."""
    found: dict[int, object] = {}
    select = f"SELECT id, CAST(observed_at AS TEXT) FROM {Evidence._meta.db_table} WHERE id"
    if connection.vendor == "postgresql":
        queries = [(f"{select} = ANY(%s)", [ids.tolist()])]
    else:
        batches = [ids[start : start + ID_BATCH].tolist() for start in range(0, ids.size, ID_BATCH)]
        queries = [(f"{select} IN ({', '.join(['%s'] * len(b))})", b) for b in batches]
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            found.update(cursor.fetchall())
    return [found[pk] for pk in ids.tolist()]


def _latest_observed_at(computed: Computed) -> NDArray[np.object_]:
    """The observed_at of each pair's latest counted rating, as the database spells it; None
    where no rating counts."""
    with_latest = computed.latest_evidence > 0
    observed = np.full(computed.latest_evidence.size, None, dtype=object)
    observed[with_latest] = _observed_at(computed.latest_evidence[with_latest])
    return observed


# ---- the public path ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    students: Ints  # person ids, ascending
    schools: Ints  # each one's school number

    @property
    def low(self) -> int:
        return int(self.students[0])

    @property
    def high(self) -> int:
        return int(self.students[-1])


def chunks(layout: Layout) -> Iterable[Chunk]:
    # PROFICIO_RECOMPUTE_CHUNK_STUDENTS, 1000 by default: 200k evidence rows at ten
    # competencies of twenty ratings each, short enough that a rating saved meanwhile waits a
    # fraction of a second, and a recompute's run hears from it every second or so.
    size = settings.PROFICIO_RECOMPUTE_CHUNK_STUDENTS
    for start in range(0, layout.students.size, size):
        end = start + size
        yield Chunk(layout.students[start:end], layout.student_school[start:end])


def _begin_chunk(cursor) -> None:
    """On PostgreSQL, hold new ratings back while a chunk is read and written, so a rating
    saved meanwhile is recomputed after the chunk rather than overwritten by it (SQLite's
    IMMEDIATE transactions already serialise writers), and sort the chunk in memory."""
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {Evidence._meta.db_table} IN SHARE MODE")
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")


def _unrated_facts(
    layout: Layout, policies: PolicyGrid, chunk: Chunk
) -> Callable[[int, int], dict[str, Any]]:
    """(student id, competency id) → the pace columns of no rating under the policy in force
    for the chunk's student."""
    school_of = dict(zip(chunk.students.tolist(), chunk.schools.tolist(), strict=True))

    def facts(student_id: int, competency_id: int) -> dict[str, Any]:
        competency = int(layout.competency_index[competency_id])
        policy = policies.policies[policies.grid[school_of[student_id], competency]]
        return no_rating_facts(layout, competency, policy)

    return facts


def recompute(
    *, scope: Scope, progress: Progress | None = None, guard: ChunkGuard | None = None
) -> RecomputeResult:
    """Recompute and store the mastery of everything in scope under the policies in force.

    One transaction per chunk of students; only changed rows are written, so running it
    again after it stopped part way (a retry) writes only what the first run did not reach.
    progress hears of the people in scope before the first chunk and of each chunk once it
    is committed. guard runs first in each chunk's transaction: a run's heartbeat and its
    check that this attempt still owns the run, which a chunk must not commit without.
    """
    with translation.override(settings.LANGUAGE_CODE):  # explanations stored (ADR 0038)
        return _recompute(scope, progress, guard)


def _recompute(
    scope: Scope, progress: Progress | None, guard: ChunkGuard | None
) -> RecomputeResult:
    began = time.perf_counter()
    layout = district_layout(scope)
    policies = governing_policies(
        layout,
        policies_in_force(district_id=scope.district_id),
        lambda competency: district_default(district_id=scope.district_id, competency=competency),
    )
    student_lookup = np.full(int(layout.students.max(initial=0)) + 1, -1, dtype=np.int64)
    explainer = Explainer(layout)
    result = RecomputeResult()
    done = 0
    if progress is not None:
        progress(done, int(layout.students.size), 0)
    for chunk in chunks(layout):
        students, low, high = chunk.students, chunk.low, chunk.high
        student_lookup[students] = np.arange(students.size)
        with transaction.atomic():
            if guard is not None:
                guard(done + int(students.size), int(layout.students.size))
            with connection.cursor() as cursor:
                _begin_chunk(cursor)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            evidence = read_evidence(layout, student_lookup, low, high)
            computed = compute_chunk(layout, evidence, policies, chunk.schools)
            stored = stored_records(layout, student_lookup, low, high)
            written = write_records(
                layout,
                policies,
                computed,
                stored,
                students,
                now,
                partial(explainer.explain, policies, evidence, computed),
            )
            stages_mastered_publish(scope.district_id, written.newly_mastered)
            result.working_stages_written += write_working_stages(
                layout,
                computed,
                _latest_observed_at(computed),
                pace_facts(layout, policies, evidence, computed),
                _unrated_facts(layout, policies, chunk),
                students,
                low,
                high,
                now,
            )
        student_lookup[students] = -1
        result.students += int(np.unique(evidence.student).size)
        result.evidence_rows += evidence.size
        result.records_written += written.records
        result.history_rows += written.history
        done += int(students.size)
        if progress is not None:
            progress(done, int(layout.students.size), result.evidence_rows)
    result.seconds = time.perf_counter() - began
    return result
