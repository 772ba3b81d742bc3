"""The recomputes a policy change starts, as the policy page follows them."""

from django.db.models import QuerySet

from proficio.lib.visibility import visible_get
from proficio.mastery.models import MasteryPolicy, RecomputeRun
from proficio.mastery.permissions import recompute_runs_visible_q
from proficio.people.api import Person


def recompute_runs(
    *, user: Person, policy: MasteryPolicy | None = None, limit: int = 5
) -> list[RecomputeRun]:
    """The latest recomputes of policies this user may set (or of one policy), newest first."""
    runs = _runs_visible_to(user).select_related("policy", "requested_by")
    if policy is not None:
        runs = runs.filter(policy=policy)
    return list(runs[:limit])


def recompute_run_get(*, user: Person, run_id: str) -> RecomputeRun:
    return visible_get(_runs_visible_to(user).select_related("policy"), run_id, "recompute")


def _runs_visible_to(user: Person) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(recompute_runs_visible_q(user)).order_by(
        "-enqueued_at", "-pk"
    )
