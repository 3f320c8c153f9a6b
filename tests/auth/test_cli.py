"""`minicrm user add|list|revoke|reset-2fa|reset-password|sessions|end-session`, run as
real processes against a real encrypted store: output, audit rows, one-line errors."""
from __future__ import annotations

import re

import pytest
from waiting import GENEROUS

from store import auth
from store.db import database
from store.models import Contact, Deal

from .children import WATCH_SESSION
from .conftest import PASSWORD, audit_rows


def _one_line_error(proc, *fragments: str) -> None:
    assert proc.returncode == 1, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("minicrm: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_add_and_list(crm, run_cli):
    added = run_cli(crm, "user", "add", "bo", "--role", "sales")
    assert added.returncode == 0, added.stderr
    otp = re.search(r"One-time password .*: (\S+)$", added.stdout, re.M).group(1)
    first = auth.login("bo", otp, "")
    assert isinstance(first, auth.FirstLogin) and first.role == "sales"

    _one_line_error(run_cli(crm, "user", "add", "carl", "--role", "boss"), "unknown role 'boss'")
    _one_line_error(run_cli(crm, "user", "add", "bo", "--role", "sales"), "already exists")

    listed = run_cli(crm, "user", "list")
    assert listed.returncode == 0 and re.search(r"^bo\s+sales\s+never\s+no\s+active\s+0$", listed.stdout, re.M)
    assert audit_rows("user.add") and audit_rows("user.list")


def test_revoke_offers_then_does_the_hand_over(crm, make_user, run_cli):
    anna, bo = make_user("anna"), make_user("bo")
    with database.atomic():
        Contact.create(first_name="Søren", owner=anna.id)
        Deal.create(title="Tagrenovering", owner=anna.id)

    revoked = run_cli(crm, "user", "revoke", "anna")
    assert revoked.returncode == 0, revoked.stderr
    assert "still owns 1 contacts and 1 deals" in revoked.stdout and "--hand-over-to NAME" in revoked.stdout
    handed = run_cli(crm, "user", "revoke", "anna", "--hand-over-to", "bo")
    assert "Handed over 2 contacts and deals to bo" in handed.stdout
    assert Contact.get(Contact.first_name == "Søren").owner_id == bo.id

    _one_line_error(run_cli(crm, "user", "revoke", "nobody"), "no user named 'nobody'")
    _one_line_error(run_cli(crm, "user", "revoke", "bo", "--hand-over-to", "nobody"), "no user named 'nobody'")
    assert len(audit_rows("user.revoke")) == 2
    with pytest.raises(auth.AccountRevoked):
        auth.login("anna", PASSWORD, anna.code())


def test_resets(crm, make_user, run_cli):
    make_user("anna")
    reset = run_cli(crm, "user", "reset-2fa", "anna")
    assert reset.returncode == 0 and "Reset two-factor login for anna" in reset.stdout
    assert auth.login("anna", PASSWORD, "").needs_totp

    reset = run_cli(crm, "user", "reset-password", "anna")
    assert reset.returncode == 0, reset.stderr
    otp = re.search(r"One-time password .*: (\S+)$", reset.stdout, re.M).group(1)
    assert reset.stdout.count(otp) == 1
    assert auth.login("anna", otp, "").needs_password

    for command in ("reset-2fa", "reset-password"):
        _one_line_error(run_cli(crm, "user", command, "nobody"), "no user named 'nobody'")
    assert audit_rows("user.reset_2fa") and audit_rows("user.reset_password")


def test_sessions_and_end_session_reach_a_live_process(crm, make_user, run_cli, spawn_child):
    anna = make_user("anna")
    child = spawn_child(crm, WATCH_SESSION, "anna", PASSWORD, anna.code())
    session_id = int(child.line().split()[1])

    listed = run_cli(crm, "user", "sessions", "anna")
    assert listed.returncode == 0, listed.stderr
    assert re.search(rf"^\s*{session_id}\s+anna\s.*\sactive$", listed.stdout, re.M), listed.stdout
    assert str(session_id) in run_cli(crm, "user", "sessions").stdout

    ended = run_cli(crm, "user", "end-session", str(session_id))
    assert ended.returncode == 0, ended.stderr
    # the live process ends its session (how soon: bench/bench_auth.py, revocation delay)
    words = child.line(timeout=GENEROUS).split(" ", 3)
    assert words[:2] == ["ended", "ended"]
    child.finish()

    _one_line_error(run_cli(crm, "user", "end-session", str(session_id)), f"no active session {session_id}")
    _one_line_error(run_cli(crm, "user", "end-session", "99999"), "no active session 99999")
    _one_line_error(run_cli(crm, "user", "sessions", "nobody"), "no user named 'nobody'")
    assert "anna" in run_cli(crm, "user", "sessions", "--all").stdout
    assert audit_rows("session.list") and audit_rows("session.end")


def test_the_store_audits_the_consoles_listings_not_the_apps(crm, make_user, run_cli):
    """The console writes no audit rows itself: the store records each listing it asks for,
    as the server operator (no actor id); the app's own live lists are not audited."""
    from store import accounts, sshkeys
    from store.models import User
    from store.rights import requests
    from store.scope import Scope

    admin = Scope(User.get_by_id(make_user("ada", role="admin").id))
    before = len(audit_rows())
    accounts.list_users(admin)
    auth.sessions_of(admin, None)
    sshkeys.all_keys(admin)
    sshkeys.keys_of(admin, "ada")
    requests.list_requests(admin)
    assert len(audit_rows()) == before

    for command in (("user", "list"), ("user", "sessions"), ("user", "keys"), ("user", "keys", "ada"),
                    ("requests", "list")):
        assert run_cli(crm, *command).returncode == 0, command
    listed = [(r.action, r.actor_id, r.entity_id) for r in audit_rows()[before:]]
    assert listed == [("user.list", None, None), ("session.list", None, None),
                      ("ssh_key.list", None, None), ("ssh_key.list", None, admin.user_id),
                      ("request.list", None, None)]
