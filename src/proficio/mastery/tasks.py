"""Background work of mastery, run by the task worker that `proficio start` starts."""

from django.utils import timezone
from django_tasks import task

from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState
from proficio.mastery.recompute import Scope, recompute


@task()
def recompute_policy_scope(policy_id: int) -> dict[str, int]:
    """Recompute everything a policy governs, reporting on its newest RecomputeRun."""
    policy = MasteryPolicy.objects.get(pk=policy_id)
    newest = RecomputeRun.objects.filter(policy=policy).order_by("-enqueued_at", "-pk")
    runs = list(newest.values_list("pk", flat=True)[:1])
    RecomputeRun.objects.filter(pk__in=runs).update(
        state=RecomputeState.RUNNING, started_at=timezone.now()
    )
    try:
        result = recompute(scope=Scope.governed_by(policy))
    except Exception as failure:
        RecomputeRun.objects.filter(pk__in=runs).update(
            state=RecomputeState.FAILED, finished_at=timezone.now(), message=str(failure)
        )
        raise
    RecomputeRun.objects.filter(pk__in=runs).update(
        state=RecomputeState.DONE,
        finished_at=timezone.now(),
        evidence_rows=result.evidence_rows,
        records_changed=result.records_written,
    )
    return {
        "students": result.students,
        "evidence_rows": result.evidence_rows,
        "records_written": result.records_written,
        "history_rows": result.history_rows,
    }
