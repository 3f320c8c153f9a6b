"""Fixtures for the pure auth building blocks (no database, no UI)."""

from __future__ import annotations

import pytest

from store import passwords


@pytest.fixture
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> int:
    """Allow bcrypt cost 4 in this test only (production floor is 12).

    Returns the cost to pass to ``hash_password``.
    """
    monkeypatch.setattr(passwords, "MIN_COST", 4)
    return 4
