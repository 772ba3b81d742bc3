"""Mastery of one student's competency, computed from evidence by the engine."""

from dataclasses import dataclass
from datetime import date

from proficio.engine import Evaluation, evaluate
from proficio.evidence.models import Evidence
from proficio.evidence.selectors import ratings_counted
from proficio.frameworks.models import Competency, Stage
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.policies import policy_for
from proficio.people.models import Person


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
    latest: Evidence | None


def competency_mastery(
    *, student: Person, competency: Competency, as_of: date | None = None
) -> CompetencyMastery:
    """Every stage's mastery, the working stage and the latest rating, as of a day."""
    policy = policy_for(student=student, competency=competency, on=as_of)
    ratings = list(
        ratings_counted(
            student=student,
            competency=competency,
            as_of=as_of,
            include_self=policy.include_self_assessment,
        )
    )
    scale = competency.effective_scale
    labels = {float(level.value): level.label for level in scale.levels.all()}
    stages = list(competency.stages.all())
    evaluations = []
    for stage in stages:
        own = [rating for rating in ratings if rating.stage_id == stage.pk]
        evaluations.append(
            evaluate(
                method=policy.method,
                scores=[float(rating.level) for rating in own],
                observed=[rating.observed_at.date() for rating in own],
                weights=[float(rating.weight) for rating in own],
                params=policy.parameters,
                threshold=float(policy.threshold),
                minimum_evidence=policy.minimum_evidence,
                labels=labels,
            )
        )
    results = _with_implication(stages, evaluations, policy.higher_implies_lower)
    working = next((result.stage.ordinal for result in results if not result.mastered), None)
    return CompetencyMastery(
        competency=competency,
        policy=policy,
        stages=results,
        working_stage=working,
        latest=ratings[-1] if ratings else None,
    )


def _with_implication(
    stages: list[Stage], evaluations: list[Evaluation], higher_implies_lower: bool
) -> list[StageMastery]:
    results: list[StageMastery] = []
    highest_mastered: Stage | None = None
    for stage, evaluation in reversed(list(zip(stages, evaluations, strict=True))):
        implied = higher_implies_lower and not evaluation.mastered and highest_mastered is not None
        explanation = evaluation.explanation
        if implied:
            explanation = (
                f"Counted as mastered because stage {highest_mastered.ordinal} "
                f"({highest_mastered.label}) is mastered. {explanation}"
            )
        results.append(
            StageMastery(
                stage=stage,
                evaluation=evaluation,
                mastered=evaluation.mastered or implied,
                implied=implied,
                explanation=explanation,
            )
        )
        if evaluation.mastered and highest_mastered is None:
            highest_mastered = stage
    return list(reversed(results))
