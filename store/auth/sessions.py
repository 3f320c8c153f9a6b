"""Login sessions: one row per login, checked by one indexed SELECT, ended for a reason.

* A session row holds the user's `auth_epoch` at login.  Revoking a user or
  resetting their password or 2FA bumps the epoch and ends the rows in the same
  transaction; a role change bumps the epoch too.  `Session.check()` and every
  call through the session's Scope notice at once (see `Scope.check_session`).
* Every stored end reason is an `EndReason`.
* Listing sessions and ending one is for the session's own user, or for an
  administrator (and the console); a session of somebody else looks, to anyone
  else, as if it did not exist.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from typing import Any, cast

from .. import audit, changes, passwords
from ..db import database, tuples
from ..errors import EndReason, NoSuchSession, SessionEnded
from ..models import LoginSession, User, utcnow
from ..scope import Scope, session_end_reason
from .factors import SIX_DIGITS, consume_second_factor, match_second_factor
from .policy import (
    clear_failures,
    clock,
    config,
    database_errors,
    is_locked,
    register_failure,
    reserve_attempt,
    source_addr,
)

TOUCH_INTERVAL_SECONDS = 60  # Session.touch() writes at most this often

_local_sessions: set[int] = set()  # sessions started by this process


class Session:
    """A logged-in user in one process.  Call `check()` about once a second."""

    def __init__(self, row: LoginSession, user: User):
        self.id: int = row.id
        self.user_id: int = user.id
        self.username: str = user.username
        self.role: str = user.role
        self.started_at: dt.datetime = row.started_at
        self.max_age = dt.timedelta(hours=config()["auth.session_max_hours"])
        self.recovery_codes_left: int | None = None  # set when a recovery code was used to log in
        self._last_touch = time.monotonic()

    def __repr__(self) -> str:
        return f"<Session {self.id} user={self.user_id} role={self.role}>"

    def scope(self) -> Scope:
        # A detached row with what a Scope needs; no hashes or secrets travel with it.
        return Scope(User(id=self.user_id, username=self.username, role=self.role), self.id)

    def check(self, now=None) -> None:
        """Raise SessionEnded if this session may not go on.  One indexed SELECT.

        A session found outdated (revoked, reset, role changed, too old) is ended
        here, so every process sees it as ended from now on.
        """
        when, _ = clock(now)
        reason, already_ended = session_end_reason(self.id, self.role, when, self.started_at)
        if reason is None:
            return
        if not already_ended:
            self._close(reason, when)
        raise SessionEnded(reason)

    def touch(self, *, force: bool = False) -> None:
        """Record activity; writes at most once a minute unless forced."""
        if not force and time.monotonic() - self._last_touch < TOUCH_INTERVAL_SECONDS:
            return
        self._last_touch = time.monotonic()
        with database.atomic():
            LoginSession.update(last_seen_at=utcnow()).where(
                (LoginSession.id == self.id) & LoginSession.ended_at.is_null()).execute()

    @database_errors
    def unlock(self, secret: str, *, now=None) -> bool:
        """Idle lock: the password or a fresh TOTP code.  Failures count toward lockout.

        Returns False for a wrong secret and while the account is locked; raises
        SessionEnded if the session ended meanwhile.
        """
        when, epoch = clock(now)
        self.check(when)
        is_code = isinstance(secret, str) and SIX_DIGITS.fullmatch(secret) is not None
        user, capped = reserve_attempt(self.user_id, when)  # counted before the check (policy.py)
        password_ok = False
        if capped:
            passwords.dummy_verify(secret)
        elif not is_code:
            password_ok = passwords.verify_password(secret, user.password_hash or "")
        with database.atomic():
            result = self._settle_unlock(user, secret, is_code, capped, password_ok, when, epoch)
        if result:
            self._last_touch = time.monotonic()
        return result

    def _settle_unlock(self, user: User, secret, is_code: bool, capped: bool, password_ok: bool,
                       when: dt.datetime, epoch: float) -> bool:
        """The unlock's outcome, under the write lock (counters, replay guard, audit)."""
        fresh = User.get_by_id(self.user_id)
        kind, ref = "password", None
        if capped:
            ok, reason = False, "locked"
        elif is_code:
            kind, ref = (match_second_factor(fresh, secret.strip(), epoch)
                         if fresh.totp_enrolled else ("code", None))
            ok, reason = kind == "totp", kind
        else:
            ok = password_ok and fresh.password_hash == user.password_hash
            reason = "password"
        if not ok:
            if capped:
                audit.record(self.user_id, "unlock.failed", "session", self.id, reason="locked")
            else:
                register_failure(fresh, reason, when, action="unlock.failed", counted=True)
            return False
        if is_locked(fresh, when):
            audit.record(self.user_id, "unlock.refused", "session", self.id, reason="locked")
            return False
        # cast: match_second_factor pairs "totp" with its step (an int), never None
        if kind == "totp" and not consume_second_factor(self.user_id, kind, cast(int, ref), when):
            register_failure(fresh, "replay", when, action="unlock.failed", counted=True)
            return False
        clear_failures(self.user_id)
        LoginSession.update(last_seen_at=when).where(LoginSession.id == self.id).execute()
        audit.record(self.user_id, "session.unlock", "session", self.id, factor=kind)
        return True

    def end(self, reason: EndReason | str = EndReason.LOGOUT) -> None:
        try:
            reason = EndReason(reason)
        except ValueError:
            reason = EndReason.LOGOUT
        self._close(reason, utcnow())

    def sessions(self, *, active_only: bool = True) -> list[SessionView]:
        """This user's own sessions (the current one marked)."""
        return sessions_of(self.scope(), self.user_id, active_only=active_only)

    def _close(self, reason: EndReason, when: dt.datetime) -> None:
        with database.atomic():
            closed = LoginSession.update(ended_at=when, end_reason=reason.value).where(
                (LoginSession.id == self.id) & LoginSession.ended_at.is_null()).execute()
            if closed:
                changes.record("session", self.id, "update")
                audit.record(self.user_id, "session.end", "session", self.id, reason=reason.value)
        _local_sessions.discard(self.id)


