"""Mastery calculation methods, as defined in DESIGN.md §3.

Every method takes scores oldest → newest (by observed_at) as any sequence of
numbers (list, tuple, NumPy array, Decimals) and returns a float, or None where
it cannot decide. Full precision is kept; rounding is for display only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from proficio.engine import bkt
from proficio.engine.params import ParamSpec

Scores = Sequence[float]

KNOWLEDGE_TRACING = "knowledge_tracing"


RECENT_COUNT = ParamSpec(default=3, low=1, integer=True, label="Number of recent ratings")
LATEST_WEIGHT = ParamSpec(
    default=0.65,
    low=0.0,
    high=1.0,
    low_inclusive=False,
    high_inclusive=False,
    label="Weight of the most recent rating",
)
DECAY_RATE = ParamSpec(
    default=0.65,
    low=0.5,
    high=1.0,
    high_inclusive=False,
    label="Weight of each new rating",
)
MASTERY_COUNT = ParamSpec(
    default=3, low=1, integer=True, label="Ratings needed at or above the threshold"
)
MASTERY_THRESHOLD = ParamSpec(default=3.0, label="Threshold a rating must reach")
# Knowledge tracing's parameters come from the application, not the policy: the level that
# counts as a right answer is the scale's mastery level, and the others are fitted per
# competency from the district's answers (falling back to bkt.DEFAULT_PARAMS).
RIGHT_AT = ParamSpec(
    default=3.0, label="Level a rating must reach to count as right", set_by_policy=False
)


def _tracing_spec(name: str, label: str, *, below_half: bool = False) -> ParamSpec:
    """A probability; guess and slip are kept above 0 and below 0.5, so every answer is
    possible and a right one is always a sign of mastery (bkt calls higher degenerate)."""
    return ParamSpec(
        default=getattr(bkt.DEFAULT_PARAMS, name),
        low=0.0,
        high=0.5 if below_half else 1.0,
        low_inclusive=not below_half,
        high_inclusive=not below_half,
        label=label,
        set_by_policy=False,
    )


TRACING_PARAMETERS = {
    "right_at": RIGHT_AT,
    "prior": _tracing_spec("prior", "Chance of mastery before the first answer"),
    "learn": _tracing_spec("learn", "Chance of learning from one answer"),
    "guess": _tracing_spec("guess", "Chance of a right answer without mastery", below_half=True),
    "slip": _tracing_spec("slip", "Chance of a wrong answer despite mastery", below_half=True),
    "forget": _tracing_spec("forget", "Chance of forgetting after one answer"),
}


def _as_floats(scores: Scores) -> list[float]:
    values = [float(score) for score in scores]
    if not all(math.isfinite(value) for value in values):
        raise ValueError("scores must be finite numbers")
    return values


def _checked_weights(weights: Sequence[float], score_count: int) -> list[float]:
    values = [float(weight) for weight in weights]
    if len(values) != score_count:
        raise ValueError(f"got {len(values)} weights for {score_count} scores")
    if not all(math.isfinite(weight) and weight >= 0 for weight in values):
        raise ValueError("weights must be finite numbers ≥ 0")
    return values


def _plain_mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def latest(scores: Scores) -> float | None:
    """The most recent score."""
    values = _as_floats(scores)
    return values[-1] if values else None


def highest(scores: Scores) -> float | None:
    """The highest score."""
    values = _as_floats(scores)
    return max(values) if values else None


def mean(scores: Scores, weights: Sequence[float] | None = None) -> float | None:
    """Arithmetic mean, weighted when weights are given (weight 0: visible, not counted).

    None when there are no scores or every weight is 0.
    """
    values = _as_floats(scores)
    if weights is None:
        return _plain_mean(values) if values else None
    checked = _checked_weights(weights, len(values))
    total = math.fsum(checked)
    if total == 0:
        return None
    return math.fsum(w * s for w, s in zip(checked, values, strict=True)) / total


def median_recent(scores: Scores, n: int = 3) -> float | None:
    """Median of the last n scores (fewer if fewer exist); even count → mean of the middle two."""
    count = int(RECENT_COUNT.check("n", n))
    values = _as_floats(scores)
    return float(median(values[-count:])) if values else None


def mode(scores: Scores) -> float | None:
    """The most frequent score; a tie goes to the higher score."""
    counts = Counter(_as_floats(scores))
    if not counts:
        return None
    return max(counts, key=lambda level: (counts[level], level))


def weighted_average(scores: Scores, weight: float = 0.65) -> float | None:
    """weight · latest + (1 − weight) · mean(all earlier scores); one score → that score."""
    w = LATEST_WEIGHT.check("weight", weight)
    values = _as_floats(scores)
    if len(values) <= 1:
        return values[0] if values else None
    return w * values[-1] + (1 - w) * _plain_mean(values[:-1])


def decaying_steps(scores: Scores, rate: float = 0.65) -> list[float]:
    """Every running value of the decaying average, so each step can be shown."""
    r = DECAY_RATE.check("rate", rate)
    steps: list[float] = []
    for score in _as_floats(scores):
        steps.append((1 - r) * steps[-1] + r * score if steps else score)
    return steps


def decaying_average(scores: Scores, rate: float = 0.65) -> float | None:
    """d1 = s1; dk = (1 − rate) · d(k−1) + rate · sk; the last dk."""
    steps = decaying_steps(scores, rate)
    return steps[-1] if steps else None


def n_mastery(scores: Scores, n: int = 3, threshold: float = 3.0) -> float | None:
    """Mean of the scores ≥ threshold once there are at least n of them; None before that."""
    needed = MASTERY_COUNT.check("n", n)
    cut = MASTERY_THRESHOLD.check("threshold", threshold)
    at_or_above = [score for score in _as_floats(scores) if score >= cut]
    return _plain_mean(at_or_above) if len(at_or_above) >= needed else None


@dataclass(frozen=True)
class PowerLawFit:
    """The curve a · x^b − shift fitted through the scores at x = 1..n.

    Readings are kept within [lowest, highest] of the fitted scores (see power_law).
    """

    ln_a: float
    b: float
    lowest: float
    highest: float
    shift: float = 0.0

    @property
    def a(self) -> float:
        return math.exp(min(self.ln_a, _LARGEST_LN))

    def at(self, x: float) -> float:
        if self.lowest == self.highest:
            return self.lowest
        # In log space, so a steep curve clamps instead of overflowing.
        ln_reading = self.ln_a + self.b * math.log(x)
        ln_low, ln_high = math.log(self.lowest + self.shift), math.log(self.highest + self.shift)
        return math.exp(min(max(ln_reading, ln_low), ln_high)) - self.shift


_LARGEST_LN = math.log(1.7e308)


def power_law_fit(scores: Scores) -> PowerLawFit:
    """Least-squares fit of ln(y + shift) = ln a + b · ln x for x = 1..n; see power_law."""
    values = _as_floats(scores)
    if not values:
        raise ValueError("a power law needs at least one score")
    lowest, highest = min(values), max(values)
    if lowest == highest:
        return PowerLawFit(
            ln_a=math.log(lowest) if lowest > 0 else 0.0, b=0.0, lowest=lowest, highest=highest
        )
    shift = 1 - lowest if lowest <= 0 else 0.0
    xs = [math.log(x) for x in range(1, len(values) + 1)]
    ys = [math.log(value + shift) for value in values]
    x_mean, y_mean = _plain_mean(xs), _plain_mean(ys)
    covariance = math.fsum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    variance = math.fsum((x - x_mean) ** 2 for x in xs)
    b = covariance / variance
    return PowerLawFit(ln_a=y_mean - b * x_mean, b=b, lowest=lowest, highest=highest, shift=shift)


def power_law(scores: Scores) -> float | None:
    """Marzano's power law: fit y = a · x^b on ln y = ln a + b · ln x, x = 1..n; read at x = n.

    One score, or all scores equal → that score.

    A score ≤ 0 has no logarithm. Rule: when the lowest score is ≤ 0, every
    score is shifted up by (1 − lowest) so the lowest becomes 1, the curve is
    fitted to the shifted scores, and the shift is taken off the reading. The
    shift keeps the spacing between scores, so a 0 weighs like any other step
    down; clamping to a small floor instead makes ln(floor) an outlier that
    swamps the fit (0, 2, 3, 3 would read 7.9 on a 0–4 scale; shifted it reads
    3.88). With every score > 0 nothing is shifted: the fit is Marzano's.

    The reading is kept within the lowest and highest score given: a steep trend
    never reports a level the student has not shown (0, 4, 4, 4 reads 4, not 5.72).
    """
    values = _as_floats(scores)
    return power_law_fit(values).at(len(values)) if values else None


def right_answers(scores: Scores, right_at: float) -> list[bool]:
    """Each score as a right/wrong answer: right when it reaches right_at."""
    return [score >= right_at for score in _as_floats(scores)]


def knowledge_tracing(
    scores: Scores,
    right_at: float = RIGHT_AT.default,
    prior: float = bkt.DEFAULT_PARAMS.prior,
    learn: float = bkt.DEFAULT_PARAMS.learn,
    guess: float = bkt.DEFAULT_PARAMS.guess,
    slip: float = bkt.DEFAULT_PARAMS.slip,
    forget: float = bkt.DEFAULT_PARAMS.forget,
) -> float | None:
    """P(mastered) after the last score by Bayesian knowledge tracing (`bkt.trace`), each score
    an answer that is right when it reaches right_at. None without scores."""
    checked = validate_parameters(
        KNOWLEDGE_TRACING,
        {
            "right_at": right_at,
            "prior": prior,
            "learn": learn,
            "guess": guess,
            "slip": slip,
            "forget": forget,
        },
    )
    answers = right_answers(scores, checked.pop("right_at"))
    if not answers:
        return None
    return bkt.trace(answers, **checked)[-1]


METHODS: dict[str, Callable[..., float | None]] = {
    "latest": latest,
    "highest": highest,
    "mean": mean,
    "median_recent": median_recent,
    "mode": mode,
    "weighted_average": weighted_average,
    "decaying_average": decaying_average,
    "n_mastery": n_mastery,
    "power_law": power_law,
    KNOWLEDGE_TRACING: knowledge_tracing,
}

METHOD_PARAMETERS: dict[str, dict[str, ParamSpec]] = {
    "latest": {},
    "highest": {},
    "mean": {},
    "median_recent": {"n": RECENT_COUNT},
    "mode": {},
    "weighted_average": {"weight": LATEST_WEIGHT},
    "decaying_average": {"rate": DECAY_RATE},
    "n_mastery": {"n": MASTERY_COUNT, "threshold": MASTERY_THRESHOLD},
    "power_law": {},
    KNOWLEDGE_TRACING: TRACING_PARAMETERS,
}

# The parameters a policy chooses, per method (forms, the policy draft's check).
POLICY_PARAMETERS: dict[str, dict[str, ParamSpec]] = {
    method: {name: spec for name, spec in specs.items() if spec.set_by_policy}
    for method, specs in METHOD_PARAMETERS.items()
}


def mastery_cut(method: str, threshold: float) -> float:
    """What a method's value must reach for mastery: the policy's threshold on the scale,
    except for knowledge tracing, whose value is P(mastered) and must reach
    bkt.MASTERY_THRESHOLD (DESIGN.md §3)."""
    return bkt.MASTERY_THRESHOLD if method == KNOWLEDGE_TRACING else threshold


def validate_parameters(method_name: str, params: Mapping[str, object]) -> dict[str, float]:
    """The method's parameters with defaults filled in; ValueError if unknown or out of range."""
    if method_name not in METHOD_PARAMETERS:
        known = ", ".join(METHOD_PARAMETERS)
        raise ValueError(f"unknown method {method_name!r}; known methods: {known}")
    specs = METHOD_PARAMETERS[method_name]
    unknown = sorted(set(params) - set(specs))
    if unknown:
        takes = ", ".join(specs) or "no parameters"
        raise ValueError(f"{method_name} does not take {', '.join(unknown)}; it takes {takes}")
    return {name: spec.check(name, params.get(name, spec.default)) for name, spec in specs.items()}


def calculate(
    method_name: str,
    scores: Scores,
    weights: Sequence[float] | None = None,
    **params: float,
) -> float | None:
    """Run a method by name with checked parameters.

    With weights, mean weighs each score and every other method sees only the
    scores whose weight is > 0 (weight 0 means visible but not counted).
    """
    checked = validate_parameters(method_name, params)
    method = METHODS[method_name]
    if weights is None:
        return method(scores, **checked)
    if method is mean:
        return mean(scores, weights)
    values = _as_floats(scores)
    kept = _checked_weights(weights, len(values))
    counted = [score for score, weight in zip(values, kept, strict=True) if weight > 0]
    return method(counted, **checked)
