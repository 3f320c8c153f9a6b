"""Importing through the database: a real encrypted store per test (tests/conftest.py),
real files, real processes.  The vendor samples are read in place (the `samples` fixture
in tests/conftest.py), never copied."""
from __future__ import annotations

import pytest


@pytest.fixture
def scopes(users) -> dict:
    """A Scope per role (and "sales2"), from the users fixture."""
    from store.scope import Scope

    return {name: Scope(user) for name, user in users.items()}
