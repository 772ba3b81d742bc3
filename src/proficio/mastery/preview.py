"""What a proposed policy would change: its scope recomputed on the evidence under the
policies in force before and after it, compared, and nothing written."""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from proficio.engine.methods import mastery_cut
from proficio.evidence.api import evidence_in_district
from proficio.frameworks.api import Competency
from proficio.mastery.bulk.arrays import (
    Bools,
    Ints,
    Layout,
    PolicyGrid,
    district_layout,
    governing_policies,
    roots,
)
from proficio.mastery.bulk.computing import Computed, compute_chunk
from proficio.mastery.bulk.writing import same_float
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.policies import default_policy, policies_in_force
from proficio.mastery.recompute import chunks, read_evidence
from proficio.people.api import student_school_assignments


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
    # Why it changes: each side's counted ratings and the policy that reads them.
    was_implied: bool
    before_count: int
    after_count: int
    before_method: str
    after_method: str
    before_minimum: int
    after_minimum: int
    # What the value had to reach (`engine.methods.mastery_cut`): the policy's threshold, or
    # knowledge tracing's 95% chance.
    before_threshold: float
    after_threshold: float


@dataclass
class PreviewResult:
    students: int = 0  # students with evidence whose governing policy would change
    students_changed: int = 0  # … whose mastered stages or working stage would change
    newly_mastered: int = 0
    no_longer_mastered: int = 0
    students_losing_mastery: int = 0  # … of some stage
    working_stages_moved: int = 0
    values_changed: int = 0
    evidence_rows: int = 0
    seconds: float = 0.0
    examples: list[StageChange] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The counts and examples as a PolicyPreviewRun keeps them (a competency by its code)."""
        counts = {name: value for name, value in asdict(self).items() if name != "examples"}
        examples = [
            {**asdict(change), "competency": change.competency.code} for change in self.examples
        ]
        return {**counts, "examples": examples}


# Called after each chunk of students with how many are done and how many there are.
PreviewProgress = Callable[[int, int], None]

_PROPOSAL_FIELDS = (
    "district_id",
    "school_id",
    "framework_id",
    "competency_id",
    "method",
    "parameters",
    "minimum_evidence",
    "higher_implies_lower",
    "include_self_assessment",
    "inherits",
    "restores",
    "version",
    "rollup",
    "rollup_parts",
)


def proposal_json(proposed: MasteryPolicy) -> dict[str, object]:
    """A checked, unsaved policy as JSON, for the worker that previews it."""
    fields = {name: getattr(proposed, name) for name in _PROPOSAL_FIELDS}
    return {
        **fields,
        "threshold": str(proposed.threshold),
        "effective_from": proposed.effective_from.isoformat(),
        "rollup_base": None if proposed.rollup_base is None else str(proposed.rollup_base),
    }


def proposal_from_json(data: dict) -> MasteryPolicy:
    """The unsaved policy proposal_json wrote, as checked when it was asked for."""
    return MasteryPolicy(
        **{name: data[name] for name in _PROPOSAL_FIELDS if name in data},
        threshold=Decimal(data["threshold"]),
        effective_from=date.fromisoformat(data["effective_from"]),
        rollup_base=Decimal(data["rollup_base"]) if data.get("rollup_base") else None,
    )


def scope_has_more_rows_than(scope: Scope, limit: int) -> bool:
    """Whether the scope holds more than `limit` evidence rows: read up to limit + 1 of them,
    not all, so asking costs no more than the instant preview it decides on."""
    rows = evidence_in_district(scope.district_id)
    if scope.competency_id is not None:
        rows = rows.filter(competency_id=scope.competency_id)
    elif scope.framework_id is not None:
        rows = rows.filter(competency__framework_id=scope.framework_id)
    if scope.school_id is not None:
        students = student_school_assignments().filter(school_id=scope.school_id)
        rows = rows.filter(student_id__in=students.values("person_id"))
    return rows.order_by().values("pk")[limit : limit + 1].exists()


def preview(
    *,
    scope: Scope,
    proposed: MasteryPolicy,
    examples: int = 5,
    progress: PreviewProgress | None = None,
) -> PreviewResult:
    """What saving `proposed` would change in its scope, computed on the evidence without
    writing anything: the stages it would master or unmaster, working stages it would move,
    and a few examples (one stage per student, mastery flips first).

    Both sides are read on the proposal's first day, against the policies in force then:
    a version already scheduled before it counts, and so does a narrower scope's.
    Memory stays bounded by a chunk of students: only the counts and the examples are kept.
    """
    began = time.perf_counter()
    layout = district_layout(scope)
    candidates = policies_in_force(district_id=scope.district_id, on=proposed.effective_from)
    defaults: dict[str, MasteryPolicy] = {}

    def default(competency: Competency) -> MasteryPolicy:
        # Unsaved: previewing writes nothing, not even the district's first version.
        if "policy" not in defaults:
            defaults["policy"] = default_policy(
                district_id=scope.district_id, competency=competency
            )
        return defaults["policy"]

    before = governing_policies(layout, candidates, default)
    after = governing_policies(layout, [*candidates, proposed], default)
    result = PreviewResult()
    governed = _whole_trees(layout, _policy_changes(before, after))
    # Parents of either side join their parts' pairs on both, so the records line up.
    with_parents = before.rolls_up(layout) | after.rolls_up(layout)
    student_lookup = np.full(int(layout.students.max(initial=0)) + 1, -1, dtype=np.int64)
    flips: list[StageChange] = []
    shifts: list[StageChange] = []
    shown: set[int] = set()
    done = 0
    for chunk in chunks(layout) if governed.any() else ():
        students = chunk.students
        if progress is not None:
            progress(done, layout.students.size)
        done += students.size
        student_lookup[students] = np.arange(students.size)
        evidence = read_evidence(layout, student_lookup, chunk.low, chunk.high)
        student_lookup[students] = -1
        evidence = evidence.where(governed[chunk.schools[evidence.student], evidence.competency])
        result.evidence_rows += evidence.size
        if not evidence.size:
            continue
        old = compute_chunk(layout, evidence, before, chunk.schools, with_parents)
        new = compute_chunk(layout, evidence, after, chunk.schools, with_parents)
        result.students += int(np.unique(new.pair_student).size)
        flipped = old.mastered != new.mastered
        shifted = ~same_float(old.value, new.value)
        moved = old.working_ordinal != new.working_ordinal
        result.newly_mastered += int((flipped & new.mastered).sum())
        result.no_longer_mastered += int((flipped & old.mastered).sum())
        result.students_losing_mastery += int(
            np.unique(new.record_student[flipped & old.mastered]).size
        )
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
                bucket.append(_change(layout, students, (before, old), (after, new), row))
    result.examples = (flips + shifts)[:examples]
    result.seconds = time.perf_counter() - began
    return result


def _policy_changes(before: PolicyGrid, after: PolicyGrid) -> Bools:
    """Per (school, competency), whether a different policy would govern it."""
    before_ids = np.array([id(policy) for policy in before.policies], dtype=np.int64)
    after_ids = np.array([id(policy) for policy in after.policies], dtype=np.int64)
    return before_ids[before.grid] != after_ids[after.grid]


def _whole_trees(layout: Layout, governed: Bools) -> Bools:
    """Per (school, competency), whether any competency of its tree is governed anew: a part
    feeds its parent's mastery, and a parent reads all its parts (ADR 0035)."""
    if not layout.has_parts.any():
        return governed
    root = roots(layout.parent)
    hits = np.zeros((governed.shape[1], governed.shape[0]), dtype=np.int64)
    np.add.at(hits, root, governed.T.astype(np.int64))
    return hits.T[:, root] > 0


def _change(
    layout: Layout,
    students: Ints,
    before: tuple[PolicyGrid, Computed],
    after: tuple[PolicyGrid, Computed],
    row: int,
) -> StageChange:
    (old_grid, old), (new_grid, new) = before, after
    old_policy = old_grid.policies[int(old.record_policy[row])]
    new_policy = new_grid.policies[int(new.record_policy[row])]
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
        was_implied=bool(old.implied[row]),
        before_count=int(old.evidence_count[row]),
        after_count=int(new.evidence_count[row]),
        before_method=old_policy.method,
        after_method=new_policy.method,
        before_minimum=old_policy.minimum_evidence,
        after_minimum=new_policy.minimum_evidence,
        before_threshold=mastery_cut(old_policy.method, float(old_policy.threshold)),
        after_threshold=mastery_cut(new_policy.method, float(new_policy.threshold)),
    )
