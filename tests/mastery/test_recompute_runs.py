"""A recompute run survives its worker: a run not heard from for the lease, a queued run whose
task was lost, or an attempt stopped by a passing database error is tried again, a bounded
number of times, then failed with the reason; two that notice act once; a worker given up
for dead can neither commit a chunk nor report over the attempt that replaced it; a retry
after a partial run writes each earlier value into history once; a run no worker picks up
says so; `proficio recompute` records its run too, and Ctrl+C fails it.

The clock is faked by setting `heartbeat_at` and passing `now`; the real worker, killed,
is in tests/mastery/test_worker_crash.py."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from proficio.audit.models import AuditEntry
from proficio.lib.errors import ProficioError
from proficio.mastery.data import Scope
from proficio.mastery.models import MasteryRecordHistory, RecomputeRun, RecomputeState
from proficio.mastery.recompute import recompute
from proficio.mastery.services import (
    RunTakenOver,
    recompute_run_claim,
    recompute_run_execute,
    recompute_run_queue,
    recompute_run_recover,
    recompute_runs_recover,
)
from proficio.mastery.services.runs import recompute_run_watch
from tests.mastery.test_recompute import refresh_every_student
from tests.mastery.varied import policy, stored_records, varied_district

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=60)


@pytest.fixture(autouse=True)
def _lease(settings):
    settings.PROFICIO_RECOMPUTE_LEASE_SECONDS = LEASE.seconds
    settings.PROFICIO_RECOMPUTE_ATTEMPTS = 3


@pytest.fixture
def running(world, database_tasks):
    """A run its worker has claimed (attempt 1), last heard from at a known moment."""
    run = recompute_run_queue(policy=policy(world, "latest"), actor=world.district_admin)
    (queued_task,) = recompute_tasks()
    queued_task.claim("worker-1")
    claimed = recompute_run_claim(run_id=run.pk, task_id=str(queued_task.id))
    return heard_from(claimed, timezone.now() - timedelta(minutes=5))


def heard_from(run: RecomputeRun, moment) -> RecomputeRun:
    RecomputeRun.objects.filter(pk=run.pk).update(heartbeat_at=moment)
    run.refresh_from_db()
    return run


def recompute_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith=".recompute_in_background"))


# ---- the lease


def test_a_run_heard_from_within_the_lease_is_alive(running):
    almost = running.heartbeat_at + LEASE - timedelta(seconds=1)
    assert not recompute_run_recover(run=running, now=almost)
    running.refresh_from_db()
    assert (running.state, running.attempts) == (RecomputeState.RUNNING, 1)


def test_a_run_not_heard_from_for_the_lease_is_queued_again_with_a_new_task(running):
    assert recompute_run_recover(run=running, now=running.heartbeat_at + LEASE)
    running.refresh_from_db()
    assert running.state == RecomputeState.QUEUED
    dead, retry = sorted(recompute_tasks(), key=lambda task: task.enqueued_at)
    assert retry.status == TaskResultStatus.READY and retry.args_kwargs["args"] == [running.pk]
    # The row the dead worker left running no longer says so.
    assert dead.status == TaskResultStatus.FAILED
    assert dead.exception_class_path == "proficio.lib.tasks.WorkerDied"


def test_the_retry_is_the_next_attempt(running):
    recompute_run_recover(run=running, now=running.heartbeat_at + LEASE)
    again = recompute_run_claim(run_id=running.pk)
    assert again is not None and again.attempts == 2
    assert recompute_run_claim(run_id=running.pk) is None  # claimed once only


def test_after_the_last_attempt_a_dead_run_fails_with_the_reason(running):
    RecomputeRun.objects.filter(pk=running.pk).update(attempts=3)
    running.refresh_from_db()
    assert recompute_run_recover(run=running, now=running.heartbeat_at + LEASE)
    running.refresh_from_db()
    assert running.state == RecomputeState.FAILED and running.finished_at is not None
    assert running.message.startswith("The background worker stopped during attempt 3 of 3")
    assert len(recompute_tasks()) == 1  # no retry queued


def test_a_dead_run_is_tried_the_number_of_times_the_setting_says(running, settings):
    settings.PROFICIO_RECOMPUTE_ATTEMPTS = 2
    run = running
    outcomes = []
    for _ in range(3):
        recompute_run_recover(run=run, now=run.heartbeat_at + LEASE)
        run.refresh_from_db()
        outcomes.append(run.state)
        if run.state == RecomputeState.QUEUED:
            run = heard_from(recompute_run_claim(run_id=run.pk), run.heartbeat_at)
    assert outcomes == [RecomputeState.QUEUED, RecomputeState.FAILED, RecomputeState.FAILED]
    assert run.attempts == 2


def test_two_that_notice_the_same_dead_run_retry_it_once(running):
    seen_by_the_watchdog = RecomputeRun.objects.get(pk=running.pk)
    seen_by_the_page = RecomputeRun.objects.get(pk=running.pk)
    later = running.heartbeat_at + LEASE
    assert recompute_run_recover(run=seen_by_the_watchdog, now=later)
    assert not recompute_run_recover(run=seen_by_the_page, now=later)
    assert len(recompute_tasks()) == 2  # the dead one and one retry


def test_the_sweep_recovers_only_the_dead(running, world):
    alive = recompute_run_claim(
        run_id=recompute_run_queue(policy=policy(world, "mean"), actor=None).pk
    )
    assert recompute_runs_recover(now=running.heartbeat_at + LEASE) == 1
    alive.refresh_from_db()
    assert alive.state == RecomputeState.RUNNING


# ---- the watchdog


def watchdogs() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path__endswith=".recompute_watchdog").order_by("run_after")
    )


def test_queueing_a_run_queues_its_watchdog_for_when_the_lease_runs_out(running):
    (watchdog,) = watchdogs()  # claiming it queued no other: the one watchdog follows the run
    assert watchdog.args_kwargs["args"] == [running.pk]
    assert abs(watchdog.run_after - (running.enqueued_at + LEASE)) < timedelta(seconds=1)


def test_the_watchdog_looks_again_while_the_run_is_unfinished_and_recovers_it_once_it_stops(
    running,
):
    beat = running.heartbeat_at
    recompute_run_watch(run_id=running.pk, now=beat + LEASE / 2)
    running.refresh_from_db()
    assert running.state == RecomputeState.RUNNING
    assert [w.run_after for w in watchdogs()].count(beat + LEASE) == 1  # the next look

    recompute_run_watch(run_id=running.pk, now=beat + LEASE)
    running.refresh_from_db()
    assert running.state == RecomputeState.QUEUED
    assert [w.run_after for w in watchdogs()].count(beat + 2 * LEASE) == 1  # still watched

    recompute_run_execute(run=recompute_run_claim(run_id=running.pk))
    recompute_run_watch(run_id=running.pk, now=beat + 2 * LEASE)
    assert len(watchdogs()) == 3  # a watch of an ended run queues no other


# ---- the attempt number fences off a worker given up for dead


def test_a_worker_given_up_for_dead_cannot_beat_or_finish_over_its_successor(running):
    recompute_run_recover(run=running, now=running.heartbeat_at + LEASE)
    successor = recompute_run_claim(run_id=running.pk)
    with pytest.raises(RunTakenOver):
        recompute_run_execute(run=running)  # wakes up and reports as attempt 1
    successor.refresh_from_db()
    assert (successor.state, successor.attempts) == (RecomputeState.RUNNING, 2)
    recompute_run_execute(run=successor)
    successor.refresh_from_db()
    assert successor.state == RecomputeState.DONE
    assert successor.students_done == successor.students_total > 0


def test_a_worker_given_up_for_dead_between_chunks_commits_no_further_chunk(
    world, database_tasks, settings
):
    refresh_every_student(varied_district(world))
    newer = policy(world, "latest", minimum_evidence=1)
    settings.PROFICIO_RECOMPUTE_CHUNK_STUDENTS = 3
    run = recompute_run_claim(run_id=recompute_run_queue(policy=newer, actor=None).pk)
    at_takeover = {}

    def stalls_past_its_lease_once_into_the_students(done, total, evidence_rows):
        records = stored_records()
        if at_takeover or not any(record[5] == newer.pk for record in records.values()):
            return
        # Waiting on a lock, say, while another worker is given the run.
        later = timezone.now() + LEASE
        assert recompute_run_recover(run=RecomputeRun.objects.get(pk=run.pk), now=later)
        assert recompute_run_claim(run_id=run.pk) is not None
        at_takeover.update(records)

    with pytest.raises(RunTakenOver):
        recompute_run_execute(run=run, progress=stalls_past_its_lease_once_into_the_students)
    assert any(record[5] != newer.pk for record in at_takeover.values())  # more to do
    assert stored_records() == at_takeover  # the chunk in hand rolled back


# ---- a queued run whose task was lost


def lost_task(run: RecomputeRun, claimed_ago: timedelta) -> DBTaskResult:
    """The run's task, taken by a worker `claimed_ago` that died before starting the run."""
    (task,) = recompute_tasks()
    task.claim("worker-1")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - claimed_ago)
    run.refresh_from_db()
    return task


