"""The bulk path: a district's mastery recomputed from its evidence in a few vectorised passes.

For each chunk of students, one query reads the evidence (in the order the per-student path
uses: observed_at, recorded_at, id), NumPy maps every (student, stage) to an int64 key,
`engine.bulk.compute` gives every stage's value per policy, and minimum evidence, threshold,
higher-implies-lower, working stages and latest ratings follow in array operations. The
result equals `services.mastery_refresh` record by record (tests/mastery/test_recompute.py).

Only what changed is written, in one transaction per chunk: a record whose producing policy
changes is copied into MasteryRecordHistory first. Rows written here carry an empty
explanation; selectors explain them from their evidence on read (ADR 0005), because writing
a paragraph for every stage of a district is the one part that cannot be vectorised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from numpy.typing import NDArray

from proficio.engine import bulk
from proficio.engine.explain import TOLERANCE
from proficio.evidence.api import Evidence, EvidenceSource
from proficio.frameworks.api import Competency, Stage
from proficio.mastery.models import (
    MasteryPolicy,
    MasteryRecord,
    MasteryRecordHistory,
    WorkingStage,
)
from proficio.mastery.policies import (
    default_policy,
    district_default,
    most_specific,
    policies_in_force,
)
from proficio.people.api import Person, student_school_assignments

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

# Students per chunk: 200k evidence rows at ten competencies of twenty ratings each, short
# enough that a rating saved meanwhile waits a fraction of a second.
CHUNK_STUDENTS = 1000
# Rows per statement when writing; keeps each batch's parameters in memory bounds.
WRITE_BATCH = 20_000
# Values closer than this (relative, at least 1) are the same value computed in another order.
PRECISION = 1e-9
# PostgreSQL's memory for sorting one chunk's evidence (its default spills it to disk).
SORT_MEMORY = "64MB"
# Ids per `IN (…)` list: well under SQLite's limit of bound parameters.
ID_BATCH = 10_000

# (people done, people in scope, evidence rows read so far)
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class Scope:
    """What a recompute covers: a district, optionally narrowed to one school's students,
    one framework's or one competency's stages."""

    district_id: int
    school_id: int | None = None
    framework_id: int | None = None
    competency_id: int | None = None

    @classmethod
    def governed_by(cls, policy: MasteryPolicy) -> Scope:
        return cls(
            district_id=policy.district_id,
            school_id=policy.school_id,
            framework_id=policy.framework_id,
            competency_id=policy.competency_id,
        )


@dataclass
class RecomputeResult:
    students: int = 0  # with at least one rating in scope
    evidence_rows: int = 0
    records_written: int = 0
    history_rows: int = 0
    working_stages_written: int = 0
    seconds: float = 0.0


# ---- the district as lookup tables ----------------------------------------------------------


@dataclass
class _Layout:
    """A district's competencies, stages, schools and students as NumPy lookup tables.

    Competencies are numbered by id and stages by (competency number, ordinal), so keys
    built from them sort like the rows the evidence query returns.
    """

    district_id: int
    competencies: list[Competency]
    competency_index: Ints  # competency id → number, -1 for others
    stage_ids: Ints  # stage number → Stage id
    stage_ordinal: Ints
    stage_position: Ints  # 0 for a competency's first stage, 1 for its second, …
    stage_index: Ints  # Stage id → stage number
    first_stage: Ints  # competency number → number of its first stage
    stage_owner: Ints  # stage number → competency number
    stage_count: Ints  # competency number → how many stages
    school_ids: list[int | None]  # school number → School id; 0 is "no school"
    students: Ints  # person ids in scope, ascending
    student_school: Ints  # per student: school number
    scope_competencies: list[int] | None  # competency ids read, None for all

    @property
    def stage_total(self) -> int:
        return int(self.stage_ids.size)


def _lookup(ids: Sequence[int] | Ints) -> Ints:
    ids = np.asarray(ids, dtype=np.int64)
    table = np.full(int(ids.max()) + 1 if ids.size else 1, -1, dtype=np.int64)
    table[ids] = np.arange(ids.size)
    return table


def _layout(scope: Scope) -> _Layout:
    competencies = list(
        Competency.objects.filter(framework__district_id=scope.district_id)
        .select_related("framework__scale", "scale")
        .order_by("pk")
    )
    stages = list(
        Stage.objects.filter(competency__framework__district_id=scope.district_id)
        .order_by("competency_id", "ordinal")
        .values_list("pk", "competency_id", "ordinal")
    )
    competency_index = _lookup([c.pk for c in competencies])
    stage_ids = np.array([s[0] for s in stages], dtype=np.int64)
    owner = competency_index[np.array([s[1] for s in stages], dtype=np.int64)]
    stage_count = np.bincount(owner, minlength=len(competencies)).astype(np.int64)
    first_stage = np.cumsum(stage_count) - stage_count
    schools: dict[int, int | None] = {}
    assignments = student_school_assignments().filter(person__district_id=scope.district_id)
    for person_id, school_id in assignments.values_list("person_id", "school_id"):
        schools.setdefault(person_id, school_id)
    people = np.array(
        sorted(Person.objects.filter(district_id=scope.district_id).values_list("pk", flat=True)),
        dtype=np.int64,
    )
    school_ids: list[int | None] = [None, *sorted({s for s in schools.values() if s is not None})]
    school_number = {school_id: n for n, school_id in enumerate(school_ids)}
    student_school = np.array([school_number[schools.get(p)] for p in people.tolist()], np.int64)
    if scope.school_id is not None:
        keep = student_school == school_number.get(scope.school_id, -1)
        people, student_school = people[keep], student_school[keep]
    scope_competencies = None
    if scope.competency_id is not None:
        scope_competencies = [scope.competency_id]
    elif scope.framework_id is not None:
        scope_competencies = [c.pk for c in competencies if c.framework_id == scope.framework_id]
    return _Layout(
        district_id=scope.district_id,
        competencies=competencies,
        competency_index=competency_index,
        stage_ids=stage_ids,
        stage_ordinal=np.array([s[2] for s in stages], dtype=np.int64),
        stage_position=np.arange(stage_ids.size) - np.repeat(first_stage, stage_count),
        stage_index=_lookup(stage_ids),
        first_stage=first_stage,
        stage_owner=owner,
        stage_count=stage_count,
        school_ids=school_ids,
        students=people,
        student_school=student_school,
        scope_competencies=scope_competencies,
    )


@dataclass
class _Policies:
    """Which policy governs each (school, competency), and each policy's settings as arrays."""

    policies: list[MasteryPolicy]
    grid: Ints  # [school number, competency number] → policy number
    threshold: Floats = field(init=False)
    minimum_evidence: Ints = field(init=False)
    implies_lower: Bools = field(init=False)
    include_self: Bools = field(init=False)

    def __post_init__(self) -> None:
        self.threshold = np.array([float(p.threshold) for p in self.policies])
        self.minimum_evidence = np.array([p.minimum_evidence for p in self.policies], np.int64)
        self.implies_lower = np.array([p.higher_implies_lower for p in self.policies], bool)
        self.include_self = np.array([p.include_self_assessment for p in self.policies], bool)


