"""Logging in: password plus second factor, and the first login's set-up.

* The password is checked (bcrypt, outside any transaction: about 0.3 s), then,
  under BEGIN IMMEDIATE, everything that must not race: the lockout counters,
  the TOTP replay guard, recovery codes (used once) and the new session row.
* An unknown user, a wrong password, a wrong code and a replayed code all give
  the same `LoginFailed`, after the same bcrypt work.  `AccountLocked` and
  `AccountRevoked` are only raised when the credentials were right, so they
  tell an attacker nothing he did not know.
* Every failure is audited; an unknown user is recorded as `unknown_user`,
  never by the name that was typed.

Nothing here puts a password, code, secret or username into an exception
message, an audit row or a repr.
"""
from __future__ import annotations

import datetime as dt
from typing import cast

from .. import audit, changes, passwords, secretbox, totp
from ..db import database
from ..errors import AccountLocked, AccountRevoked, AuthError, CodeRejected, EndReason, LoginFailed, SessionEnded
from ..models import User, utcnow
from .factors import (
    aad,
    consume_second_factor,
    match_second_factor,
    recovery_codes_left,
    replace_recovery_codes,
    totp_key,
)
from .policy import clear_failures, clock, config, database_errors, is_locked, lookup, register_failure, reserve_attempt
from .sessions import Session, start_session


class Enrolment:
    """What the user scans: the otpauth URI (holds the secret) and its QR code."""

    __slots__ = ("uri", "qr")

    def __init__(self, uri: str, qr: str):
        self.uri = uri
        self.qr = qr

    def __repr__(self) -> str:
        return "<Enrolment>"


class FirstLogin:
    """The password was right, but the user must set a password and/or enrol TOTP first."""

    def __init__(self, user: User, when: dt.datetime):
        self.user_id: int = user.id
        self.username: str = user.username
        self.role: str = user.role
        self._epoch = user.auth_epoch
        self._password_set = not user.must_change_password
        self._totp_confirmed = bool(user.totp_enrolled)
        self._pending: bytes | None = None  # the sealed secret being enrolled
        self._started = when

    def __repr__(self) -> str:
        return f"<FirstLogin user={self.user_id}>"

    @property
    def needs_password(self) -> bool:
        return not self._password_set

    @property
    def needs_totp(self) -> bool:
        return not self._totp_confirmed

    def _fresh(self) -> User:
        """The user row, under the caller's lock; ends the first login if it is outdated."""
        user = User.get_by_id(self.user_id)
        if user.revoked_at is not None:
            raise SessionEnded(EndReason.REVOKED)
        if user.role != self.role:
            raise SessionEnded(EndReason.ROLE_CHANGED)
        if user.auth_epoch != self._epoch:
            raise SessionEnded(EndReason.RESET)
        if utcnow() - self._started > dt.timedelta(hours=config()["auth.session_max_hours"]):
            raise SessionEnded(EndReason.EXPIRED)
        return user

    def set_password(self, new_password: str) -> None:
        cfg = config()
        normalised = passwords.check_password_policy(
            new_password, username=self.username, company_name=cfg["company.name"] or None,
            min_length=cfg["auth.password_min_length"])
        user = User.get_by_id(self.user_id)
        for old in (user.password_hash, user.previous_password_hash):  # the one given, the one before a reset
            if old and passwords.verify_password(normalised, old):
                raise passwords.PasswordRejected("same_as_old")
        hashed = passwords.hash_password(normalised, cost=cfg["auth.bcrypt_cost"])
        with database.atomic():
            self._fresh()
            User.update(password_hash=hashed, previous_password_hash=None, must_change_password=False).where(
                User.id == self.user_id).execute()
            changes.record("user", self.user_id, "update")
            audit.record(self.user_id, "user.password_set", "user", self.user_id)
        self._password_set = True

    def start_totp(self) -> Enrolment:
        if self._totp_confirmed:
            raise AuthError("Two-factor login is already set up for this account.")
        secret = totp.new_secret()
        self._pending = secretbox.seal(totp_key(), secret.encode("ascii"), aad=aad(self.user_id))
        uri = totp.provisioning_uri(secret, self.username, issuer="MiniCRM")
        return Enrolment(uri, totp.qr_text(uri))

    def confirm_totp(self, code: str, *, now=None) -> list[str]:
        """Check a code from the new secret; returns the 10 recovery codes (show them once)."""
        if self._pending is None:
            raise AuthError("Start the two-factor set-up first.")
        _, epoch = clock(now)
        secret = secretbox.open_sealed(totp_key(), self._pending, aad=aad(self.user_id)).decode("ascii")
        step = totp.match_step(secret, code, now=epoch)
        if step is None:
            audit.record(self.user_id, "totp.enrol_failed", "user", self.user_id)
            raise CodeRejected()
        with database.atomic():
            self._fresh()
            User.update(totp_secret=self._pending, totp_enrolled=True, totp_last_step=step).where(
                User.id == self.user_id).execute()
            codes = replace_recovery_codes(self.user_id)
            changes.record("user", self.user_id, "update")
            audit.record(self.user_id, "totp.enrolled", "user", self.user_id)
        self._totp_confirmed, self._pending = True, None
        return codes

    def finish(self, *, source_addr=None, pid=None, now=None) -> Session:
        if not (self._password_set and self._totp_confirmed):
            raise AuthError("Set a new password and confirm two-factor login first.")
        when, _ = clock(now)
        with database.atomic():
            user = self._fresh()
            if user.must_change_password or not user.totp_enrolled:
                raise AuthError("Set a new password and confirm two-factor login first.")
            return start_session(user, when, source_addr, pid, factor="first_login")


