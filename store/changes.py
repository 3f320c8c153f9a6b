"""The change feed: every committed write leaves (entity, id, op) behind.

Another process polls cheaply: `PRAGMA data_version` tells whether anybody
committed since the last look, and only then is the feed read from the last
sequence number seen.
"""
from __future__ import annotations

from dataclasses import dataclass

from .db import data_version, database
from .models import Change


def record(entity: str, entity_id: int, op: str) -> None:
    """Call inside the write's transaction, so the feed commits with the data."""
    Change.insert(entity=entity, entity_id=entity_id, op=op).execute()


def record_many(entity: str, ids, op: str) -> None:
    rows = [(entity, i, op) for i in ids]
    for start in range(0, len(rows), 5000):
        Change.insert_many(rows[start:start + 5000],
                           fields=[Change.entity, Change.entity_id, Change.op]).execute()


def latest_seq() -> int:
    row = database.execute_sql("SELECT max(seq) FROM change").fetchone()
    return row[0] or 0


@dataclass(frozen=True)
class Changed:
    seq: int
    entity: str
    entity_id: int
    op: str


class Watcher:
    """Remembers where it last looked; `poll()` returns what changed since."""

    def __init__(self):
        self.seq = latest_seq()
        self._version = data_version()

    def poll(self, limit: int = 1000) -> list[Changed]:
        version = data_version()
        if version == self._version:
            return []
        rows = database.execute_sql(
            "SELECT seq, entity, entity_id, op FROM change WHERE seq > ? ORDER BY seq LIMIT ?",
            (self.seq, limit)).fetchall()
        if len(rows) < limit:  # else more are waiting: look again next time
            self._version = version
        if rows:
            self.seq = rows[-1][0]
        return [Changed(*r) for r in rows]