def _policies(
    layout: _Layout,
    candidates: Iterable[MasteryPolicy],
    default: Callable[[Competency], MasteryPolicy],
) -> _Policies:
    """The policy in force for every school and competency, as `policy_for` would choose;
    default(competency) where the district has none in force."""
    candidates = list(candidates)
    chosen: list[MasteryPolicy] = []
    number: dict[int, int] = {}
    grid = np.zeros((len(layout.school_ids), len(layout.competencies)), dtype=np.int64)
    for s, school_id in enumerate(layout.school_ids):
        for c, competency in enumerate(layout.competencies):
            policy = most_specific(candidates, school_id=school_id, competency=competency)
            if policy is None:
                policy = default(competency)
                candidates.append(policy)
            if id(policy) not in number:
                number[id(policy)] = len(chosen)
                chosen.append(policy)
            grid[s, c] = number[id(policy)]
    return _Policies(policies=chosen, grid=grid)


# ---- reading evidence -----------------------------------------------------------------------


@dataclass
class _Evidence:
    """One chunk's evidence, in the per-student path's order within each (student, competency)."""

    ids: Ints
    student: Ints  # student number (position in the chunk)
    competency: Ints  # competency number
    stage: Ints  # stage number
    level: Floats
    weight: Floats
    is_self: Bools
    replaced: Bools  # superseded by a correction

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def where(self, keep: Bools) -> _Evidence:
        """Only the rows where keep is true."""
        if keep.all():
            return self
        return _Evidence(**{name: getattr(self, name)[keep] for name in self.__dataclass_fields__})


