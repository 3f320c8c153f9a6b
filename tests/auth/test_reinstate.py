"""Reinstating a revoked user, and staff members' full names: the store services and
`minicrm user reinstate|name`, against a real encrypted store and real processes."""
from __future__ import annotations

import re
import time

import pytest

from store import accounts, audit, auth, contacts, staff
from store.errors import AuthError, Forbidden, Invalid
from store.models import User
from store.scope import Scope

from .conftest import PASSWORD, audit_rows


def test_a_reinstated_user_logs_in_again_with_a_new_one_time_password(crm, make_user):
    anna = make_user("anna")
    auth.revoke(Scope.console(), "anna")
    with pytest.raises(auth.AccountRevoked):
        auth.login("anna", PASSWORD, anna.code())

    otp = auth.reinstate(Scope.console(), "anna")
    assert otp and otp != PASSWORD
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", PASSWORD, anna.code())  # the old password does not come back with her
    first = auth.login("anna", otp, anna.code(time.time() + 60), now=time.time() + 60)
    assert isinstance(first, auth.FirstLogin)  # she chooses a new password first
    rows = audit_rows("user.reinstate")
    assert [(r.entity, r.entity_id) for r in rows] == [("user", anna.id)]
    assert otp not in rows[0].detail and "anna" not in rows[0].detail
    assert audit.verify().ok


def test_only_a_revoked_user_is_reinstated_and_only_by_an_admin(crm, make_user):
    make_user("anna")
    boss = make_user("boss", role="manager")
    with pytest.raises(AuthError, match="not revoked"):
        auth.reinstate(Scope.console(), "anna")
    auth.revoke(Scope.console(), "anna")
    with pytest.raises(Forbidden):
        auth.reinstate(Scope(User.get_by_id(boss.id)), "anna")
    assert User.get(User.username == "anna").revoked_at is not None


def test_full_names_show_in_lists_and_owner_choices(crm, make_user):
    make_user("sofie", role="manager")
    make_user("bo", role="sales")
    make_user("aage", role="sales")
    accounts.set_full_name(Scope.console(), "sofie", "Sofie Ærø")
    accounts.set_full_name(Scope.console(), "aage", "Aage Holm")
    sofie = Scope(User.get(User.username == "sofie"))
    assert [o.display_name for o in staff.owner_choices(sofie)] == ["bo", "Sofie Ærø", "Aage Holm"]
    contacts.create_contact(sofie, first_name="Kunde")
    assert contacts.search_contacts(sofie, "kunde")[0].owner == "Sofie Ærø"
    assert {u.username: u.display_name for u in accounts.list_users(Scope.console())}["bo"] == "bo"
    assert audit_rows("user.full_name") and "Ærø" not in audit_rows("user.full_name")[0].detail
    with pytest.raises(Invalid, match="full_name"):
        accounts.set_full_name(Scope.console(), "bo", "Bo\x1b[31m")


def test_the_cli_reinstates_and_names(crm, make_user, run_cli):
    make_user("anna")
    auth.revoke(Scope.console(), "anna")
    done = run_cli(crm, "user", "reinstate", "anna")
    assert done.returncode == 0, done.stderr
    assert re.search(r"One-time password .*: (\S+)$", done.stdout, re.M)
    assert User.get(User.username == "anna").revoked_at is None
    again = run_cli(crm, "user", "reinstate", "anna")
    assert again.returncode == 1 and again.stderr.strip() == "minicrm: anna is not revoked"

    named = run_cli(crm, "user", "name", "anna", "Anna Åberg")
    assert named.returncode == 0, named.stderr
    listed = run_cli(crm, "user", "list")
    assert re.search(r"^anna\s+Anna Åberg\s+sales", listed.stdout, re.M), listed.stdout
    added = run_cli(crm, "user", "add", "carl", "--role", "sales", "--full-name", "Carl Øster")
    assert added.returncode == 0, added.stderr
    assert User.get(User.username == "carl").full_name == "Carl Øster"
