"""Rolling a parent competency up from its children (DESIGN.md §3): all, points, mean.

Each rule takes the children's results as ChildResult values and returns a
Rollup: the value, the verdict, whether there is enough to decide, and the
arithmetic in words a family can read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from proficio.engine.display import format_score
from proficio.engine.explain import TOLERANCE, _below, _sum_over_count
from proficio.engine.methods import mean
from proficio.engine.words import _, gettext_noop, ngettext


@dataclass(frozen=True)
class ChildResult:
    """One child's result as the parent sees it.

    name is how the child reads in the explanation (its code or title). value is
    None while the child has no result. points and required matter only to the
    points rule.
    """

    name: str
    value: float | None
    mastered: bool
    points: float = 1.0
    required: bool = False

    def __post_init__(self) -> None:
        # Levels arrive as Decimal from the database; the engine works in floats.
        if self.value is not None:
            object.__setattr__(self, "value", _number(f"value of {self.name!r}", self.value))
        points = _number(f"points of {self.name!r}", self.points)
        if points < 0:
            raise ValueError(f"points of {self.name!r} must be ≥ 0, got {self.points!r}")
        object.__setattr__(self, "points", points)


@dataclass(frozen=True)
class Rollup:
    """A parent's result: value, verdict, whether there was enough to decide, and why."""

    value: float | None
    mastered: bool
    sufficient: bool
    explanation: str


MASTERED = gettext_noop("Mastered.")
NO_PARTS = gettext_noop("Not enough evidence yet: there are no parts to roll up.")


def _not_yet(why: str) -> str:
    return _("Not mastered yet: %(why)s") % {"why": why}