# Rows come back packed into few integers: each value a Python object costs more than all the
# database's work, so three per row instead of seven reads a chunk about twice as fast.
_EVIDENCE_ROW = np.dtype([("id", np.int64), ("who", np.int64), ("what", np.int64)])
# who = student_id · 2³² + stage_id; what = level·100 · 2²² + weight·100 · 4 + self · 2 + replaced.
# Levels and weights have two decimals (their fields say so), so ·100 is exact.
_ID_BITS = 32
_LEVEL_SHIFT = 1 << 22


def _competency_filter(layout: _Layout, column: str) -> tuple[str, list[int]]:
    if layout.scope_competencies is None:
        return "", []
    marks = ", ".join(["%s"] * len(layout.scope_competencies))
    return f" AND {column} IN ({marks})", list(layout.scope_competencies)


def _read_evidence(layout: _Layout, student_lookup: Ints, low: int, high: int) -> _Evidence:
    """Every evidence row of the students numbered in student_lookup with ids low…high.

    Straight into a NumPy record array: no Python object per value survives the read.
    """
    where, params = _competency_filter(layout, "e.competency_id")
    table = Evidence._meta.db_table
    rows = _numbers(
        f"SELECT e.id, e.student_id * {1 << _ID_BITS} + e.stage_id, "
        f"CAST(CAST(ROUND(e.level * 100) AS BIGINT) * {_LEVEL_SHIFT} "
        "+ CAST(ROUND(e.weight * 100) AS BIGINT) * 4 "
        "+ CASE WHEN e.source = %s THEN 2 ELSE 0 END "
        f"+ CASE WHEN EXISTS (SELECT 1 FROM {table} x WHERE x.supersedes_id = e.id) "
        f"THEN 1 ELSE 0 END AS BIGINT) FROM {table} e WHERE e.student_id BETWEEN %s AND %s{where} "
        "ORDER BY e.student_id, e.competency_id, e.observed_at, e.recorded_at, e.id",
        [EvidenceSource.SELF, low, high, *params],
        _EVIDENCE_ROW,
    )
    stage = layout.stage_index[rows["who"] & ((1 << _ID_BITS) - 1)]
    level, flags = np.divmod(rows["what"], _LEVEL_SHIFT)  # floor: negative levels decode too
    evidence = _Evidence(
        ids=rows["id"],
        student=student_lookup[rows["who"] >> _ID_BITS],
        competency=layout.stage_owner[stage],
        stage=stage,
        level=level / 100,
        weight=(flags >> 2) / 100,
        is_self=(flags & 2).astype(bool),
        replaced=(flags & 1).astype(bool),
    )
    return evidence.where(evidence.student >= 0)  # the id range may take in others


