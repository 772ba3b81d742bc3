"""Numbers as people see them: rounded half-up, never half-to-even like Python's round."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from proficio.engine.methods import KNOWLEDGE_TRACING
from proficio.engine.words import _

NO_VALUE = "—"


def round_half_up(value: float, places: int = 2) -> Decimal:
    """value rounded half away from zero: 2.675 → 2.68, 0.125 → 0.13.

    Going through str() rounds the float's shortest repr, so 2.675 (stored as
    2.67499999…) rounds the way a person reading "2.675" expects.
    """
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# An explanation formats every rating, step and threshold it names: ratings and thresholds
# repeat across a district (the bulk recompute explains every record it writes), and the
# Decimal rounding costs more than a lookup. typed: 2.675 and a Decimal equal to its binary
# value are equal keys but read differently.
@lru_cache(maxsize=1 << 16, typed=True)
def format_score(value: float | None, places: int = 2) -> str:
    """A score for display: "2.65", "2.5", "3"; "—" when there is no value."""
    if value is None:
        return NO_VALUE
    rounded = round_half_up(value, places)
    if rounded.is_zero():
        rounded = abs(rounded)  # -0.001 would otherwise read "-0"
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_chance(p: float, places: int = 0) -> str:
    """A probability as a percentage: 0.874 → "87%"; short of certain never reads "100%"
    (0.9996 → "99.96%")."""
    percent = format_score(p * 100, places)
    while percent == "100" and p < 1 and places < 6:
        places += 1
        percent = format_score(p * 100, places)
    return f"{percent}%"


def format_result(method: str, value: float | None) -> str:
    """A method's value as pages show it: a level such as "2.65", or knowledge tracing's
    P(mastered) as "87% likely mastered"; "—" when there is no value."""
    if method == KNOWLEDGE_TRACING and value is not None:
        return _("%(chance)s likely mastered") % {"chance": format_chance(value)}
    return format_score(value)
