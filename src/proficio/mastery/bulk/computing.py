"""Every record and working stage of a chunk's students, computed from their evidence in
array operations: one engine call per policy, then sufficiency, threshold, implication,
working stages and latest ratings."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from proficio.engine import bulk
from proficio.engine.explain import TOLERANCE
from proficio.mastery.bulk.arrays import (
    Bools,
    EvidenceChunk,
    Floats,
    Ints,
    Layout,
    PolicyGrid,
    int_zeros,
)
from proficio.mastery.models import MasteryPolicy


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
    layout: Layout, evidence: EvidenceChunk, policies: PolicyGrid, schools: Ints
) -> Computed:
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


def _engine_parameters(policy: MasteryPolicy) -> dict[str, float]:
    parameters = dict(policy.parameters)
    if policy.method == "n_mastery":
        # As `engine.evaluate` does: n times at the policy's own mastery level by default.
        parameters.setdefault("threshold", float(policy.threshold))
    return parameters
