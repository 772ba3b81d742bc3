"""The `proficio` command, run as a user would: in a fresh home, in a separate process."""

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from proficio.demo import DEMO_LOGINS
from proficio.demo.content import PASSWORD


def run_proficio(home: Path, *args: str, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "proficio.cli", *args],
        env=proficio_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        **popen,
    )


def proficio_env(home: Path) -> dict[str, str]:
    """The caller's environment, but always SQLite in `home`, never a shared database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROFICIO_", "DJANGO_"))}
    return {**env, "PROFICIO_HOME": str(home)}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    home = tmp_path_factory.mktemp("home")
    return home, run_proficio(home, "demo", "--students", "20")


def test_demo_on_a_fresh_home_migrates_loads_and_prints_the_logins(demo_home):
    home, result = demo_home
    assert result.returncode == 0, result.stderr
    assert "Preparing the database" in result.stdout
    assert "20 students" in result.stdout
    for login in DEMO_LOGINS:
        assert f"{login.username} " in result.stdout
    assert PASSWORD in result.stdout
    assert (home / "proficio.sqlite3").exists()
    assert (home / "secret_key").read_text().strip()


def test_a_second_demo_is_refused_in_one_line(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "demo")
    assert result.returncode == 1
    assert result.stderr.startswith("proficio: The database already holds a district")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Preparing the database" not in result.stdout  # already migrated: quiet


def test_demo_if_empty_succeeds_and_repeats_the_logins(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "demo", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert "already loaded" in result.stdout
    assert "teacher " in result.stdout


def test_too_small_a_demo_is_an_input_error(tmp_path, migrated_home):
    result = run_proficio(migrated_home(tmp_path), "demo", "--students", "3")
    assert result.returncode == 1
    assert "at least 12 students" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_passes_through_to_django(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "manage", "showmigrations", "evidence")
    assert result.returncode == 0, result.stderr
    assert "[X] 0001_initial" in result.stdout


def test_audit_prune_leaves_a_database_behind_this_version_unmigrated_and_says_why(
    tmp_path, migrated_home
):
    # After `pip install -U` and before the restart, the site runs the older version on it.
    migrated_home(tmp_path)
    # The newest app's last migration: nothing depends on it, so exactly one is undone.
    folder = Path(__file__).resolve().parents[1] / "src" / "proficio" / "pathways" / "migrations"
    *earlier, _last = sorted(path.stem for path in folder.glob("0*.py"))
    target = earlier[-1] if earlier else "zero"
    rolled_back = run_proficio(tmp_path, "manage", "migrate", "pathways", target)
    assert rolled_back.returncode == 0, rolled_back.stderr
    applied = "SELECT app, name FROM django_migrations ORDER BY id"
    with closing(sqlite3.connect(tmp_path / "proficio.sqlite3")) as db:
        before = db.execute(applied).fetchall()

    result = run_proficio(tmp_path, "audit", "prune")

    assert result.returncode == 1
    assert "is 1 migration behind this version of Proficio" in result.stderr
    assert "Restart the site" in result.stderr
    with closing(sqlite3.connect(tmp_path / "proficio.sqlite3")) as db:
        assert db.execute(applied).fetchall() == before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            get(port, "/accounts/login/")
        except OSError:
            time.sleep(0.3)
        else:
            return
    pytest.fail(f"nothing answered on port {port} within {seconds} s")


@contextmanager
def serving(home: Path, log: Path) -> Iterator[tuple[int, subprocess.Popen]]:
    """`proficio start` on a free port, its output in log, stopped (TERM) on leaving."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "proficio.cli", "start", "--port", str(port)],
            env=proficio_env(home),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(port, server)
            yield port, server
        finally:
            server.terminate()
            server.wait(timeout=60)


def wait_for(log: Path, text: str, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while log.read_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} did not appear {count} times"
        time.sleep(0.2)


def test_start_serves_the_site_with_static_files(demo_home, tmp_path):
    home, _ = demo_home
    log = tmp_path / "server.log"
    with serving(home, log) as (port, _):
        assert get(port, "/accounts/login/").status == 200
        home_page = get(port, "/")
        assert home_page.status == 302
        assert home_page.getheader("Location").startswith("/accounts/login/")
        assert get(port, "/admin/login/").status == 200
        assert get(port, "/static/admin/css/base.css").status == 200  # whitenoise, DEBUG off
    said = log.read_text()
    assert f"Proficio is running at http://127.0.0.1:{port}/" in said
    # With no mail settings, the operator is told that reset links stay in the home.
    assert f"Mail is not sent: password reset links are written to {home / 'mail'}" in said
    assert (home / "static" / "staticfiles.json").exists()


def test_recompute_reads_every_rating_and_finds_the_demos_mastery_current(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "recompute", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["districts"] == 1 and figures["evidence_rows"] > 500
    # The demo saved every rating through the services: nothing is left to change.
    assert (figures["records_written"], figures["working_stages_written"]) == (0, 0)
    assert figures["rows_per_second"] > 0
    # Not a terminal here, so the progress bar leaves one plain line per district.
    assert re.search(r"^Riverside Unified: \d+ students recomputed$", result.stderr, re.M)


def test_recompute_of_one_district_says_what_it_did(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "recompute", "--district", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Recomputed ") and " rows/s)" in result.stdout


def test_recompute_of_an_unknown_district_is_refused_in_one_line(demo_home):
    home, _ = demo_home
    result = run_proficio(home, "recompute", "--district", "not-a-district")
    assert result.returncode == 1
    assert result.stderr == "proficio: There is no district not-a-district.\n"


def test_start_runs_the_task_worker_beside_the_server_and_stops_it(demo_home, tmp_path):
    home, _ = demo_home
    log = tmp_path / "server.log"
    with serving(home, log):
        wait_for(log, "Starting worker")
    assert "shutting down gracefully" in log.read_text()  # stopped with the server, not orphaned


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_start_starts_the_task_worker_again_when_it_dies(demo_home, tmp_path):
    home, _ = demo_home
    log = tmp_path / "server.log"
    with serving(home, log) as (port, server):
        wait_for(log, "Starting worker")
        (worker,) = [p for p in _children(server.pid) if "db_worker" in _command_line(p)]
        os.kill(worker, signal.SIGKILL)
        wait_for(log, "The background task worker stopped")
        wait_for(log, "Starting worker", count=2)
        assert get(port, "/accounts/login/").status == 200  # the site never stopped
    assert "shutting down gracefully" in log.read_text()


def test_ctrl_c_stops_the_server_and_its_task_worker(demo_home, tmp_path):
    home, _ = demo_home
    log = tmp_path / "server.log"
    port = free_port()
    with log.open("w") as output:
        # Its own process group, as a terminal's foreground job: Ctrl+C signals the group.
        server = subprocess.Popen(
            [sys.executable, "-m", "proficio.cli", "start", "--port", str(port)],
            env=proficio_env(home),
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            wait_until_serving(port, server)
            wait_for(log, "Starting worker")
            os.killpg(server.pid, signal.SIGINT)
            assert server.wait(timeout=60) == 0
        finally:
            if server.poll() is None:
                server.kill()
    text = log.read_text()
    assert "starting it again" not in text
    assert "shutting down gracefully" in text  # the worker was asked to stop, and did
