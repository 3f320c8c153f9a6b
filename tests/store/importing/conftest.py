"""Shared helpers for the importer tests.

Real vendor exports live outside the repository (the `samples` fixture in
tests/conftest.py says where, and skips when they are absent).
"""

from __future__ import annotations

from pathlib import Path

# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the repository on sys.path,
# and tests/conftest.py then makes `store` the namespace package tests/store (it has no
# __init__.py); `store.importing` would resolve to this test folder.  Put the real
# package folder first on that namespace's search path.
import store

_REAL_STORE = str(Path(__file__).resolve().parents[3] / "store")
if getattr(store, "__file__", None) is None and _REAL_STORE not in list(store.__path__):
    store.__path__ = [_REAL_STORE, *store.__path__]
