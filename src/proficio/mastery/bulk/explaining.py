"""The explanation of every record the bulk path writes: the text the per-student path stores
(`compute.stage_evaluation`, `compute.implied_explanation`), from the chunk's arrays, so a
read never rebuilds it from evidence (ADR 0025).

A paragraph per record is worded in Python, one `engine.evaluate` per stage with ratings:
only records that are written are explained, and every stage without a counted rating of a
policy reads the same, worded once.
"""

import math
from datetime import date, timedelta

import numpy as np

from proficio.engine import evaluate
from proficio.frameworks.api import Competency, Stage, district_stages
from proficio.mastery.bulk.arrays import EvidenceChunk, Ints, Layout, PolicyGrid
from proficio.mastery.bulk.computing import Computed
from proficio.mastery.compute import implied_explanation, scale_labels
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.rollups import part_result, rolled_up

_EPOCH = date(1970, 1, 1)
_DAY = 86_400


class Explainer:
    """Explains records of a district's chunks; reads its stages and scale labels once."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        stages = {stage.pk: stage for stage in district_stages(layout.district_id)}
        self.stages: list[Stage] = [stages[pk] for pk in layout.stage_ids.tolist()]
        by_scale: dict[int, dict[float, str]] = {}
        self.labels: list[dict[float, str]] = []
        for competency in layout.competencies:
            scale = _scale_id(competency)
            if scale not in by_scale:
                by_scale[scale] = scale_labels(competency)
            self.labels.append(by_scale[scale])
        # parent stage number → its parts' (competency number, stage number), in the order
        # the per-student path reads a parent's parts (`Competency.Meta.ordering`).
        self.parts_at: dict[int, list[tuple[int, int]]] = {}
        for stage in np.flatnonzero(layout.parent_stage >= 0).tolist():
            part = int(layout.stage_owner[stage])
            self.parts_at.setdefault(int(layout.parent_stage[stage]), []).append((part, stage))
        for parts in self.parts_at.values():
            parts.sort(key=lambda pair: _reading_order(layout.competencies[pair[0]]))

    def explain(
        self, policies: PolicyGrid, evidence: EvidenceChunk, computed: Computed, records: Ints
    ) -> list[str]:
        """The explanation of each of the computed records numbered in `records`."""
        layout = self.layout
        rows = np.flatnonzero(computed.row_counted)
        row_key = evidence.student[rows] * layout.stage_total + evidence.stage[rows]
        rows = rows[np.argsort(row_key, kind="stable")]  # by stage, oldest first within one
        row_key = np.sort(row_key, kind="stable")
        begins = np.searchsorted(row_key, computed.record_key[records], "left").tolist()
        ends = np.searchsorted(row_key, computed.record_key[records], "right").tolist()
        levels = evidence.level[rows].tolist()
        weights = evidence.weight[rows].tolist()
        days = _utc_days(evidence.observed[rows])
        implied_by = _highest_own(computed)
        unrated: dict[tuple[int, int], str] = {}
        texts = []
        for record, begin, end in zip(records.tolist(), begins, ends, strict=True):
            number = int(computed.record_policy[record])
            competency = int(layout.stage_owner[computed.record_stage[record]])
            if policies.rule[number] and layout.has_parts[competency]:
                text = self._rolled_up(policies.policies[number], computed, record)
            elif begin == end and (number, competency) in unrated:
                text = unrated[number, competency]
            else:
                policy = policies.policies[number]
                inputs = layout.method_inputs(policy, competency)
                text = evaluate(
                    method=policy.method,
                    scores=levels[begin:end],
                    observed=days[begin:end],
                    weights=weights[begin:end],
                    params=inputs.params,
                    threshold=float(policy.threshold),
                    minimum_evidence=policy.minimum_evidence,
                    labels=self.labels[competency],
                    fitted=inputs.fitted,
                ).explanation
                if begin == end:
                    unrated[number, competency] = text
            if computed.implied[record]:
                highest = self.stages[implied_by[computed.record_pair[record]]]
                text = implied_explanation(highest, text)
            texts.append(text)
        return texts

    def _rolled_up(self, policy: MasteryPolicy, computed: Computed, record: int) -> str:
        """A parent stage's explanation from its parts' records (`rollups.rolled_up`)."""
        layout = self.layout
        student = int(computed.record_key[record]) // layout.stage_total
        parts = []
        for part, stage in self.parts_at.get(int(computed.record_stage[record]), []):
            key = student * layout.stage_total + stage
            where = int(np.searchsorted(computed.record_key, key))
            found = where < computed.record_key.size and computed.record_key[where] == key
            value = float(computed.value[where]) if found else math.nan
            parts.append(
                part_result(
                    policy,
                    code=layout.competencies[part].code,
                    value=None if math.isnan(value) else value,
                    mastered=bool(found and computed.mastered[where]),
                )
            )
        return rolled_up(policy, parts).explanation


def _reading_order(competency: Competency) -> tuple:
    return (competency.framework_id, competency.position, competency.code)


def _scale_id(competency: Competency) -> int:
    return competency.effective_scale.pk


def _utc_days(seconds: Ints) -> list[date]:
    """The day of each instant in UTC, as the per-student path reads `observed_at.date()`."""
    numbers, where = np.unique(seconds // _DAY, return_inverse=True)
    days = [_EPOCH + timedelta(days=number) for number in numbers.tolist()]
    return [days[n] for n in where.tolist()]


def _highest_own(computed: Computed) -> Ints:
    """Per pair, the stage number of its highest stage mastered on its own evidence (-1 if
    none): the one an implied stage's explanation names."""
    highest = np.full(computed.pair_student.size, -1, dtype=np.int64)
    own = np.flatnonzero(computed.mastered & ~computed.implied)
    np.maximum.at(highest, computed.record_pair[own], computed.record_stage[own])
    return highest
