"""Logins: passwords, TOTP, lockout, sessions, revocation.

The TUI and the SSH entry only call this module.  The rules:

* A login checks the password (bcrypt, outside any transaction: it takes about
  0.3 s) and then, under BEGIN IMMEDIATE, everything that must not race: the
  lockout counters, the TOTP replay guard (the last accepted time step is
  compared-and-set), recovery codes (used once) and the new session row.
* An unknown user, a wrong password, a wrong code and a replayed code all give
  the same `LoginFailed`, after the same bcrypt work.  `AccountLocked` and
  `AccountRevoked` are only raised when the credentials were right, so they
  tell an attacker nothing he did not know.
* While an account is locked, at most another `lockout_threshold` guesses are
  checked at all; after that every attempt fails without looking at the
  password until the lock runs out (no password oracle during a lock).
* Every failure is audited; an unknown user is recorded as `unknown_user`,
  never by the name that was typed.
* A session row holds the user's `auth_epoch` at login.  Revoking a user or
  resetting their password or 2FA bumps the epoch and ends the rows in the same
  transaction; `Session.check()` (one indexed SELECT) notices within a poll.

Nothing here puts a password, code, secret or username into an exception
message, an audit row or a repr.
"""
from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import time
from dataclasses import dataclass

import peewee

from . import audit, changes, passwords, secretbox, totp
from .accounts import CONSOLE, find_user
from .db import StoreError, database
from .models import Contact, Deal, LoginSession, RecoveryCode, User, utcnow
from .scope import Forbidden, Scope
from .errors import (AccountLocked, AccountRevoked, AuthError, CodeRejected, EndReason, LoginFailed,
                     NoSuchSession, SessionEnded)

RECOVERY_CODE_COUNT = 10
TOUCH_INTERVAL_SECONDS = 60  # Session.touch() writes at most this often
MAX_USERNAME_LENGTH = 64  # anything longer is an unknown user, never a query
_SIX_DIGITS = re.compile(r"\s*[0-9]{6}\s*", re.ASCII)


# --- errors ------------------------------------------------------------------

# --- policy and small helpers ------------------------------------------------

@dataclass(frozen=True)
class AuthPolicy:
    lockout_threshold: int
    lockout_minutes: int
    idle_lock_minutes: int
    session_max_hours: int
    password_min_length: int


def policy() -> AuthPolicy:
    """The configured auth settings (the TUI reads the idle lock from here)."""
    cfg = _config()
    return AuthPolicy(cfg["auth.lockout_threshold"], cfg["auth.lockout_minutes"],
                      cfg["auth.idle_lock_minutes"], cfg["auth.session_max_hours"],
                      cfg["auth.password_min_length"])


def _config():
    from .runtime import current

    return current().config


def _totp_key() -> bytes:
    from .runtime import derived_key

    return derived_key("totp")


def _aad(user_id: int) -> bytes:
    return f"user:{user_id}".encode("ascii")


def _clock(now) -> tuple[dt.datetime, float]:
    """(naive UTC datetime, POSIX seconds) for `now`: None, a datetime or a timestamp."""
    if now is None:
        now = time.time()
    if isinstance(now, dt.datetime):
        if now.tzinfo is not None:
            now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return now, calendar.timegm(now.timetuple()) + now.microsecond / 1e6
    if isinstance(now, (int, float)) and not isinstance(now, bool):
        return dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(tzinfo=None), float(now)
    raise TypeError("now must be a UTC datetime, a POSIX timestamp or None")


def _source_addr(given: str | None) -> str | None:
    if given is not None:
        return str(given)[:255]
    fields = os.environ.get("SSH_CONNECTION", "").split()
    return fields[0][:255] if fields else None


def _lookup(username) -> User | None:
    if not isinstance(username, str):
        return None
    name = username.strip().lower()
    if not 0 < len(name) <= MAX_USERNAME_LENGTH or not name.isprintable():
        return None
    return User.get_or_none(User.username == name)


