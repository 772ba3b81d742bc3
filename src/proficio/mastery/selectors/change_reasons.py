"""Why a policy change would change one stage's result, in words an admin can check:
"now needs 3 ratings, has 2", "mean 2.4 is below 3"."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proficio.engine import format_chance, format_score
from proficio.mastery.models import Method

# Float arithmetic can land a hair under a level (2.9999999 for 3); that still reaches it.
TOLERANCE = 1e-9

# What each method's result is called in a sentence: "<result> 2.4 is below 3".
RESULT_NAMES = {
    Method.LATEST: gettext_lazy("latest rating"),
    Method.HIGHEST: gettext_lazy("highest rating"),
    Method.MEAN: gettext_lazy("mean"),
    Method.MEDIAN_RECENT: gettext_lazy("median of recent ratings"),
    Method.MODE: gettext_lazy("most frequent rating"),
    Method.WEIGHTED_AVERAGE: gettext_lazy("weighted average"),
    Method.DECAYING_AVERAGE: gettext_lazy("decaying average"),
    Method.N_MASTERY: gettext_lazy("average of the ratings at mastery"),
    Method.POWER_LAW: gettext_lazy("power-law result"),
    Method.KNOWLEDGE_TRACING: gettext_lazy("chance of mastery"),
}


def _shown(method: object, value: float) -> str:
    """A result or what it must reach as the method reads: a level, or a chance."""
    return format_chance(value) if method == Method.KNOWLEDGE_TRACING else format_score(value)


def change_reason(change: Mapping[str, object]) -> str:
    """The reasons one stage's result changes (a `preview.StageChange` as JSON), or "" for a
    preview worked out before reasons were kept."""
    if "after_count" not in change:
        return ""
    if change["was_mastered"] and not change["now_mastered"]:
        reason = _lost(change)
    elif change["now_mastered"] and not change["was_mastered"]:
        reason = _gained(change)
    elif change["after_count"] != change["before_count"]:
        reason = _("counts %(after)s ratings instead of %(before)s") % {
            "after": change["after_count"],
            "before": change["before_count"],
        }
    else:
        reason = ""
    result = str(RESULT_NAMES[change["after_method"]])
    if change["after_method"] != change["before_method"] and result not in reason:
        method = _("the result is now the %(result)s") % {"result": result}
        reason = f"{method}; {reason}" if reason else method
    return reason


def _lost(change: Mapping[str, object]) -> str:
    if change["was_implied"]:
        # Mastered only through a higher stage: that stage or the rule has gone.
        return _("no longer counted as mastered through a higher stage")
    count, minimum = change["after_count"], change["after_minimum"]
    if count < minimum:
        needs = (
            _("now needs %(minimum)s ratings, has %(count)s")
            if minimum != change["before_minimum"]
            else _("needs %(minimum)s ratings, has %(count)s")
        )
        return needs % {"minimum": minimum, "count": count}
    after, threshold = change["after"], change["after_threshold"]
    if after is None:
        return _("no rating of it counts any more")
    if after < threshold - TOLERANCE:
        return _("%(result)s %(value)s is below %(threshold)s") % {
            "result": RESULT_NAMES[change["after_method"]],
            "value": _shown(change["after_method"], after),
            "threshold": _shown(change["after_method"], threshold),
        }
    return ""


def _gained(change: Mapping[str, object]) -> str:
    if change["now_implied"]:
        return _("a higher stage is mastered")
    return _("%(result)s %(value)s reaches %(threshold)s with %(count)s ratings") % {
        "result": RESULT_NAMES[change["after_method"]],
        "value": _shown(change["after_method"], change["after"]),
        "threshold": _shown(change["after_method"], change["after_threshold"]),
        "count": change["after_count"],
    }
