"""Numbered schema migrations.

Each module `mNNNN_<what>.py` defines `up(db)`; the schema version lives in
`PRAGMA user_version`.  Migrations run in one BEGIN IMMEDIATE transaction each,
re-reading the version under the lock, so several processes starting at once
migrate exactly once.  A schema already up to date is seen with one read and
no write lock: every process start checks, and must not queue behind an import.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

_NAME = re.compile(r"^m(\d{4})_\w+$")


def _numbered() -> list[tuple[int, str]]:
    """(number, module name) of every migration, in order, from the file names alone."""
    found = sorted((int(m.group(1)), info.name) for info in pkgutil.iter_modules(__path__)
                   if (m := _NAME.match(info.name)))
    numbers = [n for n, _ in found]
    assert numbers == list(range(1, len(numbers) + 1)), f"migration numbers have a gap: {numbers}"
    return found


def available() -> list[tuple[int, ModuleType]]:
    return [(n, importlib.import_module(f"{__name__}.{name}")) for n, name in _numbered()]


# From the names: every process start checks the version, and importing the
# migrations themselves is only needed to run one.
LATEST = len(_numbered())


def current_version(db) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def migrate(db, target: int | None = None) -> int:
    """Bring the schema up to `target` (default: latest); returns the version reached."""
    target = LATEST if target is None else target
    if current_version(db) >= target:  # a plain read: no lock while another process writes
        return current_version(db)
    for number, module in available():
        if number > target:
            break
        with db.atomic():  # BEGIN IMMEDIATE: one process at a time
            if current_version(db) >= number:
                continue
            module.up(db)
            db.execute_sql(f"PRAGMA user_version = {int(number)}")
    return current_version(db)
