"""A mastery result with the plain-language explanation a family can read (DESIGN.md §3, §7)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from proficio.engine.display import format_score
from proficio.engine.methods import (
    calculate,
    decaying_steps,
    mean,
    power_law_fit,
    validate_parameters,
)

# Float arithmetic can land a hair under the threshold (2.9999999999 for 3); that still counts.
TOLERANCE = 1e-9

ONLY_ONE = "There is only one rating, so the result is that rating."
NO_RATINGS = "No ratings yet."


@dataclass(frozen=True)
class Evaluation:
    """A mastery result: the value, the verdict, and how it was reached in words."""

    value: float | None
    mastered: bool
    sufficient: bool
    evidence_count: int
    explanation: str


@dataclass(frozen=True)
class _Counted:
    """The ratings that count (weight > 0), as the method used them."""

    scores: list[float]
    weights: list[float]
    params: Mapping[str, float]
    value: float | None


def _ratings(count: int) -> str:
    return f"{count} rating" if count == 1 else f"{count} ratings"


def _percent(share: float) -> str:
    return f"{format_score(share * 100)}%"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _level(value: float, labels: Mapping[float, str] | None) -> str:
    label = labels.get(value) if labels else None
    return f"{format_score(value)} ({label})" if label else format_score(value)


def _sum_over_count(scores: Sequence[float]) -> str:
    """'(2 + 3 + 3) ÷ 3 = 2.67', or the score itself when there is only one."""
    if len(scores) == 1:
        return format_score(scores[0])
    terms = " + ".join(format_score(score) for score in scores)
    return f"({terms}) ÷ {len(scores)} = {format_score(mean(scores))}"


def _work_latest(counted: _Counted) -> str:
    return f"The most recent rating is {format_score(counted.value)}."


def _work_highest(counted: _Counted) -> str:
    return f"The highest rating is {format_score(counted.value)}."


def _work_mean(counted: _Counted) -> str:
    if all(weight == 1 for weight in counted.weights):
        return f"The average is {_sum_over_count(counted.scores)}."
    terms = " + ".join(
        f"{format_score(weight)} × {format_score(score)}"
        for score, weight in zip(counted.scores, counted.weights, strict=True)
    )
    total = format_score(math.fsum(counted.weights))
    return f"The weighted average is ({terms}) ÷ {total} = {format_score(counted.value)}."


def _work_median_recent(counted: _Counted) -> str:
    recent = sorted(counted.scores[-int(counted.params["n"]) :])
    listed = ", ".join(format_score(score) for score in recent)
    opening = f"The last {_ratings(len(recent))} from lowest to highest: {listed}"
    if len(recent) % 2:
        return f"{opening}; the middle one is {format_score(counted.value)}."
    low, high = recent[len(recent) // 2 - 1 : len(recent) // 2 + 1]
    middle = f"({format_score(low)} + {format_score(high)}) ÷ 2 = {format_score(counted.value)}"
    return f"{opening}; the middle two average {middle}."


def _work_mode(counted: _Counted) -> str:
    times = sum(score == counted.value for score in counted.scores)
    tied = sorted({score for score in counted.scores if counted.scores.count(score) == times})
    share = f"{times} of {len(counted.scores)}"
    if len(tied) == 1:
        return f"{format_score(counted.value)} appears most often: {share}."
    *others, last = (format_score(score) for score in tied)
    return (
        f"{', '.join(others)} and {last} appear equally often ({share} each); "
        f"the tie goes to the higher, {last}."
    )


def _work_weighted_average(counted: _Counted) -> str:
    if len(counted.scores) == 1:
        return ONLY_ONE
    weight = counted.params["weight"]
    *earlier, newest = counted.scores
    newest_part = f"{format_score(weight)} × {format_score(newest)}"
    earlier_part = f"{format_score(1 - weight)} × {format_score(mean(earlier))}"
    formula = f"{newest_part} + {earlier_part} = {format_score(counted.value)}"
    return f"The average of the earlier ratings is {_sum_over_count(earlier)}, so {formula}."


def _work_decaying_average(counted: _Counted) -> str:
    rate = counted.params["rate"]
    steps = decaying_steps(counted.scores, rate)
    if len(steps) == 1:
        return ONLY_ONE
    moves = [
        f"{format_score(1 - rate)} × {format_score(before)} + {format_score(rate)} × "
        f"{format_score(score)} = {format_score(after)}"
        for before, score, after in zip(steps[:-1], counted.scores[1:], steps[1:], strict=True)
    ]
    return f"Start at {format_score(steps[0])}; then " + "; then ".join(moves) + "."


def _work_n_mastery(counted: _Counted) -> str:
    cut = format_score(counted.params["threshold"])
    at_or_above = [score for score in counted.scores if score >= counted.params["threshold"]]
    if counted.value is None:
        needed = int(counted.params["n"])
        return f"So far {_ratings(len(at_or_above))} at or above {cut}; {needed} needed."
    return (
        f"Ratings at or above {cut}: {len(at_or_above)} of {len(counted.scores)}; "
        f"their average is {_sum_over_count(at_or_above)}."
    )


def _trend(slope: float) -> str:
    if abs(slope) <= TOLERANCE:
        return "flat"
    return "rising" if slope > 0 else "falling"


def _work_power_law(counted: _Counted) -> str:
    if len(counted.scores) == 1:
        return ONLY_ONE
    fit = power_law_fit(counted.scores)
    curve = f"{format_score(fit.a)} × k^{format_score(fit.b)}"
    if fit.shift:
        curve += f" − {format_score(fit.shift)}"
    return (
        f"The ratings follow a {_trend(fit.b)} trend, the curve {curve} at rating number k; "
        f"at the latest rating (k = {len(counted.scores)}) it gives {format_score(counted.value)}."
    )


@dataclass(frozen=True)
class _Wording:
    describe: Callable[[Mapping[str, float]], str]
    work: Callable[[_Counted], str]


_WORDING: dict[str, _Wording] = {
    "latest": _Wording(lambda params: "Most recent rating", _work_latest),
    "highest": _Wording(lambda params: "Highest rating", _work_highest),
    "mean": _Wording(lambda params: "Average of all ratings", _work_mean),
    "median_recent": _Wording(
        lambda params: f"Middle value of the last {_ratings(int(params['n']))}",
        _work_median_recent,
    ),
    "mode": _Wording(
        lambda params: "Most frequent rating (a tie goes to the higher rating)", _work_mode
    ),
    "weighted_average": _Wording(
        lambda params: (
            f"Weighted average (the most recent rating counts {_percent(params['weight'])}, "
            f"the average of the earlier ones {_percent(1 - params['weight'])})"
        ),
        _work_weighted_average,
    ),
    "decaying_average": _Wording(
        lambda params: f"Decaying average (each new rating counts {_percent(params['rate'])})",
        _work_decaying_average,
    ),
    "n_mastery": _Wording(
        lambda params: (
            f"Average of the ratings at or above {format_score(params['threshold'])}, "
            f"once there are {int(params['n'])} of them"
        ),
        _work_n_mastery,
    ),
    "power_law": _Wording(
        lambda params: "Learning trend (a power-law curve through all ratings, read at the latest)",
        _work_power_law,
    ),
}


def _weight_note(weight: float) -> str:
    if weight == 1:
        return ""
    return " (not counted)" if weight == 0 else f" (weight {format_score(weight)})"


def _below(value: float, threshold: float) -> str:
    # Add decimals until a value just under the threshold no longer reads as equal to it.
    places = 2
    while format_score(value, places) == format_score(threshold, places):
        places += 1
    return f"{format_score(value, places)} is below {format_score(threshold, places)}"


def _verdict(value: float | None, threshold: float, mastered: bool) -> str:
    if mastered:
        return "Mastered."
    if value is None:
        return "Not mastered yet: there is no result yet."
    if value >= threshold - TOLERANCE:
        return "Not mastered yet: the result reaches the threshold, but more ratings are needed."
    return f"Not mastered yet: {_below(value, threshold)}."


def evaluate(
    *,
    method: str,
    scores: Sequence[float],
    observed: Sequence[date],
    params: Mapping[str, float] | None = None,
    threshold: float,
    minimum_evidence: int = 1,
    weights: Sequence[float] | None = None,
    labels: Mapping[float, str] | None = None,
) -> Evaluation:
    """Compute a mastery result and explain it: method, ratings with dates, arithmetic, verdict.

    scores and observed run oldest → newest. Only ratings with weight > 0 count
    as evidence; below minimum_evidence the value is still given (teachers may
    want it) but the result is not mastered and says "not enough evidence yet".
    """
    if len(observed) != len(scores):
        raise ValueError(f"got {len(observed)} dates for {len(scores)} scores")
    if not math.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold!r}")
    if minimum_evidence < 0:
        raise ValueError(f"minimum_evidence must be ≥ 0, got {minimum_evidence!r}")
    params = dict(params or {})
    if method == "n_mastery":
        # "n times at mastery" means at the policy's own mastery level unless told otherwise.
        params.setdefault("threshold", threshold)
    checked = validate_parameters(method, params)
    value = calculate(method, scores, weights=weights, **checked)
    all_weights = [1.0] * len(scores) if weights is None else [float(w) for w in weights]
    kept = [(float(s), w) for s, w in zip(scores, all_weights, strict=True) if w > 0]
    counted = _Counted(
        scores=[score for score, _ in kept],
        weights=[weight for _, weight in kept],
        params=checked,
        value=value,
    )
    sufficient = len(kept) >= minimum_evidence
    mastered = sufficient and value is not None and value >= threshold - TOLERANCE
    if len(scores) == 0:
        explanation = NO_RATINGS
    else:
        wording = _WORDING[method]
        listed = ", ".join(
            f"{_level(float(score), labels)} on {_day(day)}{_weight_note(weight)}"
            for score, day, weight in zip(scores, observed, all_weights, strict=True)
        )
        sentences = [
            f"Method: {wording.describe(checked)}.",
            f"Ratings, oldest first: {listed}.",
            wording.work(counted) if kept else "None of these ratings count yet.",
            f"Mastery needs {_level(threshold, labels)}.",
            _verdict(value, threshold, mastered),
        ]
        if not sufficient:
            shortfall = f"{len(kept)} of the {_ratings(minimum_evidence)} needed"
            sentences.insert(0, f"Not enough evidence yet: {shortfall}.")
        explanation = " ".join(sentences)
    return Evaluation(
        value=value,
        mastered=mastered,
        sufficient=sufficient,
        evidence_count=len(kept),
        explanation=explanation,
    )
