"""What a policy's method needs besides the ratings, per competency (ADR 0045).

For every method but knowledge tracing that is the policy's own parameters. Knowledge
tracing also needs the level that counts as a right answer, the scale's mastery level (the
same one `services.tracing_fits` reads the district's answers with), and the parameters
fitted for the competency: the engine's defaults until `proficio fit-bkt` has fitted some.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from proficio.engine.bkt import FittedFrom
from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.frameworks.api import Competency
from proficio.mastery.models import MasteryPolicy, TracingFit


@dataclass(frozen=True)
class MethodInputs:
    """A policy's method applied to one competency: the parameters for the engine, and where
    knowledge tracing's came from (None: the engine's defaults, or another method)."""

    params: Mapping[str, float]
    fitted: FittedFrom | None = field(default=None)


def right_at(competency: Competency) -> float | None:
    """The level at or above which a rating counts as a right answer: the scale's mastery
    level (None on a scale that marks none)."""
    level = competency.effective_scale.mastery_value
    return None if level is None else float(level)


def tracing_fits(competencies: Iterable[Competency]) -> dict[int, TracingFit]:
    """competency id → its fitted parameters, for those that have some; one query."""
    ids = [competency.pk for competency in competencies]
    return {fit.competency_id: fit for fit in TracingFit.objects.filter(competency_id__in=ids)}


def method_inputs(
    *,
    policy: MasteryPolicy,
    competency: Competency,
    fits: Mapping[int, TracingFit] | None = None,
) -> MethodInputs:
    """What the engine needs to apply the policy's method to this competency's ratings.
    fits: the district's (`tracing_fits`), when the caller has read them; else they are read
    here, and only for knowledge tracing."""
    if policy.method != KNOWLEDGE_TRACING:
        return MethodInputs(policy.parameters)
    if fits is None:
        fits = tracing_fits([competency])
    # A scale without a mastery level has nothing to call right but the policy's threshold.
    params = {"right_at": right_at(competency) or float(policy.threshold)}
    fit = fits.get(competency.pk)
    if fit is None:
        return MethodInputs(params)
    fitted = FittedFrom(
        answers=fit.answers, students=fit.students, on=timezone.localdate(fit.fitted_at)
    )
    return MethodInputs({**params, **fit.parameters}, fitted)
