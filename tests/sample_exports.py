"""Where the vendor sample exports are expected (a plain module: test files import it,
and `conftest` is not importable by name once several conftest files are loaded).

Real exports (Google, Outlook, vCards ...) are read in place, never copied into the
repository: from ../shared/samples beside it, or wherever MINICRM_SAMPLES points.
The `samples` fixture (tests/conftest.py) skips or, under CI=true, fails without them.
"""
from __future__ import annotations

import os
from pathlib import Path

SAMPLES_VARIABLE = "MINICRM_SAMPLES"
REPO_ROOT = Path(__file__).resolve().parents[1]


def samples_folder() -> Path:
    """Where the sample exports are expected (they may be absent)."""
    configured = os.environ.get(SAMPLES_VARIABLE)
    return Path(configured).resolve() if configured else (REPO_ROOT.parent / "shared" / "samples").resolve()


def missing_samples_line(folder: Path) -> str:
    return (f"sample exports not found at {folder} (put them there, or set {SAMPLES_VARIABLE} "
            "to their folder)")
