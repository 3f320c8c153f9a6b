"""Upgrades: pending migrations run under one write lock with a backup taken first; a failed
migration leaves the database as it was, or puts the backup back when it escaped the lock."""
from __future__ import annotations

import types

import pytest

from store import migrations, runtime, upgrade
from store.db import database
from store.errors import StoreError


def _with_extra_migration(monkeypatch, up) -> int:
    number = migrations.LATEST + 1
    real = migrations.available()
    module = types.SimpleNamespace(up=up)
    monkeypatch.setattr(migrations, "available", lambda: [*real, (number, module)])
    monkeypatch.setattr(migrations, "LATEST", number)
    return number


def _tables() -> set[str]:
    return {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _backup_version(path, key) -> int:
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = sqlcipher.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_an_up_to_date_schema_takes_no_backup(store):
    report = upgrade.migrate(store, runtime.current().key)
    assert report.backup is None and report.message.endswith("is up to date")
    assert not upgrade.backup_folder(store).exists()


def test_pending_migrations_run_after_a_backup(store, monkeypatch):
    before = migrations.current_version(database)
    number = _with_extra_migration(monkeypatch, lambda db: db.execute_sql("CREATE TABLE upgrade_probe (x)"))
    assert upgrade.pending() == [number]
    report = upgrade.migrate(store, runtime.current().key)
    assert (report.before, report.after) == (before, number)
    assert "upgrade_probe" in _tables()
    assert report.backup is not None and report.backup.stat().st_mode & 0o777 == 0o600
    assert _backup_version(report.backup, runtime.current().key) == before  # the state before the upgrade


def test_a_failed_migration_is_rolled_back_and_the_backup_kept(store, monkeypatch):
    before = migrations.current_version(database)

    def up(db):
        db.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    _with_extra_migration(monkeypatch, up)
    with pytest.raises(StoreError, match=f"rolled back: the database is as it was at schema {before}"):
        upgrade.migrate(store, runtime.current().key)
    assert "half_done" not in _tables()
    assert migrations.current_version(database) == before
    assert list(upgrade.backup_folder(store).glob("*.db"))


def test_a_migration_that_escaped_the_lock_is_undone_from_the_backup(store, monkeypatch):
    before = migrations.current_version(database)

    def up(db):
        db.execute_sql("COMMIT")  # a badly written migration: ends the transaction it was given
        db.execute_sql("CREATE TABLE escaped (x)")
        raise RuntimeError("boom")

    _with_extra_migration(monkeypatch, up)
    with pytest.raises(StoreError, match="the database was restored from"):
        upgrade.migrate(store, runtime.current().key)
    assert "escaped" not in _tables()
    assert migrations.current_version(database) == before
    assert list(store.db_path.parent.glob("crm.db.failed-upgrade-*"))


def test_minicrm_upgrade_check_says_when_nothing_is_pending(closed_store, run_cli):
    proc = run_cli(closed_store, "upgrade", "--check")
    assert (proc.returncode, proc.stdout.strip()) == (0, "schema up to date")
    proc = run_cli(closed_store, "upgrade")
    assert proc.returncode == 0 and "up to date" in proc.stdout
