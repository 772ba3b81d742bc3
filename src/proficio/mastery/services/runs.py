"""A recompute run's life: queued when a policy change asks for it (or begun at once by
`proficio recompute`), running while its worker beats in each chunk of students, then done
or failed.

An attempt can end without its run: a running run not heard from for the lease
(PROFICIO_RECOMPUTE_LEASE_SECONDS) has lost its worker; a queued run whose task a worker
took but never started (killed in between), or whose task ended without starting it, has
lost its task; an attempt stopped by a passing database error (OperationalError) has used
itself up. Each such run is queued again, up to PROFICIO_RECOMPUTE_ATTEMPTS attempts in all,
then failed with the reason (ADR 0018). A watchdog task, queued for when the lease would run
out, notices; so does the policy page that polls the run. Each change of state is one
conditional UPDATE of the state the caller saw, so two of them never both act on one run,
and the attempt number, checked first in each chunk's transaction, fences off a worker given
up for dead: its chunk rolls back instead of committing beside its successor's.
"""

from datetime import datetime, time

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from proficio.audit import api as audit
from proficio.lib.errors import ProficioError
from proficio.lib.tasks import can_defer, task_abandoned, task_standing

# The module, not its tasks: the tasks run through this module, so either may load first.
from proficio.mastery import tasks
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryPolicy, RecomputeRun, RecomputeState
from proficio.mastery.recompute import Progress, RecomputeResult, recompute
from proficio.mastery.selectors.runs import lease
from proficio.people.api import District, Person


class RunTakenOver(ProficioError):
    """This attempt was given up for dead and the run has moved on without it."""


class RecomputeStopped(ProficioError):
    """This attempt stopped on a passing database error; the message says what happens next."""


def recompute_run_queue(*, policy: MasteryPolicy, actor: Person | None) -> RecomputeRun:
    """The queued run of the recompute a policy change asks for, its task and its watchdog
    (for when the lease would run out after it is due), in the caller's transaction (ADR
    0012); a policy that takes effect later waits for its day (`run_after`)."""
    now = timezone.now()
    starts = None
    if policy.effective_from > timezone.localdate():
        starts = timezone.make_aware(datetime.combine(policy.effective_from, time.min))
    run = RecomputeRun.objects.create(
        district_id=policy.district_id,
        policy=policy,
        requested_by=actor,
        enqueued_at=now,
        run_after=starts,
    )
    run.task_id = _enqueue(run)
    _watch(run, at=max(now, starts or now) + lease())
    return run


@transaction.atomic
def recompute_run_begin(*, district: District) -> RecomputeRun:
    """A run of the whole district's recompute (`proficio recompute`), running at once as its
    first attempt: recorded, watched and audited like a background one."""
    now = timezone.now()
    run = RecomputeRun.objects.create(
        district=district,
        state=RecomputeState.RUNNING,
        attempts=1,
        enqueued_at=now,
        started_at=now,
        heartbeat_at=now,
    )
    _watch(run, at=now + lease())
    return run


@transaction.atomic
def recompute_run_claim(*, run_id: int, task_id: str = "") -> RecomputeRun | None:
    """The queued run, now running as its next attempt (the watchdog queued with the run
    follows it); None when it is not queued (another worker has it, or it ended)."""
    now = timezone.now()
    claimed = RecomputeRun.objects.filter(pk=run_id, state=RecomputeState.QUEUED).update(
        state=RecomputeState.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", now),
        heartbeat_at=now,
        students_done=0,
        task_id=task_id,
        message="",
    )
    if not claimed:
        return None
    return RecomputeRun.objects.select_related("policy").get(pk=run_id)


