"""The `minicrm backup` commands as an operator runs them, from a terminal or from cron."""
from __future__ import annotations

import json

from waiting import wait_for

from store.backup import files
from store.db import read_key_file

WRITERS = 4

WRITER = """
from store import contacts
from store.scope import Scope
runtime.open_store()
n = 0
print("ready", flush=True)
while not os.path.exists(sys.argv[3]):
    time.sleep(0.005)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.002)  # short writes with gaps, like people at work: the lock is never starved
    contacts.create_contact(Scope.console(), first_name=f"W{sys.argv[2]}", last_name=f"N{n}",
                            email=f"w{sys.argv[2]}.{n}@example.dk")
    n += 1
print(n, flush=True)
"""


def _contacts(config) -> int:
    with files.opened(config.db_path, read_key_file(config.key_path)) as conn:
        return conn.execute("SELECT count(*) FROM contact").fetchone()[0]


def test_a_backup_taken_while_four_processes_write_is_one_consistent_snapshot(
        closed_store, spawn_python, run_cli, tmp_path):
    config = closed_store
    stop, go = tmp_path / "stop", tmp_path / "go"
    procs = [spawn_python(config, WRITER, stop, i, go) for i in range(WRITERS)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        wait_for(lambda: _contacts(config) >= 40, what="the writers to add contacts")
        before = _contacts(config)
        done = run_cli(config, "backup", "create")
        after = _contacts(config)
        assert after > before  # they kept writing while it ran... or at least up to its end
    finally:
        stop.touch()
        outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no terminal: no progress lines, only the summary
    assert len(done.stdout.strip().splitlines()) == 1 and "contacts" in done.stdout

    backup = next(config.backup_dir.glob("minicrm-*Z.db"))
    manifest = json.loads(backup.with_suffix(".json").read_text())
    assert before <= manifest["counts"]["contact"] <= after
    verified = run_cli(config, "backup", "verify", str(backup))
    assert verified.returncode == 0, verified.stderr
    assert "verified" in verified.stdout
    # one snapshot: every contact in it has its audit row in it, and no audit row lacks its contact
    with files.opened(backup, read_key_file(config.key_path)) as conn:
        contacts = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
        created = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'contact.create'").fetchone()[0]
    assert contacts == created == manifest["counts"]["contact"]


def test_verify_names_what_is_wrong_in_one_line(closed_store, run_cli):
    config = closed_store
    assert run_cli(config, "backup", "create").returncode == 0
    backup = next(config.backup_dir.glob("minicrm-*Z.db"))
    manifest = backup.with_suffix(".json")
    data = json.loads(manifest.read_text())
    data["counts"]["contact"] += 1
    manifest.write_text(json.dumps(data))
    # the checksum still matches: the counts are what disagrees
    bad = run_cli(config, "backup", "verify", str(backup))
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "table contact: 0 rows, the manifest says 1" in bad.stderr


def test_list_and_drill(closed_store, run_cli):
    config = closed_store
    assert run_cli(config, "backup", "create").returncode == 0
    drill = run_cli(config, "backup", "drill")
    assert drill.returncode == 0, drill.stderr
    assert drill.stdout.startswith("drill passed")
    listing = run_cli(config, "backup", "list")
    assert "this key" in listing.stdout and "(drill)" in listing.stdout


def test_on_a_terminal_each_step_shows_as_it_happens(closed_store):
    import os
    import pty
    import subprocess

    from child_env import _env, minicrm_command

    config = closed_store
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([*minicrm_command(), "backup", "create"], env=_env(config), stdout=subprocess.PIPE,
                              stderr=slave, stdin=subprocess.DEVNULL, text=True, timeout=120)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0
    text = shown.decode()
    assert "copying" in text and "checking the copy" in text and "manifest" in text
    assert len(proc.stdout.strip().splitlines()) == 1


def test_restore_from_the_command_line_says_what_it_did(closed_store, run_cli):
    config = closed_store
    assert run_cli(config, "backup", "create").returncode == 0
    backup = next(config.backup_dir.glob("minicrm-*Z.db"))
    done = run_cli(config, "backup", "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"restored {backup.name}") and "kept as" in done.stdout
    assert list(config.db_path.parent.glob("crm.db.replaced-*"))


def test_rekey_prints_the_new_recovery_copy_once_and_the_old_key_stops_working(closed_store, run_cli):
    from store.db import key_opens_file

    config = closed_store
    assert run_cli(config, "backup", "create").returncode == 0
    old = read_key_file(config.key_path)
    done = run_cli(config, "rekey")
    assert done.returncode == 0, done.stderr
    new = read_key_file(config.key_path)
    assert done.stdout.count(new.hex()) == 1 and old.hex() not in done.stdout
    assert "1 backups re-encrypted" in done.stdout
    assert key_opens_file(config.db_path, old) is False and key_opens_file(config.db_path, new) is True
    listing = run_cli(config, "backup", "list")
    assert "this key" in listing.stdout and "OTHER KEY" not in listing.stdout
    assert run_cli(config, "audit", "verify").returncode == 0
