"""Lockout after consecutive failures, its expiry, and no password oracle while locked."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from store import auth
from store.auth import policy
from store.models import User
from store.scope import Scope

from .conftest import PASSWORD, audit_rows


@pytest.fixture
def auth_settings():
    return {"lockout_threshold": 3, "lockout_minutes": 20}


def _fail(person, now, times=1):
    for _ in range(times):
        with pytest.raises(auth.LoginFailed):
            auth.login(person.username, "wrong password 123", person.code(now), now=now)


def test_threshold_locks_then_only_right_credentials_learn_it(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    _fail(anna, now, times=2)
    assert User.get_by_id(anna.id).locked_until is None
    _fail(anna, now)  # the third (configured threshold) locks
    user = User.get_by_id(anna.id)
    assert user.failed_logins == 3
    assert user.locked_until == policy.clock(now)[0] + dt.timedelta(minutes=20)

    with pytest.raises(auth.AccountLocked) as locked:
        auth.login("anna", PASSWORD, anna.code(now), now=now)
    assert locked.value.until == user.locked_until
    assert "locked" in str(locked.value)
    _fail(anna, now)  # a wrong password while locked is the generic failure
    with pytest.raises(auth.LoginFailed):  # and so is a wrong code with the right password
        auth.login("anna", PASSWORD, anna.wrong_code(now), now=now)
    assert [r.actor_id for r in audit_rows("login.locked")] == [anna.id]
    assert len(audit_rows("login.failed")) == 5


def test_lock_runs_out_and_a_good_login_clears_the_counter(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    _fail(anna, now, times=3)
    later = now + 21 * 60
    session = auth.login("anna", PASSWORD, anna.code(later), now=later)
    assert isinstance(session, auth.Session)
    user = User.get_by_id(anna.id)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_an_expired_lock_counts_afresh(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    _fail(anna, now, times=3)
    later = now + 21 * 60
    _fail(anna, later)
    user = User.get_by_id(anna.id)
    assert (user.failed_logins, user.locked_until) == (1, None)


def test_no_password_oracle_after_threshold_more_guesses_while_locked(crm, make_user):
    """While locked only `threshold` more guesses are checked; after that even the right
    password is not looked at, so guessing during a lock cannot go on unthrottled."""
    anna = make_user("anna")
    now = time.time()
    _fail(anna, now, times=6)  # 3 to lock, 3 more while locked
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", PASSWORD, anna.code(now), now=now)
    assert '"reason":"locked"' in audit_rows("login.failed")[-1].detail


def test_revoked_user_learns_it_only_with_the_right_password(crm, make_user):
    anna = make_user("anna")
    auth.revoke(Scope.console(), "anna")
    now = time.time()
    _fail(anna, now)
    with pytest.raises(auth.AccountRevoked):
        auth.login("anna", PASSWORD, anna.code(now), now=now)
    assert audit_rows("login.refused")


def test_reset_password_lifts_the_lock(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    _fail(anna, now, times=3)
    otp = auth.reset_password(Scope.console(), "anna")
    first = auth.login("anna", otp, anna.code(now), now=now)
    assert isinstance(first, auth.FirstLogin)
