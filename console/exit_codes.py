"""The one table of exit codes of `minicrm` and of what sshd runs for a staff key.

Scripts and sshd clients branch on these numbers, so they never change meaning.
"""
from __future__ import annotations

import enum


class Exit(enum.IntEnum):
    OK = 0
    FAILED = 1  # the command ran and failed, or was cancelled; one line on stderr says why
    REFUSED = 2  # not allowed to run: an unknown key, role, code or command (argparse: bad usage)
    UNEXPECTED = 70  # a bug (EX_SOFTWARE): "unexpected error (<class>)", never a traceback
    HANGUP = 129  # an SSH session whose terminal went away (128 + SIGHUP)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
