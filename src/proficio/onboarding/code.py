"""The setup code: proof that whoever opens the setup page on a fresh installation can read
the installation's files, so the first visitor to a new server cannot claim it.

`proficio start` prints it; it is kept in PROFICIO_HOME/setup-code (readable by the home's
user only) until the district is set up, then removed.
"""

import secrets
from pathlib import Path

from proficio.home import home_dir

FILE_NAME = "setup-code"


def setup_code_path() -> Path:
    return home_dir() / FILE_NAME


def setup_code() -> str:
    """The installation's setup code, made the first time it is asked for."""
    path = setup_code_path()
    if not path.exists():
        digits = f"{secrets.randbelow(10**12):012d}"
        path.write_text(f"{digits[:4]}-{digits[4:8]}-{digits[8:]}\n")
        path.chmod(0o600)
    return path.read_text().strip()


def setup_code_matches(given: str) -> bool:
    wanted = setup_code().replace("-", "")
    return secrets.compare_digest(given.strip().replace("-", "").replace(" ", ""), wanted)


def setup_code_forget() -> None:
    setup_code_path().unlink(missing_ok=True)
