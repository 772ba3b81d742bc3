"""The task queue as Proficio's background work uses it beyond enqueueing: whether a task can
wait for a later time, where a task's row stands, and the row of a task whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and finished when the task
returns or raises; a worker killed in between (`kill -9`, the system out of memory) leaves
the row RUNNING for good, and no worker runs it again. The work that task did knows it died
(a lease that ran out, ADR 0018) and says so here, so the row reads as what happened.
"""

from datetime import datetime
from typing import NamedTuple

from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


class WorkerDied(Exception):
    """The worker running a task ended before the task did (the failed row names this)."""


def can_defer() -> bool:
    """Whether the default task backend runs a task at a later time (`run_after`)."""
    return task_backends["default"].supports_defer


class TaskStanding(NamedTuple):
    """Where a task's row stands: READY (waiting for a worker, due since `since`), RUNNING (a
    worker claimed it at `since`), finished (ended at `since`); status None: no row."""

    status: TaskResultStatus | None
    since: datetime | None


def task_standing(*, task_id: str) -> TaskStanding | None:
    """The task's row as the queue keeps it; None when the task backend keeps no rows (it runs
    tasks at once, or somewhere this process cannot see), so there is nothing to tell."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    row = DBTaskResult.objects.filter(id=task_id).first() if task_id else None
    if row is None:
        return TaskStanding(status=None, since=None)
    if row.status == TaskResultStatus.READY:
        # run_after is the latest date there is for a task due as soon as it is queued
        if row.run_after == get_date_max():
            return TaskStanding(row.status, row.enqueued_at)
        return TaskStanding(row.status, max(row.run_after, row.enqueued_at))
    if row.status == TaskResultStatus.RUNNING:
        return TaskStanding(row.status, row.started_at)
    return TaskStanding(row.status, row.finished_at)


def task_abandoned(*, task_id: str, reason: str) -> None:
    """The task row a dead worker left running, failed with the reason; nothing when the task
    backend keeps no rows or the row has finished."""
    if not task_id or not isinstance(task_backends["default"], DatabaseBackend):
        return
    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=reason,
    )
