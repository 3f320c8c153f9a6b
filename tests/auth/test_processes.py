"""What only shows with real processes: the replay race, lockout counters shared by
processes, and revocation reaching a live session in another process."""
from __future__ import annotations

import time

import pytest
from waiting import GENEROUS

from store import auth
from store.models import User
from store.scope import Scope

from .children import RACE_LOGIN, WATCH_SESSION
from .conftest import PASSWORD, audit_rows


def _race(spawn_child, crm, tmp_path, name, password, code, n=2) -> list[str]:
    go = tmp_path / f"go-{name}"
    children = [spawn_child(crm, RACE_LOGIN, name, password, code, go) for _ in range(n)]
    for child in children:
        assert child.line() == "ready"
    go.touch()
    results = sorted(child.line() for child in children)
    for child in children:
        child.finish()
    return results


def test_two_processes_submit_the_same_code_at_once_exactly_one_wins(crm, make_user, spawn_child, tmp_path):
    anna = make_user("anna")
    results = _race(spawn_child, crm, tmp_path, "anna", PASSWORD, anna.code())
    assert results == ["ok Session", "refused LoginFailed"]
    assert len(audit_rows("login.ok")) == 1
    (failed,) = audit_rows("login.failed")
    assert failed.actor_id == anna.id and '"reason":"replay"' in failed.detail


def test_two_processes_submit_the_same_recovery_code_exactly_one_wins(crm, make_user, spawn_child, tmp_path):
    anna = make_user("anna")
    now = time.time()
    codes = auth.regenerate_recovery_codes(auth.login("anna", PASSWORD, anna.code(now), now=now).scope())
    results = _race(spawn_child, crm, tmp_path, "anna", PASSWORD, codes[0])
    assert results == ["ok Session", "refused LoginFailed"]


def test_lockout_counts_failures_from_every_process(crm, make_user, spawn_child, tmp_path, run_python):
    anna = make_user("anna")
    results = _race(spawn_child, crm, tmp_path, "anna", "wrong password 123", anna.code(), n=5)
    assert results == ["refused LoginFailed"] * 5
    user = User.get_by_id(anna.id)
    assert user.failed_logins == 5 and user.locked_until is not None
    assert len(audit_rows("login.failed")) == 5 and len(audit_rows("login.locked")) == 1

    # Another process (another SSH session) sees the lock with the right credentials.
    out = run_python(crm, """
        from store import auth
        runtime.open_store()
        try:
            auth.login(sys.argv[1], sys.argv[2], sys.argv[3])
        except auth.AuthError as exc:
            print(type(exc).__name__)
    """, "anna", PASSWORD, anna.code())
    assert out.stdout.strip() == "AccountLocked"


@pytest.mark.parametrize("action, reason", [
    (lambda: auth.revoke(Scope.console(), "anna"), "revoked"),
    (lambda: auth.reset_2fa(Scope.console(), "anna"), "reset"),
    (lambda: auth.reset_password(Scope.console(), "anna"), "reset"),
])
def test_admin_action_ends_a_live_session_in_another_process(
        crm, make_user, spawn_child, action, reason):
    # how soon it ends (one poll interval, about a second) is measured in bench/bench_auth.py
    anna = make_user("anna")
    child = spawn_child(crm, WATCH_SESSION, "anna", PASSWORD, anna.code())
    assert child.line().startswith("ready ")
    action()
    words = child.line(timeout=GENEROUS).split(" ", 3)
    assert words[:2] == ["ended", reason]
    assert words[3] == auth.SessionEnded.MESSAGES[reason]
    child.finish()
