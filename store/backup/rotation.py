"""Keeping N daily, M weekly and K monthly backups (backup.keep_* settings).

Grandfather-father-son: the newest backup of each of the last N days that have
one, of each of the last M ISO weeks, of each of the last K months, and always
the newest.  Only files this program names (minicrm-<time>Z.db and their
manifests) are ever removed; anything else in the folder is left alone.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from .manifest import manifest_path

_NAME = re.compile(r"^minicrm-(\d{8}T\d{6})Z\.db$")


def backups_in(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """This program's backups in `folder`, newest first (by the time in the name)."""
    found = []
    for path in folder.glob("minicrm-*Z.db"):
        m = _NAME.match(path.name)
        if m:
            found.append((dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S"), path))
    found.sort(reverse=True)
    return found


def to_keep(times: list[dt.datetime], daily: int, weekly: int, monthly: int) -> set[dt.datetime]:
    """Which of `times` (any order) to keep."""
    newest_first = sorted(times, reverse=True)
    keep: set[dt.datetime] = set(newest_first[:1])
    periods: list[tuple[int, Callable[[dt.datetime], object]]] = [
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ]
    for count, period in periods:
        seen: list[object] = []
        for t in newest_first:
            p = period(t)
            if p in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(p)
            keep.add(t)
    return keep


def rotate(folder: Path, *, daily: int | None = None, weekly: int | None = None,
           monthly: int | None = None) -> list[Path]:
    """Remove the backups the settings do not keep; returns the removed files."""
    from ..runtime import current

    cfg = current().config
    daily = cfg["backup.keep_daily"] if daily is None else daily
    weekly = cfg["backup.keep_weekly"] if weekly is None else weekly
    monthly = cfg["backup.keep_monthly"] if monthly is None else monthly
    found = backups_in(folder)
    keep = to_keep([t for t, _ in found], daily, weekly, monthly)
    removed = []
    for t, path in found:
        if t not in keep:
            path.unlink(missing_ok=True)
            manifest_path(path).unlink(missing_ok=True)
            removed.append(path)
    return removed
