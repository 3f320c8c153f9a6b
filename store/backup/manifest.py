"""The small JSON file beside each backup: what it holds, so it can be checked without the live database.

`<name>.db` is the encrypted backup, `<name>.json` its manifest (mode 0600 both).
The manifest names no person: a time, the schema version, row counts per
table, the audit trail's head (id and hash, for checkpoints outside the
database), the file's SHA-256 and size, and which key it is under (`key_id`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import StoreError

FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    file: str  # the backup's file name, beside the manifest
    created_at: str  # UTC, ISO 8601
    schema_version: int
    counts: dict[str, int]
    audit_head_id: int
    audit_head_hash: str
    sha256: str
    size: int
    key_id: str
    format: int = FORMAT
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at)

    def path_in(self, folder: Path) -> Path:
        return folder / self.file


def manifest_path(backup: Path) -> Path:
    return backup.with_suffix(".json")


def write_manifest(manifest: Manifest, path: Path) -> None:
    """Written beside under a temporary name, synced, then renamed: never half a manifest."""
    tmp = path.with_name(path.name + ".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(manifest), fh, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(backup: Path) -> Manifest:
    path = manifest_path(backup)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: the backup's manifest is missing") from None
    except (ValueError, UnicodeDecodeError):
        raise StoreError(f"{path}: the manifest is not valid JSON") from None
    try:
        return Manifest(**raw)
    except TypeError:
        raise StoreError(f"{path}: the manifest does not have the expected fields") from None
