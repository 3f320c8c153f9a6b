"""Encrypted online backups: create, verify, rotate, restore, drill.

The public API (front ends and other store modules call only these):

    create_backup(to=None, *, progress=None) -> Manifest   online, 0600, checksum + manifest
    verify_backup(path, key=None) -> VerifyReport          checksum, key, pages, audit chain, counts
    last_verified() -> VerifiedBackup | None               for the record of processing and doctor
    newest_backup(folder=None) -> Path | None
    rotate(folder) -> list[Path]                           keep_daily / keep_weekly / keep_monthly
    restore_backup(path) -> RestoreReport                  no live session; ledger re-applied
    drill(backup=None) -> DrillReport                      the newest, restored somewhere else, checked

A backup is `minicrm-<UTC time>Z.db` (SQLCipher, under the database key) with
`minicrm-<UTC time>Z.json` beside it.  The key is never written beside them:
copying the folder off the machine (rsync, restic, borg) copies only ciphertext.
"""
from __future__ import annotations

from pathlib import Path

from .create import backup_folder, create_backup
from .manifest import Manifest, read_manifest
from .restore import DrillReport, RestoreReport, drill, live_sessions, restore_backup
from .rotation import backups_in, rotate
from .verify import VerifiedBackup, VerifyReport, last_verified, verify_backup


def key_from_file(path: Path | str) -> bytes:
    """The key in a key file (0600): for a backup under another key (from before a rekey)."""
    from ..db import read_key_file

    return read_key_file(Path(path))


def current_key_id() -> str:
    """The public name of the open store's key, as manifests note it (`Manifest.key_id`)."""
    from ..runtime import current
    from .files import key_id

    return key_id(current().key)


def newest_backup(folder: Path | str | None = None) -> Path | None:
    """The newest backup in `folder` (default: backup.folder), or None."""
    found = backups_in(backup_folder(folder))
    return found[0][1] if found else None


__all__ = ["DrillReport", "Manifest", "RestoreReport", "VerifiedBackup", "VerifyReport", "backup_folder",
           "backups_in", "create_backup", "current_key_id", "drill", "key_from_file", "last_verified",
           "live_sessions", "newest_backup", "read_manifest", "restore_backup", "rotate", "verify_backup"]
