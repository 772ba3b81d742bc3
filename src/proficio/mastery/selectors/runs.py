"""The recomputes a policy change starts, as the policy page follows them."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus

from proficio.lib.tasks import task_standing
from proficio.lib.visibility import visible_get
from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState
from proficio.mastery.permissions import recompute_runs_visible_q
from proficio.people.api import Person


def lease() -> timedelta:
    """How long a run may go unheard before its worker is taken for dead, or wait for a worker
    before the page says none has picked it up (PROFICIO_RECOMPUTE_LEASE_SECONDS)."""
    return timedelta(seconds=settings.PROFICIO_RECOMPUTE_LEASE_SECONDS)


def recompute_runs(
    *, user: Person, policy: MasteryPolicy | None = None, limit: int = 5
) -> list[RecomputeRun]:
    """The latest recomputes of policies this user may set (or of one policy), newest first."""
    runs = _runs_visible_to(user).select_related("policy", "requested_by")
    if policy is not None:
        runs = runs.filter(policy=policy)
    return [_noting_a_missing_worker(run) for run in runs[:limit]]


def recompute_run_get(*, user: Person, run_id: str) -> RecomputeRun:
    run = visible_get(_runs_visible_to(user).select_related("policy"), run_id, "recompute")
    return _noting_a_missing_worker(run)


def _noting_a_missing_worker(run: RecomputeRun) -> RecomputeRun:
    """The run with `no_worker`: queued, its task due for longer than the lease and still
    waiting, so no worker is taking tasks (none started, or all busy)."""
    standing = task_standing(task_id=run.task_id) if run.state == RecomputeState.QUEUED else None
    run.no_worker = (
        standing is not None
        and standing.status == TaskResultStatus.READY
        and standing.since <= timezone.now() - lease()
    )
    return run


def _runs_visible_to(user: Person) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(recompute_runs_visible_q(user)).order_by(
        "-enqueued_at", "-pk"
    )
