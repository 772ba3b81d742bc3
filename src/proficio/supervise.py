"""A child process kept running beside the server: started again whenever it ends.

`proficio start` runs the background task worker this way, so a worker that crashes (or is
killed by the system for memory) does not leave policy recomputes queued forever. A child
that keeps dying soon after starting is started again after a growing pause, up to
MAX_PAUSE, instead of in a tight loop.
"""

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

CHECK_EVERY = 1.0  # seconds between two looks at the child
FIRST_PAUSE = 1.0  # seconds before starting a child that ended again
MAX_PAUSE = 60.0
HEALTHY_AFTER = 60.0  # a child that ran this long starts again after FIRST_PAUSE
STOP_GRACE = 30.0  # seconds a stopping child gets to finish what it is doing


class Supervised:
    """Start ``command`` and keep it running until ``stop``."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        name: str,
        check_every: float = CHECK_EVERY,
        first_pause: float = FIRST_PAUSE,
        stop_grace: float = STOP_GRACE,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.command = list(command)
        self.name = name
        self.check_every = check_every
        self.first_pause = first_pause
        self.stop_grace = stop_grace
        self.say = say or (lambda message: print(message, file=sys.stderr, flush=True))
        self.starts = 0
        self._process: subprocess.Popen | None = None
        self._started_at = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name=f"{name} watcher", daemon=True)

    @property
    def pid(self) -> int | None:
        with self._lock:
            return None if self._process is None else self._process.pid

    def start(self) -> None:
        with self._lock:
            self._spawn()
        self._watcher.start()

    def stop(self) -> None:
        """Ask the child to stop (what it is doing finishes first), then insist."""
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=self.stop_grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _spawn(self) -> None:
        # Its own process group: Ctrl+C in a terminal reaches only the parent, which stops
        # the child through stop(), rather than the child ending (and being started again)
        # while the parent waits on its own shutdown.
        self._process = subprocess.Popen(self.command, process_group=0)
        self._started_at = time.monotonic()
        self.starts += 1

    def _watch(self) -> None:
        pause = self.first_pause
        while not self._stopping.wait(self.check_every):
            with self._lock:
                assert self._process is not None
                code = self._process.poll()
                lived = time.monotonic() - self._started_at
            if code is None:
                continue
            pause = self.first_pause if lived >= HEALTHY_AFTER else pause
            # Gunicorn's arbiter reaps every child it has, ours too: then the code reads 0.
            how = f" with exit code {code}" if code else ""
            self.say(f"The {self.name} stopped{how}; starting it again in {pause:g} s.")
            if self._stopping.wait(pause):
                return
            with self._lock:
                try:
                    self._spawn()
                except OSError as error:  # e.g. no memory to fork: the next look tries again
                    self.say(f"The {self.name} could not start: {error}.")
            pause = min(pause * 2, MAX_PAUSE)