def _numbers(sql: str, params: list, dtype: np.dtype) -> NDArray[np.void]:
    """A query's rows straight into a record array; every column BIGINT or DOUBLE PRECISION.

    On PostgreSQL through COPY in binary: fixed-width fields NumPy reads as they arrive,
    with no Python object per value at all.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return np.fromiter(cursor, dtype=dtype)
        data = bytearray()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
            for block in copy:
                data += block
    # Header: an 11-byte signature, 4 bytes of flags, then an extension and its length.
    start = 19 + int.from_bytes(data[15:19], "big")
    fields: list[tuple[str, str]] = [("columns", ">i2")]
    for name in dtype.names:
        width = ">i8" if dtype[name].kind == "i" else ">f8"
        fields += [(f"{name}_length", ">i4"), (name, width)]
    # Each row: its column count, then each value's length and value; a 2-byte trailer ends.
    row = np.dtype(fields)
    raw = np.frombuffer(
        data, dtype=row, offset=start, count=(len(data) - start - 2) // row.itemsize
    )
    rows = np.empty(raw.size, dtype=dtype)
    for name in dtype.names:
        rows[name] = raw[name]
    return rows


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


def _ints(size: int) -> Ints:
    return np.zeros(size, dtype=np.int64)


# ---- computing ------------------------------------------------------------------------------


@dataclass
class _Computed:
    """Every record and working stage of the chunk's (student, competency) pairs."""

    # per pair, ascending by (student, competency)
    pair_student: Ints
    pair_competency: Ints
    working_ordinal: NDArray[np.object_]  # int or None
    latest_level: Floats  # NaN where no rating counts
    latest_stage_ordinal: NDArray[np.object_]
    latest_evidence: Ints  # the latest counted rating's id, 0 where none
    # per record, ascending by (student, stage number)
    record_key: Ints
    record_student: Ints
    record_stage: Ints
    record_policy: Ints
    value: Floats
    evidence_count: Ints
    sufficient: Bools
    mastered: Bools
    implied: Bools


def _compute(layout: _Layout, evidence: _Evidence, policies: _Policies, schools: Ints) -> _Computed:
    """schools: each of the chunk's students' school number."""
    competencies = len(layout.competencies)
    pair_of_row = evidence.student * competencies + evidence.competency
    pairs, pair_number = np.unique(pair_of_row, return_inverse=True)
    pair_student, pair_competency = pairs // competencies, pairs % competencies
    pair_policy = policies.grid[schools[pair_student], pair_competency]
    row_policy = pair_policy[pair_number]
    counted = ~evidence.replaced & (~evidence.is_self | policies.include_self[row_policy])

    # Every stage of every pair's competency, in key order.
    per_pair = layout.stage_count[pair_competency]
    pair_start = np.cumsum(per_pair) - per_pair
    record_pair = np.repeat(np.arange(pairs.size), per_pair)
    record_stage = layout.first_stage[pair_competency][record_pair] + (
        np.arange(record_pair.size) - pair_start[record_pair]
    )
    record_student = pair_student[record_pair]
    record_key = record_student * layout.stage_total + record_stage
    record_policy = pair_policy[record_pair]

    value = np.full(record_key.size, np.nan)
    evidence_count = np.zeros(record_key.size, dtype=np.int64)
    row_key = evidence.student * layout.stage_total + evidence.stage
    for number in np.unique(row_policy[counted]).tolist():
        policy = policies.policies[number]
        rows = np.flatnonzero(counted & (row_policy == number))
        keys, values = bulk.compute(
            row_key[rows],
            rows,  # the query's order: observed_at, recorded_at, id
            evidence.level[rows],
            policy.method,
            weights=evidence.weight[rows],
            **_engine_parameters(policy),
        )
        value[np.searchsorted(record_key, keys)] = values
        weighed = row_key[rows[evidence.weight[rows] > 0]]
        weighed_keys, counts = np.unique(weighed, return_counts=True)
        evidence_count[np.searchsorted(record_key, weighed_keys)] = counts

    sufficient = evidence_count >= policies.minimum_evidence[record_policy]
    with np.errstate(invalid="ignore"):
        own = sufficient & (value >= policies.threshold[record_policy] - TOLERANCE)
    position = layout.stage_position[record_stage]
    top_own = np.full(pairs.size, -1, dtype=np.int64)
    own_rows = np.flatnonzero(own)
    # The last own-mastered stage of each pair: positions ascend within a pair.
    top_own[record_pair[own_rows]] = position[own_rows]
    implied = policies.implies_lower[record_policy] & ~own & (position < top_own[record_pair])
    mastered = own | implied

    working_ordinal = np.full(pairs.size, None, dtype=object)
    open_rows = np.flatnonzero(~mastered)
    first_open_pairs, first_open = np.unique(record_pair[open_rows], return_index=True)
    working_ordinal[first_open_pairs] = layout.stage_ordinal[
        record_stage[open_rows[first_open]]
    ].tolist()

    latest_level = np.full(pairs.size, np.nan)
    latest_stage_ordinal = np.full(pairs.size, None, dtype=object)
    latest_evidence = _ints(pairs.size)
    counted_rows = np.flatnonzero(counted)
    if counted_rows.size:
        counted_pairs = pair_number[counted_rows]
        is_last = np.append(counted_pairs[1:] != counted_pairs[:-1], True)
        last_rows = counted_rows[is_last]
        with_latest = counted_pairs[is_last]
        latest_level[with_latest] = evidence.level[last_rows]
        latest_stage_ordinal[with_latest] = layout.stage_ordinal[evidence.stage[last_rows]].tolist()
        latest_evidence[with_latest] = evidence.ids[last_rows]
    return _Computed(
        pair_student=pair_student,
        pair_competency=pair_competency,
        working_ordinal=working_ordinal,
        latest_level=latest_level,
        latest_stage_ordinal=latest_stage_ordinal,
        latest_evidence=latest_evidence,
        record_key=record_key,
        record_student=record_student,
        record_stage=record_stage,
        record_policy=record_policy,
        value=value,
        evidence_count=evidence_count,
        sufficient=sufficient,
        mastered=mastered,
        implied=implied,
    )


