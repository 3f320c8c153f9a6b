"""Revoking a user: refused logins, ended sessions, and the hand-over of their work."""
from __future__ import annotations

import time

import pytest

from store import accounts, audit, auth
from store.db import database
from store.models import Change, Contact, Deal, LoginSession, User
from store.scope import Scope

from .conftest import PASSWORD, audit_rows


def _portfolio(owner_id: int, contacts: int = 3, deals: int = 2) -> list[int]:
    with database.atomic():
        ids = [Contact.create(first_name=f"Kunde{i}", owner=owner_id).id for i in range(contacts)]
        for i in range(deals):
            Deal.create(title=f"Aftale {i}", owner=owner_id)
    return ids


def test_revoke_hands_over_contacts_and_deals_in_the_same_transaction(crm, make_user):
    anna, bo = make_user("anna"), make_user("bo")
    handed = _portfolio(anna.id)
    _portfolio(bo.id, contacts=1, deals=0)
    now = time.time()
    session = auth.login("anna", PASSWORD, anna.code(now), now=now)
    assert auth.holdings(Scope.console(), "anna") == auth.Holdings(contacts=3, deals=2)

    moved = auth.revoke(Scope.console(), "anna", hand_over_to="bo")
    assert moved == 5
    assert Contact.select().where(Contact.owner == bo.id).count() == 4
    assert Deal.select().where(Deal.owner == bo.id).count() == 2
    assert {c.version for c in Contact.select().where(Contact.id.in_(handed))} == {2}  # editors notice
    assert auth.holdings(Scope.console(), "anna") == auth.Holdings(0, 0)
    with pytest.raises(auth.SessionEnded) as ended:
        session.check()
    assert ended.value.reason == "revoked" and "revoked" in str(ended.value)
    assert LoginSession.get_by_id(session.id).end_reason == "revoked"
    (row,) = audit_rows("user.revoke")
    assert (row.actor_id, row.entity_id) == (None, anna.id)
    assert '"contacts":3' in row.detail and '"deals":2' in row.detail and f'"to_user":{bo.id}' in row.detail
    assert Change.select().where(Change.entity == "contact").count() == 3
    assert audit.verify().ok


def test_a_failed_hand_over_changes_nothing(crm, make_user):
    anna = make_user("anna")
    _portfolio(anna.id)
    with pytest.raises(accounts.UnknownUser):
        auth.revoke(Scope.console(), "anna", hand_over_to="nobody")
    with pytest.raises(auth.AuthError):
        auth.revoke(Scope.console(), "anna", hand_over_to="anna")
    make_user("gone")
    auth.revoke(Scope.console(), "gone")
    with pytest.raises(auth.AuthError):
        auth.revoke(Scope.console(), "anna", hand_over_to="gone")
    assert User.get_by_id(anna.id).revoked_at is None
    assert auth.holdings(Scope.console(), "anna") == auth.Holdings(3, 2)


def test_revoking_again_only_hands_over(crm, make_user):
    anna = make_user("anna")
    make_user("bo")  # the heir
    _portfolio(anna.id)
    assert auth.revoke(Scope.console(), "anna") == 0
    revoked_at = User.get_by_id(anna.id).revoked_at
    assert auth.revoke(Scope.console(), "anna", hand_over_to="bo") == 5
    assert User.get_by_id(anna.id).revoked_at == revoked_at


def test_admin_session_revokes_but_not_itself(crm, make_user):
    root = make_user("root", "admin")
    make_user("anna")
    now = time.time()
    session = auth.login("root", PASSWORD, root.code(now), now=now)
    with pytest.raises(auth.AuthError):
        auth.revoke(session.scope(), "root")
    auth.revoke(session.scope(), "anna")
    assert audit_rows("user.revoke")[0].actor_id == root.id
    with pytest.raises(accounts.UnknownUser):
        auth.revoke(session.scope(), "nobody")


def test_unknown_users_for_every_admin_call(crm):
    for call in (auth.revoke, auth.reset_2fa, auth.reset_password):
        with pytest.raises(accounts.UnknownUser):
            call(Scope.console(), "nobody")
