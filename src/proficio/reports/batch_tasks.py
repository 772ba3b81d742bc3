"""Background work of reports, run by the task worker that `proficio start` starts."""

from django_tasks import TaskContext, task

# The module, not its services: they queue this task, so either may load first.
from proficio.reports import batch


@task(takes_context=True)
def progress_reports_in_background(context: TaskContext, batch_id: int) -> dict[str, int]:
    """Write a queued batch of progress reports; nothing when another worker has it or it
    has ended."""
    claimed = batch.batch_claim(batch_id=batch_id, task_id=str(context.task_result.id))
    if claimed is None:
        return {}
    written = batch.batch_execute(batch=claimed)
    return {"done": written.done, "failed": written.failed, "total": written.total}
