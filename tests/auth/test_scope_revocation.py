"""The store refuses a scope whose session has gone: revoked, reset, ended, role changed.

The revocation is made by another process (its own connection), as when an
administrator works at the console while the user is logged in elsewhere; the
scope held here is refused at its very next call, before it reads or writes.
"""
from __future__ import annotations

import time

import pytest

from store import accounts, auth, contacts, staff
from store.models import Contact, User
from store.scope import Scope

from .conftest import PASSWORD, audit_rows

REVOKE = """
from store import auth
from store.scope import Scope
runtime.open_store()
auth.revoke(Scope.console(), sys.argv[1])
"""

SET_ROLE = """
from store import accounts
from store.scope import Scope
runtime.open_store()
accounts.set_role(Scope.console(), sys.argv[1], sys.argv[2])
"""


def _scope_of(person, at=None):
    at = time.time() if at is None else at
    return auth.login(person.username, PASSWORD, person.code(at), now=at).scope()


def test_a_revocation_in_another_process_stops_the_next_read_and_write(crm, make_user, run_python):
    anna = make_user("anna", "manager")
    scope = _scope_of(anna)
    contact_id = contacts.create_contact(scope, first_name="Søren")
    assert scope.contacts().count() == 1

    run_python(crm, REVOKE, "anna")

    for call in (scope.contacts, lambda: scope.contact(contact_id),
                 lambda: contacts.create_contact(scope, first_name="Mette"),
                 lambda: staff.owner_choices(scope), lambda: scope.require("contact.read")):
        with pytest.raises(auth.SessionEnded) as ended:
            call()
        assert ended.value.reason == "revoked"
    with pytest.raises(auth.SessionEnded), scope.transaction():
        Contact.create(first_name="never written")
    assert [c.id for c in Contact.select()] == [contact_id]


def test_an_admin_revoked_elsewhere_administers_nothing_more(crm, make_user, run_python):
    root = make_user("root", "admin")
    make_user("bo")
    scope = _scope_of(root)
    run_python(crm, REVOKE, "root")
    before = len(audit_rows())
    with pytest.raises(auth.SessionEnded):
        accounts.add_user(scope, "eve", "admin")
    with pytest.raises(auth.SessionEnded):
        auth.revoke(scope, "bo")
    assert User.get_or_none(User.username == "eve") is None
    assert User.get(User.username == "bo").revoked_at is None
    assert len(audit_rows()) == before  # refused before it did anything


def test_role_change_reset_and_ended_session_each_refuse_with_their_reason(crm, make_user, run_python):
    anna = make_user("anna", "sales")
    now = time.time()
    scope = _scope_of(anna, now)
    run_python(crm, SET_ROLE, "anna", "manager")
    with pytest.raises(auth.SessionEnded) as ended:
        scope.contacts()
    assert ended.value.reason == "role_changed"

    scope = _scope_of(anna, now + 30)
    auth.reset_password(Scope.console(), "anna")
    with pytest.raises(auth.SessionEnded) as ended:
        scope.deals()
    assert ended.value.reason == "reset"

    auth.enrol_for_demo(Scope.console(), "anna", PASSWORD, anna.secret)
    session = auth.login("anna", PASSWORD, anna.code(now + 60), now=now + 60)
    scope = session.scope()
    auth.end_session(Scope.console(), session.id)
    with pytest.raises(auth.SessionEnded) as ended:
        scope.notes()
    assert ended.value.reason == "ended"


def test_a_live_session_and_the_console_pass(crm, make_user):
    anna = make_user("anna", "manager")
    scope = _scope_of(anna)
    scope.check_session()
    with scope.transaction():
        pass
    assert scope.contacts().count() == 0
    console = Scope.console()
    console.check_session()
    assert console.is_console and console.user_id is None and console.can("user.admin")
