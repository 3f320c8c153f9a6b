"""The session server (console/session_server.py) with real processes and no sshd: a command
handed over runs in a forked copy, on the caller's own descriptors, with the caller's
environment and exit status; a server of older code takes nothing and exits; one server per
database.  The SSH logins through it are tests/e2e/test_ssh_session_server.py."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from child_env import _env, minicrm_command
from waiting import GENEROUS, accepts, wait_for


@pytest.fixture
def running(store):
    """`minicrm ssh session-server` for this store, listening; stopped afterwards."""
    path = store.db_path.parent / "sessions.sock"
    proc = subprocess.Popen([*minicrm_command(), "ssh", "session-server"], env=_env(store),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: proc.poll() is not None or accepts(path), what="the session server listening")
    assert proc.poll() is None, proc.stderr.read()
    try:
        yield proc, path
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(GENEROUS)


# A client as the forced command is one: a fresh interpreter whose argv is a minicrm command
# line, handing it over; it prints nothing itself, the copy writes to the client's stdout.
CLIENT = """
import os, sys
from types import SimpleNamespace
from console import session_server
sys.argv = ["minicrm", *sys.argv[1:]]
code = session_server.hand_over(SimpleNamespace(config=os.environ["MINICRM_CONFIG"]))
sys.exit(97 if code is None else code)
"""


def _client(store, *argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(CLIENT), *argv],
                          env={**_env(store), **(env or {})}, capture_output=True, text=True,
                          timeout=GENEROUS, cwd=store.db_path.parent)


def test_a_command_handed_over_runs_in_a_copy_on_the_callers_terminal_and_status(running, store):
    proc, _path = running
    alone = subprocess.run([*minicrm_command(), "ssh", "sshd-config", "--account", "crm",
                            "--program", "/usr/bin/minicrm"], env=_env(store), capture_output=True,
                           text=True, timeout=GENEROUS)
    handed = _client(store, "ssh", "sshd-config", "--account", "crm", "--program", "/usr/bin/minicrm")
    assert handed.returncode == 0, handed.stderr
    assert handed.stdout == alone.stdout and "AuthorizedKeysCommand" in handed.stdout
    # a failure's status and its one line on stderr come back the same way
    refused = _client(store, "ssh", "sshd-config", "--program", "/usr/bin/minicrm")  # as root: refused
    direct = subprocess.run([*minicrm_command(), "ssh", "sshd-config", "--program", "/usr/bin/minicrm"],
                            env=_env(store), capture_output=True, text=True, timeout=GENEROUS)
    assert (refused.returncode, refused.stderr) == (direct.returncode, direct.stderr)
    assert refused.returncode != 0 and "service account" in refused.stderr
    assert proc.poll() is None  # the server goes on serving


def test_a_copy_gets_the_callers_environment(running, store, tmp_path):
    # the forced command's environment (what sshd set) is the copy's, not the server's: here the
    # config the caller names through MINICRM_CONFIG is the one the copy's command reports
    moved = tmp_path / "other.toml"
    moved.write_text(store.source.read_text(encoding="utf-8"), encoding="utf-8")
    handed = _client(store, "ssh", "sshd-config", "--account", "crm", "--program", "/usr/bin/minicrm",
                     env={"MINICRM_CONFIG": str(moved)})
    assert handed.returncode == 0, handed.stderr
    assert f"--config {moved} " in handed.stdout


def test_a_server_of_older_code_takes_nothing_and_exits(store, tmp_path):
    # the server runs a copy of the code; the code is then upgraded under it (a file changed)
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = tmp_path / "code"
    for name in ("store", "console", "tui", "web"):
        shutil.copytree(root / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**_env(store), "PYTHONPATH": str(code)}
    path = store.db_path.parent / "sessions.sock"
    proc = subprocess.Popen([sys.executable, "-m", "console", "ssh", "session-server"], env=env,
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: proc.poll() is not None or accepts(path), what="the session server listening")
        assert proc.poll() is None, proc.stderr.read()
        upgraded = code / "console" / "docs.py"
        upgraded.write_text(upgraded.read_text(encoding="utf-8") + "\n# upgraded\n", encoding="utf-8")
        older = subprocess.run([sys.executable, "-c", textwrap.dedent(CLIENT), "ssh", "sshd-config",
                                "--account", "crm", "--program", "/usr/bin/minicrm"], env=env,
                               capture_output=True, text=True, timeout=GENEROUS, cwd=tmp_path)
        assert older.returncode == 97  # not handed over: the caller runs it itself
        assert proc.wait(GENEROUS) == 0  # and the server made way for the new code
        assert not path.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_one_server_per_database(running, store):
    second = subprocess.run([*minicrm_command(), "ssh", "session-server"], env=_env(store),
                            capture_output=True, text=True, timeout=GENEROUS)
    assert second.returncode != 0
    assert "running already" in second.stderr
    assert running[0].poll() is None


def test_with_no_server_nothing_is_handed_over(store):
    assert _client(store, "ssh", "sshd-config", "--account", "crm").returncode == 97
    assert not os.path.exists(store.db_path.parent / "sessions.sock")