@pytest.fixture
def queued(world, database_tasks):
    return recompute_run_queue(policy=policy(world, "latest"), actor=world.district_admin)


def test_a_queued_run_whose_worker_died_taking_its_task_is_queued_again(queued):
    dead = lost_task(queued, claimed_ago=LEASE - timedelta(seconds=1))
    assert not recompute_run_recover(run=queued)  # just taken: the worker is starting it
    dead = lost_task(queued, claimed_ago=LEASE)
    assert recompute_run_recover(run=queued)
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.QUEUED, 1)  # an attempt used
    assert queued.message == "The background worker stopped before it began attempt 1 of 3"
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    (retry,) = [task for task in recompute_tasks() if task.status == TaskResultStatus.READY]
    assert queued.task_id == str(retry.id)
    assert recompute_run_claim(run_id=queued.pk).attempts == 2


def test_a_queued_run_whose_task_failed_before_starting_it_is_queued_again_at_once(queued):
    (task,) = recompute_tasks()
    task.claim("worker-1")
    task.set_failed(OperationalError("database is locked"))  # claiming the run failed
    assert recompute_runs_recover() == 1
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.QUEUED, 1)


def test_a_queued_run_that_lost_its_task_on_the_last_attempt_fails_with_the_reason(queued):
    RecomputeRun.objects.filter(pk=queued.pk).update(attempts=2)
    lost_task(queued, claimed_ago=2 * LEASE)
    assert recompute_runs_recover() == 1
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.FAILED, 3)
    assert queued.message == "The background worker stopped before it began attempt 3 of 3"
    assert len(recompute_tasks()) == 1  # no retry queued