def _is_locked(user: User, when: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > when


def _open_secret(user: User) -> str | None:
    if user.totp_secret is None:
        return None
    try:
        return secretbox.open_sealed(_totp_key(), bytes(user.totp_secret), aad=_aad(user.id)).decode("ascii")
    except (secretbox.SealedDataError, UnicodeDecodeError):
        return None


def _register_failure(user: User, reason: str, when: dt.datetime, action: str = "login.failed") -> None:
    """Count one failure (inside the caller's transaction, on a row read under the lock)."""
    cfg = _config()
    failures, locked_until = user.failed_logins, user.locked_until
    if locked_until is not None and locked_until <= when:  # an old lock ran out: count afresh
        failures, locked_until = 0, None
    failures += 1
    newly_locked = locked_until is None and failures >= cfg["auth.lockout_threshold"]
    if newly_locked:
        locked_until = when + dt.timedelta(minutes=cfg["auth.lockout_minutes"])
    User.update(failed_logins=failures, locked_until=locked_until).where(User.id == user.id).execute()
    audit.record(user.id, action, "user", user.id, reason=reason, failures=failures)
    if newly_locked:
        audit.record(user.id, "login.locked", "user", user.id, failures=failures,
                     minutes=cfg["auth.lockout_minutes"])


def _clear_failures(user_id: int) -> None:
    User.update(failed_logins=0, locked_until=None).where(User.id == user_id).execute()


def _over_lock_cap(user: User, when: dt.datetime) -> bool:
    """Locked and already given `threshold` more guesses: stop checking passwords at all."""
    return _is_locked(user, when) and user.failed_logins >= 2 * _config()["auth.lockout_threshold"]


def _match_second_factor(user: User, code, epoch: float) -> tuple[str, int | None]:
    """('totp', step) / ('recovery', code id) / ('replay'|'code'|'unreadable', None).

    Read-only; call under the write lock and consume with `_consume_second_factor`.
    """
    secret = _open_secret(user)
    if secret is None:
        return "unreadable", None
    if not isinstance(code, str) or len(code) > 64:
        return "code", None
    step = totp.match_step(secret, code, now=epoch, last_step=user.totp_last_step)
    if step is not None:
        return "totp", step
    if totp.match_step(secret, code, now=epoch) is not None:
        return "replay", None
    if totp.normalise_recovery_code(code) is not None:
        unused = list(RecoveryCode.select(RecoveryCode.id, RecoveryCode.code_hash)
                      .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()).tuples())
        index = totp.find_recovery_code(code, [h for _, h in unused])
        if index is not None:
            return "recovery", unused[index][0]
    return "code", None


def _consume_second_factor(user_id: int, kind: str, ref: int, when: dt.datetime) -> bool:
    """Compare-and-set: True only for the one caller that used this step or code."""
    if kind == "totp":
        return User.update(totp_last_step=ref).where(
            (User.id == user_id) & (User.totp_last_step < ref)).execute() == 1
    return RecoveryCode.update(used_at=when).where(
        (RecoveryCode.id == ref) & RecoveryCode.used_at.is_null()).execute() == 1


def _replace_recovery_codes(user_id: int) -> list[str]:
    codes = totp.new_recovery_codes(RECOVERY_CODE_COUNT)
    RecoveryCode.delete().where(RecoveryCode.user == user_id).execute()
    RecoveryCode.insert_many([(user_id, totp.hash_recovery_code(c)) for c in codes],
                             fields=[RecoveryCode.user, RecoveryCode.code_hash]).execute()
    return codes


