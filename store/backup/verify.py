"""Checking a backup on its own: checksum, key, pages, audit chain, counts.

`verify_backup` opens nothing but the backup (and its manifest), so it also
checks a copy on another machine.  A verification that passes is noted in the
live audit trail as `backup.verified`; `last_verified()` reads the newest one
back for the record of processing and `minicrm doctor`.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StoreError, WrongKey
from . import files
from .manifest import Manifest, read_manifest


@dataclass
class VerifyReport:
    file: Path
    manifest: Manifest | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok and self.manifest is not None:
            m = self.manifest
            return (f"backup {self.file.name} verified: taken {m.created_at} UTC, schema {m.schema_version}, "
                    f"{m.counts.get('contact', 0)} contacts, audit head {m.audit_head_id}")
        return f"backup {self.file.name} FAILED verification: " + "; ".join(self.problems)


def verify_backup(path: Path | str, key: bytes | None = None, *, record: bool = True,
                  contents: bool = True) -> VerifyReport:
    """Every check `minicrm backup verify` makes; `key` defaults to the open store's.

    `record`: note a passing verification in the live audit trail (when a store is open).
    `contents=False`: the manifest, mode and checksum only (the drill checks the contents
    of the restored copy instead of reading the file twice).
    """
    from .. import runtime

    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such backup file")
    if key is None:
        key = runtime.current().key
    try:
        manifest = read_manifest(path)
    except StoreError as exc:
        return VerifyReport(path, None, [str(exc)])
    report = VerifyReport(path, manifest)
    problems = report.problems
    if path.stat().st_mode & 0o077:
        problems.append(f"mode {oct(path.stat().st_mode & 0o777)} lets group or others read it (want 0600)")
    if files.sha256_file(path) != manifest.sha256:
        problems.append("the checksum does not match the manifest (the file changed since it was written)")
        return report
    if not contents:
        return report
    try:
        with files.opened(path, key) as conn:
            problems += contents_problems(conn, manifest)
    except WrongKey:
        problems.append(f"the key does not open it (it is under key {manifest.key_id}, "
                        f"this key is {files.key_id(key)})")
    if report.ok and record and runtime._current is not None:
        from .. import audit

        audit.record(None, "backup.verified", file=path.name, created_at=manifest.created_at,
                     audit_head=manifest.audit_head_id)
    return report


def contents_problems(conn, manifest: Manifest) -> list[str]:
    """Pages, audit chain, head, schema and counts of an open copy against its manifest."""
    problems = files.integrity_problems(conn)
    if problems:
        return problems  # reading on through damaged pages says nothing more
    broken = files.chain_break(conn)
    if broken is not None:
        problems.append(f"the audit chain breaks at row {broken}")
    if files.audit_head(conn) != (manifest.audit_head_id, manifest.audit_head_hash):
        problems.append("the audit head differs from the manifest's")
    if files.schema_version(conn) != manifest.schema_version:
        problems.append("the schema version differs from the manifest's")
    actual = files.counts(conn)
    for table in sorted(set(actual) | set(manifest.counts)):
        if actual.get(table) != manifest.counts.get(table):
            problems.append(f"table {table}: {actual.get(table)} rows, the manifest says "
                            f"{manifest.counts.get(table)}")
    return problems


@dataclass(frozen=True)
class VerifiedBackup:
    verified_at: dt.datetime  # UTC
    file: str
    created_at: str  # when the backup was taken, UTC
    drill: bool  # verified by restoring it somewhere else (`backup drill`)


def last_verified() -> VerifiedBackup | None:
    """The newest backup verification or drill in the open store's audit trail."""
    from ..models import AuditEvent

    row = (AuditEvent.select().where(AuditEvent.action.in_(("backup.verified", "backup.drill")))
           .order_by(AuditEvent.id.desc()).first())
    if row is None:
        return None
    detail = json.loads(row.detail or "{}")
    at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
    return VerifiedBackup(at, str(detail.get("file", "")), str(detail.get("created_at", "")),
                          row.action == "backup.drill")
