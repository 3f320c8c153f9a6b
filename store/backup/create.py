"""Taking a backup of the live database while sessions keep working."""
from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable
from pathlib import Path

from .. import audit
from ..errors import StoreError
from . import files
from .manifest import Manifest, manifest_path, write_manifest

Progress = Callable[[str], None]
PREFIX = "minicrm-"
SUFFIX = ".db"


def _quiet(step: str) -> None:
    pass


_KILL_AT = "MINICRM_TEST_KILL_AT"  # the crash tests kill the process right after the step named here


def step(name: str, say: Progress, text: str) -> None:
    """Report a step of long work; the crash tests die right after the one they name."""
    say(text)
    if os.environ.get(_KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def backup_name(when: dt.datetime) -> str:
    """minicrm-20261202T163000Z.db: sorts by time, says when, names nothing else."""
    return f"{PREFIX}{when.strftime('%Y%m%dT%H%M%S')}Z{SUFFIX}"


def backup_folder(to: Path | str | None = None) -> Path:
    """--to DIR, else the configured backup.folder; created 0700."""
    from ..runtime import current

    cfg = current().config
    folder = Path(to) if to is not None else cfg.backup_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if cfg.key_path.parent.resolve() == folder.resolve():
        # whoever copies the folder off the machine would copy the key with the ciphertext
        raise StoreError(f"{folder} holds the key file {cfg.key_path.name}: backups never go beside their key; "
                         "choose another folder (backup.folder or --to)")
    return folder


def create_backup(to: Path | str | None = None, *, progress: Progress | None = None,
                  rotate: bool = True) -> Manifest:
    """Back up the open store into `to` (default: backup.folder); returns its manifest.

    An online backup (one consistent snapshot; writers are not held up) into a new
    file under the database key, mode 0600, synced, then renamed into place with
    its manifest, so a half-made backup never looks like one.  Audited as
    `backup.create`.  With `rotate` the folder is pruned to the configured
    daily/weekly/monthly counts afterwards (never the new backup).
    """
    from ..runtime import current

    say = progress or _quiet
    rt = current()
    folder = backup_folder(to)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    final = folder / backup_name(now)
    while final.exists() or manifest_path(final).exists():  # two in one second
        now += dt.timedelta(seconds=1)
        final = folder / backup_name(now)
    partial = final.with_name(final.name + ".partial")
    files.require_absent(partial)

    say(f"copying {rt.config.db_path} (online) to {final}")
    try:
        files.copy_database(rt.config.db_path, rt.key, partial, rt.key)
        say("checking the copy")
        with files.opened(partial, rt.key) as conn:
            problems = files.integrity_problems(conn)
            if problems:
                raise StoreError(f"the copy in {partial} failed its integrity check: {problems[0]}")
            head_id, head_hash = files.audit_head(conn)
            manifest = Manifest(
                file=final.name, created_at=now.isoformat(), schema_version=files.schema_version(conn),
                counts=files.counts(conn), audit_head_id=head_id, audit_head_hash=head_hash,
                sha256="", size=0, key_id=files.key_id(rt.key))
        say("writing the checksum and the manifest")
        manifest = _with_checksum(manifest, partial)
        os.replace(partial, final)
        write_manifest(manifest, manifest_path(final))
        files.fsync_dir(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    audit.record(None, "backup.create", size=manifest.size, audit_head=head_id)
    if rotate and to is None:
        from .rotation import rotate as prune

        removed = prune(folder)
        if removed:
            say(f"rotation removed {len(removed)} older backups")
    return manifest


def _with_checksum(manifest: Manifest, path: Path) -> Manifest:
    from dataclasses import replace

    return replace(manifest, sha256=files.sha256_file(path), size=path.stat().st_size)
