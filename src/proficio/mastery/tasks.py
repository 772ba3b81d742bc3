"""Background work of mastery, run by the task worker that `proficio start` starts."""

from django_tasks import TaskContext, task

# The module, not its services: they queue these tasks, so either may load first.
from proficio.mastery.services import previews, runs


@task(takes_context=True)
def recompute_in_background(context: TaskContext, run_id: int) -> dict[str, int]:
    """Recompute what a RecomputeRun covers, as its next attempt; nothing when another worker
    has the run or it has ended."""
    run = runs.recompute_run_claim(run_id=run_id, task_id=context.task_result.id)
    if run is None:
        return {}
    result = runs.recompute_run_execute(run=run)
    return {
        "students": result.students,
        "evidence_rows": result.evidence_rows,
        "records_written": result.records_written,
        "history_rows": result.history_rows,
    }


@task()
def recompute_watchdog(run_id: int) -> None:
    """Queued for when a run's lease would run out: recovers runs whose attempt ended without
    them (a dead worker, a lost task), and looks again later while this run is unfinished
    (ADR 0018)."""
    runs.recompute_run_watch(run_id=run_id)


@task()
def policy_preview_in_background(preview_id: int) -> None:
    """Work out a policy preview too large for the request; not retried (the admin asks
    again when the page says it stopped)."""
    previews.policy_preview_execute(preview_id=preview_id)
