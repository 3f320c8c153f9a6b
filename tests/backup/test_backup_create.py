"""A backup is an encrypted, checked snapshot: it opens with the key, verifies, and says what it holds."""
from __future__ import annotations

import stat

import pytest

from store import backup
from store.backup import files
from store.errors import WrongKey


def _contacts(n: int) -> None:
    from store import demo

    demo.generate(n, seed=7)


def test_backup_opens_verifies_and_matches_its_manifest(store):
    _contacts(20)
    manifest = backup.create_backup()
    path = manifest.path_in(store.backup_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.backup_dir.stat().st_mode) == 0o700
    assert manifest.counts["contact"] >= 20
    assert manifest.schema_version >= 1 and manifest.audit_head_id > 0
    report = backup.verify_backup(path)
    assert report.ok, report.problems
    last = backup.last_verified()
    assert last is not None and last.file == path.name


def test_a_changed_backup_fails_verification(store):
    manifest = backup.create_backup()
    path = manifest.path_in(store.backup_dir)
    with open(path, "r+b") as fh:
        fh.seek(5000)
        fh.write(b"\x00" * 16)
    report = backup.verify_backup(path)
    assert not report.ok and "checksum" in report.problems[0]


def test_the_backup_is_not_readable_without_the_key(store):
    manifest = backup.create_backup()
    path = manifest.path_in(store.backup_dir)
    assert b"SQLite format 3" not in path.read_bytes()[:100]
    with pytest.raises(WrongKey):
        files.connect(path, b"\x01" * 32)
    report = backup.verify_backup(path, b"\x01" * 32, record=False)
    assert not report.ok and "does not open" in report.problems[0]


def test_a_backup_never_goes_beside_its_key(store):
    from store.errors import StoreError

    with pytest.raises(StoreError, match="never go beside their key"):
        backup.create_backup(store.key_path.parent)
    assert not list(store.key_path.parent.glob("minicrm-*"))
