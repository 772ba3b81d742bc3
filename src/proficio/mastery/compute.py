"""Mastery of one student's competency, computed from evidence by the engine."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from proficio.engine import Evaluation, evaluate
from proficio.evidence.api import ratings_counted
from proficio.frameworks.api import Competency, Stage
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.policies import policy_for
from proficio.mastery.rollups import part_result, rolled_up, rolls_up
from proficio.mastery.tracing import MethodInputs, method_inputs
from proficio.people.api import Person


@dataclass(frozen=True)
class Rating:
    """What the engine needs of one counted rating: plain values, no model instance."""

    stage_id: int
    level: Decimal
    observed_at: datetime
    weight: Decimal


RATING_FIELDS = ("stage_id", "level", "observed_at", "weight")


@dataclass(frozen=True)
class LatestRating:
    level: Decimal
    stage_ordinal: int
    observed_at: datetime


@dataclass(frozen=True)
class StageMastery:
    stage: Stage
    evaluation: Evaluation
    mastered: bool
    implied: bool
    explanation: str


@dataclass(frozen=True)
class CompetencyMastery:
    competency: Competency
    policy: MasteryPolicy
    stages: list[StageMastery]
    working_stage: int | None
    latest: LatestRating | None


def counted_ratings(
    *,
    student: Person,
    competency: Competency,
    policy: MasteryPolicy,
    as_of: date | None = None,
) -> list[Rating]:
    """The ratings that count under a policy, oldest work first."""
    rows = ratings_counted(
        student=student,
        competency=competency,
        as_of=as_of,
        include_self=policy.include_self_assessment,
    )
    return [Rating(*values) for values in rows.values_list(*RATING_FIELDS)]


def scale_labels(competency: Competency) -> dict[float, str]:
    return {float(level.value): level.label for level in competency.effective_scale.levels.all()}


def stage_evaluation(
    *,
    policy: MasteryPolicy,
    inputs: MethodInputs,
    ratings: list[Rating],
    labels: Mapping[float, str],
) -> Evaluation:
    """One stage's result under a policy, from that stage's counted ratings, oldest first;
    inputs: the policy's method for this competency (`tracing.method_inputs`)."""
    return evaluate(
        method=policy.method,
        scores=[float(rating.level) for rating in ratings],
        observed=[rating.observed_at.date() for rating in ratings],
        weights=[float(rating.weight) for rating in ratings],
        params=inputs.params,
        threshold=float(policy.threshold),
        minimum_evidence=policy.minimum_evidence,
        labels=labels,
        fitted=inputs.fitted,
    )


def implied_explanation(highest_mastered: Stage, explanation: str) -> str:
    """A stage counted as mastered because a higher one is: say so before its own working."""
    opening = _("Counted as mastered because stage %(ordinal)s (%(label)s) is mastered.") % {
        "ordinal": highest_mastered.ordinal,
        "label": highest_mastered.label,
    }
    return f"{opening} {explanation}"


def competency_mastery(
    *,
    student: Person,
    competency: Competency,
    as_of: date | None = None,
    policy: MasteryPolicy | None = None,
) -> CompetencyMastery:
    """Every stage's mastery, the working stage and the latest rating, as of a day.

    policy: the one to apply; by default the one in force on that day.
    """
    policy = policy or policy_for(student=student, competency=competency, on=as_of)
    if rolls_up(policy):
        parts = list(competency.children.all())
        if parts:
            return _rolled_up_mastery(student, competency, policy, parts, as_of)
    ratings = counted_ratings(student=student, competency=competency, policy=policy, as_of=as_of)
    labels = scale_labels(competency)
    inputs = method_inputs(policy=policy, competency=competency)
    stages = list(competency.stages.all())
    by_stage: dict[int, list[Rating]] = {}
    for rating in ratings:
        by_stage.setdefault(rating.stage_id, []).append(rating)
    evaluations = [
        stage_evaluation(
            policy=policy, inputs=inputs, ratings=by_stage.get(stage.pk, []), labels=labels
        )
        for stage in stages
    ]
    results = with_implication(stages, evaluations, policy.higher_implies_lower)
    working = next((result.stage.ordinal for result in results if not result.mastered), None)
    latest = None
    if ratings:
        ordinals = {stage.pk: stage.ordinal for stage in stages}
        newest = ratings[-1]
        latest = LatestRating(newest.level, ordinals[newest.stage_id], newest.observed_at)
    return CompetencyMastery(
        competency=competency,
        policy=policy,
        stages=results,
        working_stage=working,
        latest=latest,
    )


def _rolled_up_mastery(
    student: Person,
    competency: Competency,
    policy: MasteryPolicy,
    parts: list[Competency],
    as_of: date | None,
) -> CompetencyMastery:
    """A parent's stages from its parts' mastery under their own policies, stage by stage
    (`rollups`). It has no ratings of its own, so no latest rating."""
    by_ordinal: dict[int, list[tuple[Competency, StageMastery]]] = {}
    for part in parts:
        for result in competency_mastery(student=student, competency=part, as_of=as_of).stages:
            by_ordinal.setdefault(result.stage.ordinal, []).append((part, result))
    stages = list(competency.stages.all())
    evaluations = []
    for stage in stages:
        found = by_ordinal.get(stage.ordinal, [])
        outcome = rolled_up(
            policy,
            [
                part_result(
                    policy,
                    code=part.code,
                    value=result.evaluation.value,
                    mastered=result.mastered,
                )
                for part, result in found
            ],
        )
        evaluations.append(
            Evaluation(
                value=outcome.value,
                mastered=outcome.mastered,
                sufficient=outcome.sufficient,
                evidence_count=sum(result.evaluation.evidence_count for _, result in found),
                explanation=outcome.explanation,
            )
        )
    results = with_implication(stages, evaluations, policy.higher_implies_lower)
    working = next((result.stage.ordinal for result in results if not result.mastered), None)
    return CompetencyMastery(
        competency=competency, policy=policy, stages=results, working_stage=working, latest=None
    )


@dataclass(frozen=True)
class Verdict:
    mastered: bool
    implied: bool
    # When implied: the position of the highest mastered stage, which implies this one.
    implied_by: int | None


def implication(own: Sequence[bool], higher_implies_lower: bool) -> list[Verdict]:
    """Each stage's verdict from whether it is mastered on its own evidence, lowest first.

    With higher_implies_lower, every stage below the highest one mastered on its own
    counts as mastered too.
    """
    verdicts: list[Verdict] = []
    highest: int | None = None
    for position in reversed(range(len(own))):
        implied = higher_implies_lower and not own[position] and highest is not None
        verdicts.append(Verdict(own[position] or implied, implied, highest if implied else None))
        if own[position] and highest is None:
            highest = position
    return verdicts[::-1]


def with_implication(
    stages: list[Stage], evaluations: list[Evaluation], higher_implies_lower: bool
) -> list[StageMastery]:
    """Each stage's verdict and explanation, lower stages counted as mastered below a
    mastered one if the policy says so."""
    verdicts = implication([e.mastered for e in evaluations], higher_implies_lower)
    return [
        StageMastery(
            stage=stage,
            evaluation=evaluation,
            mastered=verdict.mastered,
            implied=verdict.implied,
            explanation=implied_explanation(stages[verdict.implied_by], evaluation.explanation)
            if verdict.implied_by is not None
            else evaluation.explanation,
        )
        for stage, evaluation, verdict in zip(stages, evaluations, verdicts, strict=True)
    ]