def recompute_run_execute(
    *, run: RecomputeRun, progress: Progress | None = None
) -> RecomputeResult:
    """A claimed run's recompute: a beat first in each chunk's transaction, then done
    (audited) or failed with the error.

    Raises RunTakenOver when the run has moved on to another attempt (the chunk in hand rolls
    back); RecomputeStopped after a passing database error, the run queued for its next
    attempt or failed after its last. Stopped by the operator (Ctrl+C, or a worker told twice
    to stop), the run is failed as such, not left running for the worker to take over.
    """

    def guard(done: int, total: int) -> None:
        recompute_run_beat(run=run, done=done, total=total)

    scope = Scope(district_id=run.district_id)
    if run.policy is not None:
        scope = Scope.governed_by(run.policy)
    try:
        result = recompute(scope=scope, progress=progress, guard=guard)
    except RunTakenOver:
        raise
    except OperationalError as failure:
        # A lock held past the busy timeout, a dropped connection: the next attempt may well
        # succeed. Should recording that fail too, the run's lease runs out instead.
        raise RecomputeStopped(recompute_run_retry(run=run, failure=failure)) from failure
    except Exception as failure:
        recompute_run_fail(run=run, reason=str(failure) or type(failure).__name__)
        raise
    except (KeyboardInterrupt, SystemExit):
        recompute_run_fail(run=run, reason=_("stopped by the operator"))
        raise
    recompute_run_finish(run=run, result=result)
    return result


def recompute_run_beat(*, run: RecomputeRun, done: int, total: int) -> None:
    """This attempt is alive and will have recomputed `done` of `total` students once the
    transaction it runs in commits; RunTakenOver when the run has moved on without it."""
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


def recompute_run_fail(*, run: RecomputeRun, reason: str) -> None:
    """The run failed for the reason given; the chunk it was writing rolled back."""
    _this_attempt(run).update(
        state=RecomputeState.FAILED, finished_at=timezone.now(), message=reason
    )


@transaction.atomic
def recompute_run_retry(*, run: RecomputeRun, failure: OperationalError) -> str:
    """This attempt stopped on a passing database error: the run queued for its next attempt,
    or failed with the reason after the last; what happens next, in words."""
    limit = settings.PROFICIO_RECOMPUTE_ATTEMPTS
    reason = _("A database error during attempt %(attempt)s of %(limit)s: %(error)s") % {
        "attempt": run.attempts,
        "limit": limit,
        "error": str(failure) or type(failure).__name__,
    }
    _attempt_ended(run, _this_attempt(run), attempt=run.attempts, reason=reason)
    if run.attempts >= limit:
        return reason
    return _("%(reason)s; the background worker will try again (attempt %(next)s of %(limit)s)") % {
        "reason": reason,
        "next": run.attempts + 1,
        "limit": limit,
    }


@transaction.atomic
def recompute_run_recover(*, run: RecomputeRun, now: datetime | None = None) -> bool:
    """When the run's attempt ended without it, the run queued again for its next attempt,
    or failed with the reason after the last one: a running run whose worker died (no beat
    for the lease), or a queued run whose task was lost (taken by a worker that died before
    starting it, for longer than the lease; or ended, or gone, without starting it).

    `run` is the state the caller saw: True when this call acted on it; False when the run is
    alive, waiting for a worker or ended, or when someone else acted first.
    """
    now = now or timezone.now()
    if run.state == RecomputeState.RUNNING:
        return _recover_running(run, now)
    if run.state == RecomputeState.QUEUED:
        return _recover_queued(run, now)
    return False


def recompute_runs_recover(*, now: datetime | None = None) -> int:
    """Every run whose attempt ended without it, recovered as recompute_run_recover does;
    how many."""
    now = now or timezone.now()
    stale = RecomputeRun.objects.filter(
        state=RecomputeState.RUNNING, heartbeat_at__lte=now - lease()
    )
    queued = RecomputeRun.objects.filter(state=RecomputeState.QUEUED)
    return sum(recompute_run_recover(run=run, now=now) for run in [*stale, *queued])


def recompute_run_watch(*, run_id: int, now: datetime | None = None) -> None:
    """The watchdog: every run whose attempt ended without it recovered, and while this run
    is unfinished, another look when its lease would next run out (from its last beat while
    it runs, from when a worker took its task, or from now while it waits): one chain of
    looks per run, whatever its attempt."""
    now = now or timezone.now()
    recompute_runs_recover(now=now)
    run = RecomputeRun.objects.filter(
        pk=run_id, state__in=[RecomputeState.QUEUED, RecomputeState.RUNNING]
    ).first()
    if run is None:
        return
    if run.state == RecomputeState.RUNNING:
        heard = run.heartbeat_at
    else:
        standing = task_standing(task_id=run.task_id)
        taken = standing is not None and standing.status == TaskResultStatus.RUNNING
        heard = standing.since if taken else now
    _watch(run, at=heard + lease())


