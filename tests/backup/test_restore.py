"""Restoring a backup: refused while anyone is working, the replaced file kept, and
nobody erased after the backup comes back."""
from __future__ import annotations

import os

import pytest

from store import backup
from store.errors import StoreError
from store.scope import Scope


def _person(n: int) -> int:
    from store.contacts import create_contact

    return create_contact(Scope.console(), first_name=f"Person{n}", last_name="Hansen",
                          email=f"person{n}@example.dk", phone=f"+45201000{n:02d}")


def _emails() -> set[str]:
    from store.db import database

    return {e for (e,) in database.execute_sql("SELECT email FROM contact WHERE email IS NOT NULL")}


def test_restore_keeps_people_erased_after_the_backup_erased(store):
    from store.rights import erase_person, is_erased

    kept, erased = _person(1), _person(2)
    manifest = backup.create_backup()
    erase_person(Scope.console(), erased, legal_basis="art17_1a")
    _person(3)  # made after the backup: the restore takes the register back to before it

    report = backup.restore_backup(manifest.path_in(store.backup_dir))

    assert report.erased_again == [erased]
    assert _emails() == {"person1@example.dk"}
    assert is_erased(email="person2@example.dk")
    assert report.replaced.exists() and report.replaced.stat().st_size > 0
    assert "erased again" in report.summary() and str(report.replaced) in report.summary()
    assert kept in {c for (c,) in __import__("store.db", fromlist=["database"]).database.execute_sql(
        "SELECT id FROM contact")}
    from store import audit

    assert audit.verify().ok


def test_restore_is_refused_while_a_session_is_live(store, users):
    from store.auth.sessions import start_session
    from store.models import utcnow

    manifest = backup.create_backup()
    session = start_session(users["sales"], utcnow(), None, os.getpid(), "totp")
    before = store.db_path.stat().st_ino
    with pytest.raises(StoreError, match=rf"session {session.id} \(user {users['sales'].id}, pid {os.getpid()}\)"):
        backup.restore_backup(manifest.path_in(store.backup_dir))
    assert store.db_path.stat().st_ino == before


def test_drill_restores_the_newest_elsewhere_and_the_record_shows_it(store):
    _person(1)
    backup.create_backup()
    newest = backup.create_backup()
    report = backup.drill()
    assert report.ok, report.problems
    assert report.backup.name == newest.file
    last = backup.last_verified()
    assert last is not None and last.drill and last.file == newest.file


def test_the_record_of_processing_shows_the_last_verified_backup(store):
    from store.processing import SECURITY_MEASURES, backup_status

    assert "backups" in SECURITY_MEASURES
    assert backup_status()[0] == "No backup has been verified yet"
    manifest = backup.create_backup()
    assert backup_status()[0] == "No backup has been verified yet"  # taken is not verified
    backup.drill()
    en, da = backup_status()
    assert en.startswith(f"Last verified backup: {manifest.file}, restored in a drill on")
    assert manifest.file in da


HOLDER = """
runtime.open_store()
database.execute_sql("SELECT count(*) FROM contact").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""


def test_restore_and_rekey_are_refused_while_another_process_has_the_file_open(store, tmp_path):
    import subprocess

    from child_env import _env, python_command

    from store import rekey

    manifest = backup.create_backup()
    holder = subprocess.Popen(python_command(HOLDER), env=_env(store), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open", holder.stderr.read()
        before = store.db_path.stat().st_ino
        with pytest.raises(StoreError, match="another process still has the database open"):
            backup.restore_backup(manifest.path_in(store.backup_dir))
        with pytest.raises(StoreError, match="another process still has the database open"):
            rekey.rekey()
        assert store.db_path.stat().st_ino == before
        assert not rekey.pending_key_path(store).exists()
    finally:
        holder.communicate("\n", timeout=60)
    assert _emails() == set()  # the store this process has open still works


def test_an_older_schema_backup_goes_back_as_it_was_without_migrating(config_path):
    """What an upgrade whose migration failed does: the backup taken before it, schema and all."""
    from store import migrations, runtime
    from store.config import load_config
    from store.db import database, new_key_file, open_database

    config = load_config(config_path)
    key = new_key_file(config.key_path)
    open_database(config.db_path, key, create=True)
    migrations.migrate(database, target=migrations.LATEST - 1)
    runtime._current = runtime.Runtime(config, key)
    try:
        manifest = backup.create_backup()
        assert manifest.schema_version == migrations.LATEST - 1
        migrations.migrate(database)  # the upgrade
        report = backup.restore_backup(manifest.path_in(config.backup_dir), migrate=False)
        assert migrations.current_version(database) == migrations.LATEST - 1
        assert report.erased_again == []
    finally:
        runtime.close_store()


def test_a_drill_finds_a_damaged_page_the_checksum_cannot(store):
    import json

    from store.backup import files

    _person(1)
    manifest = backup.create_backup()
    path = manifest.path_in(store.backup_dir)
    with open(path, "r+b") as fh:  # damage a page, then make the manifest agree with the file
        fh.seek(3 * 4096 + 100)
        fh.write(b"\xff" * 32)
    data = json.loads(path.with_suffix(".json").read_text())
    data["sha256"] = files.sha256_file(path)
    path.with_suffix(".json").write_text(json.dumps(data))

    report = backup.drill()
    assert not report.ok and report.summary().startswith(f"drill FAILED for {path.name}")
    assert backup.last_verified() is None
