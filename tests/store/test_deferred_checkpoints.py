"""The TUI's saves leave the WAL checkpoint for the person's pause (store.runtime.defer_checkpoints):
SQLite otherwise runs it inside the commit that takes the WAL past 1,000 pages, a save's
45-220 ms at 100,000 contacts.  What the saves wrote is all there, and the pause's passive
checkpoint moves it into the file; other processes keep SQLite's own checkpoints."""
from __future__ import annotations

from store import contacts
from store.db import database
from store.runtime import checkpoint_passive, defer_checkpoints
from store.scope import Scope


def _save_all(scope, ids, rounds: int) -> int:
    """Saves each contact `rounds` times; returns the pages the WAL then holds."""
    checkpoint_passive()  # from an empty WAL: the next commit starts it again
    for r in range(rounds):
        for cid in ids:
            version = contacts.get_contact(scope, cid, audit_view=False).version
            contacts.update_contact(scope, cid, version, title=f"Titel {r}")
    return database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_saves_leave_the_checkpoint_to_the_pause_and_lose_nothing(store, users):
    sales = Scope(users["sales"])
    ids = [contacts.create_contact(sales, first_name=f"Navn{n}", last_name="Hansen", email=f"n{n}@firma.dk")
           for n in range(20)]
    # SQLite's own: a commit past 1,000 pages checkpoints, and the WAL starts again
    assert _save_all(sales, ids, 15) < 1100
    defer_checkpoints()
    try:
        assert database.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        frames = _save_all(sales, ids, 15)
        assert frames > 1100  # no save checkpointed: the WAL kept every page since
        assert all(contacts.get_contact(sales, cid, audit_view=False).title == "Titel 14" for cid in ids)
        assert checkpoint_passive() == frames  # the pause's checkpoint: every page in the file
    finally:
        defer_checkpoints(False)
    assert database.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
