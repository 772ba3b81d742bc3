"""The Proficio home: one folder holding a site's database, secret key and uploads.

`PROFICIO_HOME` chooses the folder (default `~/.proficio`). Everything a running
site writes lives here, so a backup is one folder and a fresh machine needs
nothing but this package.

The home holds every student's record, so it is its owner's alone: `proficio` sets the umask
`PRIVATE_UMASK` before it writes anything (folders 0700, files 0600) and `home_tighten` takes
group and other access off what an older release, or a copy, left open.
"""

import os
import secrets
import stat
from enum import StrEnum
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
PRIVATE_UMASK = 0o077
OPEN_TO_OTHERS = 0o077  # the group and other permission bits


class PendingMigrations(StrEnum):
    """What a `proficio` command does with a database this version has not migrated yet.

    Between `pip install -U proficio` and the restart, the site still runs the older version on
    that database: migrating it then, from a nightly backup say, changes the tables under the
    running site. A new database (no migration applied) is always migrated: no site runs on it.
    """

    APPLY = "apply"  # migrate first: the command needs this version's tables (start, demo, …)
    LEAVE = "leave"  # leave it as it is and carry on (backup copies the database as it stands)
    REFUSE = "refuse"  # leave it and stop, saying why: the command needs this version's tables


def home_dir() -> Path:
    """The home folder, created on first use."""
    path = Path(os.environ.get("PROFICIO_HOME", Path.home() / ".proficio")).expanduser()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def home_tighten() -> str | None:
    """Take group and other access off the home and everything in it (symbolic links are left
    alone). Return one line saying what was changed, or None when nothing was."""
    home = home_dir()
    home_before = _tighten(home)
    tightened = {"file": 0, "folder": 0}
    not_ours = 0
    for root, dirnames, filenames in os.walk(home):
        for kind, names in (("folder", dirnames), ("file", filenames)):
            for name in names:
                try:
                    if _tighten(Path(root, name)) is not None:
                        tightened[kind] += 1
                except PermissionError:  # made by another user: ours to report, not to change
                    not_ours += 1
                except FileNotFoundError:  # removed while we walked (an expired upload)
                    pass
    if home_before is None and not any(tightened.values()):
        return None
    changes = []
    if home_before is not None:
        changes.append(f"the folder was {home_before:04o}, now {home_before & ~OPEN_TO_OTHERS:04o}")
    if any(tightened.values()):
        changes.append(
            f"{_count(tightened['file'], 'file')} and {_count(tightened['folder'], 'folder')} "
            "inside are no longer open to other users"
        )
    if not_ours:
        changes.append(f"{_count(not_ours, 'item')} owned by another user could not be changed")
    return f"Made {home} private to its owner: {'; '.join(changes)}."


def _tighten(path: Path) -> int | None:
    """Clear the group and other bits of `path`; its mode before, or None if they were clear."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode) or not mode & OPEN_TO_OTHERS:
        return None
    path.chmod(stat.S_IMODE(mode) & ~OPEN_TO_OTHERS)
    return stat.S_IMODE(mode)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def secret_key() -> str:
    """The site's secret key: from the environment, else generated once and kept in the home."""
    if key := os.environ.get("PROFICIO_SECRET_KEY"):
        return key
    path = home_dir() / SECRET_KEY_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; theirs wins
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def database_url() -> str:
    """`PROFICIO_DATABASE_URL`, else a SQLite file in the home."""
    return os.environ.get("PROFICIO_DATABASE_URL") or f"sqlite:///{home_dir() / 'proficio.sqlite3'}"