def _number(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _listed(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _parts(amount: float) -> str:
    return ngettext("%(n)s part", "%(n)s parts", int(amount)) % {"n": format_score(amount)}


def _points(amount: float) -> str:
    count = 1 if amount == 1 else 2  # 1.5 points are plural, as 0 are
    return ngettext("%(n)s point", "%(n)s points", count) % {"n": format_score(amount)}


def _more_points(amount: float) -> str:
    count = 1 if amount == 1 else 2
    return ngettext("%(n)s more point", "%(n)s more points", count) % {"n": format_score(amount)}


def _progress(mastered: Sequence[str], working_on: Sequence[str]) -> str:
    sentences = []
    if mastered:
        sentences.append(_("Already mastered: %(names)s.") % {"names": _listed(mastered)})
    if working_on:
        sentences.append(_("Still working on: %(names)s.") % {"names": _listed(working_on)})
    return " ".join(sentences)


def rollup_all(children: Sequence[ChildResult]) -> Rollup:
    """Mastered when every child is mastered.

    The value is the share of children mastered, 0 to 1 (2 of 3 → 0.67).
    With no children there is nothing to decide: value None, not mastered,
    not sufficient.
    """
    children = list(children)
    rule = _("Rule: every part must be mastered.")
    if not children:
        explanation = f"{_(NO_PARTS)} {rule} " + _("Not mastered yet.")
        return Rollup(value=None, mastered=False, sufficient=False, explanation=explanation)
    done = [child.name for child in children if child.mastered]
    to_go = [child.name for child in children if not child.mastered]
    mastered = not to_go
    verdict = (
        _(MASTERED)
        if mastered
        else _not_yet(_("still needs %(names)s.") % {"names": _listed(to_go)})
    )
    count = _("%(done)s of %(parts)s mastered.") % {
        "done": len(done),
        "parts": _parts(len(children)),
    }
    return Rollup(
        value=len(done) / len(children),
        mastered=mastered,
        sufficient=True,
        explanation=" ".join([rule, _progress(done, to_go), count, verdict]),
    )


def _worth(child: ChildResult) -> str:
    if child.required:
        return _("%(name)s (%(points)s, required)") % {
            "name": child.name,
            "points": _points(child.points),
        }
    return f"{child.name} ({_points(child.points)})"


def rollup_points(children: Sequence[ChildResult], base: float) -> Rollup:
    """Mastered when every required child is mastered and mastered children's points reach base.

    The value is the points earned (the sum over mastered children). base must
    be > 0 and at most the children's total points, so mastery is reachable;
    otherwise ValueError. An unmastered child simply earns nothing, so the
    result is always sufficient.
    """
    children = list(children)
    total = math.fsum(child.points for child in children)
    needed = _number("base", base)
    if not 0 < needed <= total + TOLERANCE:
        raise ValueError(
            f"base must be a number > 0 and ≤ the total points ({format_score(total)}), "
            f"got {base!r}"
        )
    earned_from = [child for child in children if child.mastered]
    earned = math.fsum(child.points for child in earned_from)
    missing_required = [child.name for child in children if child.required and not child.mastered]
    shortfall = needed - earned
    mastered = not missing_required and shortfall <= TOLERANCE

    points_rule = _("%(points)s from mastered parts") % {"points": _points(needed)}
    if any(child.required for child in children):
        rule = _("Rule: mastery needs every required part mastered and %(rule)s.") % {
            "rule": points_rule
        }
    else:
        rule = _("Rule: mastery needs %(rule)s.") % {"rule": points_rule}
    progress = _progress(
        [_worth(child) for child in earned_from],
        [_worth(child) for child in children if not child.mastered],
    )
    sum_of = " + ".join(format_score(child.points) for child in earned_from)
    arithmetic = (
        f"{sum_of} = {format_score(earned)}" if len(earned_from) > 1 else format_score(earned)
    )
    points = _("Points: %(arithmetic)s of the %(needed)s needed.") % {
        "arithmetic": arithmetic,
        "needed": format_score(needed),
    }
    if mastered:
        verdict = _(MASTERED)
    else:
        still = []
        if missing_required:
            required = ngettext(
                "required part %(names)s", "required parts %(names)s", len(missing_required)
            )
            still.append(required % {"names": _listed(missing_required)})
        if shortfall > TOLERANCE:
            still.append(_more_points(shortfall))
        verdict = _not_yet(_("still needs %(names)s.") % {"names": _listed(still)})
    return Rollup(
        value=earned,
        mastered=mastered,
        sufficient=True,
        explanation=" ".join(part for part in [rule, progress, points, verdict] if part),
    )


def rollup_mean(children: Sequence[ChildResult], threshold: float) -> Rollup:
    """Mastered when the mean of the children's values reaches threshold and every child has one.

    The value is the mean of the values present (None when no child has one).
    A child without a value makes the result "not enough evidence yet": the
    average is still shown, but the parent is not mastered until every child
    has a result. Mastered flags, points and required do not count here.
    """
    cut = _number("threshold", threshold)
    children = list(children)
    values = [child.value for child in children if child.value is not None]
    waiting = [child.name for child in children if child.value is None]
    value = mean(values)
    sufficient = bool(children) and not waiting
    mastered = sufficient and value is not None and value >= cut - TOLERANCE

    sentences = [
        _("Rule: the average of the parts' results must reach %(cut)s.")
        % {"cut": format_score(cut)}
    ]
    if not children:
        sentences.insert(0, _(NO_PARTS))
    elif waiting:
        have = _("%(have)s of %(parts)s have a result") % {
            "have": len(values),
            "parts": _parts(len(children)),
        }
        sentences.insert(
            0,
            _("Not enough evidence yet: %(have)s; waiting on %(names)s.")
            % {"have": have, "names": _listed(waiting)},
        )
    if children:
        results = "; ".join(
            f"{child.name}: "
            + (_("no result yet") if child.value is None else format_score(child.value))
            for child in children
        )
        sentences.append(_("Results: %(results)s.") % {"results": results})
    if values:
        sentences.append(_("Average: %(sum)s.") % {"sum": _sum_over_count(values)})
    if mastered:
        sentences.append(_(MASTERED))
    elif value is None:
        sentences.append(_not_yet(_("no part has a result yet.")))
    elif value >= cut - TOLERANCE:
        sentences.append(
            _not_yet(
                _("the average reaches %(cut)s, but every part needs a result first.")
                % {"cut": format_score(cut)}
            )
        )
    else:
        sentences.append(_not_yet(_below(value, cut) + "."))
    return Rollup(
        value=value, mastered=mastered, sufficient=sufficient, explanation=" ".join(sentences)
    )


RULES: dict[str, Callable[..., Rollup]] = {
    "all": rollup_all,
    "points": rollup_points,
    "mean": rollup_mean,
}

RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "all": (),
    "points": ("base",),
    "mean": ("threshold",),
}


def rollup(rule_name: str, children: Sequence[ChildResult], **params: float) -> Rollup:
    """Roll up by rule name; ValueError on an unknown rule or a missing or unknown parameter."""
    if rule_name not in RULES:
        raise ValueError(f"unknown rule {rule_name!r}; known rules: {', '.join(RULES)}")
    takes = RULE_PARAMETERS[rule_name]
    unknown = sorted(set(params) - set(takes))
    if unknown:
        allowed = ", ".join(takes) or "no parameters"
        raise ValueError(f"{rule_name} does not take {', '.join(unknown)}; it takes {allowed}")
    missing = [name for name in takes if name not in params]
    if missing:
        raise ValueError(f"{rule_name} needs {', '.join(missing)}")
    return RULES[rule_name](children, **params)
