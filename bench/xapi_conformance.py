"""Run the ADL xAPI LRS conformance suite (xAPI 1.0.3) against `proficio start`.

    make xapi-conformance SUITE=/path/to/lrs-conformance-test-suite

The suite is not on a package registry: clone github.com/adlnet/lrs-conformance-test-suite
and `npm install` in it once. This starts Proficio on a fresh home with a small demo
district and a tool's credentials, runs the suite's console runner against /xapi/, prints
how many tests passed and the title and error of each that failed, as JSON, and stops the
site. Exit 0 when every test passed.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROGRESS = re.compile(r'^\{"total":\d+,"passed":\d+,"failed":\d+')
LOG_WRITTEN = re.compile(r"Full run log written to (\S+\.log)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _proficio(home: str, *args: str) -> str:
    env = {**os.environ, "PROFICIO_HOME": home}
    done = subprocess.run(
        [sys.executable, "-m", "proficio.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"proficio {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Proficio did not answer at {url}")


def _failures(log_path: str) -> list[dict]:
    """Each failed test of the runner's log, with its error."""
    found = []

    def walk(node: dict, path: tuple[str, ...]) -> None:
        title = node.get("title") or node.get("name") or ""
        here = (*path, title) if title else path
        if node.get("status") == "failed" and node.get("error"):
            found.append({"test": " > ".join(here), "error": str(node["error"])[:300]})
        for child in node.get("tests", ()):
            walk(child, here)

    walk(json.loads(Path(log_path).read_text())["log"], ())
    return found


def main() -> int:
    suite = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SUITE", ""))
    if not (suite / "bin" / "console_runner.js").exists():
        raise SystemExit(__doc__)
    home = tempfile.mkdtemp(prefix="proficio-xapi-")
    _proficio(home, "demo", "--students", "12")
    created = _proficio(home, "xapi", "credentials", "create", "Conformance suite")
    key = re.search(r"key:\s+(\S+)", created).group(1)
    secret = re.search(r"secret:\s+(\S+)", created).group(1)
    port = _free_port()
    site = subprocess.Popen(
        [sys.executable, "-m", "proficio.cli", "start", "--port", str(port), "--workers", "2"],
        env={**os.environ, "PROFICIO_HOME": home},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}/xapi"
        _wait_for(f"{endpoint}/about")
        runner = subprocess.run(
            [
                "node",
                "bin/console_runner.js",
                "-e",
                endpoint,
                "-a",
                "-u",
                key,
                "-p",
                secret,
                "-x",
                "1.0.3",
            ],
            cwd=suite,
            capture_output=True,
            text=True,
        )
    finally:
        site.terminate()
        site.wait(30)
    lines = runner.stdout.splitlines()
    progress = [json.loads(line) for line in lines if PROGRESS.match(line)]
    counts = progress[-1] if progress else {"total": 0, "passed": 0, "failed": 0}
    log = next((m.group(1) for line in lines if (m := LOG_WRITTEN.search(line))), None)
    failures = _failures(log) if log and Path(log).exists() else []
    print(json.dumps({**counts, "failures": failures}, indent=2))
    return 0 if counts["total"] and counts["passed"] == counts["total"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