def start_session(user: User, when: dt.datetime, given_addr, pid, factor: str) -> Session:
    """Inside the caller's transaction, on a row read under the lock."""
    row = LoginSession.create(user=user.id, started_at=when, last_seen_at=when,
                              source_addr=source_addr(given_addr),
                              pid=os.getpid() if pid is None else int(pid), auth_epoch=user.auth_epoch)
    User.update(last_login_at=when, failed_logins=0, locked_until=None).where(User.id == user.id).execute()
    changes.record("session", row.id, "insert")
    audit.record(user.id, "login.ok", "session", row.id, factor=factor)
    session = Session(row, user)
    _local_sessions.add(row.id)
    return session


def end_user_sessions(user_id: int, reason: EndReason, when: dt.datetime) -> int:
    """End every open session of a user (inside the caller's transaction); returns how many."""
    ids = [i for (i,) in tuples(LoginSession.select(LoginSession.id).where(
        (LoginSession.user == user_id) & LoginSession.ended_at.is_null()))]
    if ids:
        LoginSession.update(ended_at=when, end_reason=reason.value).where(
            LoginSession.id.in_(ids)).execute()
        changes.record_many("session", ids, "update")
    return len(ids)


@dataclass(frozen=True)
class SessionView:
    id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    source_addr: str | None
    pid: int
    current: bool
    user_id: int = 0
    username: str = ""
    ended_at: dt.datetime | None = None
    end_reason: str | None = None
    alive: bool = True  # the process still exists on this host


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _may_see_sessions_of(scope: Scope, user_id: int | None) -> None:
    """One's own sessions, or anybody's for an administrator (and the console)."""
    if user_id is not None and user_id == scope.user_id and not scope.is_console:
        scope.check_session()
        return
    scope.require("user.admin")


def sessions_of(scope: Scope, user_id: int | None, *, active_only: bool = True,
                now=None, audited: bool = False) -> list[SessionView]:
    """One user's sessions (user_id None: everybody's), newest first.

    Active means not ended, not older than session_max_hours and not outdated by
    a revoke or reset; `current` marks sessions this process started.  `audited`
    records the listing (the console's; the app's own session list is not audited).
    """
    _may_see_sessions_of(scope, user_id)
    when, _ = clock(now)
    max_age = dt.timedelta(hours=config()["auth.session_max_hours"])
    q = (LoginSession.select(LoginSession, User.username, User.auth_epoch.alias("user_epoch"),
                             User.revoked_at)
         .join(User).order_by(LoginSession.started_at.desc(), LoginSession.id.desc()))
    if user_id is not None:
        q = q.where(LoginSession.user == user_id)
    if active_only:
        q = q.where(LoginSession.ended_at.is_null())
    views = []
    s: Any  # a LoginSession row carrying the joined user's columns too (username, user_epoch, revoked_at)
    for s in q.objects():
        if active_only and (when - s.started_at > max_age or s.revoked_at is not None
                            or s.user_epoch != s.auth_epoch):
            continue
        views.append(SessionView(
            id=s.id, started_at=s.started_at, last_seen_at=s.last_seen_at, source_addr=s.source_addr,
            pid=s.pid, current=s.id in _local_sessions, user_id=s.user_id, username=s.username,
            ended_at=s.ended_at, end_reason=s.end_reason,
            alive=s.ended_at is None and _pid_alive(s.pid)))
    if audited:
        audit.record(scope.user_id, "session.list", "user", user_id, count=len(views))
    return views


def end_session(scope: Scope, session_id: int) -> None:
    """End one session: one's own, or anybody's for an admin or the console."""
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise NoSuchSession("a session id is a whole number")
    is_admin = scope.can("user.admin")
    with scope.transaction():
        row = LoginSession.get_or_none(LoginSession.id == session_id)
        if row is not None and not is_admin and row.user_id != scope.user_id:
            audit.record(scope.user_id, "access.denied", "session", session_id)
            row = None
        if row is None or row.ended_at is not None:
            outcome = NoSuchSession(f"no active session {session_id}")
        else:
            LoginSession.update(ended_at=utcnow(), end_reason=EndReason.ENDED.value).where(
                LoginSession.id == session_id).execute()
            changes.record("session", session_id, "update")
            audit.record(scope.user_id, "session.end", "session", session_id,
                         reason=EndReason.ENDED.value, user=row.user_id)
            outcome = None
    _local_sessions.discard(session_id)
    if outcome is not None:
        raise outcome


__all__ = ["Session", "SessionView", "end_session", "sessions_of"]
