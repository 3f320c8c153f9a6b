"""Sessions: check(), expiry, touch, idle unlock, ending one's own or another's session."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from store import accounts, auth
from store.db import database
from store.models import LoginSession, User
from store.scope import Forbidden, Scope

from .conftest import PASSWORD, audit_rows


@pytest.fixture
def auth_settings():
    return {"session_max_hours": 12, "idle_lock_minutes": 15, "lockout_threshold": 3}


def _login(person, now=None):
    now = time.time() if now is None else now
    return auth.login(person.username, PASSWORD, person.code(now), now=now)


def test_check_is_one_select_and_writes_nothing(crm, make_user):
    anna = make_user("anna")
    session = _login(anna)
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        for _ in range(5):
            session.check()
    finally:
        database.connection().set_trace_callback(None)
    assert len(statements) == 5
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_policy_values_for_the_idle_lock(crm, make_user):
    # The idle lock is the app's (tui/app.py reads auth.idle_lock_minutes); the store keeps max_age.
    session = _login(make_user("anna"))
    assert dt.timedelta(minutes=crm["auth.idle_lock_minutes"]) == dt.timedelta(minutes=15)
    assert session.max_age == dt.timedelta(hours=12)
    assert crm["auth.idle_lock_minutes"] == 15 and crm["auth.lockout_threshold"] == 3


def test_forced_reauthentication_after_max_hours(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    session = _login(anna, now)
    session.check(now + 11.9 * 3600)
    with pytest.raises(auth.SessionEnded) as ended:
        session.check(now + 12.1 * 3600)
    assert ended.value.reason == "expired" and str(ended.value)
    assert LoginSession.get_by_id(session.id).end_reason == "expired"
    with pytest.raises(auth.SessionEnded):
        session.check(now)  # the row is ended now, for every process


def test_touch_is_throttled(crm, make_user):
    session = _login(make_user("anna"))
    before = LoginSession.get_by_id(session.id).last_seen_at
    session.touch()
    assert LoginSession.get_by_id(session.id).last_seen_at == before
    session.touch(force=True)
    assert LoginSession.get_by_id(session.id).last_seen_at > before


def test_unlock_with_password_or_fresh_code(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    session = _login(anna, now)
    assert session.unlock(PASSWORD)
    assert not session.unlock(anna.code(now), now=now)  # used for the login: a replay
    later = now + 30
    assert session.unlock(anna.code(later), now=later)
    for bad in ("", "x" * 1_000_000, "12345", "abcdef", "Grøn\x00hest", None):
        assert not session.unlock(bad)
    assert "unlock.failed" in {r.action for r in audit_rows()}
    assert [r.action for r in audit_rows("session.unlock")] == ["session.unlock"] * 2


def test_unlock_failures_count_toward_lockout(crm, make_user):
    anna = make_user("anna")
    session = _login(anna)
    for _ in range(3):
        assert not session.unlock("not my password")
    assert User.get_by_id(anna.id).locked_until is not None
    assert not session.unlock(PASSWORD)  # locked: even the right password waits
    assert audit_rows("login.locked")


def test_logout_and_sessions_listing(crm, make_user):
    anna = make_user("anna")
    first, second = _login(anna), _login(anna, time.time() + 30)
    views = first.sessions()
    assert [v.id for v in views] == [second.id, first.id]
    assert all(v.current and v.alive for v in views)
    first.end()
    with pytest.raises(auth.SessionEnded) as ended:
        first.check()
    assert ended.value.reason == "ended"
    assert [v.id for v in auth.sessions_of(Scope.console(), anna.id)] == [second.id]
    assert {v.id for v in auth.sessions_of(Scope.console(), anna.id, active_only=False)} == {first.id, second.id}


def test_users_end_their_own_sessions_but_not_others(crm, make_user):
    anna, bo, admin = make_user("anna"), make_user("bo"), make_user("root", "admin")
    now = time.time()
    a1, a2 = _login(anna, now), _login(anna, now + 30)
    b1 = _login(bo, now)
    auth.end_session(a1.scope(), a2.id)
    with pytest.raises(auth.SessionEnded):
        a2.check()
    with pytest.raises(auth.NoSuchSession):
        auth.end_session(a1.scope(), b1.id)  # somebody else's: as if it did not exist
    b1.check()
    assert audit_rows("access.denied")
    with pytest.raises(auth.NoSuchSession):
        auth.end_session(a1.scope(), 999_999)

    root = _login(admin, now)
    auth.end_session(root.scope(), b1.id)
    with pytest.raises(auth.SessionEnded):
        b1.check()
    with pytest.raises(auth.NoSuchSession):
        auth.end_session(Scope.console(), b1.id)  # already ended


def test_only_admins_administer(crm, make_user):
    anna = make_user("anna")
    make_user("bo")
    session = _login(anna)
    for call in (lambda: auth.revoke(session.scope(), "bo"), lambda: auth.reset_2fa(session.scope(), "bo"),
                 lambda: auth.reset_password(session.scope(), "bo")):
        with pytest.raises(Forbidden):
            call()
    assert len(audit_rows("access.forbidden")) == 3
    assert User.get(User.username == "bo").revoked_at is None


def test_resets_and_role_changes_end_sessions(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    for step, change, reason in (
        (0, lambda: auth.reset_2fa(Scope.console(), "anna"), "reset"),
        (1, lambda: accounts.set_role(Scope.console(), "anna", "manager"), "role_changed"),
        (2, lambda: auth.reset_password(Scope.console(), "anna"), "reset"),
    ):
        if step == 1:  # after the 2FA reset anna enrols again (here: directly)
            auth.enrol_for_demo(Scope.console(), "anna", PASSWORD, anna.secret)
        at = now + 30 * step
        session = auth.login("anna", PASSWORD, anna.code(at), now=at)
        change()
        with pytest.raises(auth.SessionEnded) as ended:
            session.check()
        assert ended.value.reason == reason
    assert User.get_by_id(anna.id).auth_epoch == 3


def test_reset_2fa_means_enrolling_again(crm, make_user):
    anna = make_user("anna")
    auth.reset_2fa(Scope.console(), "anna")
    first = auth.login("anna", PASSWORD, "")
    assert (first.needs_password, first.needs_totp) == (False, True)
    assert audit_rows("user.reset_2fa")[0].entity_id == anna.id
