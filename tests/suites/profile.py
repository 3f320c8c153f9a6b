"""The suites' two profiles: `ci` (default, part of `make test`) and `soak` (`make soak`).

MINICRM_SUITE_PROFILE=soak switches every suite to its long run; single figures can be
overridden for a one-off run (MINICRM_CRASH_KILLS, MINICRM_LOAD_PROCESSES, MINICRM_LOAD_SECONDS,
MINICRM_FUZZ_EXAMPLES, MINICRM_WEB_FUZZ_EXAMPLES, MINICRM_ATHERIS_SECONDS).  The CI profile is
kept short: the whole suite runs in under ten minutes on two cores.
"""
from __future__ import annotations

import os

PROFILE = os.environ.get("MINICRM_SUITE_PROFILE", "ci").strip().lower() or "ci"
assert PROFILE in ("ci", "soak"), f"MINICRM_SUITE_PROFILE must be ci or soak, not {PROFILE!r}"

_DEFAULTS = {
    #                     ci     soak
    "CRASH_KILLS":      (100,  1_000),
    "LOAD_PROCESSES":   (8,    20),
    "LOAD_SECONDS":     (60,   600),     # issue 16: 8 processes for 60 s in CI, 20 for 10 min in soak
    "LOAD_BIG_IMPORT":  (50_000, 50_000),  # rows of the one large import during the load
    "FUZZ_EXAMPLES":    (150,  5_000),    # hypothesis examples per importer
    "WEB_FUZZ_EXAMPLES": (800, 20_000),   # hypothesis requests to the real web process
    "ATHERIS_SECONDS":  (30,   300),      # the coverage-guided importer run (soak only: soak_fuzz_atheris.py)
}


def figure(name: str) -> int:
    value = os.environ.get(f"MINICRM_{name}")
    return int(value) if value else _DEFAULTS[name][PROFILE == "soak"]


CRASH_KILLS = figure("CRASH_KILLS")
LOAD_PROCESSES = figure("LOAD_PROCESSES")
LOAD_SECONDS = figure("LOAD_SECONDS")
LOAD_BIG_IMPORT = figure("LOAD_BIG_IMPORT")
FUZZ_EXAMPLES = figure("FUZZ_EXAMPLES")
WEB_FUZZ_EXAMPLES = figure("WEB_FUZZ_EXAMPLES")
ATHERIS_SECONDS = figure("ATHERIS_SECONDS")
