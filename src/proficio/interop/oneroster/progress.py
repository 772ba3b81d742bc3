"""A progress bar on stderr for long imports."""

import sys
import time
from typing import TextIO

REDRAW_SECONDS = 0.1
WIDTH = 30


class ProgressBar:
    """Called as `bar(step, done, total)`. On a terminal one line is redrawn in place at most
    ten times a second; elsewhere (a log, a pipe) each finished step is one plain line."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
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
            self.stream.write(f"{step}: {total:,} written\n")
        self.stream.flush()
