"""Raw SQLCipher files outside the models' connection: open, copy, check, fingerprint.

A backup, a restore and a rekey all work on a second file beside (or far from)
the live one, so they use their own sqlcipher3 connections and never rebind
the models' `database`.  Copies use SQLite's online backup API in one step
(`pages=-1`): in WAL mode that is one read transaction, so the copy is one
consistent snapshot while writers carry on (a stepped copy would restart on
every write by another process and might never finish).  The target is keyed
before the copy; SQLCipher re-encrypts every page under the target's key.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..db import BUSY_TIMEOUT_MS, _KeyHolder, key_opens_file
from ..errors import StoreError, WrongKey

# Tables not worth counting: SQLite's own and the search index's shadow tables
# (rebuilt from `contact`, their counts say nothing an operator can check).
_UNCOUNTED_PREFIXES = ("sqlite_", "contact_search")


# integrity_check walks every index against its table: with SQLCipher's default 8 MB
# cache a 100 MB file is decrypted many times over (measured: bench/bench_backup.py)
CACHE_MB = 64


def connect(path: Path, key: bytes, *, check: bool = True) -> Any:
    """A keyed raw connection (autocommit).  `check`: refuse a key that does not open page 1."""
    from sqlcipher3 import dbapi2 as sqlcipher

    from ..db import _silence_sqlcipher_log

    _silence_sqlcipher_log(sqlcipher)
    if check and key_opens_file(Path(path), key) is False:
        raise WrongKey(f"this key does not open {path}")
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f'PRAGMA key = "{_KeyHolder(key).pragma}"')
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size = {-1024 * CACHE_MB}")
        conn.execute("PRAGMA temp_store = MEMORY")  # temp files are not encrypted
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError:
            raise WrongKey(f"this key does not open {path}") from None
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def opened(path: Path, key: bytes, *, check: bool = True) -> Iterator[Any]:
    conn = connect(path, key, check=check)
    try:
        yield conn
    finally:
        conn.close()


def create_private(path: Path) -> None:
    """An empty file only the owner can read (SQLite keeps an existing file's mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def copy_database(src: Path, src_key: bytes, dst: Path, dst_key: bytes) -> None:
    """Copy `src` into a new file `dst` keyed with `dst_key`, in rollback-journal mode
    (one self-contained file), synced to disk.  `dst` must not exist."""
    create_private(dst)
    try:
        # No page-1 check of `src` here: it reads the file with open()/close(), and closing a
        # descriptor drops every POSIX lock this process holds on the file, the models'
        # connection's included (store/db.py).  A wrong key still fails below, in SQLite.
        with opened(src, src_key, check=False) as source, opened(dst, dst_key, check=False) as target:
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode = DELETE").fetchone()
        fsync_file(dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            dst.unlink()
        raise


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """A rename is durable only once its directory is synced."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_id(key: bytes) -> str:
    """A short public name for a key (which key a backup is under), not the key."""
    from ..keyring import key_id as name

    return name(key)


def counts(conn) -> dict[str, int]:
    """Rows per table, the search index's shadow tables left out."""
    names = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not name.startswith(_UNCOUNTED_PREFIXES)]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def schema_version(conn) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def audit_head(conn) -> tuple[int, str]:
    from ..audit import GENESIS

    row = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def integrity_problems(conn) -> list[str]:
    """What `integrity_check` and `cipher_integrity_check` report; empty when sound."""
    from sqlcipher3 import dbapi2 as sqlcipher

    problems = [f"page HMAC: {row[0]}" for row in conn.execute("PRAGMA cipher_integrity_check")]
    try:
        problems += [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    except sqlcipher.DatabaseError as exc:  # a damaged page can stop the check itself
        problems.append(f"integrity_check could not finish: {exc}")
    return problems


def chain_break(conn) -> int | None:
    """The id of the first audit row whose hash does not follow, or None (store/audit.py's chain)."""
    from ..audit import _digest, chain_base

    _base, prev = chain_base(conn.execute)
    for (id_, at, actor_id, action, entity, entity_id, detail, prev_hash, hash_) in conn.execute(
            "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash "
            "FROM audit_event ORDER BY id"):
        if prev_hash != prev or hash_ != _digest(at, actor_id, action, entity, entity_id, detail, prev):
            return id_
        prev = hash_
    return None


def require_absent(path: Path) -> None:
    if path.exists():
        raise StoreError(f"{path} already exists; refusing to overwrite it")
