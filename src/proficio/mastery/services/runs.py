"""A recompute run's state, one step at a time: queued when a policy change asks for it,
running when the worker takes it up, then done or failed. The policy page polls the run,
whichever task backend runs the work."""

from datetime import datetime, time

from django.utils import timezone

from proficio.audit import api as audit
from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState
from proficio.mastery.recompute import RecomputeResult
from proficio.people.api import Person


def recompute_run_queue(*, policy: MasteryPolicy, actor: Person) -> RecomputeRun:
    """The queued run of the recompute a policy change asks for; a policy that takes effect
    later waits for its day (`run_after`)."""
    starts = None
    if policy.effective_from > timezone.localdate():
        starts = timezone.make_aware(datetime.combine(policy.effective_from, time.min))
    return RecomputeRun.objects.create(
        district_id=policy.district_id,
        policy=policy,
        requested_by=actor,
        enqueued_at=timezone.now(),
        run_after=starts,
    )


def recompute_run_start(*, policy: MasteryPolicy) -> RecomputeRun | None:
    """The policy's newest run, now running; None when the policy has no run to report on."""
    run = RecomputeRun.objects.filter(policy=policy).order_by("-enqueued_at", "-pk").first()
    if run is not None:
        _update(run, state=RecomputeState.RUNNING, started_at=timezone.now())
    return run


def recompute_run_finish(*, run: RecomputeRun | None, result: RecomputeResult) -> None:
    """The run done, with how many ratings it read and records it changed."""
    if run is not None:
        _update(
            run,
            state=RecomputeState.DONE,
            finished_at=timezone.now(),
            evidence_rows=result.evidence_rows,
            records_changed=result.records_written,
        )
        audit.record(
            actor=run.requested_by,
            action=audit.MASTERY_RECOMPUTED,
            district_id=run.district_id,
            target=run,
            data={
                "students": result.students,
                "evidence_rows": result.evidence_rows,
                "records_written": result.records_written,
            },
        )


def recompute_run_fail(*, run: RecomputeRun | None, failure: Exception) -> None:
    """The run failed, with the error as its message; what it had written rolled back."""
    if run is not None:
        _update(run, state=RecomputeState.FAILED, finished_at=timezone.now(), message=str(failure))


def _update(run: RecomputeRun, **fields: object) -> None:
    # One UPDATE of just these columns: the page polling the run may be reading it.
    RecomputeRun.objects.filter(pk=run.pk).update(**fields)
