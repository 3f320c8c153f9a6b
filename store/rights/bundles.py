"""Where export bundles live on disk: their generated names, the private export folder, the
zip writing, the bundle attached to a request, and the purge of old ones (they hold personal data)."""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import stat
import time
import zipfile
from pathlib import Path

from .. import audit
from ..db import StoreError


def bundle_name(contact_id: int) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"person-{int(contact_id)}-{stamp}-{secrets.token_hex(3)}"


def export_dir(out_dir: str | os.PathLike | None) -> Path:
    """The configured export folder (created 0700, tightened if looser), or --out as given."""
    if out_dir is not None:
        path = Path(out_dir)
        if not path.is_dir():
            raise StoreError(f"export folder {path} does not exist or is not a folder")
        return path
    from ..runtime import current

    path = current().config.export_dir
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o700)
    except OSError as exc:
        raise StoreError(f"export folder {path}: {exc.strerror}") from None
    return path


def open_private(path: Path):
    """A new file only the service account can read; never overwrites anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    return os.fdopen(fd, "wb")


def write_zip(files, fileobj, root: str) -> None:
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in files:
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=dt.datetime.now().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o600) << 16
            zf.writestr(info, content)


_BUNDLE_NAME = re.compile(r"^person-\d+-\d{8}T\d{6}Z-[0-9a-f]{6}(\.zip)?$")


def _default_age() -> dt.timedelta:
    from .. import retention

    return dt.timedelta(days=retention.rules().export_bundle_days)


def expired_bundles(older_than: dt.timedelta | None = None, *, now: float | None = None) -> list[Path]:
    """Bundles in the export folder older than `older_than` (default `retention.export_bundle_days`)."""
    from ..runtime import current

    folder = current().config.export_dir
    if not folder.is_dir():
        return []
    age = older_than if older_than is not None else _default_age()
    cutoff = (now if now is not None else time.time()) - age.total_seconds()
    return sorted(entry for entry in folder.iterdir()
                  if _BUNDLE_NAME.match(entry.name) and not entry.is_symlink() and entry.stat().st_mtime < cutoff)


def purge_exports(older_than: dt.timedelta | None = None, *, now: float | None = None) -> int:
    """Delete bundles in the export folder older than `older_than` (they hold personal data);
    by default `retention.export_bundle_days`, the figure the report states.

    Only names this module generates are touched; returns how many went.
    """
    removed = 0
    for entry in expired_bundles(older_than, now=now):
        remove_bundle(entry)
        removed += 1
    if removed:
        audit.record(None, "export.purge", count=removed)
    return removed


def attached_bundle(name: str) -> Path:
    """The path of a bundle attached to a request, in the export folder (never elsewhere)."""
    from ..runtime import current

    if not _BUNDLE_NAME.match(name or "") or not name.endswith(".zip"):
        raise StoreError("the request has no bundle attached: export first")
    path = current().config.export_dir / name
    if path.is_symlink() or not path.is_file():
        raise StoreError("the bundle attached to the request is gone (purged after its week?): "
                         "export again")
    return path


def remove_bundle(target: Path) -> None:
    try:
        if target.is_dir():
            for child in target.iterdir():
                child.unlink()
            target.rmdir()
        elif target.exists():
            target.unlink()
    except OSError:
        pass