def _recover_running(run: RecomputeRun, now: datetime) -> bool:
    if run.heartbeat_at is None or run.heartbeat_at > now - lease():
        return False
    as_seen = RecomputeRun.objects.filter(
        pk=run.pk,
        state=RecomputeState.RUNNING,
        attempts=run.attempts,
        heartbeat_at=run.heartbeat_at,
    )
    heard = formats.date_format(timezone.localtime(run.heartbeat_at), "DATETIME_FORMAT")
    died = _(
        "The background worker stopped during attempt %(attempt)s of %(limit)s "
        "(last heard from %(heard)s)"
    ) % {"attempt": run.attempts, "limit": settings.PROFICIO_RECOMPUTE_ATTEMPTS, "heard": heard}
    acted = _attempt_ended(run, as_seen, attempt=run.attempts, reason=died)
    if acted:
        task_abandoned(task_id=run.task_id, reason=died)
    return acted


def _recover_queued(run: RecomputeRun, now: datetime) -> bool:
    standing = task_standing(task_id=run.task_id)
    if standing is None or standing.status == TaskResultStatus.READY:
        return False  # nothing to tell from, or waiting for a worker: it is not lost
    if standing.status == TaskResultStatus.RUNNING and standing.since > now - lease():
        return False  # a worker has just taken it and is starting the run
    as_seen = RecomputeRun.objects.filter(
        pk=run.pk, state=RecomputeState.QUEUED, attempts=run.attempts, task_id=run.task_id
    )
    attempt = run.attempts + 1
    lost = _("The background worker stopped before it began attempt %(attempt)s of %(limit)s") % {
        "attempt": attempt,
        "limit": settings.PROFICIO_RECOMPUTE_ATTEMPTS,
    }
    acted = _attempt_ended(run, as_seen, attempt=attempt, reason=lost)
    if acted:
        task_abandoned(task_id=run.task_id, reason=lost)
    return acted


def _attempt_ended(
    run: RecomputeRun, as_seen: QuerySet[RecomputeRun], *, attempt: int, reason: str
) -> bool:
    """Attempt `attempt` ended without the run (the reason): the run, in the state the caller
    saw (`as_seen`), queued for the next attempt with a new task (its watchdog keeps
    looking), or failed after the last; False when it has moved on."""
    if attempt >= settings.PROFICIO_RECOMPUTE_ATTEMPTS:
        return bool(
            as_seen.update(
                state=RecomputeState.FAILED,
                attempts=attempt,
                finished_at=timezone.now(),
                message=reason,
            )
        )
    if not as_seen.update(
        state=RecomputeState.QUEUED, attempts=attempt, task_id="", message=reason
    ):
        return False
    _enqueue(run)
    return True


def _this_attempt(run: RecomputeRun) -> QuerySet[RecomputeRun]:
    return RecomputeRun.objects.filter(
        pk=run.pk, state=RecomputeState.RUNNING, attempts=run.attempts
    )


def _enqueue(run: RecomputeRun) -> str:
    """The task that runs the run, named on the queued run so the run knows whether its task
    is still waiting, and its id; one for a later day waits for it where the backend can."""
    task = tasks.recompute_in_background
    if run.run_after is not None and run.run_after > timezone.now() and can_defer():
        task = task.using(run_after=run.run_after)
    task_id = str(task.enqueue(run.pk).id)
    # A backend that runs tasks at once has already run it: the run is no longer queued.
    RecomputeRun.objects.filter(pk=run.pk, state=RecomputeState.QUEUED).update(task_id=task_id)
    return task_id


def _watch(run: RecomputeRun, *, at: datetime) -> None:
    # Only a backend that can wait runs a watchdog: one that runs tasks at once (the tests')
    # would look at a run that has only just begun, and again, without end.
    if can_defer():
        tasks.recompute_watchdog.using(run_after=at).enqueue(run.pk)
