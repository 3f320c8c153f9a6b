"""Staff accounts: create, list, change role.  (Logins live in store/auth/.)

Every service takes the actor's Scope first and requires `user.admin` itself;
the console acts through `Scope.console()`, audited with no actor id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from peewee import fn

from . import audit, changes
from .db import StoreError, tuples
from .errors import UnknownUser
from .models import ROLES, LoginSession, User, utcnow
from .scope import Scope

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class NewAccount:
    user_id: int
    username: str
    one_time_password: str

    def __repr__(self) -> str:  # the password must not leak into logs or tracebacks
        return f"NewAccount(user_id={self.user_id}, username={self.username!r})"


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    last_login_at: object
    totp_enrolled: bool
    revoked: bool
    locked: bool
    active_sessions: int
    full_name: str = ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    return role


def check_username(username: str) -> str:
    if not _USERNAME.match(username or ""):
        raise StoreError("a username is 2-32 characters: lower-case letters, digits, '.', '_' or '-', "
                         "starting with a letter")
    return username


def find_user(username: str) -> User:
    user = User.get_or_none(User.username == username)
    if user is None:
        raise UnknownUser(f"no user named {username!r}")
    return user


def check_full_name(full_name: str) -> str:
    from . import validate

    return validate.text("full_name", full_name or "", max_length=100, required=False)


def add_user(scope: Scope, username: str, role: str, *, cost: int | None = None,
             full_name: str = "") -> NewAccount:
    """A new account with a one-time password; password change and TOTP at first login."""
    from . import passwords
    from .runtime import current

    scope.require("user.admin")
    check_username(username)
    check_role(role)
    full_name = check_full_name(full_name)
    otp = passwords.one_time_password()
    hashed = passwords.hash_password(otp, cost=cost or current().config["auth.bcrypt_cost"])
    with scope.transaction():
        if User.select().where(User.username == username).exists():
            raise StoreError(f"a user named {username!r} already exists")
        user = User.create(username=username, role=role, password_hash=hashed,
                           must_change_password=True, full_name=full_name)
        changes.record("user", user.id, "insert")
        audit.record(scope.user_id, "user.add", "user", user.id, role=role)
    return NewAccount(user.id, username, otp)


def set_role(scope: Scope, username: str, role: str) -> None:
    """A new role; the user's sessions stop at their next check (the auth epoch moves)."""
    scope.require("user.admin")
    check_role(role)
    with scope.transaction():
        user = find_user(username)
        User.update(role=role, auth_epoch=User.auth_epoch + 1).where(User.id == user.id).execute()
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.role", "user", user.id, role=role)


def set_full_name(scope: Scope, username: str, full_name: str) -> None:
    """The name lists and owner pickers show for the user (empty: their user name)."""
    scope.require("user.admin")
    full_name = check_full_name(full_name)
    with scope.transaction():
        user = find_user(username)
        User.update(full_name=full_name).where(User.id == user.id).execute()
        changes.record("user", user.id, "update")
        audit.record(scope.user_id, "user.full_name", "user", user.id)  # the name itself is not logged


def list_users(scope: Scope, *, audited: bool = False) -> list[UserView]:
    """Every staff account; `audited` records the listing (the console's, not the app's live list)."""
    scope.require("user.admin")
    now = utcnow()
    active = dict(tuples(LoginSession.select(LoginSession.user, fn.COUNT(LoginSession.id))
                  .where(LoginSession.ended_at.is_null()).group_by(LoginSession.user)))
    views = [UserView(
        id=u.id, username=u.username, role=u.role, last_login_at=u.last_login_at,
        totp_enrolled=u.totp_enrolled, revoked=u.revoked_at is not None,
        locked=bool(u.locked_until and u.locked_until > now),
        active_sessions=active.get(u.id, 0), full_name=u.full_name,
    ) for u in User.select().order_by(User.username)]
    if audited:
        audit.record(scope.user_id, "user.list", count=len(views))
    return views
