"""How `proficio start` sizes and runs its gunicorn workers (ADR 0026)."""

import http.client
import os
import re

from proficio import cli
from tests.test_cli import serving


def test_the_default_is_one_worker_per_core_this_process_may_run_on(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert cli.default_workers() == 3


def test_without_affinity_the_default_is_one_worker_per_core_of_the_machine(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert cli.default_workers() == 6


def test_start_takes_workers_and_threads_defaulting_to_the_machine():
    defaults = cli._parser().parse_args(["start"])
    assert (defaults.workers, defaults.threads) == (cli.default_workers(), cli.THREADS)
    chosen = cli._parser().parse_args(["start", "--workers", "3", "--threads", "8"])
    assert (chosen.workers, chosen.threads) == (3, 8)


def test_each_response_closes_its_connection_and_the_log_names_the_worker(tmp_path, migrated_home):
    # A kept-alive connection would stay with one worker; closed, the next is accepted by any.
    with serving(migrated_home(tmp_path / "home"), tmp_path / "server.log") as (port, _):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/accounts/login/", headers={"Connection": "keep-alive"})
        response = connection.getresponse()
        response.read()
        connection.close()
    assert response.status == 200
    assert response.getheader("Connection") == "close"
    said = (tmp_path / "server.log").read_text()
    workers = set(re.findall(r"Booting worker with pid: (\d+)", said))
    served_by = re.findall(r'"GET /accounts/login/ HTTP/1.1" 200 .* \d+ms <(\d+)>$', said, re.M)
    assert served_by and set(served_by) <= workers
