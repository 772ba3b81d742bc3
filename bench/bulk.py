"""The bulk mastery path on a district-sized table: rows per second, against a loop and a floor.

Plain NumPy, no Django. Synthetic rows: 50 000 students × 10 competencies; each (student,
competency) is worked at one of 5 stages with about 10 ratings (Poisson, at least 1), so the
group key (student, competency, stage) holds ~10 rows; 5 000 000 rows in all (all 5 stages
are touched across the table; 5 stages per pair at 10 rows each would be 25 000 000 rows).
Scores are levels 1–4; observed_at is epoch microseconds on one of 180 school days at one of
6 lesson times, so ties are common; rows come in random order.

For each method with its default parameters:
- bulk_rows_per_s: rows / seconds of `bulk.compute`, validation and sorting included;
- speedup_over_per_student_loop: against a plain Python loop that groups each student's rows
  by (competency, stage), sorts them by (observed_at, row) and calls `calculate`. The loop is
  timed on the first SAMPLE_STUDENTS students (~50 000 rows, from the same NumPy columns,
  which it reads as lists) and its rate per row is scaled to the table;
- times_the_floor: bulk seconds / floor seconds, where the floor is a grouped mean with
  nothing else: `np.unique(keys, return_inverse=True)` plus two `np.bincount`s (sums and
  counts) and a division. The factorisation is inside the floor's timing because any grouped
  computation has to find its groups.
Each is timed in CPU seconds of this process (single-threaded throughout, so the wall time
on an idle machine) as its best of REPEATS rounds in which floor, bulk and loop take turns,
so a noisy machine slows all three alike. The loop and the bulk path must agree on the sample
(to 1e-9) or the run fails.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from proficio.engine import bulk
from proficio.engine.methods import METHODS, calculate

STUDENTS = 50_000
COMPETENCIES = 10
STAGES = 5
RATINGS_PER_GROUP = 10
SCHOOL_DAYS = 180
LESSON_TIMES = 6
SAMPLE_STUDENTS = 500
REPEATS = 5
TOLERANCE = 1e-9

DAY_US = 86_400_000_000
FIRST_DAY_US = 1_756_080_000_000_000  # 2025-08-25 00:00 UTC


def _table(rng: np.random.Generator) -> dict[str, np.ndarray]:
    pairs = STUDENTS * COMPETENCIES
    sizes = np.maximum(rng.poisson(RATINGS_PER_GROUP, pairs), 1)
    pair_of_row = np.repeat(np.arange(pairs), sizes)
    shuffled = rng.permutation(pair_of_row.size)
    pair_of_row = pair_of_row[shuffled]
    stage_of_pair = rng.integers(1, STAGES + 1, pairs)
    students = pair_of_row // COMPETENCIES
    competencies = pair_of_row % COMPETENCIES
    stages = stage_of_pair[pair_of_row]
    days = rng.integers(0, SCHOOL_DAYS, pair_of_row.size)
    lessons = rng.integers(0, LESSON_TIMES, pair_of_row.size)
    return {
        "students": students,
        "competencies": competencies,
        "stages": stages,
        "keys": (students * COMPETENCIES + competencies) * (STAGES + 1) + stages,
        "order": FIRST_DAY_US + days * DAY_US + (8 + lessons) * 3_600_000_000,
        "scores": rng.integers(1, 5, pair_of_row.size).astype(np.float64),
    }


def _seconds(action: Callable[[], object]) -> float:
    # CPU time of this process: other work on a shared machine does not count against it.
    # Everything timed here runs on one thread, so on an idle machine this is the wall time.
    start = time.process_time()
    action()
    return time.process_time() - start


def _best_seconds(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Each action's best time over REPEATS rounds, taking turns so load hits all alike."""
    best = dict.fromkeys(actions, math.inf)
    for _ in range(REPEATS):
        for name, action in actions.items():
            best[name] = min(best[name], _seconds(action))
    return best


