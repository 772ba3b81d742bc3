"""Background work of mastery, run by the task worker that `proficio start` starts."""

from django_tasks import TaskContext, task

# The module, not its services: they queue these tasks, so either may load first.
from proficio.mastery.services import previews, runs, tracing_fits
from proficio.people.api import districts_for_operator


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


@task()
def tracing_fit_in_background(district_id: int) -> dict[str, int]:
    """Fit knowledge tracing's parameters for the district's competencies (`proficio fit-bkt`)
    and queue the recomputes of the policies that use them."""
    district = districts_for_operator().get(pk=district_id)
    summary = tracing_fits.tracing_fit_district(district=district)
    return {
        "competencies": len(summary.fitted),
        "answers": sum(fit.answers for fit in summary.fitted),
        "recomputes": summary.recomputes,
    }
