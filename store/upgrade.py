"""Upgrading the schema safely: a backup first, then every pending migration under one write lock.

A new MiniCRM version is installed while the old database stays in place.  The
first process to open it (or `minicrm upgrade`, which `server install` runs)
finds migrations pending and:

1. takes an online backup into the backup folder (store.backup);
2. runs every pending migration inside one BEGIN IMMEDIATE transaction, so no
   other process writes half-way through and a failure rolls all of them back;
3. after a failure, checks the database is at its old version and whole; if
   it is not (a migration that escaped the transaction), puts the backup back.

An up-to-date schema is seen with one read and no lock.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from . import migrations
from .config import Config
from .db import close_database, database, open_database
from .errors import StoreError


@dataclass
class UpgradeReport:
    before: int
    after: int
    backup: Path | None
    message: str


def pending() -> list[int]:
    version = migrations.current_version(database)
    return [n for n, _ in migrations.available() if n > version]


def backup_folder(config: Config) -> Path:
    folder = config.values.get("backup", {}).get("folder")
    return config._path(folder) if folder else config.db_path.parent / "backups"


def take_backup(config: Config, key: bytes, label: str) -> Path:
    """An online, encrypted copy of the open database (mode 0600), through the backup service
    (schema-agnostic, so it copies a database of any older version); returns its path."""
    from .backup import create_backup

    folder = backup_folder(config)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest = create_backup(folder, rotate=False)
    return folder / manifest.file


def _schema() -> list[tuple]:
    return database.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _whole(version: int, schema: list[tuple]) -> bool:
    """At the old version, with the old schema, and passing SQLite's quick check."""
    try:
        ok = database.execute_sql("PRAGMA quick_check").fetchone()[0] == "ok"
        return ok and migrations.current_version(database) == version and _schema() == schema
    except Exception:  # noqa: BLE001 -- any failure to read it means: not whole
        return False


def _put_back(config: Config, key: bytes, backup: Path) -> None:
    """Replace the database by the backup (the failed file is kept beside it)."""
    close_database()
    live = config.db_path
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    os.replace(live, live.with_name(f"{live.name}.failed-upgrade-{stamp}"))
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    with open(backup, "rb") as src, open(os.open(live, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    open_database(live, key, cache_mb=config["database.cache_mb"])


def migrate(config: Config, key: bytes, *, progress=None) -> UpgradeReport:
    """Bring the open database to the latest schema, backup first (see the module text)."""
    before = migrations.current_version(database)
    if before >= migrations.LATEST:  # a plain read: no lock, no backup
        return UpgradeReport(before, before, None, f"schema {before} is up to date")
    say = progress or (lambda _text: None)
    schema = _schema()
    say(f"schema {before} -> {migrations.LATEST}: taking a backup first")
    backup = take_backup(config, key, f"before-schema-{migrations.LATEST}")
    say(f"backup {backup}; migrating under the write lock")
    try:
        with database.atomic():  # BEGIN IMMEDIATE; each migration's own atomic() nests as a savepoint
            migrations.migrate(database)
    except Exception as exc:  # noqa: BLE001 -- any failure: roll back, then check, maybe restore
        if _whole(before, schema):
            raise StoreError(f"migration to schema {migrations.LATEST} failed ({type(exc).__name__}) and was "
                             f"rolled back: the database is as it was at schema {before}; backup {backup}") from None
        _put_back(config, key, backup)
        raise StoreError(f"migration to schema {migrations.LATEST} failed ({type(exc).__name__}); the "
                         f"database was restored from {backup}") from None
    after = migrations.current_version(database)
    return UpgradeReport(before, after, backup, f"schema {before} -> {after}; backup taken first: {backup}")
