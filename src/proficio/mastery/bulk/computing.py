"""Every record and working stage of a chunk's students, computed from their evidence in
array operations: one engine call per policy, then sufficiency, threshold, implication,
working stages and latest ratings."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from proficio.engine import bulk
from proficio.engine.explain import TOLERANCE
from proficio.mastery.bulk.arrays import (
    ROLLUP_RULES,
    Bools,
    EvidenceChunk,
    Floats,
    Ints,
    Layout,
    PolicyGrid,
    int_zeros,
)
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.tracing import MethodInputs


@dataclass
class Computed:
    """Every record and working stage of the chunk's (student, competency) pairs."""

    # per pair, ascending by (student, competency)
    pair_student: Ints
    pair_competency: Ints
    working_ordinal: NDArray[np.object_]  # int or None
    latest_level: Floats  # NaN where no rating counts
    latest_stage_ordinal: NDArray[np.object_]
    latest_evidence: Ints  # the latest counted rating's id, 0 where none
    pair_policy: Ints  # policy number
    # per evidence row
    row_pair: Ints
    row_counted: Bools  # counted under its pair's policy (a correction's original is not)
    # per record, ascending by (student, stage number)
    record_key: Ints
    record_pair: Ints
    record_student: Ints
    record_stage: Ints
    record_policy: Ints
    value: Floats
    evidence_count: Ints
    sufficient: Bools
    mastered: Bools
    implied: Bools


def compute_chunk(
    layout: Layout,
    evidence: EvidenceChunk,
    policies: PolicyGrid,
    schools: Ints,
    with_parents: Bools | None = None,
) -> Computed:
    """schools: each of the chunk's students' school number. with_parents [school number,
    competency number]: the parents whose pair joins each of their parts' pairs, by default
    those mastered from their parts (a preview asks for those of either side, so both sides
    hold the same records)."""
    competencies = len(layout.competencies)
    rolled = policies.rolls_up(layout)
    pair_of_row = evidence.student * competencies + evidence.competency
    pairs = _with_parents(
        layout, np.unique(pair_of_row), schools, rolled if with_parents is None else with_parents
    )
    pair_number = np.searchsorted(pairs, pair_of_row)
    pair_student, pair_competency = pairs // competencies, pairs % competencies
    pair_policy = policies.grid[schools[pair_student], pair_competency]
    row_policy = pair_policy[pair_number]
    # A parent mastered from its parts counts no ratings of its own (ADR 0035).
    counted = (
        ~evidence.replaced
        & (~evidence.is_self | policies.include_self[row_policy])
        & ~rolled[schools[evidence.student], evidence.competency]
    )

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
        for chosen, inputs in layout.method_groups(policy, evidence.competency[rows]):
            part = rows[chosen]
            keys, values = bulk.compute(
                row_key[part],
                part,  # the query's order: observed_at, recorded_at, id
                evidence.level[part],
                policy.method,
                weights=evidence.weight[part],
                **_engine_parameters(policy, inputs),
            )
            value[np.searchsorted(record_key, keys)] = values
        weighed = row_key[rows[evidence.weight[rows] > 0]]
        weighed_keys, counts = np.unique(weighed, return_counts=True)
        evidence_count[np.searchsorted(record_key, weighed_keys)] = counts

    sufficient = evidence_count >= policies.minimum_evidence[record_policy]
    with np.errstate(invalid="ignore"):
        own = sufficient & (value >= policies.cut[record_policy] - TOLERANCE)
    records = _Records(layout, policies, record_key, record_pair, record_stage, record_policy)
    record_rolled = rolled[schools[record_student], layout.stage_owner[record_stage]]
    if record_rolled.any():
        _roll_up(records, record_rolled, own, value, evidence_count, sufficient, pairs.size)
    implied = records.implied(own, pairs.size)
    mastered = own | implied

    working_ordinal = np.full(pairs.size, None, dtype=object)
    open_rows = np.flatnonzero(~mastered)
    first_open_pairs, first_open = np.unique(record_pair[open_rows], return_index=True)
    working_ordinal[first_open_pairs] = layout.stage_ordinal[
        record_stage[open_rows[first_open]]
    ].tolist()

    latest_level = np.full(pairs.size, np.nan)
    latest_stage_ordinal = np.full(pairs.size, None, dtype=object)
    latest_evidence = int_zeros(pairs.size)
    counted_rows = np.flatnonzero(counted)
    if counted_rows.size:
        counted_pairs = pair_number[counted_rows]
        is_last = np.append(counted_pairs[1:] != counted_pairs[:-1], True)
        last_rows = counted_rows[is_last]
        with_latest = counted_pairs[is_last]
        latest_level[with_latest] = evidence.level[last_rows]
        latest_stage_ordinal[with_latest] = layout.stage_ordinal[evidence.stage[last_rows]].tolist()
        latest_evidence[with_latest] = evidence.ids[last_rows]
    return Computed(
        pair_student=pair_student,
        pair_competency=pair_competency,
        working_ordinal=working_ordinal,
        latest_level=latest_level,
        latest_stage_ordinal=latest_stage_ordinal,
        latest_evidence=latest_evidence,
        pair_policy=pair_policy,
        row_pair=pair_number,
        row_counted=counted,
        record_key=record_key,
        record_pair=record_pair,
        record_student=record_student,
        record_stage=record_stage,
        record_policy=record_policy,
        value=value,
        evidence_count=evidence_count,
        sufficient=sufficient,
        mastered=mastered,
        implied=implied,
    )


