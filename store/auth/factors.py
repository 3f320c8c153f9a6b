"""Second factors: TOTP codes and recovery codes, each accepted once.

* A TOTP secret is sealed with a key derived for "totp" and bound to its user
  id; an unreadable secret fails like a wrong code.
* Matching is read-only; consuming is a compare-and-set under the caller's
  BEGIN IMMEDIATE transaction, so of two logins with the same code (or the same
  recovery code) exactly one wins, and a code used for a login is not accepted
  again for a batch command in the same 30 s step (nor the other way round).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import cast

from .. import audit, secretbox, totp
from ..db import database, tuples
from ..errors import AccountLocked, AccountRevoked, AuthError, LoginFailed
from ..models import RecoveryCode, User
from ..scope import Scope
from .policy import clear_failures, clock, database_errors, is_locked, over_lock_cap, register_failure

RECOVERY_CODE_COUNT = 10
SIX_DIGITS = re.compile(r"\s*[0-9]{6}\s*", re.ASCII)


def totp_key() -> bytes:
    from ..runtime import derived_key

    return derived_key("totp")


def aad(user_id: int) -> bytes:
    """What a sealed TOTP secret is bound to: it opens for its own user only."""
    return f"user:{user_id}".encode("ascii")


def open_secret(user: User) -> str | None:
    if user.totp_secret is None:
        return None
    try:
        return secretbox.open_sealed(totp_key(), bytes(user.totp_secret), aad=aad(user.id)).decode("ascii")
    except (secretbox.SealedDataError, UnicodeDecodeError):
        return None


def match_second_factor(user: User, code, epoch: float) -> tuple[str, int | None]:
    """('totp', step) / ('recovery', code id) / ('replay'|'code'|'unreadable', None).

    Read-only; call under the write lock and consume with `consume_second_factor`.
    """
    secret = open_secret(user)
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
        unused = list(tuples(RecoveryCode.select(RecoveryCode.id, RecoveryCode.code_hash)
                      .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null())))
        index = totp.find_recovery_code(code, [h for _, h in unused])
        if index is not None:
            return "recovery", unused[index][0]
    return "code", None


def consume_second_factor(user_id: int, kind: str, ref: int, when: dt.datetime) -> bool:
    """Compare-and-set: True only for the one caller that used this step or code."""
    if kind == "totp":
        return User.update(totp_last_step=ref).where(
            (User.id == user_id) & (User.totp_last_step < ref)).execute() == 1
    return RecoveryCode.update(used_at=when).where(
        (RecoveryCode.id == ref) & RecoveryCode.used_at.is_null()).execute() == 1


def replace_recovery_codes(user_id: int) -> list[str]:
    codes = totp.new_recovery_codes(RECOVERY_CODE_COUNT)
    RecoveryCode.delete().where(RecoveryCode.user == user_id).execute()
    RecoveryCode.insert_many([(user_id, totp.hash_recovery_code(c)) for c in codes],
                             fields=[RecoveryCode.user, RecoveryCode.code_hash]).execute()
    return codes


def recovery_codes_left(user_id: int) -> int:
    return (RecoveryCode.select().where((RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null())
            .count())


def regenerate_recovery_codes(scope: Scope) -> list[str]:
    """Ten new recovery codes for the scope's own user (shown once); the old ones stop working."""
    with scope.transaction():
        user = User.get_by_id(scope.user_id)
        if not user.totp_enrolled:
            raise AuthError("Two-factor login is not set up for this account.")
        codes = replace_recovery_codes(user.id)
        audit.record(user.id, "recovery_codes.regenerated", "user", user.id, count=len(codes))
    return codes


# A batch command (`ssh crm@host export person 7 --otp 123456`) has no password
# prompt: the SSH key and a fresh TOTP code are its two factors, and a wrong
# code counts toward the lockout.

@database_errors
def verify_fresh_code(user_id: int, code: str, *, now=None) -> bool:
    """True once per TOTP step for this user; recovery codes are not accepted here.

    Raises AccountRevoked / AccountLocked (only for a right code, like login) and
    AuthError when the user has not finished the first login (no TOTP enrolled).
    """
    when, epoch = clock(now)
    outcome: AuthError | None = None
    with database.atomic():
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise LoginFailed()
        if not user.totp_enrolled or user.must_change_password:
            raise AuthError("Log in interactively first to set your password and two-factor login.")
        if over_lock_cap(user, when):
            audit.record(user.id, "batch.code_failed", "user", user.id, reason="locked")
            return False
        kind, ref = match_second_factor(user, code if isinstance(code, str) else "", epoch)
        if kind != "totp":
            register_failure(user, "replay" if kind == "replay" else "code", when,
                             action="batch.code_failed")
            return False
        if user.revoked_at is not None:
            outcome = AccountRevoked()
        elif is_locked(user, when):
            outcome = AccountLocked(cast(dt.datetime, user.locked_until))  # is_locked: not None
        elif not consume_second_factor(user.id, kind, cast(int, ref), when):  # "totp" comes with its step
            register_failure(user, "replay", when, action="batch.code_failed")
            return False
        else:
            clear_failures(user.id)
    if outcome is not None:
        raise outcome
    return True
