"""The home is its owner's alone: made 0700/0600, and tightened when found open."""

import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from proficio.home import home_tighten
from tests.test_cli import run_proficio


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The umask most systems give a login shell, under which files come out world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_home_is_made_private_whatever_the_callers_umask(tmp_path, open_umask):
    home = tmp_path / "new-home"
    result = run_proficio(home, "audit", "prune")
    assert result.returncode == 0, result.stderr
    assert mode(home) == 0o700
    assert mode(home / "proficio.sqlite3") == 0o600
    assert mode(home / "secret_key") == 0o600
    assert mode(home / "static") == 0o700
    assert "private to its owner" not in result.stderr  # nothing was open: nothing to say


def test_an_open_home_is_tightened_on_start_with_one_line(tmp_path, open_umask):
    home = tmp_path / "old-home"
    assert run_proficio(home, "audit", "prune").returncode == 0
    # What an older release left behind: the folder, the database and an upload open to all.
    home.chmod(0o755)
    (home / "proficio.sqlite3").chmod(0o644)
    (home / "media").mkdir(mode=0o755)
    (home / "media" / "work.pdf").write_bytes(b"%PDF")
    (home / "media" / "work.pdf").chmod(0o644)

    result = run_proficio(home, "audit", "prune")

    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if "private to its owner" in line]
    assert notices == [
        f"proficio: Made {home} private to its owner: the folder was 0755, now 0700; "
        "2 files and 1 folder inside are no longer open to other users."
    ]
    assert mode(home) == 0o700
    assert mode(home / "proficio.sqlite3") == 0o600
    assert mode(home / "media") == 0o700
    assert mode(home / "media" / "work.pdf") == 0o600
    again = run_proficio(home, "audit", "prune")
    assert "private to its owner" not in again.stderr


def test_tightening_keeps_the_owners_bits_and_leaves_symbolic_links_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFICIO_HOME", str(tmp_path))
    tmp_path.chmod(0o700)
    script = tmp_path / "hook.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o775)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not the home's")
    outside.chmod(0o644)
    (tmp_path / "link").symlink_to(outside)

    assert home_tighten() == (
        f"Made {tmp_path} private to its owner: "
        "1 file and 0 folders inside are no longer open to other users."
    )
    assert mode(script) == 0o700
    assert mode(outside) == 0o644
    assert home_tighten() is None


def test_uploaded_files_are_saved_private(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("work/essay.txt", ContentFile(b"my essay"))
    assert mode(Path(storage.path(name))) == 0o600
    assert mode(tmp_path / "media" / "work") == 0o700
