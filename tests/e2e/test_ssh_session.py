"""Staff use MiniCRM through a real `ssh -tt` in a real terminal (tmux), against a
real sshd that asks `minicrm ssh authorized-keys` which keys may log in."""
from __future__ import annotations

import json
import os
import signal
import time

from sshd_harness import SEARCH_READY, audit_rows, last_audit_id, log_in
from waiting import GENEROUS

NO_MOUSE = {"mouse_any_flag": "0", "mouse_button_flag": "0", "mouse_standard_flag": "0",
            "mouse_sgr_flag": "0", "mouse_all_flag": "0", "alternate_on": "0"}


def _contact(server, contact_id: int) -> dict:
    out = server.python_code("""
        from store.models import Contact
        c = Contact.get_by_id(int(sys.argv[1]))
        print(json.dumps({"title": c.title, "version": c.version}))
        """, str(contact_id))
    return json.loads(out.stdout)


def _sessions(server, name: str) -> list[dict]:
    out = server.python_code("""
        from store.models import LoginSession, User
        user = User.get(User.username == sys.argv[1])
        print(json.dumps([{"id": s.id, "ended": s.ended_at is not None, "reason": s.end_reason}
                          for s in LoginSession.select().where(LoginSession.user == user.id)]))
        """, name)
    return json.loads(out.stdout)


def test_log_in_search_open_edit_and_another_connection_sees_it(server, tmux):
    contact_id = server.contacts["Søren Kjærgaard"]
    alice = log_in(tmux, server, "alice")
    alice.wait_for(SEARCH_READY, timeout=30)
    assert "alice" in alice.screen()

    alice.type("kjærg")
    alice.wait_for(r"Kjærgaard[\s\S]*\b1 contact\b")
    alice.keys("Enter")  # opens the highlighted result, read-only
    alice.wait_for(r"Direktør[\s\S]*e Edit")
    alice.keys("e")  # edit: the cursor goes to First name
    alice.wait_for("EDITING")
    for _ in range(2):  # first name -> last name -> job title
        row = alice.cursor()[1]
        alice.keys("Tab")
        alice.wait_for(lambda s, row=row: alice.cursor()[1] != row)
    alice.keys("C-a", "C-k")
    alice.wait_for(lambda s: "Direktør" not in s)
    alice.type("Indkøbschef")
    alice.wait_for("Indkøbschef")  # each step waits for its echo: keys are not queued blindly
    alice.keys("C-s")
    alice.wait_for("Saved")
    assert _contact(server, contact_id)["title"] == "Indkøbschef"

    bob = log_in(tmux, server, "bob")
    bob.wait_for(SEARCH_READY, timeout=30)
    bob.type("Søren Kjærg")
    bob.wait_for(r"Kjærgaard[\s\S]*\b1 contact\b")
    bob.keys("Enter")
    bob.wait_for("Indkøbschef")

    edits = [r for r in audit_rows(server, "contact.edit") if r["entity_id"] == contact_id]
    alice_id = next(r["actor"] for r in audit_rows(server, "login.ok") if r["actor"] is not None)
    assert edits and edits[-1]["detail"]["fields"] == ["title"]
    assert alice_id is not None

    for pane in (alice, bob):
        pane.keys("C-q")
        pane.wait_dead(10)
        assert pane.terminal_modes() == NO_MOUSE  # the next login starts from a clean terminal
    assert all(s["ended"] for s in _sessions(server, "alice") + _sessions(server, "bob"))


def test_wrong_code_is_refused_and_audited(server, tmux):
    before = last_audit_id(server)
    staff = server.staff["harry"]
    right = staff.code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    pane = log_in(tmux, server, "harry", code=wrong)
    pane.wait_for("Wrong user name, password or code")
    failed = audit_rows(server, "login.failed", since=before)
    assert len(failed) == 1 and failed[0]["detail"]["reason"] == "code"
    assert not audit_rows(server, "login.ok", since=before)
    pane.keys("C-q")
    pane.wait_dead(10)


# How soon a revocation ends a live session (one poll, about a second) is measured in
# bench/bench_auth.py (revocation delay); these tests wait for the end, generously.
def test_revoking_a_user_ends_the_live_connection(server, tmux):
    carol = log_in(tmux, server, "carol")
    carol.wait_for(SEARCH_READY, timeout=30)
    server.minicrm("user", "revoke", "carol")
    carol.wait_dead(GENEROUS)
    assert "Your access has been revoked" in carol.history()
    assert carol.terminal_modes() == NO_MOUSE
    assert _sessions(server, "carol")[-1] == {**_sessions(server, "carol")[-1], "ended": True,
                                               "reason": "revoked"}
    # and the key no longer opens a connection at all
    refused = server.ssh(server.staff["carol"].key, "export person 1 --otp 123456")
    assert refused.returncode == 255 and b"Permission denied (publickey)" in refused.stderr


def test_removing_the_key_ends_the_live_connection(server, tmux):
    dave = log_in(tmux, server, "dave")
    dave.wait_for(SEARCH_READY, timeout=30)
    server.minicrm("user", "remove-key", str(server.staff["dave"].key_id))
    dave.wait_dead(GENEROUS)
    assert dave.terminal_modes() == NO_MOUSE
    assert "Your access has been revoked" in dave.history()
    last = _sessions(server, "dave")[-1]
    assert last["ended"] and last["reason"] == "key_removed"
    refused = server.ssh(server.staff["dave"].key, "import --otp 123456")
    assert refused.returncode == 255 and b"Permission denied (publickey)" in refused.stderr


def test_a_dropped_connection_closes_the_session_cleanly(server, tmux):
    others = set(server.session_processes())  # sessions of earlier tests on the same server may linger
    ian = log_in(tmux, server, "ian")
    ian.wait_for(SEARCH_READY, timeout=30)
    before = set(server.session_processes()) - others  # ian's own
    assert before, "no session process found"
    os.kill(ian.pid, signal.SIGKILL)  # the client vanishes: sshd hangs up on the session
    deadline = time.monotonic() + 60  # generous: a busy machine reaps slowly
    while time.monotonic() < deadline and (set(server.session_processes()) & before):
        time.sleep(0.1)
    assert not set(server.session_processes()) & before, "the session process outlived its connection"
    last = _sessions(server, "ian")[-1]
    assert last["ended"] and last["reason"] == "hangup"
    assert "intact" in server.minicrm("audit", "verify").stdout


def test_an_unknown_key_is_refused(server, tmp_path):
    import subprocess

    key = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    res = server.ssh(key)
    assert res.returncode == 255 and b"Permission denied (publickey)" in res.stderr
    tty = server.ssh(key, options=("-tt",))
    assert tty.returncode == 255


def test_a_session_without_a_terminal_is_refused(server):
    res = server.ssh(server.staff["kim"].key)  # no command, no -t: nothing to run the TUI on
    assert res.returncode == 2
    assert b"needs a terminal" in res.stderr and res.stderr.count(b"\n") == 1
