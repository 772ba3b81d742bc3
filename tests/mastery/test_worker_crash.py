"""The task worker killed (`kill -9`) in the middle of a policy's recompute: the real worker,
in its own process, on a home of its own. A second worker takes the run over once the lease
runs out, and the run ends done by the retry, or failed with the reason when no attempts are
left, within seconds; each earlier value is kept in history once. And `proficio recompute`
stopped with Ctrl+C: its run ends failed, stopped by the operator, and no worker restarts it."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.test_cli import proficio_env

STUDENTS = 1500
CHUNK_STUDENTS = 5
LEASE_SECONDS = 2
# Kill, lease, a new worker's start and a whole retry: far more than they take.
RECOVERY_SECONDS = 30

REPO = Path(__file__).resolve().parents[2]


def seed() -> None:
    """The world, STUDENTS more students with a rating each and their mastery stored, and a
    district policy change: its recompute queued in the database for a worker (run in the
    home by `manage shell`)."""
    from django.test import override_settings
    from django.utils import timezone

    from proficio.evidence.models import Evidence, EvidenceSource
    from proficio.mastery.data import PolicyDraft, Scope
    from proficio.mastery.models import RecomputeRun
    from proficio.mastery.recompute import recompute
    from proficio.mastery.services import policy_change
    from proficio.people.models import Person
    from tests.factories import build_world

    world = build_world()
    students = Person.objects.bulk_create(
        Person(district=world.district, username=f"student{n}") for n in range(STUDENTS)
    )
    stage = world.competency.stages.get(ordinal=1)
    observed = timezone.now() - timedelta(days=1)
    Evidence.objects.bulk_create(
        Evidence(
            student=student,
            competency=world.competency,
            stage=stage,
            level=3,
            observed_at=observed,
            source=EvidenceSource.OBSERVATION,
            assessor=world.teacher,
        )
        for student in students
    )
    with override_settings(PROFICIO_RECOMPUTE_CHUNK_STUDENTS=1000):
        recompute(scope=Scope(district_id=world.district.pk))  # under the district default
    policy_change(
        actor=world.district_admin,
        draft=PolicyDraft(
            district=world.district,
            method="highest",
            parameters={},
            minimum_evidence=1,
            threshold="3",
        ),
    )
    print(RecomputeRun.objects.get().pk)


class Home:
    def __init__(self, path: Path, attempts: int):
        self.path = path
        self.env = {
            **proficio_env(path),
            "PROFICIO_RECOMPUTE_LEASE_SECONDS": str(LEASE_SECONDS),
            "PROFICIO_RECOMPUTE_CHUNK_STUDENTS": str(CHUNK_STUDENTS),
            "PROFICIO_RECOMPUTE_ATTEMPTS": str(attempts),
        }
        self.workers: list[subprocess.Popen] = []
        self.run_id = 0

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "proficio.cli", "manage", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def worker(self) -> subprocess.Popen:
        """The worker `proficio start` runs, looking for work five times a second."""
        command = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
        process = subprocess.Popen(
            [sys.executable, "-m", "proficio.cli", "manage", *command],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(process)
        return process

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.path / "proficio.sqlite3", timeout=20) as database:
            return database.execute(sql, params).fetchall()

    def run(self, run_id: int) -> dict:
        columns = "state, attempts, students_done, students_total, message, task_id"
        (row,) = self.query(f"SELECT {columns} FROM mastery_recomputerun WHERE id = ?", run_id)
        return dict(zip(columns.split(", "), row, strict=True))

    def wait_for_run(self, run_id: int, ready, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while not ready(run := self.run(run_id)):
            assert time.monotonic() < deadline, f"after {seconds} s the run is {run}"
            time.sleep(0.02)
        return run

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, migrated_home) -> tuple[Path, int]:
    """A home with the recompute queued, and the run's id: made once, copied for each test."""
    path = migrated_home(tmp_path_factory.mktemp("seeded"))
    output = Home(path, attempts=1).manage("shell", "-c", f"from {__name__} import seed; seed()")
    return path, int(output.split()[-1])


