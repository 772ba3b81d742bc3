"""A recompute run's life: queued when a policy change asks for it (or begun at once by
`proficio recompute`), running while its worker beats after each chunk of students, then done
or failed.

A running run not heard from for the lease (PROFICIO_RECOMPUTE_LEASE_SECONDS) has lost its
worker: it is queued again, up to PROFICIO_RECOMPUTE_ATTEMPTS starts in all, then failed with
the reason (ADR 0018). A watchdog task, queued for when the lease would run out, notices; so
does the policy page that polls the run. Each change of state is one conditional UPDATE of
the state the caller saw, so two of them never both act on one run, and the attempt number
fences off a worker given up for dead that wakes up after another took its place.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from proficio.audit import api as audit
from proficio.lib.errors import ProficioError
from proficio.lib.tasks import can_defer, task_abandoned

# The module, not its tasks: the tasks run through this module, so either may load first.
from proficio.mastery import tasks
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState
from proficio.mastery.recompute import Progress, RecomputeResult, recompute
from proficio.people.api import District, Person


class RunTakenOver(ProficioError):
    """This attempt was given up for dead and the run has moved on without it."""


def lease() -> timedelta:
    """How long a running run may go unheard before its worker is taken for dead."""
    return timedelta(seconds=settings.PROFICIO_RECOMPUTE_LEASE_SECONDS)


def recompute_run_queue(*, policy: MasteryPolicy, actor: Person) -> RecomputeRun:
    """The queued run of the recompute a policy change asks for, and its task, in the caller's
    transaction (ADR 0012); a policy that takes effect later waits for its day
    (`run_after`)."""
    starts = None
    if policy.effective_from > timezone.localdate():
        starts = timezone.make_aware(datetime.combine(policy.effective_from, time.min))
    run = RecomputeRun.objects.create(
        district_id=policy.district_id,
        policy=policy,
        requested_by=actor,
        enqueued_at=timezone.now(),
        run_after=starts,
    )
    _enqueue(run)
    return run


@transaction.atomic
def recompute_run_begin(*, district: District) -> RecomputeRun:
    """A run of the whole district's recompute (`proficio recompute`), running at once as its
    first attempt: recorded, watched and audited like a background one."""
    run = RecomputeRun.objects.create(district=district, enqueued_at=timezone.now())
    claimed = recompute_run_claim(run_id=run.pk)
    assert claimed is not None  # nobody else knows of the run yet
    return claimed


@transaction.atomic
def recompute_run_claim(*, run_id: int, task_id: str = "") -> RecomputeRun | None:
    """The queued run, now running as its next attempt, with a watchdog queued for when its
    lease would run out; None when it is not queued (another worker has it, or it ended)."""
    now = timezone.now()
    claimed = RecomputeRun.objects.filter(pk=run_id, state=RecomputeState.QUEUED).update(
        state=RecomputeState.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", now),
        heartbeat_at=now,
        students_done=0,
        task_id=task_id,
    )
    if not claimed:
        return None
    run = RecomputeRun.objects.select_related("policy").get(pk=run_id)
    _watch(run, at=now + lease())
    return run


def recompute_run_execute(
    *, run: RecomputeRun, progress: Progress | None = None
) -> RecomputeResult:
    """A claimed run's recompute: a beat after each chunk, then done (audited) or failed
    with the error. Raises RunTakenOver when the run has moved on to another attempt."""

    def beat(done: int, total: int, evidence_rows: int) -> None:
        recompute_run_beat(run=run, done=done, total=total)
        if progress is not None:
            progress(done, total, evidence_rows)

    scope = Scope(district_id=run.district_id)
    if run.policy is not None:
        scope = Scope.governed_by(run.policy)
    try:
        result = recompute(scope=scope, progress=beat)
    except RunTakenOver:
        raise
    except Exception as failure:
        recompute_run_fail(run=run, failure=failure)
        raise
    recompute_run_finish(run=run, result=result)
    return result


def recompute_run_beat(*, run: RecomputeRun, done: int, total: int) -> None:
    """This attempt is alive and has recomputed `done` of `total` students."""
    beaten = _this_attempt(run).update(
        heartbeat_at=timezone.now(), students_done=done, students_total=total
    )
    if not beaten:
        raise RunTakenOver(_("Another attempt has taken over this recompute."))


@transaction.atomic
def recompute_run_finish(*, run: RecomputeRun, result: RecomputeResult) -> None:
    """The run done, with how many ratings it read and records it changed; nothing when it
    has moved on to another attempt, which finishes it."""
    now = timezone.now()
    finished = _this_attempt(run).update(
        state=RecomputeState.DONE,
        finished_at=now,
        heartbeat_at=now,
        evidence_rows=result.evidence_rows,
        records_changed=result.records_written,
    )
    if finished:
        audit.record(
            actor=run.requested_by,
            action=audit.MASTERY_RECOMPUTED,
            district_id=run.district_id,
            target=run,
            data={
                "students": result.students,
                "evidence_rows": result.evidence_rows,
                "records_written": result.records_written,
                "attempts": run.attempts,
            },
        )


def recompute_run_fail(*, run: RecomputeRun, failure: Exception) -> None:
    """The run failed with the error as its reason; the chunk it was writing rolled back."""
    _this_attempt(run).update(
        state=RecomputeState.FAILED,
        finished_at=timezone.now(),
        message=str(failure) or type(failure).__name__,
    )


@transaction.atomic
def recompute_run_recover(*, run: RecomputeRun, now: datetime | None = None) -> bool:
    """When the run's worker has died (running, no beat for the lease): the run queued again
    for its next attempt, or failed with the reason after the last one.

    `run` is the state the caller saw: True when this call acted on it; False when the run is
    alive or ended, or when someone else acted first.
    """
    now = now or timezone.now()
    if run.state != RecomputeState.RUNNING or run.heartbeat_at is None:
        return False
    if run.heartbeat_at > now - lease():
        return False
    as_seen = RecomputeRun.objects.filter(
        pk=run.pk,
        state=RecomputeState.RUNNING,
        attempts=run.attempts,
        heartbeat_at=run.heartbeat_at,
    )
    heard = formats.date_format(timezone.localtime(run.heartbeat_at), "DATETIME_FORMAT")
    limit = settings.PROFICIO_RECOMPUTE_ATTEMPTS
    died = _(
        "The background worker stopped during attempt %(attempt)s of %(limit)s "
        "(last heard from %(heard)s)"
    ) % {"attempt": run.attempts, "limit": limit, "heard": heard}
    if run.attempts >= limit:
        acted = as_seen.update(state=RecomputeState.FAILED, finished_at=now, message=died)
    else:
        acted = as_seen.update(state=RecomputeState.QUEUED, task_id="")
        if acted:
            _enqueue(run)
    if acted:
        task_abandoned(task_id=run.task_id, reason=died)
    return bool(acted)


def recompute_runs_recover(*, now: datetime | None = None) -> int:
    """Every run whose worker has died, recovered as recompute_run_recover does; how many."""
    now = now or timezone.now()
    stale = RecomputeRun.objects.filter(
        state=RecomputeState.RUNNING, heartbeat_at__lte=now - lease()
    )
    return sum(recompute_run_recover(run=run, now=now) for run in stale)


def recompute_run_watch(*, run_id: int, attempt: int, now: datetime | None = None) -> None:
    """The watchdog: every run whose worker has died recovered, and while this attempt of
    this run still runs, another look when its lease would next run out."""
    recompute_runs_recover(now=now)
    run = RecomputeRun.objects.filter(
        pk=run_id, state=RecomputeState.RUNNING, attempts=attempt
    ).first()
    if run is not None:
        _watch(run, at=run.heartbeat_at + lease())


def _this_attempt(run: RecomputeRun) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(
        pk=run.pk, state=RecomputeState.RUNNING, attempts=run.attempts
    )


def _enqueue(run: RecomputeRun) -> None:
    """The task that runs the run; one for a later day waits for it where the backend can."""
    task = tasks.recompute_in_background
    if run.run_after is not None and run.run_after > timezone.now() and can_defer():
        task = task.using(run_after=run.run_after)
    task.enqueue(run.pk)


def _watch(run: RecomputeRun, *, at: datetime) -> None:
    # Only a backend that can wait runs a watchdog: one that runs tasks at once (the tests')
    # would look at a run that has only just begun, and again, without end.
    if can_defer():
        tasks.recompute_watchdog.using(run_after=at).enqueue(run.pk, run.attempts)
