import os
import sys
import time
from pathlib import Path

from proficio.supervise import Supervised


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _quick(command: list[str], said: list[str]) -> Supervised:
    """Looked at every 20 ms, started again after 50 ms at first."""
    return Supervised(
        command, name="test child", check_every=0.02, first_pause=0.05, say=said.append
    )


def test_a_child_that_ends_is_started_again_after_a_growing_pause() -> None:
    said: list[str] = []
    child = _quick(_python("import sys; sys.exit(3)"), said)
    child.start()
    try:
        _until(lambda: child.starts >= 4)
    finally:
        child.stop()
    assert said[:3] == [
        "The test child stopped with exit code 3; starting it again in 0.05 s.",
        "The test child stopped with exit code 3; starting it again in 0.1 s.",
        "The test child stopped with exit code 3; starting it again in 0.2 s.",
    ]


def test_stop_ends_a_running_child_and_starts_nothing_more() -> None:
    child = Supervised(
        _python("import time; time.sleep(60)"), name="test child", check_every=0.02, say=print
    )
    child.start()
    pid = child.pid
    # A process group of its own: a terminal's Ctrl+C reaches the parent alone.
    assert os.getpgid(pid) == pid != os.getpgid(0)
    child.stop()
    assert child.starts == 1
    assert not Path(f"/proc/{pid}").exists()


def test_stop_kills_a_child_that_will_not_stop_after_its_grace(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = (
        "import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    )
    child = Supervised(_python(stubborn), name="test child", stop_grace=0.2, say=print)
    child.start()
    _until(ready.exists)
    pid = child.pid
    began = time.monotonic()
    child.stop()
    # Killed after its grace, not waited on for its 60 s of sleep.
    assert time.monotonic() - began < 10
    assert not Path(f"/proc/{pid}").exists()
    assert child.starts == 1


def test_a_child_that_cannot_start_again_is_tried_again_later(tmp_path: Path) -> None:
    said: list[str] = []
    gone = tmp_path / "python"
    gone.symlink_to(sys.executable)
    child = _quick([str(gone), "-c", "pass"], said)
    child.start()
    try:
        _until(lambda: child.starts >= 1 and said)
        gone.unlink()  # from now on the command cannot start
        _until(lambda: sum("could not start" in line for line in said) >= 2)
        gone.symlink_to(sys.executable)
        starts = child.starts
        _until(lambda: child.starts > starts)
    finally:
        child.stop()
    assert said[0] == "The test child stopped; starting it again in 0.05 s."
