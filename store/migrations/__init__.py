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


def available() -> list[tuple[int, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        m = _NAME.match(info.name)
        if m:
            found.append((int(m.group(1)), importlib.import_module(f"{__name__}.{info.name}")))
    found.sort(key=lambda pair: pair[0])
    numbers = [n for n, _ in found]
    assert numbers == list(range(1, len(numbers) + 1)), f"migration numbers have a gap: {numbers}"
    return found


LATEST = len(available())


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
