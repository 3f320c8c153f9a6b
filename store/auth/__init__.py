"""Logins: passwords, second factors, lockout, sessions, revocation.

The front ends call this package as `from store import auth; auth.login(...)`:

* policy          settings, the clock and the lockout counters
* factors         TOTP and recovery codes, each accepted once; batch-command codes
* sessions        the session row, its check, listing and ending sessions
* login           password + second factor -> Session, and the first login's set-up
* administration  revoke with hand-over, reinstate, password and 2FA resets (a Scope first)

A session row holds the user's `auth_epoch` at login.  Revoking a user or
resetting their password or 2FA bumps the epoch and ends the rows in the same
transaction; `Session.check()` and every call through the session's Scope (one
indexed SELECT) refuse from then on with SessionEnded.
"""
from __future__ import annotations

from ..errors import AccountLocked, AccountRevoked, AuthError, CodeRejected, LoginFailed, NoSuchSession, SessionEnded
from .administration import Holdings, enrol_for_demo, holdings, reinstate, reset_2fa, reset_password, revoke
from .factors import RECOVERY_CODE_COUNT, regenerate_recovery_codes, verify_fresh_code
from .login import Enrolment, FirstLogin, login
from .sessions import TOUCH_INTERVAL_SECONDS, Session, SessionView, end_session, sessions_of

__all__ = [
    "AccountLocked", "AccountRevoked", "AuthError", "CodeRejected", "Enrolment", "FirstLogin",
    "Holdings", "LoginFailed", "NoSuchSession", "RECOVERY_CODE_COUNT", "Session", "SessionEnded",
    "SessionView", "TOUCH_INTERVAL_SECONDS", "end_session", "enrol_for_demo", "holdings", "login",
    "regenerate_recovery_codes", "reinstate", "reset_2fa", "reset_password", "revoke", "sessions_of",
    "verify_fresh_code",
]