def _engine_parameters(policy: MasteryPolicy) -> dict[str, float]:
    parameters = dict(policy.parameters)
    if policy.method == "n_mastery":
        # As `engine.evaluate` does: n times at the policy's own mastery level by default.
        parameters.setdefault("threshold", float(policy.threshold))
    return parameters


# ---- writing --------------------------------------------------------------------------------


def _nullable(values: Floats) -> list:
    """Floats for the database, NaN as NULL."""
    return np.where(np.isnan(values), None, values).tolist()


def _same_float(a: Floats, b: Floats) -> Bools:
    """Equal to the engine's precision: the bulk path adds in another order than the
    per-student path, so a value it stored may differ in the last bits (engine.bulk)."""
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= PRECISION * np.maximum(1.0, np.abs(a))
    return close | (np.isnan(a) & np.isnan(b))


# Packed like _EVIDENCE_ROW: flags = evidence_count · 16 + no value · 8 + mastered · 4
# + implied · 2 + sufficient.
_RECORD_ROW = np.dtype(
    [
        ("id", np.int64),
        ("who", np.int64),
        ("policy", np.int64),
        ("value", np.float64),
        ("flags", np.int64),
    ]
)


@dataclass
class _Stored:
    """The chunk's records as stored now, keyed and ordered like _Computed's."""

    key: Ints
    ids: Ints
    policy: Ints  # MasteryPolicy ids
    value: Floats
    mastered: Bools
    implied: Bools
    evidence_count: Ints
    sufficient: Bools


def _stored_records(layout: _Layout, student_lookup: Ints, low: int, high: int) -> _Stored:
    where, params = _competency_filter(layout, "competency_id")
    flag = "CASE WHEN {} THEN {} ELSE 0 END".format
    rows = _numbers(
        f"SELECT id, student_id * {1 << _ID_BITS} + stage_id, policy_id, "
        "CAST(COALESCE(value, 0) AS DOUBLE PRECISION), "
        f"CAST(evidence_count * 16 + {flag('value IS NULL', 8)} + {flag('mastered', 4)} "
        f"+ {flag('implied', 2)} + {flag('sufficient', 1)} AS BIGINT) "
        f"FROM {MasteryRecord._meta.db_table} WHERE student_id BETWEEN %s AND %s{where}",
        [low, high, *params],
        _RECORD_ROW,
    )
    student = student_lookup[rows["who"] >> _ID_BITS]
    stage = layout.stage_index[rows["who"] & ((1 << _ID_BITS) - 1)]
    keep = (student >= 0) & (stage >= 0)
    key = student[keep] * layout.stage_total + stage[keep]
    order = np.argsort(key, kind="stable")
    rows = rows[keep][order]
    flags = rows["flags"]
    return _Stored(
        key=key[order],
        ids=rows["id"],
        policy=rows["policy"],
        value=np.where(flags & 8, np.nan, rows["value"]),
        mastered=(flags & 4) > 0,
        implied=(flags & 2) > 0,
        evidence_count=flags >> 4,
        sufficient=(flags & 1) > 0,
    )