def test_a_queued_run_waiting_for_a_worker_is_not_lost_however_long_it_waits(queued):
    assert not recompute_run_recover(run=queued, now=timezone.now() + 100 * LEASE)
    assert recompute_runs_recover(now=timezone.now() + 100 * LEASE) == 0


def test_the_watchdog_looks_again_when_a_taken_task_is_a_lease_old_and_recovers_it(queued):
    taken = lost_task(queued, claimed_ago=timedelta(seconds=10))
    taken.refresh_from_db()
    recompute_run_watch(run_id=queued.pk)
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.QUEUED, 0)  # not yet
    assert [w.run_after for w in watchdogs()].count(taken.started_at + LEASE) == 1

    recompute_run_watch(run_id=queued.pk, now=taken.started_at + LEASE)
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.QUEUED, 1)


def test_the_page_notices_a_lost_task_and_says_the_run_will_be_tried_again(client, world, queued):
    lost_task(queued, claimed_ago=2 * LEASE)
    shown = part(client, world, queued)
    queued.refresh_from_db()
    assert queued.state == RecomputeState.QUEUED and queued.attempts == 1
    assert "The background worker stopped before it began attempt 1 of 3" in shown
    assert "Waiting for the background worker to try again (attempt 2 of 3)" in shown


# ---- a passing database error uses up an attempt; another error fails the run at once


