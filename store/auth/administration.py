"""Administering logins: revoke (with the hand-over of a user's work), reinstate, resets, demo enrolment.

* Every call takes the actor's Scope first and requires `user.admin` itself
  (the console's scope holds it); a refused call writes only the audit row of
  the refusal.
* Revoking or resetting bumps the user's auth epoch and ends their sessions in
  the same transaction as the change, so every process notices at its next
  check, and the actor's own scope is checked inside that transaction.
* Audit rows name the user by id; the console is recorded with no actor id.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import audit, changes, passwords, secretbox, totp
from ..accounts import find_user
from ..db import tuples
from ..errors import AuthError, EndReason
from ..models import Contact, Deal, RecoveryCode, User
from ..scope import Scope
from .factors import aad, totp_key
from .policy import clock, config
from .sessions import end_user_sessions


@dataclass(frozen=True)
class Holdings:
    contacts: int
    deals: int


def holdings(scope: Scope, username: str) -> Holdings:
    """What a user owns: what revoking offers to hand over."""
    scope.require("user.admin")
    user = find_user(username)
    return Holdings(Contact.select().where(Contact.owner == user.id).count(),
                    Deal.select().where(Deal.owner == user.id).count())


def _hand_over(from_id: int, to_id: int, when: dt.datetime) -> tuple[int, int]:
    contact_ids = [i for (i,) in tuples(Contact.select(Contact.id).where(Contact.owner == from_id))]
    deal_ids = [i for (i,) in tuples(Deal.select(Deal.id).where(Deal.owner == from_id))]
    if contact_ids:
        Contact.update(owner=to_id, updated_at=when, version=Contact.version + 1).where(
            Contact.owner == from_id).execute()
        changes.record_many("contact", contact_ids, "update")
    if deal_ids:
        Deal.update(owner=to_id, updated_at=when, version=Deal.version + 1).where(
            Deal.owner == from_id).execute()
        changes.record_many("deal", deal_ids, "update")
    from .. import followups

    followups.hand_over(from_id, to_id)  # the open follow-ups go with the contacts
    return len(contact_ids), len(deal_ids)


def _heir(username: str, hand_over_to: str | None) -> User | None:
    if hand_over_to is None:
        return None
    heir = find_user(hand_over_to)
    if heir.username == username:
        raise AuthError("hand the contacts over to another user, not to the one being revoked")
    if heir.revoked_at is not None:
        raise AuthError("the user to hand over to is revoked; choose an active user")
    return heir


def revoke(scope: Scope, username: str, *, hand_over_to: str | None = None, now=None) -> int:
    """Refuse the user's logins, end their sessions everywhere, optionally hand over
    their contacts and deals, all in one transaction.  Returns #contacts + #deals moved.

    Revoking a revoked user again only hands over (useful after the fact).
    """
    scope.require("user.admin")
    when, _ = clock(now)
    with scope.transaction():
        user = find_user(username)
        if scope.user_id is not None and scope.user_id == user.id:
            raise AuthError("you cannot revoke your own account")
        heir = _heir(user.username, hand_over_to)
        already = user.revoked_at is not None
        if not already:
            User.update(revoked_at=when, auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        ended = end_user_sessions(user.id, EndReason.REVOKED, when)
        contacts, deals = _hand_over(user.id, heir.id, when) if heir else (0, 0)
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.revoke", "user", user.id, sessions_ended=ended,
                     already_revoked=already, to_user=heir.id if heir else None,
                     contacts=contacts, deals=deals)
    return contacts + deals


def reinstate(scope: Scope, username: str, *, now=None) -> str:
    """Let a revoked user log in again, with a new one-time password (shown once): whoever
    held the old one while the account was shut is not let back in with it.  Their second
    factor stays; what was handed over stays with its new owner."""
    scope.require("user.admin")
    user = find_user(username)  # fail fast, before the bcrypt work
    if user.revoked_at is None:
        raise AuthError(f"{username} is not revoked")
    clock(now)
    otp = passwords.one_time_password()
    hashed = passwords.hash_password(otp, cost=config()["auth.bcrypt_cost"])
    with scope.transaction():
        user = find_user(username)
        if user.revoked_at is None:  # reinstated meanwhile by someone else
            raise AuthError(f"{username} is not revoked")
        User.update(revoked_at=None, password_hash=hashed, previous_password_hash=user.password_hash,
                    must_change_password=True, failed_logins=0, locked_until=None,
                    auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.reinstate", "user", user.id)
    return otp


def reset_2fa(scope: Scope, username: str, *, now=None) -> None:
    """Forget the TOTP secret and recovery codes; the user enrols again at next login."""
    scope.require("user.admin")
    when, _ = clock(now)
    with scope.transaction():
        user = find_user(username)
        User.update(totp_secret=None, totp_enrolled=False, auth_epoch=User.auth_epoch + 1).where(
            User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        ended = end_user_sessions(user.id, EndReason.RESET, when)
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.reset_2fa", "user", user.id, sessions_ended=ended)


def reset_password(scope: Scope, username: str, *, now=None) -> str:
    """A new one-time password (shown once); also lifts a lockout and ends sessions."""
    scope.require("user.admin")
    find_user(username)  # fail fast, before the bcrypt work
    when, _ = clock(now)
    otp = passwords.one_time_password()
    hashed = passwords.hash_password(otp, cost=config()["auth.bcrypt_cost"])
    with scope.transaction():
        user = find_user(username)
        # the old hash stays beside the one-time one until the new password is set: refused as it
        previous = user.previous_password_hash if user.must_change_password else user.password_hash
        User.update(password_hash=hashed, previous_password_hash=previous, must_change_password=True,
                    failed_logins=0, locked_until=None,
                    auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        ended = end_user_sessions(user.id, EndReason.RESET, when)
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.reset_password", "user", user.id, sessions_ended=ended)
    return otp


def enrol_for_demo(scope: Scope, username: str, password: str, totp_secret: str) -> None:
    """Demo databases only: a known password and an enrolled TOTP secret, directly."""
    scope.require("user.admin")
    cfg = config()
    if not cfg["ui.demo"]:
        raise AuthError("demo enrolment only works on a demo database (ui.demo = true)")
    totp.provisioning_uri(totp_secret, "demo")  # validates the secret (TotpSecretError)
    hashed = passwords.hash_password(password, cost=cfg["auth.bcrypt_cost"])
    with scope.transaction():
        user = find_user(username)
        User.update(password_hash=hashed, must_change_password=False, totp_enrolled=True,
                    totp_secret=secretbox.seal(totp_key(), totp_secret.encode("ascii"), aad=aad(user.id)),
                    totp_last_step=0, failed_logins=0, locked_until=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.demo_enrol", "user", user.id)