@dataclass
class _Written:
    records: int = 0
    history: int = 0


RECORD_VALUES = ["value", "mastered", "implied", "evidence_count", "sufficient", "policy_id"]


def _write_records(
    layout: _Layout,
    policies: _Policies,
    computed: _Computed,
    stored: _Stored,
    students: Ints,
    now: object,
) -> _Written:
    """Insert new records and update changed ones, history first where the policy changes."""
    new_policy = np.array([p.pk for p in policies.policies], dtype=np.int64)[computed.record_policy]
    if stored.key.size:
        where = np.minimum(np.searchsorted(stored.key, computed.record_key), stored.key.size - 1)
        exists = stored.key[where] == computed.record_key
    else:
        where = _ints(computed.record_key.size)
        exists = np.zeros(computed.record_key.size, dtype=bool)
    old, new = where[exists], np.flatnonzero(exists)
    changed = ~(
        _same_float(stored.value[old], computed.value[new])
        & (stored.mastered[old] == computed.mastered[new])
        & (stored.implied[old] == computed.implied[new])
        & (stored.evidence_count[old] == computed.evidence_count[new])
        & (stored.sufficient[old] == computed.sufficient[new])
        & (stored.policy[old] == new_policy[new])
    )
    old, new = old[changed], new[changed]
    replaced = stored.ids[old[stored.policy[old] != new_policy[new]]]
    _copy_to_history(replaced, now)

    def values(rows: Ints) -> list[list]:
        return [
            _nullable(computed.value[rows]),
            computed.mastered[rows].tolist(),
            computed.implied[rows].tolist(),
            computed.evidence_count[rows].tolist(),
            computed.sufficient[rows].tolist(),
            new_policy[rows].tolist(),
        ]

    _update(
        MasteryRecord,
        [*RECORD_VALUES, "computed_at", "explanation"],
        zip(*values(new), [now] * new.size, [""] * new.size, stored.ids[old].tolist(), strict=True),
    )
    created = np.flatnonzero(~exists)
    competency_ids = np.array([c.pk for c in layout.competencies], dtype=np.int64)
    stage = computed.record_stage[created]
    _insert(
        MasteryRecord,
        ["student_id", "competency_id", "stage_id", *RECORD_VALUES, "computed_at", "explanation"],
        zip(
            students[computed.record_student[created]].tolist(),
            competency_ids[layout.stage_owner[stage]].tolist(),
            layout.stage_ids[stage].tolist(),
            *values(created),
            [now] * created.size,
            [""] * created.size,
            strict=True,
        ),
    )
    return _Written(records=int(new.size + created.size), history=int(replaced.size))


def _copy_to_history(ids: Ints, now: object) -> None:
    columns = [
        "student_id",
        "competency_id",
        "stage_id",
        "value",
        "mastered",
        "implied",
        "evidence_count",
        "sufficient",
        "policy_id",
        "computed_at",
    ]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        for start in range(0, ids.size, ID_BATCH):
            batch = ids[start : start + ID_BATCH].tolist()
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {MasteryRecordHistory._meta.db_table} ({listed}, replaced_at) "
                f"SELECT {listed}, %s FROM {MasteryRecord._meta.db_table} WHERE id IN ({marks})",
                [now, *batch],
            )


