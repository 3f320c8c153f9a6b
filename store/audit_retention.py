"""Audit rows are kept `retention.audit_years`, then dropped, with the chain still verifiable.

A drop takes the oldest rows up to the last one older than the cutoff (never a row
after a newer one: kept rows written late carry their own earlier time), and in the
same transaction notes that last row's id and hash in `audit_truncation`; the trail's
delete trigger (m0014) lets a row go only once such a note covers it.  The chain is
then checked from that hash on (`audit.chain_base`), and the same head is appended
to the checkpoint file (kind `minicrm.audit-drop`), so the witness outside the
database agrees with the note inside it.  Each batch of rows goes in its own short
transaction; the drop is audited with counts and the head id only.
"""
from __future__ import annotations

import datetime as dt

from . import audit, retention
from .db import database
from .models import AuditEvent, AuditTruncation, utcnow
from .scope import Scope

DROP_KIND = "minicrm.audit-drop"
BATCH = 5_000  # rows per transaction: a few milliseconds of write lock


def cutoff(now: dt.datetime) -> dt.date:
    return retention.add_years(now.date(), -retention.rules().audit_years)


def _last_droppable(before: dt.date) -> int:
    """The highest id N such that every row up to N is older than `before` (0: none)."""
    first_young = database.execute_sql(
        "SELECT min(id) FROM audit_event WHERE at >= ?", (before.isoformat(),)).fetchone()[0]
    if first_young is None:  # every row is old: keep the newest, the chain must have a head
        newest = database.execute_sql("SELECT max(id) FROM audit_event").fetchone()[0]
        return (newest or 1) - 1
    return first_young - 1


def due(now: dt.datetime) -> int:
    """How many audit rows the drop would remove now."""
    base_id, _ = audit.chain_base()
    last = _last_droppable(cutoff(now))
    if last <= base_id:
        return 0
    return AuditEvent.select().where((AuditEvent.id > base_id) & (AuditEvent.id <= last)).count()


def drop_expired(scope: Scope, now: dt.datetime) -> int:
    """Drop audit rows older than `retention.audit_years`; returns how many went."""
    scope.require("audit.read")
    before = cutoff(now)
    dropped, head = 0, None
    while True:
        with database.atomic():
            base_id, _ = audit.chain_base()
            last = min(_last_droppable(before), base_id + BATCH)
            if last <= base_id:
                break
            row = database.execute_sql("SELECT id, hash FROM audit_event WHERE id <= ? ORDER BY id DESC LIMIT 1",
                                       (last,)).fetchone()
            if row is None:
                break
            last_id, last_hash = row
            n = database.execute_sql("SELECT count(*) FROM audit_event WHERE id > ? AND id <= ?",
                                     (base_id, last_id)).fetchone()[0]
            AuditTruncation.create(through_id=last_id, through_hash=last_hash, rows=n, before=before, at=utcnow())
            AuditEvent.delete().where(AuditEvent.id <= last_id).execute()
            dropped += n
            head = (last_id, last_hash)
    if head is not None:
        audit.record(scope.user_id, "audit.drop", "audit_event", head[0], rows=dropped, before=before.isoformat())
        _note_outside(*head, dropped)
    return dropped


def _note_outside(seq: int, head: str, rows: int) -> None:
    """The dropped head in the checkpoint file: `audit verify` holds the note inside against it."""
    from . import checkpoints
    from .runtime import current

    config = current().config
    checkpoints._append_line(checkpoints.checkpoint_file(config), {
        "kind": DROP_KIND, "v": 1, "at": checkpoints._utc_now(), "database": str(config.db_path),
        "seq": seq, "head": head, "dropped": rows})


__all__ = ["drop_expired", "due", "cutoff", "DROP_KIND"]
