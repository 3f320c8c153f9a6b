"""Who may call which store service: every user-administration service (and a
few others) called as each role and as the server console.

The store decides, not the front end: a refused call raises Forbidden (or, for
somebody else's session, NoSuchSession, as if it did not exist) and writes
nothing but the audit row of the refusal.  An allowed call is audited with the
actor's id; the console's with none (the server operator).
"""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from store import accounts, auth, sshkeys, staff
from store.auth import NoSuchSession
from store.db import database
from store.errors import Forbidden
from store.models import AuditEvent, LoginSession, utcnow
from store.rights import erasure, ledger
from store.scope import Scope

ROLES = ("admin", "manager", "sales", "finance", "privacy", "console")
ADMINS = {"admin", "console"}
TARGET = "sales2-user"  # the account every administration call acts on


def _key_line() -> str:
    public = Ed25519PrivateKey.generate().public_key()
    return public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


@pytest.fixture
def world(store, users):
    """users plus a registered key and an open session for the target, and one for each role."""
    console = Scope.console()
    key = sshkeys.add_key(console, TARGET, _key_line())
    with database.atomic():
        sessions = {name: LoginSession.create(user=user.id, started_at=utcnow(), last_seen_at=utcnow(),
                                              pid=1, auth_epoch=user.auth_epoch).id
                    for name, user in users.items()}
    return {"users": users, "key_id": key.id, "sessions": sessions}


# service name -> (who may, call(scope, world))
SERVICES = {
    "add user": (ADMINS, lambda s, w: accounts.add_user(s, "newcomer", "sales")),
    "list users": (ADMINS, lambda s, w: accounts.list_users(s)),
    "set role": (ADMINS, lambda s, w: accounts.set_role(s, TARGET, "manager")),
    "revoke": (ADMINS, lambda s, w: auth.revoke(s, TARGET)),
    "revoke with hand-over": (ADMINS, lambda s, w: auth.revoke(s, TARGET, hand_over_to="manager-user")),
    "holdings": (ADMINS, lambda s, w: auth.holdings(s, TARGET)),
    "reset password": (ADMINS, lambda s, w: auth.reset_password(s, TARGET)),
    "reset 2FA": (ADMINS, lambda s, w: auth.reset_2fa(s, TARGET)),
    "add ssh key": (ADMINS, lambda s, w: sshkeys.add_key(s, TARGET, _key_line())),
    "remove ssh key": (ADMINS, lambda s, w: sshkeys.remove_key(s, w["key_id"])),
    "keys of a user": (ADMINS, lambda s, w: sshkeys.keys_of(s, TARGET)),
    "all keys": (ADMINS, lambda s, w: sshkeys.all_keys(s)),
    "sessions of another user": (ADMINS, lambda s, w: auth.sessions_of(s, w["users"]["sales2"].id)),
    "everybody's sessions": (ADMINS, lambda s, w: auth.sessions_of(s, None)),
    "end another user's session": (ADMINS, lambda s, w: auth.end_session(s, w["sessions"]["sales2"])),
    "access review": (ADMINS, lambda s, w: staff.access_review(s)),
    "record the access review": (ADMINS, lambda s, w: staff.record_access_review(s)),
    # not user administration, for contrast: the grants of store/scope.py
    "purge expired invoices": ({"admin", "finance", "console"},
                               lambda s, w: erasure.purge_expired_invoices(scope_or_console=s)),
    "re-apply the erasure ledger": ({"admin", "privacy", "console"}, lambda s, w: ledger.reapply_ledger(s)),
}

# A refused call on somebody else's session looks as if the session did not exist.
REFUSAL = {"end another user's session": (NoSuchSession, "access.denied")}


def _scope(role: str, users) -> Scope:
    return Scope.console() if role == "console" else Scope(users[role])


def _everything_but_the_audit() -> dict[str, list]:
    tables = [t for (t,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'audit_event'")]
    return {t: sorted(map(repr, database.execute_sql(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_as_each_role(world, service, role):
    allowed, call = SERVICES[service]
    scope = _scope(role, world["users"])
    before = _everything_but_the_audit()
    last_audit = AuditEvent.select().order_by(AuditEvent.id.desc()).first().id
    if role in allowed:
        call(scope, world)
        new = list(AuditEvent.select().where(AuditEvent.id > last_audit))
        assert all(row.actor_id == scope.user_id for row in new)  # the console: no id
        assert not [r for r in new if r.action in ("access.forbidden", "access.denied")]
        return
    error, action = REFUSAL.get(service, (Forbidden, "access.forbidden"))
    with pytest.raises(error):
        call(scope, world)
    assert _everything_but_the_audit() == before
    new = list(AuditEvent.select().where(AuditEvent.id > last_audit))
    assert [(r.action, r.actor_id) for r in new] == [(action, scope.user_id)]


@pytest.mark.parametrize("role", ROLES[:-1])
def test_everyone_sees_and_ends_their_own_sessions(world, role):
    user = world["users"][role]
    scope = Scope(user, world["sessions"][role])
    assert [v.id for v in auth.sessions_of(scope, user.id)] == [world["sessions"][role]]
    auth.end_session(scope, world["sessions"][role])
    with pytest.raises(auth.SessionEnded):
        scope.check_session()


def test_a_contact_read_as_one_look_is_refused_once_the_session_has_ended(world):
    """A contact's record (its six tabs) reads the contact once; the session is still checked."""
    from store import contacts
    from store.contact_record import load_record

    scope = Scope(world["users"]["manager"], world["sessions"]["manager"])
    cid = contacts.create_contact(scope, first_name="Lone", last_name="Berg")
    assert load_record(scope, cid, audit_view=False).detail.first_name == "Lone"
    auth.end_session(scope, world["sessions"]["manager"])
    with pytest.raises(auth.SessionEnded):
        load_record(scope, cid, audit_view=False)


def test_the_console_acts_as_the_server_operator(world):
    auth.revoke(Scope.console(), TARGET)
    row = AuditEvent.select().where(AuditEvent.action == "user.revoke").get()
    assert row.actor_id is None and row.entity_id == world["users"]["sales2"].id
