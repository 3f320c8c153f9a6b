"""One real OpenSSH server per test session (per pytest-xdist worker), with a
service account, staff with passwords, TOTP secrets and keys, and some contacts.

Skips (with the reason) only when not root and sshd/ssh/tmux are missing or the
service account cannot be made; as root, missing packages are installed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sshd_harness import Server, Tmux, Unavailable

STAFF = [
    ("alice", "manager"),   # logs in, searches, edits
    ("bob", "manager"),     # a second connection sees the edit
    ("harry", "manager"),   # types a wrong code
    ("carol", "sales"),     # gets revoked while logged in
    ("dave", "sales"),      # loses her key while logged in
    ("ian", "sales"),       # hangs up
    ("erin", "admin"),      # batch import and export
    ("fred", "admin"),      # batch export, and a replayed code
    ("lis", "privacy"),     # batch export of a person's data
    ("gina", "sales"),      # batch commands her role may not run
    ("kim", "manager"),     # forwarding and refusals
    ("nora", "manager"),    # a login forked by the session server, and its window resized
    ("olaf", "manager"),    # a login with no session server running
]
PEOPLE = [
    {"first_name": "Søren", "last_name": "Kjærgaard", "title": "Direktør", "email": "soren@aero-vvs.dk",
     "phone": "+4522334455", "owner": "alice"},
    {"first_name": "Åse", "last_name": "Østergaard", "title": "Bogholder", "email": "aase@example.dk",
     "owner": "carol"},
    {"first_name": "Mette", "last_name": "Brøndum", "title": "Indkøber", "email": "mette@example.dk",
     "owner": "gina"},
]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("sshd"))
    try:
        srv.start()
        srv.add_staff(STAFF)
        srv.add_contacts(PEOPLE, filler=40)
    except Unavailable as exc:
        srv.stop()
        pytest.skip(f"end-to-end SSH tests: {exc}")
    except BaseException:
        srv.stop()
        raise
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tmux(server):
    t = Tmux(server.work)
    yield t
    t.close()
