"""Importing through the database: a real encrypted store per test (tests/conftest.py),
real files, real processes.  The vendor samples are read in place from
``<repo root>/../shared/samples/``, never copied."""
from __future__ import annotations

from pathlib import Path

import pytest

from importing_db_helpers import SAMPLES


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"sample exports not found at {SAMPLES.resolve()}"
    return SAMPLES


@pytest.fixture
def scopes(users) -> dict:
    """A Scope per role (and "sales2"), from the users fixture."""
    from store.scope import Scope

    return {name: Scope(user) for name, user in users.items()}
