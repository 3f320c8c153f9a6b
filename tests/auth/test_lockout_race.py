"""The lockout cap holds under parallel guesses (issue 16): 20 wrong passwords at once, from
four processes, get at most threshold + threshold password checks; the rest are refused
unchecked, exactly as if they had come one after another."""
from __future__ import annotations

import json

from store.models import User

from .children import RACE_LOGINS
from .conftest import audit_rows

PROCESSES, THREADS = 4, 5  # 20 attempts in flight at once: real processes, each with threads


def test_twenty_parallel_wrong_passwords_respect_the_cap(crm, make_user, spawn_child, tmp_path):
    anna = make_user("anna")
    threshold = crm["auth.lockout_threshold"]
    go = tmp_path / "go"
    children = [spawn_child(crm, RACE_LOGINS, "anna", "wrong password 123", anna.code(), go, THREADS)
                for _ in range(PROCESSES)]
    for child in children:
        assert child.line() == "ready"
    go.touch()
    results = [r for child in children for r in child.line(timeout=120).split()]
    for child in children:
        child.finish()
    assert results == ["LoginFailed"] * PROCESSES * THREADS

    reasons = [json.loads(row.detail)["reason"] for row in audit_rows("login.failed")]
    assert len(reasons) == PROCESSES * THREADS  # every attempt audited
    checked = [r for r in reasons if r != "locked"]
    assert len(checked) == 2 * threshold  # the cap: threshold to lock, threshold more while locked
    user = User.get_by_id(anna.id)
    assert user.failed_logins == 2 * threshold and user.locked_until is not None
    assert len(audit_rows("login.locked")) == 1
