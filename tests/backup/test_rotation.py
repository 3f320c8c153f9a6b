"""Rotation keeps N daily, M weekly and K monthly backups, and touches nothing it did not write."""
from __future__ import annotations

import datetime as dt

from store.backup import rotation
from store.backup.create import backup_name


def test_to_keep_is_grandfather_father_son():
    start = dt.datetime(2026, 12, 2, 3, 0)
    # two backups a day for 120 days, newest first
    times = [start - dt.timedelta(hours=12 * n) for n in range(240)]
    keep = rotation.to_keep(times, daily=7, weekly=4, monthly=3)
    days = {t.date() for t in keep}
    assert start in keep
    assert all(start.date() - dt.timedelta(days=n) in days for n in range(7))
    assert len({t.isocalendar()[:2] for t in keep}) >= 4
    assert {(t.year, t.month) for t in keep} >= {(2026, 12), (2026, 11), (2026, 10)}
    # of each kept day only its newest backup
    assert all(not any(u.date() == t.date() and u > t for u in times) for t in keep)
    assert len(keep) <= 7 + 4 + 3


def test_rotate_removes_only_its_own_files(store):
    folder = store.backup_dir
    folder.mkdir(mode=0o700, exist_ok=True)
    start = dt.datetime(2026, 12, 2, 3, 0)
    made = []
    for n in range(30):
        path = folder / backup_name(start - dt.timedelta(days=n))
        path.write_bytes(b"x")
        path.with_suffix(".json").write_text("{}")
        made.append(path)
    other = folder / "notes.txt"
    other.write_text("mine")

    removed = rotation.rotate(folder, daily=3, weekly=0, monthly=0)

    assert sorted(p.name for p in folder.glob("minicrm-*.db")) == sorted(p.name for p in made[:3])
    assert len(removed) == 27 and not any(p.with_suffix(".json").exists() for p in removed)
    assert other.read_text() == "mine"
