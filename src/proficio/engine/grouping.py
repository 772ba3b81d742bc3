"""Suggesting flexible groups (issue 13, item 4): students working at the same stage of a
competency, whatever their section or age, split into groups within the school's sizes.

Plain values in, plain values out: students are any keys, stages any sortable keys.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Suggestion:
    stage: Hashable
    students: tuple  # keys, in the order given


def suggest_groups(
    working: Mapping[Hashable, Hashable], *, minimum: int, maximum: int
) -> tuple[list[Suggestion], list[Hashable]]:
    """Groups of students at the same working stage (`working`: student → stage), each of
    `minimum`..`maximum` students, as even in size as can be; and the students left out. A
    stage of n students makes ceil(n / maximum) even groups when those hold at least
    `minimum` each; when no split of n fits the sizes (5 students, groups of 3 to 4), it
    makes full groups and leaves the few over out, for the teacher to place by hand."""
    if minimum < 1 or maximum < minimum:
        raise ValueError(f"sizes must satisfy 1 ≤ minimum ≤ maximum, got {minimum}, {maximum}")
    by_stage: dict[Hashable, list] = {}
    for student, stage in working.items():
        by_stage.setdefault(stage, []).append(student)
    groups: list[Suggestion] = []
    left_out: list[Hashable] = []
    for stage in sorted(by_stage, key=str):
        students = by_stage[stage]
        if len(students) < minimum:
            left_out.extend(students)
            continue
        count = math.ceil(len(students) / maximum)
        if count > len(students) // minimum:  # no even split fits: full groups, a few over
            count = len(students) // maximum
            kept = count * maximum
            left_out.extend(students[kept:])
            students = students[:kept]
        groups.extend(Suggestion(stage, tuple(part)) for part in _even(students, count))
    return groups, left_out


def _even(items: Sequence, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out