@database_errors
def login(username: str, password: str, code: str | None, *, source_addr: str | None = None,
          pid: int | None = None, now=None) -> Session | FirstLogin:
    """Password plus TOTP (or a recovery code) -> Session.

    A user who has not enrolled TOTP yet, or must change the password, gets a
    FirstLogin; if TOTP is already enrolled (a password reset) the code is
    still required.  `now`: a UTC datetime or POSIX time (tests, benches).
    """
    when, epoch = clock(now)
    user = lookup(username)
    if user is None:
        passwords.dummy_verify(password)
        audit.record(None, "login.failed", "user", None, unknown_user=True)
        raise LoginFailed()

    user, capped = reserve_attempt(user.id, when)  # counted before the check: the cap holds in parallel
    if capped:
        passwords.dummy_verify(password)
        password_ok = False
    else:
        password_ok = passwords.verify_password(password, user.password_hash or "")

    with database.atomic():
        outcome = _settle_login(user, password_ok, capped, code, when, epoch, source_addr, pid)
    if isinstance(outcome, AuthError):
        raise outcome
    if isinstance(outcome, Session):
        _rehash_if_needed(user, password)
    return outcome


def _settle_login(user: User, password_ok: bool, capped: bool, code, when: dt.datetime, epoch: float,
                  source_addr, pid) -> Session | FirstLogin | AuthError:
    """The login's outcome, under the write lock, on the row read under it."""
    fresh = User.get_by_id(user.id)
    password_ok = password_ok and fresh.password_hash == user.password_hash
    kind, ref = "password", None
    if password_ok and fresh.totp_enrolled:
        kind, ref = match_second_factor(fresh, code, epoch)
        credentials_ok = kind in ("totp", "recovery")
    else:
        credentials_ok = password_ok
    if capped:
        audit.record(fresh.id, "login.failed", "user", fresh.id, reason="locked")
        return LoginFailed()
    if not credentials_ok:
        register_failure(fresh, kind, when, counted=True)
        return LoginFailed()
    if fresh.revoked_at is not None:
        audit.record(fresh.id, "login.refused", "user", fresh.id, reason="revoked")
        return AccountRevoked()
    if is_locked(fresh, when):
        audit.record(fresh.id, "login.refused", "user", fresh.id, reason="locked")
        return AccountLocked(cast(dt.datetime, fresh.locked_until))  # is_locked: not None
    # cast: enrolled and past credentials_ok means "totp" or "recovery", each with an int ref
    if fresh.totp_enrolled and not consume_second_factor(fresh.id, kind, cast(int, ref), when):
        register_failure(fresh, "replay", when, counted=True)  # unreachable under the lock; a guard
        return LoginFailed()
    if fresh.must_change_password or not fresh.totp_enrolled:
        clear_failures(fresh.id)
        audit.record(fresh.id, "login.first", "user", fresh.id)
        return FirstLogin(fresh, when)
    session = start_session(fresh, when, source_addr, pid, factor=kind)
    if kind == "recovery":
        left = recovery_codes_left(fresh.id)
        session.recovery_codes_left = left
        audit.record(fresh.id, "login.recovery_code", "user", fresh.id, left=left)
    return session


def _rehash_if_needed(user: User, password: str) -> None:
    cost = config()["auth.bcrypt_cost"]
    if not passwords.needs_rehash(cast(str, user.password_hash), cost=cost):  # set: the password just verified
        return
    hashed = passwords.hash_password(password, cost=cost)
    with database.atomic():
        User.update(password_hash=hashed).where(
            (User.id == user.id) & (User.password_hash == user.password_hash)).execute()
        audit.record(user.id, "user.password_rehashed", "user", user.id, cost=cost)