def _write_working_stages(
    layout: _Layout, computed: _Computed, students: Ints, low: int, high: int, now: object
) -> int:
    where, params = _competency_filter(layout, "competency_id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT student_id, competency_id, id, ordinal, "
            "CAST(latest_level AS DOUBLE PRECISION), latest_stage_ordinal, "
            f"CAST(latest_observed_at AS TEXT) FROM {WorkingStage._meta.db_table} "
            f"WHERE student_id BETWEEN %s AND %s{where}",
            [low, high, *params],
        )
        stored = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    competency_ids = np.array([c.pk for c in layout.competencies], dtype=np.int64)
    pairs = zip(
        students[computed.pair_student].tolist(),
        competency_ids[computed.pair_competency].tolist(),
        computed.working_ordinal.tolist(),
        _nullable(computed.latest_level),
        computed.latest_stage_ordinal.tolist(),
        strict=True,
    )
    with_latest = computed.latest_evidence > 0
    observed = np.full(computed.latest_evidence.size, None, dtype=object)
    observed[with_latest] = _observed_at(computed.latest_evidence[with_latest])
    updates, inserts = [], []
    for (student_id, competency_id, *fresh), observed_at in zip(pairs, observed, strict=True):
        fresh.append(observed_at)
        row = stored.get((student_id, competency_id))
        if row is None:
            inserts.append((student_id, competency_id, *fresh, now))
        elif list(row[1:]) != fresh:
            updates.append((*fresh, now, row[0]))
    columns = ["ordinal", "latest_level", "latest_stage_ordinal", "latest_observed_at"]
    _update(WorkingStage, [*columns, "updated_at"], updates)
    _insert(WorkingStage, ["student_id", "competency_id", *columns, "updated_at"], inserts)
    return len(updates) + len(inserts)


