"""A progress bar on stderr for long commands (imports, recompute)."""

import sys
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_SECONDS = 0.1
WIDTH = 30

# (what is happening, how far, out of how many): what long work reports as it goes.
Progress = Callable[[str, int, int], None]


def quiet(step: str, done: int, total: int) -> None:
    """Report nothing."""


class ProgressBar:
    """Called as `bar(step, done, total)`. On a terminal one line is redrawn in place at most
    ten times a second; elsewhere (a log, a pipe) each finished step is one plain line.

    `unit` names what is counted in that plain line ("written", "students done").
    """

    def __init__(self, stream: TextIO = sys.stderr, unit: str = "written"):
        self.stream = stream
        self.unit = unit
        self.live = stream.isatty()
        self.step = ""
        self.drawn_at = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        finished = done >= total
        now = time.monotonic()
        if not finished and step == self.step and now - self.drawn_at < REDRAW_SECONDS:
            return
        self.step, self.drawn_at = step, now
        if self.live:
            filled = WIDTH * done // max(total, 1)
            bar = "█" * filled + "░" * (WIDTH - filled)
            end = "\n" if finished else ""
            self.stream.write(f"\r{step:<22} {bar} {done:>7,}/{total:,}{end}")
        elif finished:
            self.stream.write(f"{step}: {total:,} {self.unit}\n")
        self.stream.flush()
