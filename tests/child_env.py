"""How a test starts another process on a store: the environment, a Python snippet's argv and
the `minicrm` command.  A plain module (not conftest) so tests can import it by name: several
conftest modules exist and `from conftest import` would get whichever was loaded first."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from store.config import Config


def _env(config: Config | Path | str) -> dict:
    path = config.source if isinstance(config, Config) else Path(config)
    env = dict(os.environ)
    env["MINICRM_CONFIG"] = str(path)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONBREAKPOINT", None)
    return env


PRELUDE = """\
import os, sys, time
from store import runtime
from store.db import database
"""


def python_command(code: str, *args: str) -> list[str]:
    """argv for a fresh interpreter running `code` (after PRELUDE) with sys.argv[1:] = args."""
    return [sys.executable, "-c", PRELUDE + textwrap.dedent(code), *map(str, args)]


def minicrm_command() -> list[str]:
    script = Path(sys.executable).with_name("minicrm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "console"]
