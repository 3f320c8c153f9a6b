"""Fixtures for the hygiene tests: scopes per role, a request handled by a role, and the clock.

The clock is injected: every hygiene service takes `now` (and `minicrm hygiene --today`),
so a test walks a year of retention without waiting or touching the system time.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def scopes(users) -> dict:
    from store.scope import Scope

    return {name: Scope(user) for name, user in users.items()}


@pytest.fixture
def handled_by(scopes):
    """handled_by(role, contact_id, kind) -> request id of an open, verified request."""
    from store.rights import add_request, verify_identity

    def handle(role: str, contact_id: int, kind: str = "access") -> int:
        request_id = add_request(scopes[role], contact_id, kind)
        verify_identity(scopes[role], request_id, "known_email")
        return request_id

    return handle


@pytest.fixture
def retention_setting(store):
    """retention_setting(key, value): change a [retention] figure for this test only."""
    from store import runtime

    values = runtime.current().config.values["retention"]
    saved = dict(values)

    def change(key: str, value) -> None:
        assert key in values, key
        values[key] = value

    yield change
    values.clear()
    values.update(saved)