def _recovery_codes_left(user_id: int) -> int:
    return (RecoveryCode.select().where((RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null())
            .count())


def _database_errors(func):
    """Turn a database error into a one-line AuthError: the frames hold passwords."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except peewee.PeeweeException as exc:
            raise AuthError(f"the login could not be checked: database error "
                            f"({type(exc).__name__})") from None
    return wrapper


# --- sessions ----------------------------------------------------------------

_local_sessions: set[int] = set()  # sessions started by this process

_CHECK_SQL = ('SELECT s.ended_at, s.end_reason, s.auth_epoch, u.auth_epoch, u.revoked_at, u.role '
              'FROM login_session AS s JOIN "user" AS u ON u.id = s.user_id WHERE s.id = ?')
_END_REASONS = {"revoked", "reset", "expired", "role_changed"}  # stored end_reason -> SessionEnded.reason


class Session:
    """A logged-in user in one process.  Call `check()` about once a second."""

    def __init__(self, row: LoginSession, user: User):
        cfg = _config()
        self.id: int = row.id
        self.user_id: int = user.id
        self.username: str = user.username
        self.role: str = user.role
        self.started_at: dt.datetime = row.started_at
        self.idle_lock_after = dt.timedelta(minutes=cfg["auth.idle_lock_minutes"])
        self.max_age = dt.timedelta(hours=cfg["auth.session_max_hours"])
        self.recovery_codes_left: int | None = None  # set when a recovery code was used to log in
        self._epoch: int = row.auth_epoch
        self._last_touch = time.monotonic()

    def __repr__(self) -> str:
        return f"<Session {self.id} user={self.user_id} role={self.role}>"

    def scope(self) -> Scope:
        # A detached row with what a Scope needs; no hashes or secrets travel with it.
        return Scope(User(id=self.user_id, username=self.username, role=self.role), self.id)

    def check(self, now=None) -> None:
        """Raise SessionEnded if this session may not go on.  One indexed SELECT."""
        when, _ = _clock(now)
        row = database.execute_sql(_CHECK_SQL, (self.id,)).fetchone()
        if row is None:
            raise SessionEnded("ended")
        ended_at, end_reason, session_epoch, user_epoch, revoked_at, role = row
        if ended_at is not None:
            raise SessionEnded(end_reason if end_reason in _END_REASONS else "ended")
        if revoked_at is not None:
            reason = "revoked"
        elif role != self.role:
            reason = "role_changed"
        elif user_epoch != session_epoch:
            reason = "reset"
        elif when - self.started_at > self.max_age:
            reason = "expired"
        else:
            return
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

    @_database_errors
    def unlock(self, secret: str, *, now=None) -> bool:
        """Idle lock: the password or a fresh TOTP code.  Failures count toward lockout.

        Returns False for a wrong secret and while the account is locked; raises
        SessionEnded if the session ended meanwhile.
        """
        when, epoch = _clock(now)
        self.check(when)
        user = User.get_by_id(self.user_id)
        is_code = isinstance(secret, str) and _SIX_DIGITS.fullmatch(secret) is not None
        capped = _over_lock_cap(user, when)
        password_ok = False
        if capped:
            passwords.dummy_verify(secret)
        elif not is_code:
            password_ok = passwords.verify_password(secret, user.password_hash or "")
        with database.atomic():
            fresh = User.get_by_id(self.user_id)
            kind, ref = "password", None
            if capped:
                ok, reason = False, "locked"
            elif is_code:
                kind, ref = (_match_second_factor(fresh, secret.strip(), epoch)
                             if fresh.totp_enrolled else ("code", None))
                ok, reason = kind == "totp", kind
            else:
                ok = password_ok and fresh.password_hash == user.password_hash
                reason = "password"
            if not ok:
                if capped:
                    audit.record(self.user_id, "unlock.failed", "session", self.id, reason="locked")
                else:
                    _register_failure(fresh, reason, when, action="unlock.failed")
                result = False
            elif _is_locked(fresh, when):
                audit.record(self.user_id, "unlock.refused", "session", self.id, reason="locked")
                result = False
            elif kind == "totp" and not _consume_second_factor(self.user_id, kind, ref, when):
                _register_failure(fresh, "replay", when, action="unlock.failed")
                result = False
            else:
                _clear_failures(self.user_id)
                LoginSession.update(last_seen_at=when).where(LoginSession.id == self.id).execute()
                audit.record(self.user_id, "session.unlock", "session", self.id, factor=kind)
                result = True
        if result:
            self._last_touch = time.monotonic()
        return result

    def end(self, reason: str = "logout") -> None:
        if not isinstance(reason, str) or not reason.isidentifier() or len(reason) > 32:
            reason = "logout"
        self._close(reason, utcnow())

    def sessions(self, *, active_only: bool = True) -> list["SessionView"]:
        """This user's own sessions (the current one marked)."""
        return sessions_of(self.user_id, active_only=active_only)

    def _close(self, reason: str, when: dt.datetime) -> None:
        with database.atomic():
            closed = LoginSession.update(ended_at=when, end_reason=reason).where(
                (LoginSession.id == self.id) & LoginSession.ended_at.is_null()).execute()
            if closed:
                changes.record("session", self.id, "update")
                audit.record(self.user_id, "session.end", "session", self.id, reason=reason)
        _local_sessions.discard(self.id)


def _start_session(user: User, when: dt.datetime, source_addr, pid, factor: str) -> Session:
    """Inside the caller's transaction, on a row read under the lock."""
    row = LoginSession.create(user=user.id, started_at=when, last_seen_at=when,
                              source_addr=_source_addr(source_addr),
                              pid=os.getpid() if pid is None else int(pid), auth_epoch=user.auth_epoch)
    User.update(last_login_at=when, failed_logins=0, locked_until=None).where(User.id == user.id).execute()
    changes.record("session", row.id, "insert")
    audit.record(user.id, "login.ok", "session", row.id, factor=factor)
    session = Session(row, user)
    _local_sessions.add(row.id)
    return session


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


def sessions_of(user_id: int | None, *, active_only: bool = True, now=None) -> list[SessionView]:
    """One user's sessions (user_id None: everybody's), newest first.

    Active means not ended, not older than session_max_hours and not outdated by
    a revoke or reset; `current` marks sessions this process started.
    """
    when, _ = _clock(now)
    max_age = dt.timedelta(hours=_config()["auth.session_max_hours"])
    q = (LoginSession.select(LoginSession, User.username, User.auth_epoch.alias("user_epoch"),
                             User.revoked_at)
         .join(User).order_by(LoginSession.started_at.desc(), LoginSession.id.desc()))
    if user_id is not None:
        q = q.where(LoginSession.user == user_id)
    if active_only:
        q = q.where(LoginSession.ended_at.is_null())
    views = []
    for s in q.objects():
        if active_only and (when - s.started_at > max_age or s.revoked_at is not None
                            or s.user_epoch != s.auth_epoch):
            continue
        views.append(SessionView(
            id=s.id, started_at=s.started_at, last_seen_at=s.last_seen_at, source_addr=s.source_addr,
            pid=s.pid, current=s.id in _local_sessions, user_id=s.user_id, username=s.username,
            ended_at=s.ended_at, end_reason=s.end_reason,
            alive=s.ended_at is None and _pid_alive(s.pid)))
    return views


# --- login ---------------------------------------------------------------------

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
            raise SessionEnded("revoked")
        if user.role != self.role:
            raise SessionEnded("role_changed")
        if user.auth_epoch != self._epoch:
            raise SessionEnded("reset")
        if utcnow() - self._started > dt.timedelta(hours=_config()["auth.session_max_hours"]):
            raise SessionEnded("expired")
        return user

    def set_password(self, new_password: str) -> None:
        cfg = _config()
        normalised = passwords.check_password_policy(
            new_password, username=self.username, company_name=cfg["company.name"] or None,
            min_length=cfg["auth.password_min_length"])
        current = User.get_by_id(self.user_id).password_hash
        if current and passwords.verify_password(normalised, current):
            raise passwords.PasswordRejected("same_as_old")
        hashed = passwords.hash_password(normalised, cost=cfg["auth.bcrypt_cost"])
        with database.atomic():
            self._fresh()
            User.update(password_hash=hashed, must_change_password=False).where(
                User.id == self.user_id).execute()
            changes.record("user", self.user_id, "update")
            audit.record(self.user_id, "user.password_set", "user", self.user_id)
        self._password_set = True

    def start_totp(self) -> Enrolment:
        if self._totp_confirmed:
            raise AuthError("Two-factor login is already set up for this account.")
        secret = totp.new_secret()
        self._pending = secretbox.seal(_totp_key(), secret.encode("ascii"), aad=_aad(self.user_id))
        uri = totp.provisioning_uri(secret, self.username, issuer="MiniCRM")
        return Enrolment(uri, totp.qr_text(uri))

    def confirm_totp(self, code: str, *, now=None) -> list[str]:
        """Check a code from the new secret; returns the 10 recovery codes (show them once)."""
        if self._pending is None:
            raise AuthError("Start the two-factor set-up first.")
        _, epoch = _clock(now)
        secret = secretbox.open_sealed(_totp_key(), self._pending, aad=_aad(self.user_id)).decode("ascii")
        step = totp.match_step(secret, code, now=epoch)
        if step is None:
            audit.record(self.user_id, "totp.enrol_failed", "user", self.user_id)
            raise CodeRejected()
        with database.atomic():
            self._fresh()
            User.update(totp_secret=self._pending, totp_enrolled=True, totp_last_step=step).where(
                User.id == self.user_id).execute()
            codes = _replace_recovery_codes(self.user_id)
            changes.record("user", self.user_id, "update")
            audit.record(self.user_id, "totp.enrolled", "user", self.user_id)
        self._totp_confirmed, self._pending = True, None
        return codes

    def finish(self, *, source_addr=None, pid=None, now=None) -> Session:
        if not (self._password_set and self._totp_confirmed):
            raise AuthError("Set a new password and confirm two-factor login first.")
        when, _ = _clock(now)
        with database.atomic():
            user = self._fresh()
            if user.must_change_password or not user.totp_enrolled:
                raise AuthError("Set a new password and confirm two-factor login first.")
            return _start_session(user, when, source_addr, pid, factor="first_login")


@_database_errors
def login(username: str, password: str, code: str | None, *, source_addr: str | None = None,
          pid: int | None = None, now=None) -> Session | FirstLogin:
    """Password plus TOTP (or a recovery code) -> Session.

    A user who has not enrolled TOTP yet, or must change the password, gets a
    FirstLogin; if TOTP is already enrolled (a password reset) the code is
    still required.  `now`: a UTC datetime or POSIX time (tests, benches).
    """
    when, epoch = _clock(now)
    user = _lookup(username)
    if user is None:
        passwords.dummy_verify(password)
        audit.record(None, "login.failed", "user", None, unknown_user=True)
        raise LoginFailed()

    capped = _over_lock_cap(user, when)
    if capped:
        passwords.dummy_verify(password)
        password_ok = False
    else:
        password_ok = passwords.verify_password(password, user.password_hash or "")

    outcome: Session | FirstLogin | AuthError
    with database.atomic():
        fresh = User.get_by_id(user.id)
        password_ok = password_ok and fresh.password_hash == user.password_hash
        kind, ref = "password", None
        if password_ok and fresh.totp_enrolled:
            kind, ref = _match_second_factor(fresh, code, epoch)
            credentials_ok = kind in ("totp", "recovery")
        else:
            credentials_ok = password_ok
        if capped:
            audit.record(fresh.id, "login.failed", "user", fresh.id, reason="locked")
            outcome = LoginFailed()
        elif not credentials_ok:
            _register_failure(fresh, kind, when)
            outcome = LoginFailed()
        elif fresh.revoked_at is not None:
            audit.record(fresh.id, "login.refused", "user", fresh.id, reason="revoked")
            outcome = AccountRevoked()
        elif _is_locked(fresh, when):
            audit.record(fresh.id, "login.refused", "user", fresh.id, reason="locked")
            outcome = AccountLocked(fresh.locked_until)
        elif fresh.totp_enrolled and not _consume_second_factor(fresh.id, kind, ref, when):
            _register_failure(fresh, "replay", when)  # unreachable under the lock; kept as a guard
            outcome = LoginFailed()
        elif fresh.must_change_password or not fresh.totp_enrolled:
            _clear_failures(fresh.id)
            audit.record(fresh.id, "login.first", "user", fresh.id)
            outcome = FirstLogin(fresh, when)
        else:
            outcome = _start_session(fresh, when, source_addr, pid, factor=kind)
            if kind == "recovery":
                left = _recovery_codes_left(fresh.id)
                outcome.recovery_codes_left = left
                audit.record(fresh.id, "login.recovery_code", "user", fresh.id, left=left)
    if isinstance(outcome, AuthError):
        raise outcome
    if isinstance(outcome, Session):
        _rehash_if_needed(user, password)
    return outcome


def _rehash_if_needed(user: User, password: str) -> None:
    cost = _config()["auth.bcrypt_cost"]
    if not passwords.needs_rehash(user.password_hash, cost=cost):
        return
    hashed = passwords.hash_password(password, cost=cost)
    with database.atomic():
        User.update(password_hash=hashed).where(
            (User.id == user.id) & (User.password_hash == user.password_hash)).execute()
        audit.record(user.id, "user.password_rehashed", "user", user.id, cost=cost)


# --- administration ------------------------------------------------------------

def _actor(actor) -> tuple[int | None, bool]:
    """(audit actor id, is admin).  None or CONSOLE is the server console."""
    if actor is None or actor is CONSOLE:
        return None, True
    if isinstance(actor, Session):
        actor.check()
        return actor.user_id, actor.role == "admin"
    raise TypeError("actor must be a Session, None or accounts.CONSOLE")


def _require_admin(actor, what: str) -> int | None:
    actor_id, is_admin = _actor(actor)
    if not is_admin:
        audit.record(actor_id, "access.forbidden", permission="user.admin")
        raise Forbidden(f"only an administrator may {what}")
    return actor_id


def _end_user_sessions(user_id: int, reason: str, when: dt.datetime) -> int:
    ids = [i for (i,) in LoginSession.select(LoginSession.id).where(
        (LoginSession.user == user_id) & LoginSession.ended_at.is_null()).tuples()]
    if ids:
        LoginSession.update(ended_at=when, end_reason=reason).where(LoginSession.id.in_(ids)).execute()
        changes.record_many("session", ids, "update")
    return len(ids)


@dataclass(frozen=True)
class Holdings:
    contacts: int
    deals: int


def holdings(username: str) -> Holdings:
    """What a user owns: what revoking offers to hand over."""
    user = find_user(username)
    return Holdings(Contact.select().where(Contact.owner == user.id).count(),
                    Deal.select().where(Deal.owner == user.id).count())


def _hand_over(from_id: int, to_id: int, when: dt.datetime) -> tuple[int, int]:
    contact_ids = [i for (i,) in Contact.select(Contact.id).where(Contact.owner == from_id).tuples()]
    deal_ids = [i for (i,) in Deal.select(Deal.id).where(Deal.owner == from_id).tuples()]
    if contact_ids:
        Contact.update(owner=to_id, updated_at=when, version=Contact.version + 1).where(
            Contact.owner == from_id).execute()
        changes.record_many("contact", contact_ids, "update")
    if deal_ids:
        Deal.update(owner=to_id, updated_at=when, version=Deal.version + 1).where(
            Deal.owner == from_id).execute()
        changes.record_many("deal", deal_ids, "update")
    return len(contact_ids), len(deal_ids)


def revoke(actor, username: str, *, hand_over_to: str | None = None, now=None) -> int:
    """Refuse the user's logins, end their sessions everywhere, optionally hand over
    their contacts and deals, all in one transaction.  Returns #contacts + #deals moved.

    Revoking a revoked user again only hands over (useful after the fact).
    """
    actor_id = _require_admin(actor, "revoke users")
    when, _ = _clock(now)
    with database.atomic():
        user = find_user(username)
        if actor_id is not None and actor_id == user.id:
            raise AuthError("you cannot revoke your own account")
        heir = None
        if hand_over_to is not None:
            heir = find_user(hand_over_to)
            if heir.id == user.id:
                raise AuthError("hand the contacts over to another user, not to the one being revoked")
            if heir.revoked_at is not None:
                raise AuthError("the user to hand over to is revoked; choose an active user")
        already = user.revoked_at is not None
        if not already:
            User.update(revoked_at=when, auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        ended = _end_user_sessions(user.id, "revoked", when)
        contacts, deals = _hand_over(user.id, heir.id, when) if heir else (0, 0)
        changes.record("user", user.id, "update")
        audit.record(actor_id, "user.revoke", "user", user.id, sessions_ended=ended,
                     already_revoked=already, to_user=heir.id if heir else None,
                     contacts=contacts, deals=deals)
    return contacts + deals


def reset_2fa(actor, username: str, *, now=None) -> None:
    """Forget the TOTP secret and recovery codes; the user enrols again at next login."""
    actor_id = _require_admin(actor, "reset two-factor login")
    when, _ = _clock(now)
    with database.atomic():
        user = find_user(username)
        User.update(totp_secret=None, totp_enrolled=False, auth_epoch=User.auth_epoch + 1).where(
            User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        ended = _end_user_sessions(user.id, "reset", when)
        changes.record("user", user.id, "update")
        audit.record(actor_id, "user.reset_2fa", "user", user.id, sessions_ended=ended)


def reset_password(actor, username: str, *, now=None) -> str:
    """A new one-time password (shown once); also lifts a lockout and ends sessions."""
    actor_id = _require_admin(actor, "reset passwords")
    find_user(username)  # fail fast, before the bcrypt work
    when, _ = _clock(now)
    otp = passwords.one_time_password()
    hashed = passwords.hash_password(otp, cost=_config()["auth.bcrypt_cost"])
    with database.atomic():
        user = find_user(username)
        User.update(password_hash=hashed, must_change_password=True, failed_logins=0, locked_until=None,
                    auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        ended = _end_user_sessions(user.id, "reset", when)
        changes.record("user", user.id, "update")
        audit.record(actor_id, "user.reset_password", "user", user.id, sessions_ended=ended)
    return otp


def end_session(actor: Session | None, session_id: int) -> None:
    """End one session: one's own, or anybody's for an admin or the console."""
    actor_id, is_admin = _actor(actor)
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise NoSuchSession("a session id is a whole number")
    with database.atomic():
        row = LoginSession.get_or_none(LoginSession.id == session_id)
        if row is not None and not is_admin and row.user_id != actor_id:
            audit.record(actor_id, "access.denied", "session", session_id)
            row = None
        if row is None or row.ended_at is not None:
            outcome = NoSuchSession(f"no active session {session_id}")
        else:
            LoginSession.update(ended_at=utcnow(), end_reason="ended").where(
                LoginSession.id == session_id).execute()
            changes.record("session", session_id, "update")
            audit.record(actor_id, "session.end", "session", session_id, reason="ended",
                         user=row.user_id)
            outcome = None
    _local_sessions.discard(session_id)
    if outcome is not None:
        raise outcome


def regenerate_recovery_codes(session: Session) -> list[str]:
    """Ten new recovery codes (shown once); the old ones stop working."""
    session.check()
    with database.atomic():
        user = User.get_by_id(session.user_id)
        if not user.totp_enrolled:
            raise AuthError("Two-factor login is not set up for this account.")
        codes = _replace_recovery_codes(user.id)
        audit.record(user.id, "recovery_codes.regenerated", "user", user.id, count=len(codes))
    return codes


def enrol_for_demo(username: str, password: str, totp_secret: str) -> None:
    """Demo databases only: a known password and an enrolled TOTP secret, directly."""
    cfg = _config()
    if not cfg["ui.demo"]:
        raise AuthError("demo enrolment only works on a demo database (ui.demo = true)")
    totp.provisioning_uri(totp_secret, "demo")  # validates the secret (TotpSecretError)
    hashed = passwords.hash_password(password, cost=cfg["auth.bcrypt_cost"])
    with database.atomic():
        user = find_user(username)
        User.update(password_hash=hashed, must_change_password=False, totp_enrolled=True,
                    totp_secret=secretbox.seal(_totp_key(), totp_secret.encode("ascii"), aad=_aad(user.id)),
                    totp_last_step=0, failed_logins=0, locked_until=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        changes.record("user", user.id, "update")
        audit.record(None, "user.demo_enrol", "user", user.id)


__all__ = [
    "AccountLocked", "AccountRevoked", "AuthError", "AuthPolicy", "CodeRejected", "Enrolment",
    "FirstLogin", "Holdings", "LoginFailed", "NoSuchSession", "Session", "SessionEnded", "SessionView",
    "enrol_for_demo", "end_session", "holdings", "login", "policy", "regenerate_recovery_codes",
    "reset_2fa", "reset_password", "revoke", "sessions_of",
]


# --- batch commands over SSH (added for tui/sshbatch.py) ----------------------------
# A batch command (`ssh crm@host export person 7 --otp 123456`) has no password
# prompt: the SSH key and a fresh TOTP code are its two factors.  The code goes
# through the same single-use compare-and-set as a login, so a code accepted
# for a login cannot be reused for a batch command in the same 30 s step (nor
# the other way round), and a wrong code counts toward the lockout.

@_database_errors
def verify_fresh_code(user_id: int, code: str, *, now=None) -> bool:
    """True once per TOTP step for this user; recovery codes are not accepted here.

    Raises AccountRevoked / AccountLocked (only for a right code, like login) and
    AuthError when the user has not finished the first login (no TOTP enrolled).
    """
    when, epoch = _clock(now)
    outcome: AuthError | None = None
    with database.atomic():
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise LoginFailed()
        if not user.totp_enrolled or user.must_change_password:
            raise AuthError("Log in interactively first to set your password and two-factor login.")
        if _over_lock_cap(user, when):
            audit.record(user.id, "batch.code_failed", "user", user.id, reason="locked")
            return False
        kind, ref = _match_second_factor(user, code if isinstance(code, str) else "", epoch)
        if kind != "totp":
            _register_failure(user, "replay" if kind == "replay" else "code", when,
                              action="batch.code_failed")
            return False
        if user.revoked_at is not None:
            outcome = AccountRevoked()
        elif _is_locked(user, when):
            outcome = AccountLocked(user.locked_until)
        elif not _consume_second_factor(user.id, kind, ref, when):
            _register_failure(user, "replay", when, action="batch.code_failed")
            return False
        else:
            _clear_failures(user.id)
    if outcome is not None:
        raise outcome
    return True
