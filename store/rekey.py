"""Changing the database key (`minicrm rekey`): a crash at any point leaves the old state or the new one.

Rather than `PRAGMA rekey` in place (a crash part-way leaves a hot journal under
the old key beside pages under the new one, which neither key opens cleanly),
the database is re-encrypted into a copy and the copy renamed over it:

  new-key           the new key is written to `<key>.new` (0600, synced)
  left-wal          the live file is checkpointed and taken out of WAL (refused if
                    another process has it open: nothing changed)
  copied            online backup API copy into `<db>.rekeying` under the new key
  resealed          in the copy, one transaction: TOTP secrets re-sealed under a fresh
                    TOTP key; the root of every other purpose key (ledger hashes, tokens
                    already sent) carried over sealed under the new key (store/keyring.py)
  checked           integrity_check and cipher_integrity_check of the copy, back to WAL,
                    and the old key shown not to open it
  database-swapped  rename the copy over the database (atomic): the commit point
  key-swapped       rename `<key>.new` over the key file
  backups           backups in backup.folder under the old key are re-encrypted the same way

Crashed before `database-swapped`: the database and key file are the old ones;
after it: the database is new and `<key>.new` opens it.  `recover()` (run by
`open_store` when a `.new` key or a `.rekeying` file is there, and by the next
rekey) tells which from the files themselves and finishes or undoes the job.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .backup import files
from .backup.create import Progress, _quiet
from .backup.create import step as _step
from .config import Config
from .db import key_opens_file, new_key_file, read_key_file
from .errors import SealedDataError, StoreError
from .keyring import carry, key_id
from .rekey_files import pending_key_path, staging_path

STEPS = ("new-key", "left-wal", "copied", "resealed", "checked", "database-swapped", "key-swapped", "backups")
@contextlib.contextmanager
def _rekey_lock(cfg: Config) -> Iterator[bool]:
    """True while this process alone may rekey or recover (False: a rekey is running)."""
    path = cfg.db_path.with_name(cfg.db_path.name + ".rekey-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def carry_sealed(conn, old_key: bytes, new_key: bytes) -> int:
    """In the copy `conn` (keyed with `new_key`): carry the key root, re-seal TOTP secrets.
    One transaction; returns how many TOTP secrets were re-sealed."""
    from .auth.factors import aad
    from .secretbox import open_sealed, seal

    conn.execute("BEGIN IMMEDIATE")
    try:
        changed = carry(conn, old_key, new_key, fresh=("totp",))
        old_totp, new_totp = changed["totp"]
        resealed = 0
        for user_id, blob in conn.execute(
                "SELECT id, totp_secret FROM user WHERE totp_secret IS NOT NULL").fetchall():
            try:
                secret = open_sealed(old_totp, bytes(blob), aad=aad(user_id))
            except SealedDataError:
                continue  # unreadable before, unreadable after: it fails like a wrong code
            conn.execute("UPDATE user SET totp_secret = ? WHERE id = ?",
                         (seal(new_totp, secret, aad=aad(user_id)), user_id))
            resealed += 1
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return resealed


@dataclass
class RekeyReport:
    new_key: bytes = field(repr=False)  # for the recovery copy, printed once; never logged
    old_key_id: str
    new_key_id: str
    totp_resealed: int
    reencrypted: list[Path] = field(default_factory=list)
    still_old: list[Path] = field(default_factory=list)  # backups the rekey could not re-encrypt

    def summary(self) -> str:
        text = (f"database re-encrypted: key {self.old_key_id} -> {self.new_key_id}; "
                f"{self.totp_resealed} TOTP secrets re-sealed; {len(self.reencrypted)} backups re-encrypted")
        if self.still_old:
            text += (f"; {len(self.still_old)} backups still under the old key "
                     f"({', '.join(p.name for p in self.still_old)})")
        return text + "; copies of backups made elsewhere (--to, off-site) stay under the old key"


def rekey(*, progress: Progress | None = None) -> RekeyReport:
    """Give the open store a new database key (the module's steps); returns what it did."""
    from . import audit, runtime
    from .backup.restore import leave_wal, refuse_if_sessions_live
    from .db import data_version, database

    say = progress or _quiet
    rt = runtime.current()
    cfg, old = rt.config, rt.key
    with _rekey_lock(cfg) as mine:
        if not mine:
            raise StoreError("another rekey is running")
        refuse_if_sessions_live("rekey")
        pending, staging = pending_key_path(cfg), staging_path(cfg)
        pending.unlink(missing_ok=True)  # leftovers of a crash: the open database is under `old`
        staging.unlink(missing_ok=True)
        new = new_key_file(pending)
        files.fsync_file(pending)
        files.fsync_dir(pending.parent)
        _step("new-key", say, f"wrote the new key to {pending}")
        swapped = False
        try:
            audit.flush()
            leave_wal(lambda sql: database.execute_sql(sql).fetchone()[0])
            version = data_version()
            _step("left-wal", say, "checkpointed the database and took it out of WAL")
            files.copy_database(cfg.db_path, old, staging, new)
            _step("copied", say, f"copied it under the new key to {staging}")
            with files.opened(staging, new) as conn:
                resealed = carry_sealed(conn, old, new)
                _step("resealed", say, f"re-sealed {resealed} TOTP secrets and carried the ledger and token keys")
                problems = files.integrity_problems(conn)
                if problems:
                    raise StoreError(f"the re-encrypted copy failed its integrity check: {problems[0]}")
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
            files.fsync_file(staging)
            if key_opens_file(staging, old) is not False:
                raise StoreError("the old key still opens the re-encrypted copy")
            if data_version() != version:
                raise StoreError("another process wrote to the database during the rekey; try again")
            _step("checked", say, "the copy passed integrity_check and cipher_integrity_check; "
                  "the old key does not open it")
            runtime.close_store()
            os.replace(staging, cfg.db_path)
            files.fsync_dir(cfg.db_path.parent)
            swapped = True
            _step("database-swapped", say, f"the re-encrypted copy is now {cfg.db_path}")
            os.replace(pending, cfg.key_path)
            files.fsync_dir(cfg.key_path.parent)
            _step("key-swapped", say, f"the new key is now {cfg.key_path} (mode 0600)")
        finally:
            if not swapped:
                staging.unlink(missing_ok=True)
                pending.unlink(missing_ok=True)
            runtime.close_store()
            runtime.open_store(cfg)  # the old database, or the new one under the new key file
        report = RekeyReport(new, key_id(old), key_id(new), resealed)
        _reencrypt_backups(cfg, old, new, report, say)
        _step("backups", say, f"re-encrypted {len(report.reencrypted)} backups")
        audit.record(None, "database.rekey", old_key=report.old_key_id, new_key=report.new_key_id,
                     totp_resealed=resealed, backups_reencrypted=len(report.reencrypted),
                     backups_still_old=len(report.still_old))
        return report


def _reencrypt_backups(cfg: Config, old: bytes, new: bytes, report: RekeyReport, say: Progress) -> None:
    from .backup.manifest import manifest_path, read_manifest, write_manifest
    from .backup.rotation import backups_in

    if not cfg.backup_dir.is_dir():
        return
    for _, path in backups_in(cfg.backup_dir):
        try:
            manifest = read_manifest(path)
        except StoreError:
            report.still_old.append(path)
            continue
        if manifest.key_id != key_id(old):
            if manifest.key_id != key_id(new):
                report.still_old.append(path)
            continue
        tmp = path.with_name(path.name + ".rekeying")
        tmp.unlink(missing_ok=True)
        try:
            files.copy_database(path, old, tmp, new)
            with files.opened(tmp, new) as conn:
                carry_sealed(conn, old, new)
                if files.integrity_problems(conn):
                    raise StoreError(f"{path.name}: the re-encrypted copy failed its integrity check")
                counts = files.counts(conn)
            files.fsync_file(tmp)
            updated = replace(manifest, key_id=key_id(new), counts=counts,
                              sha256=files.sha256_file(tmp), size=tmp.stat().st_size)
            os.replace(tmp, path)
            write_manifest(updated, manifest_path(path))
            report.reencrypted.append(path)
            say(f"re-encrypted {path.name}")
        except StoreError:
            tmp.unlink(missing_ok=True)
            report.still_old.append(path)


def recover(cfg: Config) -> str | None:
    """Finish or undo a rekey that stopped part-way: 'old', 'new', or None (nothing pending
    or a rekey is running).  Decided by which key opens the database file."""
    pending, staging = pending_key_path(cfg), staging_path(cfg)
    if not pending.exists() and not staging.exists():
        return None
    with _rekey_lock(cfg) as mine:
        if not mine:
            return None
        with contextlib.suppress(StoreError):
            if key_opens_file(cfg.db_path, read_key_file(cfg.key_path)):
                staging.unlink(missing_ok=True)
                pending.unlink(missing_ok=True)  # it never opened the database
                return "old"
        if pending.exists() and key_opens_file(cfg.db_path, read_key_file(pending)):
            os.replace(pending, cfg.key_path)
            files.fsync_dir(cfg.key_path.parent)
            staging.unlink(missing_ok=True)
            return "new"
        raise StoreError(f"neither {cfg.key_path} nor {pending} opens {cfg.db_path}: "
                         "restore the key from its recovery copy")
