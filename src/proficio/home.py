"""The Proficio home: one folder holding a site's database, secret key and uploads.

`PROFICIO_HOME` chooses the folder (default `~/.proficio`). Everything a running
site writes lives here, so a backup is one folder and a fresh machine needs
nothing but this package.
"""

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


def home_dir() -> Path:
    """The home folder, created on first use."""
    path = Path(os.environ.get("PROFICIO_HOME", Path.home() / ".proficio")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


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
