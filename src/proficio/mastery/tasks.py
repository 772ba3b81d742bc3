"""Background work of mastery, run by the task worker that `proficio start` starts."""

from django_tasks import task

from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy
from proficio.mastery.recompute import recompute
from proficio.mastery.services.runs import (
    recompute_run_fail,
    recompute_run_finish,
    recompute_run_start,
)


@task()
def recompute_policy_scope(policy_id: int) -> dict[str, int]:
    """Recompute everything a policy governs, reporting on its newest RecomputeRun."""
    policy = MasteryPolicy.objects.get(pk=policy_id)
    run = recompute_run_start(policy=policy)
    try:
        result = recompute(scope=Scope.governed_by(policy))
    except Exception as failure:
        recompute_run_fail(run=run, failure=failure)
        raise
    recompute_run_finish(run=run, result=result)
    return {
        "students": result.students,
        "evidence_rows": result.evidence_rows,
        "records_written": result.records_written,
        "history_rows": result.history_rows,
    }
