"""A mastery result with the plain-language explanation a family can read (DESIGN.md §3, §7)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from proficio.engine.bkt import FittedFrom
from proficio.engine.display import format_chance, format_score
from proficio.engine.methods import (
    KNOWLEDGE_TRACING,
    calculate,
    decaying_steps,
    mastery_cut,
    mean,
    power_law_fit,
    right_answers,
    validate_parameters,
)
from proficio.engine.words import _, gettext_noop, ngettext

# Float arithmetic can land a hair under the threshold (2.9999999999 for 3); that still counts.
TOLERANCE = 1e-9


def _only_one() -> str:
    return _("There is only one rating, so the result is that rating.")


def _no_ratings() -> str:
    return _("No ratings yet.")


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
    # Knowledge tracing's parameters: fitted from the district's answers, or None for the
    # engine's defaults.
    fitted: FittedFrom | None


def _ratings(count: int) -> str:
    return ngettext("%(count)s rating", "%(count)s ratings", count) % {"count": count}


def _percent(share: float) -> str:
    return f"{format_score(share * 100)}%"


_MONTHS = (
    gettext_noop("Jan"),
    gettext_noop("Feb"),
    gettext_noop("Mar"),
    gettext_noop("Apr"),
    gettext_noop("May"),
    gettext_noop("Jun"),
    gettext_noop("Jul"),
    gettext_noop("Aug"),
    gettext_noop("Sep"),
    gettext_noop("Oct"),
    gettext_noop("Nov"),
    gettext_noop("Dec"),
)


def _month(day: date) -> str:
    """The month's short name in the reader's language (only that one translated: a bulk
    recompute words thousands of dates)."""
    return _(_MONTHS[day.month - 1])


def _day(day: date) -> str:
    return f"{day.day} {_month(day)} {day.year}"


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
    return _("The most recent rating is %(value)s.") % {"value": format_score(counted.value)}


def _work_highest(counted: _Counted) -> str:
    return _("The highest rating is %(value)s.") % {"value": format_score(counted.value)}


def _work_mean(counted: _Counted) -> str:
    if all(weight == 1 for weight in counted.weights):
        return _("The average is %(sum)s.") % {"sum": _sum_over_count(counted.scores)}
    terms = " + ".join(
        f"{format_score(weight)} × {format_score(score)}"
        for score, weight in zip(counted.scores, counted.weights, strict=True)
    )
    total = format_score(math.fsum(counted.weights))
    return _("The weighted average is (%(terms)s) ÷ %(total)s = %(value)s.") % {
        "terms": terms,
        "total": total,
        "value": format_score(counted.value),
    }


def _work_median_recent(counted: _Counted) -> str:
    recent = sorted(counted.scores[-int(counted.params["n"]) :])
    listed = ", ".join(format_score(score) for score in recent)
    opening = _("The last %(ratings)s from lowest to highest: %(listed)s") % {
        "ratings": _ratings(len(recent)),
        "listed": listed,
    }
    if len(recent) % 2:
        middle = _("the middle one is %(value)s") % {"value": format_score(counted.value)}
        return f"{opening}; {middle}."
    low, high = recent[len(recent) // 2 - 1 : len(recent) // 2 + 1]
    middle = f"({format_score(low)} + {format_score(high)}) ÷ 2 = {format_score(counted.value)}"
    return f"{opening}; " + _("the middle two average %(middle)s.") % {"middle": middle}


def _work_mode(counted: _Counted) -> str:
    times = sum(score == counted.value for score in counted.scores)
    tied = sorted({score for score in counted.scores if counted.scores.count(score) == times})
    share = _("%(times)s of %(count)s") % {"times": times, "count": len(counted.scores)}
    if len(tied) == 1:
        return _("%(value)s appears most often: %(share)s.") % {
            "value": format_score(counted.value),
            "share": share,
        }
    *others, last = (format_score(score) for score in tied)
    return _(
        "%(others)s and %(last)s appear equally often (%(share)s each); "
        "the tie goes to the higher, %(last)s."
    ) % {"others": ", ".join(others), "last": last, "share": share}


def _work_weighted_average(counted: _Counted) -> str:
    if len(counted.scores) == 1:
        return _only_one()
    weight = counted.params["weight"]
    *earlier, newest = counted.scores
    newest_part = f"{format_score(weight)} × {format_score(newest)}"
    earlier_part = f"{format_score(1 - weight)} × {format_score(mean(earlier))}"
    formula = f"{newest_part} + {earlier_part} = {format_score(counted.value)}"
    return _("The average of the earlier ratings is %(sum)s, so %(formula)s.") % {
        "sum": _sum_over_count(earlier),
        "formula": formula,
    }


def _work_decaying_average(counted: _Counted) -> str:
    rate = counted.params["rate"]
    steps = decaying_steps(counted.scores, rate)
    if len(steps) == 1:
        return _only_one()
    moves = [
        f"{format_score(1 - rate)} × {format_score(before)} + {format_score(rate)} × "
        f"{format_score(score)} = {format_score(after)}"
        for before, score, after in zip(steps[:-1], counted.scores[1:], steps[1:], strict=True)
    ]
    then = "; " + _("then") + " "
    return (
        _("Start at %(first)s") % {"first": format_score(steps[0])} + then + then.join(moves) + "."
    )


def _work_n_mastery(counted: _Counted) -> str:
    cut = format_score(counted.params["threshold"])
    at_or_above = [score for score in counted.scores if score >= counted.params["threshold"]]
    if counted.value is None:
        needed = int(counted.params["n"])
        return _("So far %(ratings)s at or above %(cut)s; %(needed)s needed.") % {
            "ratings": _ratings(len(at_or_above)),
            "cut": cut,
            "needed": needed,
        }
    return _("Ratings at or above %(cut)s: %(times)s of %(count)s; their average is %(sum)s.") % {
        "cut": cut,
        "times": len(at_or_above),
        "count": len(counted.scores),
        "sum": _sum_over_count(at_or_above),
    }


def _trend(slope: float) -> str:
    if abs(slope) <= TOLERANCE:
        return _("flat")
    return _("rising") if slope > 0 else _("falling")


def _work_power_law(counted: _Counted) -> str:
    if len(counted.scores) == 1:
        return _only_one()
    fit = power_law_fit(counted.scores)
    curve = f"{format_score(fit.a)} × k^{format_score(fit.b)}"
    if fit.shift:
        curve += f" − {format_score(fit.shift)}"
    return _(
        "The ratings follow a %(trend)s trend, the curve %(curve)s at rating number k; "
        "at the latest rating (k = %(count)s) it gives %(value)s."
    ) % {
        "trend": _trend(fit.b),
        "curve": curve,
        "count": len(counted.scores),
        "value": format_score(counted.value),
    }


def _work_knowledge_tracing(counted: _Counted) -> str:
    answers = right_answers(counted.scores, counted.params["right_at"])
    traced = ngettext(
        "After %(count)s right/wrong answer, %(right)s right, the chance the student has "
        "mastered this is %(chance)s.",
        "After %(count)s right/wrong answers, %(right)s right, the chance the student has "
        "mastered this is %(chance)s.",
        len(answers),
    ) % {"count": len(answers), "right": sum(answers), "chance": format_chance(counted.value)}
    return f"{traced} {_tracing_parameters(counted.params, counted.fitted)}"


def _tracing_parameters(params: Mapping[str, float], fitted: FittedFrom | None) -> str:
    """ "Guess 0.2, slip 0.1, learn 0.15, prior 0.4, fitted from 1240 answers …" """
    values = _("Guess %(guess)s, slip %(slip)s, learn %(learn)s, prior %(prior)s") % {
        name: format_score(params[name]) for name in ("guess", "slip", "learn", "prior")
    }
    if params["forget"]:
        values += ", " + _("forget %(forget)s") % {"forget": format_score(params["forget"])}
    if fitted is None:
        return _("%(values)s: typical values, not yet fitted from the district's answers.") % {
            "values": values
        }
    return ngettext(
        "%(values)s, fitted from %(answers)s answers by %(students)s student in the district "
        "on %(day)s.",
        "%(values)s, fitted from %(answers)s answers by %(students)s students in the district "
        "on %(day)s.",
        fitted.students,
    ) % {
        "values": values,
        "answers": f"{fitted.answers:,}",
        "students": f"{fitted.students:,}",
        "day": _day(fitted.on),
    }


@dataclass(frozen=True)
class _Wording:
    describe: Callable[[Mapping[str, float], Mapping[float, str] | None], str]
    work: Callable[[_Counted], str]


_WORDING: dict[str, _Wording] = {
    "latest": _Wording(lambda params, labels: _("Most recent rating"), _work_latest),
    "highest": _Wording(lambda params, labels: _("Highest rating"), _work_highest),
    "mean": _Wording(lambda params, labels: _("Average of all ratings"), _work_mean),
    "median_recent": _Wording(
        lambda params, labels: (
            _("Middle value of the last %(ratings)s") % {"ratings": _ratings(int(params["n"]))}
        ),
        _work_median_recent,
    ),
    "mode": _Wording(
        lambda params, labels: _("Most frequent rating (a tie goes to the higher rating)"),
        _work_mode,
    ),
    "weighted_average": _Wording(
        lambda params, labels: (
            _(
                "Weighted average (the most recent rating counts %(newest)s, "
                "the average of the earlier ones %(earlier)s)"
            )
            % {"newest": _percent(params["weight"]), "earlier": _percent(1 - params["weight"])}
        ),
        _work_weighted_average,
    ),
    "decaying_average": _Wording(
        lambda params, labels: (
            _("Decaying average (each new rating counts %(share)s)")
            % {"share": _percent(params["rate"])}
        ),
        _work_decaying_average,
    ),
    "n_mastery": _Wording(
        lambda params, labels: (
            _("Average of the ratings at or above %(cut)s, once there are %(n)s of them")
            % {"cut": format_score(params["threshold"]), "n": int(params["n"])}
        ),
        _work_n_mastery,
    ),
    "power_law": _Wording(
        lambda params, labels: _(
            "Learning trend (a power-law curve through all ratings, read at the latest)"
        ),
        _work_power_law,
    ),
    KNOWLEDGE_TRACING: _Wording(
        lambda params, labels: (
            _(
                "Knowledge tracing (a rating at %(level)s or above, the scale's mastery level, "
                "counts as a right answer)"
            )
            % {"level": _level(params["right_at"], labels)}
        ),
        _work_knowledge_tracing,
    ),
}


def _weight_note(weight: float) -> str:
    if weight == 1:
        return ""
    if weight == 0:
        return " " + _("(not counted)")
    return " " + _("(weight %(weight)s)") % {"weight": format_score(weight)}


def _below(
    value: float, threshold: float, shown: Callable[[float, int], str] = format_score
) -> str:
    # Add decimals until a value just under the threshold no longer reads as equal to it.
    places = 0 if shown is format_chance else 2
    while shown(value, places) == shown(threshold, places):
        places += 1
    return _("%(value)s is below %(threshold)s") % {
        "value": shown(value, places),
        "threshold": shown(threshold, places),
    }


def _verdict(method: str, value: float | None, cut: float, mastered: bool) -> str:
    if mastered:
        return _("Mastered.")
    if value is None:
        return _("Not mastered yet: there is no result yet.")
    if value >= cut - TOLERANCE:
        return _("Not mastered yet: the result reaches the threshold, but more ratings are needed.")
    shown = format_chance if method == KNOWLEDGE_TRACING else format_score
    return _("Not mastered yet: %(why)s.") % {"why": _below(value, cut, shown)}


def _needs(method: str, threshold: float, labels: Mapping[float, str] | None) -> str:
    if method == KNOWLEDGE_TRACING:
        return _("Mastery needs a %(chance)s chance.") % {
            "chance": format_chance(mastery_cut(method, threshold))
        }
    return _("Mastery needs %(level)s.") % {"level": _level(threshold, labels)}


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
    fitted: FittedFrom | None = None,
) -> Evaluation:
    """Compute a mastery result and explain it: method, ratings with dates, arithmetic, verdict.

    scores and observed run oldest → newest. Only ratings with weight > 0 count
    as evidence; below minimum_evidence the value is still given (teachers may
    want it) but the result is not mastered and says "not enough evidence yet".
    The value must reach `methods.mastery_cut`: the threshold, or for knowledge tracing a
    95% chance of mastery; `fitted` says where knowledge tracing's parameters (in params)
    came from, None for the engine's defaults.
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
        fitted=fitted,
    )
    sufficient = len(kept) >= minimum_evidence
    cut = mastery_cut(method, threshold)
    mastered = sufficient and value is not None and value >= cut - TOLERANCE
    if len(scores) == 0:
        explanation = _no_ratings()
    else:
        wording = _WORDING[method]
        listed = ", ".join(
            _("%(level)s on %(day)s") % {"level": _level(float(score), labels), "day": _day(day)}
            + _weight_note(weight)
            for score, day, weight in zip(scores, observed, all_weights, strict=True)
        )
        sentences = [
            _("Method: %(method)s.") % {"method": wording.describe(checked, labels)},
            _("Ratings, oldest first: %(listed)s.") % {"listed": listed},
            wording.work(counted) if kept else _("None of these ratings count yet."),
            _needs(method, threshold, labels),
            _verdict(method, value, cut, mastered),
        ]
        if not sufficient:
            shortfall = _("%(kept)s of the %(needed)s needed") % {
                "kept": len(kept),
                "needed": _ratings(minimum_evidence),
            }
            sentences.insert(
                0, _("Not enough evidence yet: %(shortfall)s.") % {"shortfall": shortfall}
            )
        explanation = " ".join(sentences)
    return Evaluation(
        value=value,
        mastered=mastered,
        sufficient=sufficient,
        evidence_count=len(kept),
        explanation=explanation,
    )
