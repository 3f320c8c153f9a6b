"""Shared helpers for the importer tests.

Real vendor exports live outside the repository, in ``../shared/samples/`` next to the
repository root; they are read in place, never copied here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the repository on sys.path,
# and tests/conftest.py then makes `store` the namespace package tests/store (it has no
# __init__.py); `store.importing` would resolve to this test folder.  Put the real
# package folder first on that namespace's search path.
import store  # noqa: E402

_REAL_STORE = str(Path(__file__).resolve().parents[3] / "store")
if getattr(store, "__file__", None) is None and _REAL_STORE not in list(store.__path__):
    store.__path__ = [_REAL_STORE, *store.__path__]

from importing_helpers import SAMPLES  # noqa: E402


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"sample exports not found at {SAMPLES.resolve()}"
    return SAMPLES