def failing_with(monkeypatch, error: Exception) -> None:
    def read(*args, **kwargs):
        raise error

    monkeypatch.setattr("proficio.mastery.recompute.read_evidence", read)


def test_a_locked_database_uses_up_an_attempt_and_queues_the_next(running, monkeypatch):
    heard_from(running, timezone.now())
    failing_with(monkeypatch, OperationalError("database is locked"))
    next_attempt = r"database is locked; the background worker will try again \(attempt 2 of 3\)"
    with pytest.raises(ProficioError, match=next_attempt):
        recompute_run_execute(run=running)
    running.refresh_from_db()
    assert (running.state, running.attempts) == (RecomputeState.QUEUED, 1)
    assert running.message == "A database error during attempt 1 of 3: database is locked"
    assert [task.status for task in recompute_tasks()].count(TaskResultStatus.READY) == 1
    assert recompute_run_claim(run_id=running.pk).attempts == 2


def test_a_locked_database_on_the_last_attempt_fails_the_run_with_the_reason(running, monkeypatch):
    RecomputeRun.objects.filter(pk=running.pk).update(attempts=3)
    running.refresh_from_db()
    failing_with(monkeypatch, OperationalError("database is locked"))
    with pytest.raises(ProficioError, match="database is locked"):
        recompute_run_execute(run=running)
    running.refresh_from_db()
    assert running.state == RecomputeState.FAILED
    assert running.message == "A database error during attempt 3 of 3: database is locked"


def test_any_other_error_fails_the_run_at_once(running, monkeypatch):
    failing_with(monkeypatch, ValueError("a bad policy"))
    with pytest.raises(ValueError):
        recompute_run_execute(run=running)
    running.refresh_from_db()
    assert (running.state, running.attempts, running.message) == (
        RecomputeState.FAILED,
        1,
        "a bad policy",
    )
    assert len(recompute_tasks()) == 1  # no retry queued


# ---- a retry after a partial run


class Killed(Exception):
    pass


def test_a_retry_after_a_partial_run_keeps_each_earlier_value_once(world, settings):
    varied = varied_district(world)
    refresh_every_student(varied)
    before = stored_records()
    newer = policy(world, "latest", minimum_evidence=1)
    settings.PROFICIO_RECOMPUTE_CHUNK_STUDENTS = 3
    scope = Scope(district_id=world.district.pk)

    def killed_after_two_chunks(done, total, evidence_rows):
        if done >= 6:
            raise Killed

    with pytest.raises(Killed):
        recompute(scope=scope, progress=killed_after_two_chunks)
    assert 0 < MasteryRecordHistory.objects.count() < len(before)  # it stopped part way

    recompute(scope=scope)

    kept = list(MasteryRecordHistory.objects.values_list("student_id", "stage_id", "policy_id"))
    assert sorted(kept) == sorted((s, st, record[5]) for (s, st), record in before.items())
    assert all(record[5] == newer.pk for record in stored_records().values())
    assert recompute(scope=scope).records_written == 0  # nothing left to do


# ---- the page


def part(client, world, run):
    client.force_login(world.district_admin)
    return client.get(reverse("mastery:recompute_run", args=[run.uuid])).content.decode()


