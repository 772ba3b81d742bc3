"""A chunk's records compared with those stored, and only what changed written: history
first where the producing policy changes, then records and working stages."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from proficio.mastery.bulk.arrays import Bools, Floats, Ints, Layout, PolicyGrid, int_zeros
from proficio.mastery.bulk.computing import Computed
from proficio.mastery.bulk.sql import (
    ID_BATCH,
    ID_BITS,
    competency_filter,
    fetch_records,
    insert_rows,
    update_rows,
)
from proficio.mastery.models import MasteryRecord, MasteryRecordHistory, WorkingStage

# Values closer than this (relative, at least 1) are the same value computed in another order.
PRECISION = 1e-9


def _nullable(values: Floats) -> list:
    """Floats for the database, NaN as NULL."""
    return np.where(np.isnan(values), None, values).tolist()


def same_float(a: Floats, b: Floats) -> Bools:
    """Equal to the engine's precision: the bulk path adds in another order than the
    per-student path, so a value it stored may differ in the last bits (engine.bulk)."""
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= PRECISION * np.maximum(1.0, np.abs(a))
    return close | (np.isnan(a) & np.isnan(b))


# Packed like the bulk path's evidence rows: flags = evidence_count · 32 + no explanation · 16
# + no value · 8 + mastered · 4 + implied · 2 + sufficient.
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
class Stored:
    """The chunk's records as stored now, keyed and ordered like Computed's."""

    key: Ints
    ids: Ints
    policy: Ints  # MasteryPolicy ids
    value: Floats
    mastered: Bools
    implied: Bools
    evidence_count: Ints
    sufficient: Bools
    explained: Bools  # rows the bulk path wrote before it explained them have none


def stored_records(layout: Layout, student_lookup: Ints, low: int, high: int) -> Stored:
    where, params = competency_filter(layout, "competency_id")
    flag = "CASE WHEN {} THEN {} ELSE 0 END".format
    unexplained = flag("explanation = ''", 16)
    rows = fetch_records(
        f"SELECT id, student_id * {1 << ID_BITS} + stage_id, policy_id, "
        "CAST(COALESCE(value, 0) AS DOUBLE PRECISION), "
        f"CAST(evidence_count * 32 + {unexplained} "
        f"+ {flag('value IS NULL', 8)} + {flag('mastered', 4)} "
        f"+ {flag('implied', 2)} + {flag('sufficient', 1)} AS BIGINT) "
        f"FROM {MasteryRecord._meta.db_table} WHERE student_id BETWEEN %s AND %s{where}",
        [low, high, *params],
        _RECORD_ROW,
    )
    student = student_lookup[rows["who"] >> ID_BITS]
    stage = layout.stage_index[rows["who"] & ((1 << ID_BITS) - 1)]
    keep = (student >= 0) & (stage >= 0)
    key = student[keep] * layout.stage_total + stage[keep]
    order = np.argsort(key, kind="stable")
    rows = rows[keep][order]
    flags = rows["flags"]
    return Stored(
        key=key[order],
        ids=rows["id"],
        policy=rows["policy"],
        value=np.where(flags & 8, np.nan, rows["value"]),
        mastered=(flags & 4) > 0,
        implied=(flags & 2) > 0,
        evidence_count=flags >> 5,
        sufficient=(flags & 1) > 0,
        explained=(flags & 16) == 0,
    )


@dataclass
class Written:
    records: int = 0
    history: int = 0
    # The (student id, stage id) of each stage mastered now that was not before.
    newly_mastered: list[tuple[int, int]] = field(default_factory=list)


RECORD_VALUES = ["value", "mastered", "implied", "evidence_count", "sufficient", "policy_id"]


def write_records(
    layout: Layout,
    policies: PolicyGrid,
    computed: Computed,
    stored: Stored,
    students: Ints,
    now: object,
    explain: Callable[[Ints], list[str]],
) -> Written:
    """Insert new records and update changed ones, history first where the policy changes.

    explain(record numbers): their explanations. A stored record without one (written by
    this path before it explained records) counts as changed, so it gets one.
    """
    new_policy = np.array([p.pk for p in policies.policies], dtype=np.int64)[computed.record_policy]
    if stored.key.size:
        where = np.minimum(np.searchsorted(stored.key, computed.record_key), stored.key.size - 1)
        exists = stored.key[where] == computed.record_key
    else:
        where = int_zeros(computed.record_key.size)
        exists = np.zeros(computed.record_key.size, dtype=bool)
    old, new = where[exists], np.flatnonzero(exists)
    changed = ~(
        same_float(stored.value[old], computed.value[new])
        & (stored.mastered[old] == computed.mastered[new])
        & (stored.implied[old] == computed.implied[new])
        & (stored.evidence_count[old] == computed.evidence_count[new])
        & (stored.sufficient[old] == computed.sufficient[new])
        & (stored.policy[old] == new_policy[new])
        & stored.explained[old]
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

    update_rows(
        MasteryRecord,
        [*RECORD_VALUES, "computed_at", "explanation"],
        zip(*values(new), [now] * new.size, explain(new), stored.ids[old].tolist(), strict=True),
    )
    created = np.flatnonzero(~exists)
    competency_ids = np.array([c.pk for c in layout.competencies], dtype=np.int64)
    stage = computed.record_stage[created]
    insert_rows(
        MasteryRecord,
        ["student_id", "competency_id", "stage_id", *RECORD_VALUES, "computed_at", "explanation"],
        zip(
            students[computed.record_student[created]].tolist(),
            competency_ids[layout.stage_owner[stage]].tolist(),
            layout.stage_ids[stage].tolist(),
            *values(created),
            [now] * created.size,
            explain(created),
            strict=True,
        ),
    )
    flipped = np.concatenate([new[~stored.mastered[old] & computed.mastered[new]], created])
    flipped = flipped[computed.mastered[flipped]]
    newly_mastered = list(
        zip(
            students[computed.record_student[flipped]].tolist(),
            layout.stage_ids[computed.record_stage[flipped]].tolist(),
            strict=True,
        )
    )
    return Written(
        records=int(new.size + created.size),
        history=int(replaced.size),
        newly_mastered=newly_mastered,
    )


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


def write_working_stages(
    layout: Layout,
    computed: Computed,
    observed: NDArray[np.object_],
    paces: list[dict[str, Any]],
    unrated_pace: Callable[[int, int], dict[str, Any]],
    students: Ints,
    low: int,
    high: int,
    now: object,
) -> int:
    """observed: each pair's latest counted rating's observed_at, as the database spells it;
    paces: each pair's pace columns (`pace.pace_columns`). A stored working stage the
    chunk's evidence no longer rates gets unrated_pace(student id, competency id)."""
    where, params = competency_filter(layout, "competency_id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT student_id, competency_id, id, ordinal, "
            "CAST(latest_level AS DOUBLE PRECISION), latest_stage_ordinal, "
            "CAST(latest_observed_at AS TEXT), CAST(pace_facts AS TEXT), facts_key, revision "
            f"FROM {WorkingStage._meta.db_table} "
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
        observed,
        paces,
        strict=True,
    )
    updates, inserts = [], []
    for student_id, competency_id, *fresh, pace in pairs:
        row = stored.pop((student_id, competency_id), None)
        if row is None:
            inserts.append((student_id, competency_id, *fresh, *_pace_values(pace), 1, now))
        elif list(row[1:-3]) != fresh or _pace_changed(row, pace):
            updates.append((*fresh, *_pace_values(pace), row[-1] + 1, now, row[0]))
    columns = ["ordinal", "latest_level", "latest_stage_ordinal", "latest_observed_at"]
    unrated = []
    in_chunk = set(students.tolist())  # the id range may take in others
    for (student_id, competency_id), row in stored.items():
        if student_id not in in_chunk:
            continue
        pace = unrated_pace(student_id, competency_id)
        if _pace_changed(row, pace):
            unrated.append((*_pace_values(pace), row[-1] + 1, now, row[0]))
    # Each write counts one more revision (`WorkingStage.revision`); the chunk's lock keeps
    # ratings from writing these rows between the read above and these writes.
    written = [*PACE_COLUMNS, "revision", "updated_at"]
    update_rows(WorkingStage, [*columns, *written], updates)
    update_rows(WorkingStage, written, unrated)
    insert_rows(WorkingStage, ["student_id", "competency_id", *columns, *written], inserts)
    return len(updates) + len(inserts)


# The columns `pace.pace_columns` fills, in the order `_pace_values` gives them.
PACE_COLUMNS = ["pace_facts", "facts_key", "facts_last_day", "stall_start", "stall_ends"]


def _pace_values(pace: dict[str, Any]) -> tuple:
    return (
        json.dumps(pace["pace_facts"]),
        pace["facts_key"],
        pace["facts_last_day"],
        pace["stall_start"],
        json.dumps(pace["stall_ends"]),
    )


def _pace_changed(row: tuple, pace: dict[str, Any]) -> bool:
    """Whether a stored row (ending with its pace facts, key and revision) needs the pace
    columns written: other facts, or none of the columns beside them yet (written before
    they existed)."""
    return not row[-2] or _facts(row[-3]) != pace["pace_facts"]


def _facts(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)
