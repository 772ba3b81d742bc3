"""Reading a statement's result as met or not met: the score against the mastery score (the
statement's own cmi5 masteryScore first), else success, else completion. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CMI5_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"


@dataclass(frozen=True)
class Reading:
    """Whether the result meets the mastery score, and how to say what the student did."""

    met: bool
    said: str


def _fraction(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _scaled(score: dict) -> Decimal | None:
    scaled = _fraction(score.get("scaled"))
    if scaled is not None:
        return scaled
    raw, low, high = (_fraction(score.get(key)) for key in ("raw", "min", "max"))
    if raw is not None and low is not None and high is not None and high > low:
        return (raw - low) / (high - low)
    return None


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal(1))}%"


def mastery_score_of(statement: dict, default: Decimal) -> tuple[Decimal, bool]:
    """The mastery score to read the result against, and whether the statement set it."""
    extensions = statement.get("context", {}).get("extensions", {})
    given = _fraction(extensions.get(CMI5_MASTERY_SCORE))
    if given is not None and Decimal(0) <= given <= Decimal(1):
        return given, True
    return default, False


def reading_of(statement: dict, default_mastery: Decimal) -> Reading | None:
    """How the statement's result reads, or None when it has nothing to rate."""
    result = statement.get("result", {})
    score = result.get("score")
    scaled = _scaled(score) if isinstance(score, dict) else None
    if scaled is not None:
        mastery, from_cmi5 = mastery_score_of(statement, default_mastery)
        whose = "the course's mastery score" if from_cmi5 else "the mastery score"
        return Reading(
            met=scaled >= mastery,
            said=f"scored {_percent(scaled)} ({whose} is {_percent(mastery)})",
        )
    if isinstance(result.get("success"), bool):
        return Reading(
            met=result["success"], said="succeeded" if result["success"] else "did not succeed"
        )
    if isinstance(result.get("completion"), bool):
        done = result["completion"]
        return Reading(met=done, said="completed it" if done else "did not complete it")
    return None