@dataclass
class _Records:
    """What implication and rollups read of a chunk's records."""

    layout: Layout
    policies: PolicyGrid
    key: Ints
    pair: Ints
    stage: Ints
    policy: Ints

    def implied(self, own: Bools, pair_count: int) -> Bools:
        """Mastered only because a higher stage of the same pair is, where the policy says
        higher implies lower."""
        position = self.layout.stage_position[self.stage]
        top_own = np.full(pair_count, -1, dtype=np.int64)
        own_rows = np.flatnonzero(own)
        # The last own-mastered stage of each pair: positions ascend within a pair.
        top_own[self.pair[own_rows]] = position[own_rows]
        return self.policies.implies_lower[self.policy] & ~own & (position < top_own[self.pair])


def _with_parents(layout: Layout, pairs: Ints, schools: Ints, chosen: Bools) -> Ints:
    """The pairs, and each chosen parent's pair wherever one of its parts has one (then its
    own parent's, and so on), ascending."""
    competencies = len(layout.competencies)
    if not chosen.any():
        return pairs
    while True:
        student, competency = pairs // competencies, pairs % competencies
        parent = layout.parent[competency]
        joins = parent >= 0
        joins[joins] = chosen[schools[student[joins]], parent[joins]]
        grown = np.union1d(pairs, student[joins] * competencies + parent[joins])
        if grown.size == pairs.size:
            return pairs
        pairs = grown


def _roll_up(
    records: _Records,
    rolled: Bools,
    own: Bools,
    value: Floats,
    evidence_count: Ints,
    sufficient: Bools,
    pair_count: int,
) -> None:
    """The records of parents mastered from their parts, stage by stage from their parts'
    records of the same ordinal, as `rollups.rolled_up` decides one (ADR 0035): parents of
    parents after their parts. A part without a record (no rating) has no value and is not
    mastered. Writes into own, value, evidence_count and sufficient."""
    layout, policies = records.layout, records.policies
    size = records.key.size
    owner = layout.stage_owner[records.stage]
    height = layout.height[owner]
    # Each record's parent record, where the parent's pair has one.
    parent_key = (records.key // layout.stage_total) * layout.stage_total + layout.parent_stage[
        records.stage
    ]
    has_parent = layout.parent_stage[records.stage] >= 0
    where = np.minimum(np.searchsorted(records.key, parent_key), size - 1)
    child = np.flatnonzero(has_parent & (records.key[where] == parent_key))
    parent = where[child]
    # What the parts at each parent stage are worth, whoever has a record: stage tables.
    part_stages = np.flatnonzero(layout.parent_stage >= 0)
    at_stage = layout.parent_stage[part_stages]
    part_owner = layout.stage_owner[part_stages]
    parts_at = np.bincount(at_stage, minlength=layout.stage_total)
    for level in np.unique(height[rolled]).tolist():
        mastered = own | records.implied(own, pair_count)
        targets = rolled & (height == level)
        chosen = targets[parent]
        kids, parents = child[chosen], parent[chosen]
        policy = records.policy[parents]
        kid_competency = owner[kids]
        won = mastered[kids]
        points = policies.part_points[policy, kid_competency]
        required = policies.part_required[policy, kid_competency]
        with_value = ~np.isnan(value[kids])
        mastered_n = np.bincount(parents[won], minlength=size)
        earned = np.bincount(parents[won], weights=points[won], minlength=size)
        required_won = np.bincount(parents[won & required], minlength=size)
        value_sum = np.bincount(
            parents[with_value], weights=value[kids][with_value], minlength=size
        )
        value_n = np.bincount(parents[with_value], minlength=size)
        count_sum = np.bincount(parents, weights=evidence_count[kids], minlength=size)

        rows = np.flatnonzero(targets)
        stage, number = records.stage[rows], records.policy[rows]
        parts = parts_at[stage]
        total = np.zeros(rows.size)
        required_total = np.zeros(rows.size)
        for n in np.unique(number).tolist():
            mine = number == n
            worth = policies.part_points[n, part_owner]
            needed = policies.part_required[n, part_owner].astype(float)
            total[mine] = np.bincount(at_stage, worth, layout.stage_total)[stage[mine]]
            required_total[mine] = np.bincount(at_stage, needed, layout.stage_total)[stage[mine]]
        rule = np.array(ROLLUP_RULES)[policies.rule[number]]
        base, threshold = policies.base[number], policies.threshold[number]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(parts > 0, mastered_n[rows] / parts, np.nan)
            average = np.where(value_n[rows] > 0, value_sum[rows] / value_n[rows], np.nan)
        reachable = total >= base - TOLERANCE
        all_sufficient = parts > 0
        mean_sufficient = all_sufficient & (value_n[rows] == parts)
        is_points, is_mean = rule == "points", rule == "mean"
        value[rows] = np.select([is_points, is_mean], [earned[rows], average], share)
        sufficient[rows] = np.select(
            [is_points, is_mean], [reachable, mean_sufficient], all_sufficient
        )
        with np.errstate(invalid="ignore"):
            own[rows] = np.select(
                [is_points, is_mean],
                [
                    reachable
                    & (required_won[rows] >= required_total)
                    & (earned[rows] >= base - TOLERANCE),
                    mean_sufficient & (average >= threshold - TOLERANCE),
                ],
                all_sufficient & (mastered_n[rows] == parts),
            )
        evidence_count[rows] = np.rint(count_sum[rows]).astype(np.int64)


def _engine_parameters(policy: MasteryPolicy, inputs: MethodInputs) -> dict[str, float]:
    parameters = dict(inputs.params)
    if policy.method == "n_mastery":
        # As `engine.evaluate` does: n times at the policy's own mastery level by default.
        parameters.setdefault("threshold", float(policy.threshold))
    return parameters
