"""Opening the store for a process: config -> key -> database -> schema."""
from __future__ import annotations

import atexit
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import migrations
from .config import Config, load_config
from .db import StoreError, close_database, database, new_key_file, open_database, read_key_file
from .rekey_files import rekey_unfinished


@dataclass
class Runtime:
    config: Config
    key: bytes  # kept for deriving application-level keys; never printed

    def __repr__(self) -> str:
        return f"<Runtime {self.config.db_path}>"


_current: Runtime | None = None


def current() -> Runtime:
    if _current is None:
        raise StoreError("the store is not open")
    return _current


def open_store(config: Config | str | Path | None = None, *, migrate: bool = True) -> Runtime:
    """Open the configured database for this process (idempotent)."""
    global _current
    _purpose_keys.clear()
    cfg = config if isinstance(config, Config) else load_config(config)
    if rekey_unfinished(cfg):  # two stats; the rekey machinery is imported only when needed
        from .rekey import recover

        recover(cfg)  # a rekey that stopped part-way is finished or undone first
    key = read_key_file(cfg.key_path)
    open_database(cfg.db_path, key, cache_mb=cfg["database.cache_mb"],
                  busy_timeout_ms=cfg["database.busy_timeout_ms"])
    _current = Runtime(cfg, key)  # before migrating: the backup taken first needs the open store
    atexit.register(close_store)
    if migrate:
        from . import upgrade

        upgrade.migrate(cfg, key)  # a plain read when up to date; else a backup first, then the lock
    elif migrations.current_version(database) > migrations.LATEST:
        raise StoreError(f"{cfg.db_path} was written by a newer MiniCRM (schema "
                         f"{migrations.current_version(database)} > {migrations.LATEST})")
    return _current


def create_store(config: Config) -> Runtime:
    """A new key file and an empty encrypted database with the latest schema."""
    global _current
    _purpose_keys.clear()
    if config.db_path.exists():
        raise StoreError(f"{config.db_path} already exists; refusing to initialise over it")
    # The database's folder first, 0700 (the key file's folder too, if it is new): the file,
    # its -wal and -shm and the erasure scrubs' temporaries are nobody else's business.
    _private_folder(config.db_path.parent)
    _private_folder(config.key_path.parent)
    key = new_key_file(config.key_path)
    # SQLite gives -wal and -shm the main file's mode: create it private first.
    os.close(os.open(config.db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    open_database(config.db_path, key, cache_mb=config["database.cache_mb"], create=True,
                  busy_timeout_ms=config["database.busy_timeout_ms"])
    migrations.migrate(database)
    _current = Runtime(config, key)
    atexit.register(close_store)
    return _current


def _private_folder(path: Path) -> None:
    """Create `path` (and missing parents) with mode 0700; an existing folder is left as it is."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True)
        os.chmod(path, 0o700)  # mkdir's mode is narrowed by the umask only, but be exact


def close_store() -> None:
    global _current
    _purpose_keys.clear()
    audit = sys.modules.get("store.audit")  # never loaded: nothing to flush (and no import at exit)
    if _current is not None and audit is not None:
        with contextlib.suppress(Exception):  # the database may already be gone at exit
            audit.flush()
    close_database()
    _current = None


# purpose -> key, for the database open now (a rekey or restore closes the store, which clears it)
_purpose_keys: dict[str, bytes] = {}


def derived_key(purpose: str) -> bytes:
    """An application key for one purpose: derived from the database key, or carried
    across a rekey (store/keyring.py)."""
    found = _purpose_keys.get(purpose)
    if found is None:
        from .keyring import purpose_key

        found = _purpose_keys[purpose] = purpose_key(database.connection(), current().key, purpose)
    return found


# -- checkpoints in a person's pause (a front end's own pace) ---------------------------

def defer_checkpoints(deferred: bool = True) -> None:
    """This process's commits stop moving the WAL into the file themselves (`deferred`), or do
    again.  SQLite runs that checkpoint inside the commit that takes the WAL past 1,000 pages:
    45-220 ms added to a person's save at 100,000 contacts.  A process that defers them (the
    TUI) calls `checkpoint_passive` when its person pauses; the others (imports, the web, the
    command line) keep SQLite's own, so the WAL stays bounded without it."""
    database.pragma("wal_autocheckpoint", 0 if deferred else 1000, permanent=True)


def checkpoint_passive() -> int:
    """What the WAL holds moved into the file as far as readers allow, without waiting for
    anyone or taking the write lock; returns how many of the WAL's pages are in the file now."""
    _busy, _log, moved = database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return max(0, moved)