def _batches(rows: Iterable[tuple]) -> Iterable[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, rows)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def _update(model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    """Set columns on each row whose id is the row's last value."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY the new values into a scratch table, then one UPDATE joins them in.
            scratch = f"recompute_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{scratch}")
            cursor.execute(
                f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(columns)}, id "
                f"FROM {table} WITH NO DATA"
            )
            _copy(cursor, scratch, [*columns, "id"], rows)
            assignments = ", ".join(f"{column} = s.{column}" for column in columns)
            cursor.execute(f"UPDATE {table} t SET {assignments} FROM {scratch} s WHERE t.id = s.id")
            cursor.execute(f"DROP TABLE {scratch}")
            return
        assignments = ", ".join(f"{column} = %s" for column in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def _copy(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL's COPY, many times faster than INSERT for bulk rows."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# ---- the public path ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    students: Ints  # person ids, ascending
    schools: Ints  # each one's school number

    @property
    def low(self) -> int:
        return int(self.students[0])

    @property
    def high(self) -> int:
        return int(self.students[-1])


def _chunks(layout: _Layout) -> Iterable[_Chunk]:
    for start in range(0, layout.students.size, CHUNK_STUDENTS):
        end = start + CHUNK_STUDENTS
        yield _Chunk(layout.students[start:end], layout.student_school[start:end])


def _begin_chunk(cursor) -> None:
    """On PostgreSQL, hold new ratings back while a chunk is read and written, so a rating
    saved meanwhile is recomputed after the chunk rather than overwritten by it (SQLite's
    IMMEDIATE transactions already serialise writers), and sort the chunk in memory."""
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {Evidence._meta.db_table} IN SHARE MODE")
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")


def recompute(*, scope: Scope, progress: Progress | None = None) -> RecomputeResult:
    """Recompute and store the mastery of everything in scope under the policies in force.

    One transaction per chunk of students; only changed rows are written.
    """
    began = time.perf_counter()
    layout = _layout(scope)
    policies = _policies(
        layout,
        policies_in_force(district_id=scope.district_id),
        lambda competency: district_default(district_id=scope.district_id, competency=competency),
    )
    student_lookup = np.full(int(layout.students.max(initial=0)) + 1, -1, dtype=np.int64)
    result = RecomputeResult()
    done = 0
    for chunk in _chunks(layout):
        students, low, high = chunk.students, chunk.low, chunk.high
        student_lookup[students] = np.arange(students.size)
        with transaction.atomic():
            with connection.cursor() as cursor:
                _begin_chunk(cursor)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            evidence = _read_evidence(layout, student_lookup, low, high)
            computed = _compute(layout, evidence, policies, chunk.schools)
            stored = _stored_records(layout, student_lookup, low, high)
            written = _write_records(layout, policies, computed, stored, students, now)
            result.working_stages_written += _write_working_stages(
                layout, computed, students, low, high, now
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


# ---- what a policy would change -------------------------------------------------------------


@dataclass(frozen=True)
class StageChange:
    """One stage whose mastery a proposed policy would change."""

    student_id: int
    competency: Competency
    stage_ordinal: int
    before: float | None
    after: float | None
    was_mastered: bool
    now_mastered: bool
    now_implied: bool  # mastered only through a higher stage


@dataclass
class PreviewResult:
    students: int = 0  # students with evidence the proposed policy would govern
    students_changed: int = 0  # … whose mastered stages or working stage would change
    newly_mastered: int = 0
    no_longer_mastered: int = 0
    working_stages_moved: int = 0
    values_changed: int = 0
    evidence_rows: int = 0
    seconds: float = 0.0
    examples: list[StageChange] = field(default_factory=list)


def preview(*, scope: Scope, proposed: MasteryPolicy, examples: int = 5) -> PreviewResult:
    """What saving `proposed` would change in its scope, computed on the evidence without
    writing anything: the stages it would master or unmaster, working stages it would move,
    and a few examples (one stage per student, mastery flips first).

    Both sides are read on the proposal's first day, against the policies in force then:
    a version already scheduled before it counts, and so does a narrower scope's.
    """
    began = time.perf_counter()
    layout = _layout(scope)
    candidates = policies_in_force(district_id=scope.district_id, on=proposed.effective_from)
    defaults: dict[str, MasteryPolicy] = {}

    def default(competency: Competency) -> MasteryPolicy:
        # Unsaved: previewing writes nothing, not even the district's first version.
        if "policy" not in defaults:
            defaults["policy"] = default_policy(
                district_id=scope.district_id, competency=competency
            )
        return defaults["policy"]

    before = _policies(layout, candidates, default)
    after = _policies(layout, [*candidates, proposed], default)
    result = PreviewResult()
    numbers = [n for n, policy in enumerate(after.policies) if policy is proposed]
    governed = after.grid == (numbers[0] if numbers else -1)
    student_lookup = np.full(int(layout.students.max(initial=0)) + 1, -1, dtype=np.int64)
    flips: list[StageChange] = []
    shifts: list[StageChange] = []
    shown: set[int] = set()
    for chunk in _chunks(layout) if numbers else ():
        students = chunk.students
        student_lookup[students] = np.arange(students.size)
        evidence = _read_evidence(layout, student_lookup, chunk.low, chunk.high)
        student_lookup[students] = -1
        evidence = evidence.where(governed[chunk.schools[evidence.student], evidence.competency])
        result.evidence_rows += evidence.size
        if not evidence.size:
            continue
        old = _compute(layout, evidence, before, chunk.schools)
        new = _compute(layout, evidence, after, chunk.schools)
        result.students += int(np.unique(new.pair_student).size)
        flipped = old.mastered != new.mastered
        shifted = ~_same_float(old.value, new.value)
        moved = old.working_ordinal != new.working_ordinal
        result.newly_mastered += int((flipped & new.mastered).sum())
        result.no_longer_mastered += int((flipped & old.mastered).sum())
        result.values_changed += int(shifted.sum())
        result.working_stages_moved += int(moved.sum())
        changed = np.union1d(new.record_student[flipped], new.pair_student[moved])
        result.students_changed += int(changed.size)
        for rows, bucket in ((np.flatnonzero(flipped), flips), (np.flatnonzero(shifted), shifts)):
            for row in rows.tolist():
                student_id = int(students[new.record_student[row]])
                if len(bucket) == examples:
                    break
                if student_id in shown:
                    continue
                shown.add(student_id)
                bucket.append(_change(layout, students, old, new, row))
    result.examples = (flips + shifts)[:examples]
    result.seconds = time.perf_counter() - began
    return result


def _change(
    layout: _Layout, students: Ints, old: _Computed, new: _Computed, row: int
) -> StageChange:
    stage = int(new.record_stage[row])
    return StageChange(
        student_id=int(students[new.record_student[row]]),
        competency=layout.competencies[int(layout.stage_owner[stage])],
        stage_ordinal=int(layout.stage_ordinal[stage]),
        before=None if np.isnan(old.value[row]) else float(old.value[row]),
        after=None if np.isnan(new.value[row]) else float(new.value[row]),
        was_mastered=bool(old.mastered[row]),
        now_mastered=bool(new.mastered[row]),
        now_implied=bool(new.implied[row]),
    )
