"""The change feed: every committed write leaves (entity, id, op, session) behind.

Another process polls cheaply: `PRAGMA data_version` tells whether anybody
committed since the last look, and only then is the feed read from the last
sequence number seen.  A change names the login session that made it (when a
session made it), so a session's own Watcher skips its own writes: the screen
that saved already shows the fresh record.
"""
from __future__ import annotations

from dataclasses import dataclass

from .db import data_version, database
from .models import Change


def record(entity: str, entity_id: int, op: str, *, session_id: int | None = None) -> None:
    """Call inside the write's transaction, so the feed commits with the data.

    `session_id`: the login session that writes (the Scope's), None for the
    console, imports run outside a session and other processes.
    """
    Change.insert(entity=entity, entity_id=entity_id, op=op, session_id=session_id).execute()


def record_many(entity: str, ids, op: str, *, session_id: int | None = None) -> None:
    rows = [(entity, i, op, session_id) for i in ids]
    for start in range(0, len(rows), 5000):
        Change.insert_many(rows[start:start + 5000],
                           fields=[Change.entity, Change.entity_id, Change.op, Change.session_id]).execute()


def latest_seq() -> int:
    row = database.execute_sql("SELECT max(seq) FROM change").fetchone()
    return row[0] or 0


@dataclass(frozen=True)
class Changed:
    seq: int
    entity: str
    entity_id: int
    op: str
    session_id: int | None = None


class Watcher:
    """Remembers where it last looked; `poll()` returns what changed since.

    `own_session`: the login session this watcher reports to; its own changes
    are passed over (never reported, never read again).
    """

    def __init__(self, own_session: int | None = None):
        self.own_session = own_session
        self.seq = latest_seq()
        self._version = data_version()

    def poll(self, limit: int = 1000) -> list[Changed]:
        version = data_version()
        if version == self._version:
            return []
        rows = database.execute_sql(
            "SELECT seq, entity, entity_id, op, session_id FROM change WHERE seq > ? ORDER BY seq LIMIT ?",
            (self.seq, limit)).fetchall()
        if len(rows) < limit:  # else more are waiting: look again next time
            self._version = version
        if rows:
            self.seq = rows[-1][0]
        own = self.own_session
        return [Changed(*r) for r in rows if own is None or r[4] != own]
