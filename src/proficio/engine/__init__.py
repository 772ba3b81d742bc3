"""Proficio's mastery engine: pure functions that turn ratings into mastery (DESIGN.md §3).

No Django here; call it from apps, the bulk recompute, or a notebook with plain values.
"""

from proficio.engine.display import format_chance, format_result, format_score, round_half_up
from proficio.engine.explain import Evaluation, evaluate
from proficio.engine.methods import (
    METHOD_PARAMETERS,
    METHODS,
    POLICY_PARAMETERS,
    ParamSpec,
    PowerLawFit,
    calculate,
    decaying_average,
    decaying_steps,
    highest,
    latest,
    mean,
    median_recent,
    mode,
    n_mastery,
    power_law,
    power_law_fit,
    validate_parameters,
    weighted_average,
)
from proficio.engine.rules import (
    RULE_PARAMETERS,
    RULES,
    ChildResult,
    Rollup,
    rollup,
    rollup_all,
    rollup_mean,
    rollup_points,
)

__all__ = [
    "METHODS",
    "METHOD_PARAMETERS",
    "POLICY_PARAMETERS",
    "RULES",
    "RULE_PARAMETERS",
    "ChildResult",
    "Evaluation",
    "ParamSpec",
    "PowerLawFit",
    "Rollup",
    "calculate",
    "decaying_average",
    "decaying_steps",
    "evaluate",
    "format_chance",
    "format_result",
    "format_score",
    "highest",
    "latest",
    "mean",
    "median_recent",
    "mode",
    "n_mastery",
    "power_law",
    "power_law_fit",
    "rollup",
    "rollup_all",
    "rollup_mean",
    "rollup_points",
    "round_half_up",
    "validate_parameters",
    "weighted_average",
]
