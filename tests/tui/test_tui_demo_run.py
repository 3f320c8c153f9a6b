"""`make run` twice: the second run never wipes the database under the first (issue 17).

Real processes: the first demo runs in tmux (a real terminal); the second starts while
it runs and must open the same database, not build a new one.  Once no demo runs, a
run builds afresh again (a lock left by a dead process does not stop it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from needs import unavailable
from test_tui_tmux import Tmux, _sh
from waiting import wait_for


@pytest.fixture(autouse=True)
def _tmux_here():
    if shutil.which("tmux") is None:  # `make test` installs it (system-deps): under CI this fails
        unavailable("tmux is not installed: the real-terminal tests need it")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _demo_argv(folder, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tui.demo", "--dir", str(folder), "--contacts", "20",
            "--language", "en", *extra]


def _identity(folder):
    """What changes when the database is built anew: the file's inode and the demo secrets file."""
    db = os.stat(folder / "minicrm-demo.db")
    return db.st_ino, db.st_mtime_ns, (folder / "demo-accounts.json").stat().st_ino


@pytest.fixture
def tmux(tmp_path):
    t = Tmux(tmp_path)
    yield t
    t.close()


def test_a_second_run_reuses_the_running_demo_and_a_later_one_rebuilds(tmp_path, tmux):
    folder = tmp_path / "demo"
    env = {"TERM": "xterm-256color", "LANG": "en_US.UTF-8", "PATH": os.environ.get("PATH", ""),
           "HOME": str(tmp_path), "PYTHONPATH": REPO}
    exports = " ".join(f"{k}={_sh(v)}" for k, v in env.items())
    command = f"cd {_sh(REPO)} && env -i {exports} {' '.join(map(_sh, _demo_argv(folder)))}; sleep 30"
    tmux.cmd("new-session", "-d", "-s", "first", "-x", "100", "-y", "30", command)
    tmux.wait("first", "User name", timeout=120)  # built (bcrypt cost 12, as `make run` does) and running
    before = _identity(folder)
    lock = folder.with_name("demo.lock")
    assert lock.read_text().split(), "the running demo is listed in the lock file"

    second = subprocess.run(_demo_argv(folder, "--build-only"), capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr and "opening its database" in second.stderr
    assert _identity(folder) == before, "the second run rebuilt the database under the first"

    # A second full run in another terminal opens the same database: the first still logs in.
    tmux.cmd("new-session", "-d", "-s", "second", "-x", "100", "-y", "30", command)
    tmux.wait("second", "User name", timeout=60)
    assert _identity(folder) == before
    import pyotp

    from tui.demo import totp_secret

    # typed the way people type, Tab between the fields, all at once (issue 17: all of it
    # landed in User name)
    tmux.keys("first", "admin", "Tab", "demo-kaffe-2026", "Tab", pyotp.TOTP(totp_secret("admin")).now(),
              "Enter")
    tmux.wait("first", "contacts", timeout=60)

    for name in ("first", "second"):
        tmux.keys(name, "C-q")
    wait_for(lambda: not lock.read_text().split(), 60, what="both demos to leave the lock file")

    # No demo runs: the next run builds afresh.
    third = subprocess.run(_demo_argv(folder, "--build-only"), capture_output=True, text=True,
                           cwd=REPO, timeout=180)
    assert third.returncode == 0, third.stderr
    assert "Building the demo database" in third.stderr
    assert _identity(folder) != before


def test_a_lock_left_by_a_dead_process_does_not_stop_a_fresh_build(tmp_path):
    folder = tmp_path / "demo"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    folder.with_name("demo.lock").write_text(f"{dead}\n")
    run = subprocess.run(_demo_argv(folder, "--build-only"), capture_output=True, text=True, cwd=REPO,
                         timeout=180)
    assert run.returncode == 0, run.stderr
    assert "Building the demo database" in run.stderr
    assert (folder / "minicrm-demo.db").exists()
