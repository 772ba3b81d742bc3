"""A competency with parts (a domain) mastered from its parts under a policy (ADR 0035).

Stage by stage: the parent's stage with ordinal k rolls up the parts' stages with ordinal k
by the policy's rule (engine.rules: all, points, mean); a part whose trajectory has no such
stage takes no part in it. Both the per-student path (`compute.competency_mastery`) and the
bulk path (`bulk.computing`, `bulk.explaining`) reach the engine through `rolled_up`, so they
word and decide a stage alike.
"""

from collections.abc import Sequence

from proficio.engine import ChildResult, Rollup, format_score, rollup
from proficio.engine.explain import TOLERANCE
from proficio.mastery.models import MasteryPolicy


def rolls_up(policy: MasteryPolicy) -> bool:
    """Whether the policy masters a competency with parts from them (ignored for others)."""
    return bool(policy.rollup)


def part_terms(policy: MasteryPolicy, code: str) -> tuple[float, bool]:
    """A part's points and whether it is required under the policy: one point, not
    required, unless the policy says otherwise."""
    terms = policy.rollup_parts.get(code) or {}
    return float(terms.get("points", 1)), bool(terms.get("required", False))


def part_result(
    policy: MasteryPolicy, *, code: str, value: float | None, mastered: bool
) -> ChildResult:
    points, required = part_terms(policy, code)
    return ChildResult(name=code, value=value, mastered=mastered, points=points, required=required)


def rolled_up(policy: MasteryPolicy, parts: Sequence[ChildResult]) -> Rollup:
    """One parent stage from its parts' results under the policy's rule.

    Under `points`, a stage whose parts are worth fewer points than the base cannot be
    mastered: not enough to decide, said in words, instead of the engine's error.
    """
    if policy.rollup == "points":
        base = float(policy.rollup_base or 0)
        total = sum(part.points for part in parts)
        if total < base - TOLERANCE:
            earned = sum(part.points for part in parts if part.mastered)
            return Rollup(
                value=earned,
                mastered=False,
                sufficient=False,
                explanation=(
                    f"Not enough to decide: the parts at this stage are worth "
                    f"{format_score(total)} points, fewer than the {format_score(base)} "
                    "the policy needs. Not mastered yet."
                ),
            )
        return rollup("points", parts, base=base)
    if policy.rollup == "mean":
        return rollup("mean", parts, threshold=float(policy.threshold))
    return rollup("all", parts)