def test_a_running_run_shows_how_far_it_has_got_and_asks_again(client, world, running):
    heard_from(running, timezone.now())
    RecomputeRun.objects.filter(pk=running.pk).update(students_done=40, students_total=160)
    shown = part(client, world, running)
    assert 'hx-trigger="every 2s"' in shown
    assert '<progress class="run__progress" max="160" value="40">' in shown
    assert "40 of 160 people" in shown


def test_the_page_notices_a_dead_worker_and_says_the_run_will_be_tried_again(
    client, world, running
):
    shown = part(client, world, running)  # last heard from five minutes ago
    running.refresh_from_db()
    assert running.state == RecomputeState.QUEUED
    assert "The background worker stopped during attempt 1 of 3" in shown
    assert "Waiting for the background worker to try again (attempt 2 of 3)" in shown
    assert 'hx-trigger="every 2s"' in shown


def test_a_run_no_worker_picks_up_says_so_and_asks_less_often(client, world, queued):
    assert 'hx-trigger="every 2s"' in part(client, world, queued)  # within the lease
    DBTaskResult.objects.filter(id=queued.task_id).update(
        enqueued_at=timezone.now() - LEASE - timedelta(seconds=1)
    )
    shown = part(client, world, queued)
    assert "none has picked this up yet. Is <code>proficio start</code> running it?" in shown
    assert 'hx-trigger="every 10s"' in shown
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == (RecomputeState.QUEUED, 0)  # it only waits


def test_a_failed_run_says_why_and_is_not_asked_for_again(client, world, running):
    RecomputeRun.objects.filter(pk=running.pk).update(
        attempts=3, students_done=7, students_total=20
    )
    shown = part(client, world, running)
    assert "Failed" in shown
    assert "It stopped: The background worker stopped during attempt 3 of 3" in shown
    assert "7 of 20 people had been recomputed" in shown
    assert "hx-trigger" not in shown and "hx-get" not in shown


def test_a_run_finished_by_a_retry_says_so_and_is_not_asked_for_again(client, world, running):
    recompute_run_recover(run=running, now=running.heartbeat_at + LEASE)
    recompute_run_execute(run=recompute_run_claim(run_id=running.pk))
    shown = part(client, world, running)
    assert "Done" in shown and "Finished on attempt 2" in shown
    assert "hx-trigger" not in shown and "hx-get" not in shown


# ---- `proficio recompute` records its run


def test_the_recompute_command_records_and_audits_its_run(client, world, rate, capsys):
    from proficio.cli import main

    rate(level=3)
    assert main(["recompute", "--district", str(world.district.pk)]) == 0
    run = RecomputeRun.objects.get()
    assert (run.policy, run.requested_by, run.state) == (None, None, RecomputeState.DONE)
    assert run.attempts == 1 and run.evidence_rows == 1
    assert run.students_done == run.students_total > 0 and run.heartbeat_at is not None
    entry = AuditEntry.objects.get(action="mastery.recomputed")
    assert (entry.target_id, entry.district_id) == (str(run.uuid), world.district.pk)
    page = part(client, world, run)
    assert "Every policy in force (proficio recompute)" in page and "Done" in page


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_the_recompute_command_stopped_by_the_operator_fails_its_run(
    world, rate, stop, monkeypatch
):
    from proficio.cli import main

    rate(level=3)

    def interrupted(**kwargs):
        raise stop

    monkeypatch.setattr("proficio.mastery.services.runs.recompute", interrupted)
    if stop is KeyboardInterrupt:  # the command ends with one line and 130 (Ctrl+C)
        assert main(["recompute", "--district", str(world.district.pk)]) == 130
    else:
        with pytest.raises(stop):
            main(["recompute", "--district", str(world.district.pk)])
    run = RecomputeRun.objects.get()
    assert (run.state, run.message) == (RecomputeState.FAILED, "stopped by the operator")
    assert not recompute_runs_recover(now=timezone.now() + 10 * LEASE)  # not taken over
