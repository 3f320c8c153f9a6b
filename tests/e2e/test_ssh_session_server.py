"""Logins forked by the session server (console/session_server.py) over a real sshd in tmux:
the session runs in a copy of the server, follows the window, ends with the connection; with
no server running, a login runs in its own process as before."""
from __future__ import annotations

import re
from pathlib import Path

from sshd_harness import SEARCH_READY, _parent, log_in
from waiting import GENEROUS, wait_for


def _copies(server) -> list[int]:
    """Session processes forked by the session server."""
    served = server.session_server_process()
    return [pid for pid in server.session_processes() if _parent(pid) == served]


def _title_column(screen: str) -> int:
    """Where the header's title starts: centred in the window's width."""
    return screen.splitlines()[0].index("MiniCRM")


def test_a_login_runs_in_a_copy_of_the_session_server_and_follows_the_window(server, tmux):
    before = set(_copies(server))
    nora = log_in(tmux, server, "nora")
    screen = nora.wait_for(SEARCH_READY, timeout=GENEROUS)
    assert "nora" in screen
    mine = set(_copies(server)) - before
    assert len(mine) == 1, "the login did not run in a copy of the session server"
    wide = _title_column(screen)  # centred in a 120-column window
    # the window made narrower: the terminal tells the forced command, which tells the copy
    tmux("resize-window", "-t", nora.name, "-x", "90", "-y", "30")
    nora.wait_for(lambda text: "MiniCRM" in text.split("\n", 1)[0] and _title_column(text) == wide - 15,
                  timeout=GENEROUS)
    nora.type("kjærg")
    nora.wait_for(r"Kjærgaard[\s\S]*\b1 contact\b", timeout=GENEROUS)
    nora.keys("C-q")
    nora.wait_dead(GENEROUS)
    wait_for(lambda: not set(_copies(server)) & mine, what="the copy gone with its session")


def test_with_no_session_server_a_login_runs_in_its_own_process(server, tmux):
    server.stop_session_server()
    try:
        olaf = log_in(tmux, server, "olaf")
        olaf.wait_for(SEARCH_READY, timeout=GENEROUS)
        running = server.session_processes()
        assert running and all(b"--key" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in running)
        olaf.type("kjærg")
        olaf.wait_for(r"Kjærgaard[\s\S]*\b1 contact\b", timeout=GENEROUS)
        olaf.keys("C-q")
        olaf.wait_dead(GENEROUS)
    finally:
        server.start_session_server()
    assert re.search(r"session server on", (server.work / "sessions.log").read_text())