def _floor(keys: np.ndarray, scores: np.ndarray) -> np.ndarray:
    _, group = np.unique(keys, return_inverse=True)
    return np.bincount(group, weights=scores) / np.bincount(group)


def _per_student_loop(
    columns: dict[str, np.ndarray], method: str
) -> dict[tuple[int, int, int], float | None]:
    # Python lists are the fastest way for a loop to read NumPy columns.
    students = columns["students"].tolist()
    competencies = columns["competencies"].tolist()
    stages = columns["stages"].tolist()
    order = columns["order"].tolist()
    scores = columns["scores"].tolist()
    rows_of_student: dict[int, list[int]] = defaultdict(list)
    for row, student in enumerate(students):
        rows_of_student[student].append(row)
    results = {}
    for student, rows in rows_of_student.items():
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for row in rows:
            groups[(competencies[row], stages[row])].append(row)
        for (competency, stage), group_rows in groups.items():
            group_rows.sort(key=lambda row: (order[row], row))
            group_scores = [scores[row] for row in group_rows]
            results[(student, competency, stage)] = calculate(method, group_scores)
    return results


def _agrees(
    loop: dict[tuple[int, int, int], float | None], keys: np.ndarray, values: np.ndarray
) -> bool:
    by_key = dict(zip(keys.tolist(), values.tolist(), strict=True))
    for (student, competency, stage), expected in loop.items():
        value = by_key.pop((student * COMPETENCIES + competency) * (STAGES + 1) + stage)
        if expected is None:
            if not math.isnan(value):
                return False
        elif not math.isclose(value, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            return False
    return not by_key


def run() -> dict:
    table = _table(np.random.default_rng(11))
    keys, order, scores = table["keys"], table["order"], table["scores"]
    rows = keys.size
    in_sample = table["students"] < SAMPLE_STUDENTS
    sample = {name: column[in_sample] for name, column in table.items()}
    sample_rows = int(in_sample.sum())

    methods = {}
    for method in METHODS:
        best = _best_seconds(
            {
                "floor": lambda: _floor(keys, scores),
                "bulk": lambda m=method: bulk.compute(keys, order, scores, m),
                "loop": lambda m=method: _per_student_loop(sample, m),
            }
        )
        floor_seconds, bulk_seconds, loop_seconds = best["floor"], best["bulk"], best["loop"]
        loop = _per_student_loop(sample, method)
        sample_keys, sample_values = bulk.compute(
            sample["keys"], sample["order"], sample["scores"], method
        )
        if not _agrees(loop, sample_keys, sample_values):
            raise AssertionError(f"bulk {method} differs from the per-student loop")
        loop_rows_per_s = sample_rows / loop_seconds
        methods[method] = {
            "bulk_rows_per_s": round(rows / bulk_seconds),
            "bulk_seconds": round(bulk_seconds, 3),
            "per_student_loop_rows_per_s": round(loop_rows_per_s),
            "speedup_over_per_student_loop": round(rows / bulk_seconds / loop_rows_per_s, 1),
            "floor_seconds": round(floor_seconds, 3),
            "times_the_floor": round(bulk_seconds / floor_seconds, 2),
        }
    return {
        "rows": rows,
        "groups": int(np.unique(keys).size),
        "students": STUDENTS,
        "competencies": COMPETENCIES,
        "stages": STAGES,
        "floor": "np.unique(keys, return_inverse=True) + 2 np.bincount + divide, timed together",
        "per_student_loop": (
            f"Python loop over the {sample_rows} rows of {SAMPLE_STUDENTS} students, "
            "per-row rate scaled to all rows; bulk and loop agree on that sample"
        ),
        "timing": (
            f"CPU seconds, best of {REPEATS} rounds, floor, bulk and loop taking turns in "
            "each; bulk includes validation and sorting"
        ),
        "methods": methods,
    }
