"""A district as NumPy lookup tables, the policy governing each of its (school, competency),
and a chunk of its evidence as arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from proficio.engine.methods import KNOWLEDGE_TRACING, mastery_cut
from proficio.frameworks.api import Competency, district_competencies, district_stages
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy, TracingFit
from proficio.mastery.policies import most_specific
from proficio.mastery.rollups import part_terms
from proficio.mastery.tracing import MethodInputs, method_inputs, tracing_fits
from proficio.people.api import district_person_ids, student_school_assignments

# A policy's rollup as a number: 0 from the competency's own ratings, then the engine's rules.
ROLLUP_RULES = ("", "all", "points", "mean")

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass
class Layout:
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
    parent: Ints  # competency number → its parent's number, -1 for none
    parent_stage: Ints  # stage number → the parent's stage of the same ordinal, -1 for none
    height: Ints  # competency number → 0 without parts, else 1 + its tallest part's height
    fits: dict[int, TracingFit]  # competency id → knowledge tracing's fitted parameters

    @property
    def stage_total(self) -> int:
        return int(self.stage_ids.size)

    def method_inputs(self, policy: MasteryPolicy, competency: int) -> MethodInputs:
        """What the engine needs to apply the policy's method to a competency (by number)."""
        return method_inputs(
            policy=policy, competency=self.competencies[competency], fits=self.fits
        )

    def method_groups(
        self, policy: MasteryPolicy, competency: Ints
    ) -> Iterator[tuple[Bools, MethodInputs]]:
        """Rows (given by their competency numbers) that take one engine call under the
        policy, with its inputs: all of them, or for knowledge tracing each competency's
        rows, since each has its own parameters."""
        if policy.method != KNOWLEDGE_TRACING:
            yield np.ones(competency.size, dtype=bool), MethodInputs(policy.parameters)
            return
        for number in np.unique(competency).tolist():
            yield competency == number, self.method_inputs(policy, number)

    @property
    def has_parts(self) -> Bools:
        return self.height > 0


def lookup(ids: Sequence[int] | Ints) -> Ints:
    ids = np.asarray(ids, dtype=np.int64)
    table = np.full(int(ids.max()) + 1 if ids.size else 1, -1, dtype=np.int64)
    table[ids] = np.arange(ids.size)
    return table


def district_layout(scope: Scope) -> Layout:
    competencies = list(
        district_competencies(scope.district_id)
        .select_related("framework__scale", "scale")
        .order_by("pk")
    )
    stages = list(
        district_stages(scope.district_id)
        .order_by("competency_id", "ordinal")
        .values_list("pk", "competency_id", "ordinal")
    )
    competency_index = lookup([c.pk for c in competencies])
    stage_ids = np.array([s[0] for s in stages], dtype=np.int64)
    owner = competency_index[np.array([s[1] for s in stages], dtype=np.int64)]
    stage_count = np.bincount(owner, minlength=len(competencies)).astype(np.int64)
    first_stage = np.cumsum(stage_count) - stage_count
    schools: dict[int, int | None] = {}
    assignments = student_school_assignments().filter(person__district_id=scope.district_id)
    for person_id, school_id in assignments.values_list("person_id", "school_id"):
        schools.setdefault(person_id, school_id)
    people = np.array(district_person_ids(scope.district_id), dtype=np.int64)
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
    parent = np.array(
        [competency_index[c.parent_id] if c.parent_id else -1 for c in competencies], np.int64
    )
    if scope_competencies is not None:
        scope_competencies = _whole_trees(competencies, parent, scope_competencies)
    stage_ordinal = np.array([s[2] for s in stages], dtype=np.int64)
    return Layout(
        district_id=scope.district_id,
        competencies=competencies,
        competency_index=competency_index,
        stage_ids=stage_ids,
        stage_ordinal=stage_ordinal,
        stage_position=np.arange(stage_ids.size) - np.repeat(first_stage, stage_count),
        stage_index=lookup(stage_ids),
        first_stage=first_stage,
        stage_owner=owner,
        stage_count=stage_count,
        school_ids=school_ids,
        students=people,
        student_school=student_school,
        scope_competencies=scope_competencies,
        parent=parent,
        parent_stage=_parent_stages(parent, owner, stage_ordinal),
        height=_heights(parent),
        fits=tracing_fits(competencies),
    )


def roots(parent: Ints) -> Ints:
    """competency number → the number of the top of its tree."""
    root = np.arange(parent.size)
    for _ in range(parent.size):  # a tree is never deeper than it has competencies
        up = parent[root]
        climbing = up >= 0
        if not climbing.any():
            break
        root = np.where(climbing, up, root)
    return root


