"""`proficio import oneroster PATH [--dry-run] [--json]` as an operator uses it."""

import io
import subprocess
import sys

import pytest

from proficio.lib.progress import ProgressBar
from tests.interop.oneroster_support import PACKAGE_1_1, PACKAGE_1_2, row_counts
from tests.test_cli import proficio_env

pytestmark = pytest.mark.django_db


def test_json_names_what_was_created_updated_unchanged_skipped_and_fixed_per_kind(cli):
    result = cli("import", "oneroster", str(PACKAGE_1_2), "--json")

    assert result.code == 0, result.err
    summary = result.json()
    assert summary["format"] == "OneRoster 1.2"
    assert summary["district"]["name"] == "Harbor Point Public Schools"
    assert summary["created"] == {
        "orgs": 3,
        "users": 23,
        "roles": 24,
        "guardian_links": 6,
        "classes": 5,
        "enrollments": 23,
        "academic_sessions": 4,
    }
    assert summary["updated"] == summary["unchanged"] == summary["deactivated"] == {}
    assert summary["skipped"] == {"roles": 1}
    assert summary["files"]["roles.csv"] == {"mode": "bulk", "rows": 25}
    assert "orgs.csv: removed the byte-order mark at its start." in summary["fixed"]

    again = cli("import", "oneroster", str(PACKAGE_1_2), "--json").json()
    assert again["created"] == again["updated"] == {}
    assert again["unchanged"] == summary["created"]


def test_the_plain_summary_is_a_table_per_kind(cli):
    result = cli("import", "oneroster", str(PACKAGE_1_1))

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == (
        "Imported OneRoster 1.1 into Maple Valley Unified School District (d-mvusd)."
    )
    assert lines[1].split() == ["created", "updated", "unchanged", "deactivated", "skipped"]
    assert lines[3].split() == ["users", "25", "0", "0", "0", "0"]
    assert "Fixed or left out while reading:" in lines


def test_a_dry_run_says_so_and_writes_nothing(cli):
    before = row_counts()

    result = cli("import", "oneroster", str(PACKAGE_1_1), "--dry-run")

    assert result.code == 0
    assert result.out.startswith("Would import OneRoster 1.1")
    assert result.out.rstrip().endswith("Dry run: nothing was written.")
    assert row_counts() == before


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_bar_redraws_one_line_per_step():
    terminal = Terminal()
    bar = ProgressBar(terminal)

    bar("people", 0, 5000)
    bar("people", 2500, 5000)  # within a tenth of a second: not redrawn
    bar("people", 5000, 5000)

    drawn = terminal.getvalue()
    assert drawn.count("\r") == 2
    assert drawn.endswith("5,000/5,000\n")
    assert "█" * 30 in drawn


def test_in_a_log_each_finished_step_is_one_line():
    log = io.StringIO()
    bar = ProgressBar(log)

    for done in (0, 500, 1000):
        bar("enrollments", done, 1000)

    assert log.getvalue() == "enrollments: 1,000 written\n"


@pytest.mark.db_independent
def test_the_proficio_command_imports_into_a_fresh_home(tmp_path):
    env = proficio_env(tmp_path)
    command = [sys.executable, "-m", "proficio.cli", "import", "oneroster", str(PACKAGE_1_1)]

    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    assert first.returncode == 0, first.stderr
    assert "people: 25 written" in first.stderr, "progress goes to stderr"
    assert second.returncode == 0
    users = next(line for line in second.stdout.splitlines() if line.startswith("  users"))
    assert users.split() == ["users", "0", "0", "25", "0", "0"]