@pytest.fixture
def home(seeded, tmp_path, request):
    """A copy of the seeded home, with PROFICIO_RECOMPUTE_ATTEMPTS the test's parameter."""
    template, run_id = seeded
    shutil.copytree(template, tmp_path / "home")
    home = Home(tmp_path / "home", attempts=request.param)
    home.run_id = run_id
    yield home
    home.stop_workers()


@pytest.mark.parametrize(
    ("home", "ends"),
    [(3, "done"), (1, "failed")],
    indirect=["home"],
    ids=["retried-to-done", "no-attempts-left"],
)
def test_a_worker_killed_mid_recompute_ends_the_run_within_a_bounded_time(home, ends):
    run_id = home.run_id

    first = home.worker()
    # Past the world's own people, who have no mastery to keep: into the rated students.
    home.wait_for_run(run_id, lambda run: run["students_done"] >= 100, seconds=60)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = home.run(run_id)
    assert killed["state"] == "running"
    assert 0 < killed["students_done"] < killed["students_total"]  # killed part way
    (dead_task,) = home.query(
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
        killed["task_id"].replace("-", ""),
    )
    assert dead_task == ("RUNNING",)  # django-tasks-db would leave it so for good

    killed_at = time.monotonic()
    home.worker()
    ended = home.wait_for_run(
        run_id, lambda run: run["state"] in {"done", "failed"}, seconds=RECOVERY_SECONDS
    )
    print(f"ended {ended['state']} {time.monotonic() - killed_at:.1f} s after the kill")
    assert ended["state"] == ends
    if ends == "done":
        assert ended["attempts"] == 2 and ended["students_done"] == ended["students_total"]
    else:
        assert ended["attempts"] == 1
        assert ended["message"].startswith("The background worker stopped during attempt 1 of 1")
    assert home.query(
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?",
        killed["task_id"].replace("-", ""),
    ) == [("FAILED",)]
    kept_twice = home.query(
        "SELECT student_id, stage_id FROM mastery_masteryrecordhistory "
        "GROUP BY student_id, stage_id HAVING COUNT(*) > 1"
    )
    assert kept_twice == []
    ((kept,),) = home.query("SELECT COUNT(*) FROM mastery_masteryrecordhistory")
    ((records,),) = home.query("SELECT COUNT(*) FROM mastery_masteryrecord")
    if ends == "done":
        assert kept == records  # every earlier value, each once
    else:
        assert 0 < kept < records  # those of the people it reached


@pytest.mark.parametrize("home", [3], indirect=True)
def test_ctrl_c_on_the_recompute_command_fails_its_run_and_no_worker_takes_it_over(home):
    command = subprocess.Popen(
        [sys.executable, "-m", "proficio.cli", "recompute"],
        env=home.env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background (`cmd &`) ignores SIGINT, and so would the
        # command it starts: give it the terminal's default, as a person's shell does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not home.query(
        "SELECT id FROM mastery_recomputerun WHERE policy_id IS NULL AND students_done >= 100"
    ):
        assert time.monotonic() < deadline and command.poll() is None
        time.sleep(0.02)
    command.send_signal(signal.SIGINT)
    _, said = command.communicate(timeout=30)
    assert command.returncode == 130
    assert said.strip() == "proficio: stopped (Ctrl+C)."  # one line, no traceback
    ((run_id,),) = home.query("SELECT id FROM mastery_recomputerun WHERE policy_id IS NULL")
    stopped = home.run(run_id)
    assert (stopped["state"], stopped["message"]) == ("failed", "stopped by the operator")
    assert 0 < stopped["students_done"] < stopped["students_total"]

    home.worker()  # runs the policy's queued recompute, and the command run's watchdog
    home.wait_for_run(home.run_id, lambda run: run["state"] == "done", seconds=RECOVERY_SECONDS)
    time.sleep(LEASE_SECONDS * 2)
    assert home.run(run_id)["state"] == "failed"