def _whole_trees(competencies: list[Competency], parent: Ints, scope_ids: list[int]) -> list[int]:
    """The scope's competencies with every competency of their trees: a part's mastery feeds
    its parent's, and a parent's is read from all its parts (ADR 0035)."""
    if not (parent >= 0).any():
        return scope_ids
    root = roots(parent)
    wanted = set(scope_ids)
    tops = {int(root[n]) for n, c in enumerate(competencies) if c.pk in wanted}
    return [c.pk for n, c in enumerate(competencies) if int(root[n]) in tops]


def _parent_stages(parent: Ints, owner: Ints, ordinal: Ints) -> Ints:
    """stage number → the stage of the same ordinal of its competency's parent, -1 if none."""
    result = np.full(owner.size, -1, dtype=np.int64)
    if not (parent >= 0).any():
        return result
    by_key = {(int(c), int(k)): s for s, (c, k) in enumerate(zip(owner, ordinal, strict=True))}
    for s, (c, k) in enumerate(zip(parent[owner].tolist(), ordinal.tolist(), strict=True)):
        if c >= 0:
            result[s] = by_key.get((c, k), -1)
    return result


def _heights(parent: Ints) -> Ints:
    """competency number → 0 for one without parts, 1 + the tallest part's height else."""
    height = np.zeros(parent.size, dtype=np.int64)
    level = np.flatnonzero(parent >= 0)  # every part
    step = 1
    while level.size and step <= parent.size:
        above = parent[level]
        above = above[above >= 0]
        height[above] = np.maximum(height[above], step)
        level = np.unique(above)
        step += 1
    return height


@dataclass
class PolicyGrid:
    """Which policy governs each (school, competency), and each policy's settings as arrays."""

    policies: list[MasteryPolicy]
    grid: Ints  # [school number, competency number] → policy number
    threshold: Floats = field(init=False)
    cut: Floats = field(init=False)  # what a value must reach (`methods.mastery_cut`)
    minimum_evidence: Ints = field(init=False)
    implies_lower: Bools = field(init=False)
    include_self: Bools = field(init=False)
    # Rolling a parent up from its parts (ADR 0035): the rule per policy (ROLLUP_RULES), the
    # points rule's base, and each part's points and whether required, per policy.
    rule: Ints = field(init=False)
    base: Floats = field(init=False)
    part_points: Floats = field(init=False)  # [policy number, competency number]
    part_required: Bools = field(init=False)

    def __post_init__(self) -> None:
        self.threshold = np.array([float(p.threshold) for p in self.policies])
        self.cut = np.array([mastery_cut(p.method, float(p.threshold)) for p in self.policies])
        self.minimum_evidence = np.array([p.minimum_evidence for p in self.policies], np.int64)
        self.implies_lower = np.array([p.higher_implies_lower for p in self.policies], bool)
        self.include_self = np.array([p.include_self_assessment for p in self.policies], bool)
        self.rule = np.array([ROLLUP_RULES.index(p.rollup) for p in self.policies], np.int64)
        self.base = np.array([float(p.rollup_base or 0) for p in self.policies])

    def read_parts(self, competencies: Sequence[Competency]) -> None:
        """Each part's points and whether required, under each policy."""
        shape = (len(self.policies), len(competencies))
        self.part_points = np.ones(shape)
        self.part_required = np.zeros(shape, dtype=bool)
        for number, policy in enumerate(self.policies):
            if not policy.rollup_parts:  # only a competency's own policy names its parts
                continue
            for c, competency in enumerate(competencies):
                if competency.parent_id == policy.competency_id:
                    points, required = part_terms(policy, competency.code)
                    self.part_points[number, c] = points
                    self.part_required[number, c] = required

    def rolls_up(self, layout: Layout) -> Bools:
        """[school number, competency number] → whether the competency is mastered from its
        parts there."""
        return (self.rule[self.grid] > 0) & layout.has_parts[np.newaxis, :]


def governing_policies(
    layout: Layout,
    candidates: Iterable[MasteryPolicy],
    default: Callable[[Competency], MasteryPolicy],
) -> PolicyGrid:
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
    grid_of_policies = PolicyGrid(policies=chosen, grid=grid)
    grid_of_policies.read_parts(layout.competencies)
    return grid_of_policies


@dataclass
class EvidenceChunk:
    """One chunk's evidence, in the per-student path's order within each (student, competency)."""

    ids: Ints
    student: Ints  # student number (position in the chunk)
    competency: Ints  # competency number
    stage: Ints  # stage number
    level: Floats
    weight: Floats
    is_self: Bools
    replaced: Bools  # superseded by a correction or withdrawal, or a withdrawal itself
    observed: Ints  # observed_at, in whole seconds since the epoch

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def where(self, keep: Bools) -> EvidenceChunk:
        """Only the rows where keep is true."""
        if keep.all():
            return self
        return EvidenceChunk(
            **{name: getattr(self, name)[keep] for name in self.__dataclass_fields__}
        )


def int_zeros(size: int) -> Ints:
    return np.zeros(size, dtype=np.int64)
