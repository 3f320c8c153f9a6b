"""The login rules every other auth module shares: settings, the clock, lockout counters.

* A lockout starts after `auth.lockout_threshold` failures in a row and lasts
  `auth.lockout_minutes`; while locked, at most another `threshold` guesses are
  checked at all (no password oracle during a lock).
* Counters change only inside BEGIN IMMEDIATE transactions, on a row read
  under that lock.  A password attempt is counted *before* its (slow) bcrypt
  check, by `reserve_attempt`, and settled after it: parallel attempts each see
  the ones before them, so the cap holds however many arrive at once (counted
  after the check, 20 parallel guesses were all checked against a cap of 10).
* A database error leaves as a one-line AuthError: the frames hold passwords.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import time

import peewee

from .. import audit
from ..db import database
from ..errors import AuthError
from ..models import User

MAX_USERNAME_LENGTH = 64  # anything longer is an unknown user, never a query


def config():
    from ..runtime import current

    return current().config


def clock(now) -> tuple[dt.datetime, float]:
    """(naive UTC datetime, POSIX seconds) for `now`: None, a datetime or a timestamp."""
    if now is None:
        now = time.time()
    if isinstance(now, dt.datetime):
        if now.tzinfo is not None:
            now = now.astimezone(dt.UTC).replace(tzinfo=None)
        return now, calendar.timegm(now.timetuple()) + now.microsecond / 1e6
    if isinstance(now, (int, float)) and not isinstance(now, bool):
        return dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None), float(now)
    raise TypeError("now must be a UTC datetime, a POSIX timestamp or None")


def source_addr(given: str | None) -> str | None:
    if given is not None:
        return str(given)[:255]
    fields = os.environ.get("SSH_CONNECTION", "").split()
    return fields[0][:255] if fields else None


def lookup(username) -> User | None:
    """The user a typed name means, or None (never a query for an impossible name)."""
    if not isinstance(username, str):
        return None
    name = username.strip().lower()
    if not 0 < len(name) <= MAX_USERNAME_LENGTH or not name.isprintable():
        return None
    return User.get_or_none(User.username == name)


def is_locked(user: User, when: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > when


def reserve_attempt(user_id: int, when: dt.datetime) -> tuple[User, bool]:
    """Count one attempt before its password is checked, in its own short transaction.

    Returns (the user row as counted, capped): capped means the lock's extra guesses are
    used up and the password must not be checked at all.  Attempts still being checked
    count as failures until they settle (`register_failure(..., counted=True)` or a
    success clearing the counter), so the lock starts as soon as the attempts before
    this one reach the threshold, settled or not.
    """
    cfg = config()
    with database.atomic():
        user = User.get_by_id(user_id)
        if over_lock_cap(user, when):
            return user, True
        failures, locked_until = user.failed_logins, user.locked_until
        if locked_until is not None and locked_until <= when:  # an old lock ran out: count afresh
            failures, locked_until = 0, None
        newly_locked = locked_until is None and failures >= cfg["auth.lockout_threshold"]
        if newly_locked:
            locked_until = when + dt.timedelta(minutes=cfg["auth.lockout_minutes"])
        failures += 1
        User.update(failed_logins=failures, locked_until=locked_until).where(User.id == user.id).execute()
        if newly_locked:
            audit.record(user.id, "login.locked", "user", user.id, failures=failures,
                         minutes=cfg["auth.lockout_minutes"])
        user.failed_logins, user.locked_until = failures, locked_until
    return user, False


def register_failure(user: User, reason: str, when: dt.datetime, action: str = "login.failed", *,
                     counted: bool = False) -> None:
    """Count one failure (inside the caller's transaction, on a row read under the lock);
    `counted`: `reserve_attempt` already counted it, only the lock and the audit row remain."""
    cfg = config()
    failures, locked_until = user.failed_logins, user.locked_until
    if locked_until is not None and locked_until <= when:  # an old lock ran out: count afresh
        failures, locked_until = 0, None
    if not counted or failures == 0:  # 0: a success in between cleared the reservation
        failures += 1
    newly_locked = locked_until is None and failures >= cfg["auth.lockout_threshold"]
    if newly_locked:
        locked_until = when + dt.timedelta(minutes=cfg["auth.lockout_minutes"])
    User.update(failed_logins=failures, locked_until=locked_until).where(User.id == user.id).execute()
    audit.record(user.id, action, "user", user.id, reason=reason, failures=failures)
    if newly_locked:
        audit.record(user.id, "login.locked", "user", user.id, failures=failures,
                     minutes=cfg["auth.lockout_minutes"])


def clear_failures(user_id: int) -> None:
    User.update(failed_logins=0, locked_until=None).where(User.id == user_id).execute()


def over_lock_cap(user: User, when: dt.datetime) -> bool:
    """Locked and already given `threshold` more guesses: stop checking passwords at all."""
    return is_locked(user, when) and user.failed_logins >= 2 * config()["auth.lockout_threshold"]


def database_errors(func):
    """Turn a database error into a one-line AuthError: the frames hold passwords."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except peewee.PeeweeException as exc:
            raise AuthError(f"the login could not be checked: database error "
                            f"({type(exc).__name__})") from None
    return wrapper
