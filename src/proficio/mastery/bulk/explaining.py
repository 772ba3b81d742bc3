"""The explanation of every record the bulk path writes: the text the per-student path stores
(`compute.stage_evaluation`, `compute.implied_explanation`), from the chunk's arrays, so a
read never rebuilds it from evidence (ADR 0025).

A paragraph per record is worded in Python, one `engine.evaluate` per stage with ratings:
only records that are written are explained, and every stage without a counted rating of a
policy reads the same, worded once.
"""

from datetime import date, timedelta

import numpy as np

from proficio.engine import evaluate
from proficio.frameworks.api import Competency, Stage, district_stages
from proficio.mastery.bulk.arrays import EvidenceChunk, Ints, Layout, PolicyGrid
from proficio.mastery.bulk.computing import Computed
from proficio.mastery.compute import implied_explanation, scale_labels

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
            if begin == end and (number, competency) in unrated:
                text = unrated[number, competency]
            else:
                policy = policies.policies[number]
                text = evaluate(
                    method=policy.method,
                    scores=levels[begin:end],
                    observed=days[begin:end],
                    weights=weights[begin:end],
                    params=policy.parameters,
                    threshold=float(policy.threshold),
                    minimum_evidence=policy.minimum_evidence,
                    labels=self.labels[competency],
                ).explanation
                if begin == end:
                    unrated[number, competency] = text
            if computed.implied[record]:
                highest = self.stages[implied_by[computed.record_pair[record]]]
                text = implied_explanation(highest, text)
            texts.append(text)
        return texts


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
