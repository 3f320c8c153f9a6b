"""Long work on the console: steps as they happen on a terminal, one summary line under cron.

A backup, restore, drill or rekey reports each step to stderr only when stderr
is a terminal; under cron or a systemd timer (no terminal) the command prints
nothing but its one summary line on stdout (or one error line on stderr), so
the job's mail or journal holds exactly what happened.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Steps:
    """A store `progress` callable: `Steps()("copying ...")`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, step: str) -> None:
        if self.shown:
            from .common import printable

            print(f"[{time.monotonic() - self.started:6.1f} s] {printable(step)}", file=self.stream, flush=True)
