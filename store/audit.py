"""The hash-chained, append-only audit trail.

Each row hashes its canonical content together with the previous row's hash,
so editing or deleting any row behind the triggers breaks the chain from that
row on.  Rows are written inside the caller's BEGIN IMMEDIATE transaction,
which serialises writers across processes: the chain stays linear.

Audit rows name people only by id; `detail` holds field names and counts.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .db import database
from .models import AuditEvent, utcnow

GENESIS = "0" * 64


def _canonical(at, actor_id, action, entity, entity_id, detail: str, prev_hash: str) -> bytes:
    at_text = at if isinstance(at, str) else at.isoformat(sep=" ")
    return json.dumps(
        [prev_hash, at_text, actor_id, action, entity, entity_id, detail],
        ensure_ascii=True, separators=(",", ":"),
    ).encode()


def _digest(*parts) -> str:
    return hashlib.sha256(_canonical(*parts)).hexdigest()


# Searches are audited as "n searches happened", written with the next audit
# row or by flush(): a disk write on every keystroke would make search crawl.
_pending_searches: dict[int | None, int] = {}


def note_search(actor_id: int | None) -> None:
    _pending_searches[actor_id] = _pending_searches.get(actor_id, 0) + 1


def flush() -> None:
    if _pending_searches:
        with database.atomic():
            _append_pending()


def _append_pending() -> None:
    while _pending_searches:
        actor_id, count = _pending_searches.popitem()
        _append(actor_id, "contact.search", None, None, {"count": count})


def record(actor_id: int | None, action: str, entity: str | None = None,
           entity_id: int | None = None, **detail) -> None:
    """Append one audit row (inside the current transaction, or its own)."""
    with database.atomic():
        _append_pending()
        _append(actor_id, action, entity, entity_id, detail)


def _append(actor_id, action, entity, entity_id, detail: dict) -> None:
    detail_text = json.dumps(detail, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    row = database.execute_sql('SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1').fetchone()
    prev = row[0] if row else GENESIS
    at = utcnow().isoformat(sep=" ")
    AuditEvent.insert(
        at=at, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
        detail=detail_text, prev_hash=prev,
        hash=_digest(at, actor_id, action, entity, entity_id, detail_text, prev),
    ).execute()


@dataclass
class ChainReport:
    rows: int
    first_broken: int | None  # audit row id
    head: str = GENESIS  # hash of the newest row: note it down to detect later truncation

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify() -> ChainReport:
    prev = GENESIS
    count = 0
    cursor = database.execute_sql(
        'SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash '
        'FROM audit_event ORDER BY id')
    for (id_, at, actor_id, action, entity, entity_id, detail, prev_hash, hash_) in cursor:
        count += 1
        expected = _digest(at, actor_id, action, entity, entity_id, detail, prev)
        if prev_hash != prev or hash_ != expected:
            return ChainReport(count, id_)
        prev = hash_
    return ChainReport(count, None, prev)


def head() -> tuple[int, str]:
    """The newest row's id and hash: what a backup manifest or an outside checkpoint notes down."""
    row = database.execute_sql('SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1').fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def history(entity: str, entity_id: int, limit: int = 200) -> list[AuditEvent]:
    """Who viewed and changed one record, newest first."""
    return list(AuditEvent.select()
                .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == entity_id))
                .order_by(AuditEvent.id.desc()).limit(limit))


EXPORT_COLUMNS = ("id", "at", "actor_id", "action", "entity", "entity_id", "detail", "prev_hash", "hash")


def export_csv(out, since, until=None) -> int:
    """The rows from `since` (a date, UTC) up to but not including `until`, as CSV for an auditor.

    The rows as they are (ids, action names, field names and counts: no personal
    data), every cell neutralised so no spreadsheet runs one as a formula; the
    hashes let the auditor re-check the chain.  The export itself is audited.
    Returns the number of rows written.
    """
    import csv

    from .rights.export import neutralise  # the one CSV-injection rule

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    query = ('SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash '
             'FROM audit_event WHERE at >= ?')
    params: list = [since.isoformat()]
    if until is not None:
        query += ' AND at < ?'
        params.append(until.isoformat())
    count = 0
    for row in database.execute_sql(query + ' ORDER BY id', params):
        writer.writerow([neutralise(value) for value in row])
        count += 1
    record(None, "audit.export", since=since.isoformat(),
           until=until.isoformat() if until else None, rows=count)
    return count


def started_at():
    """When the trail began (the first row's time, naive UTC), or None: the clock for periodic duties."""
    import datetime as dt

    row = database.execute_sql('SELECT at FROM audit_event ORDER BY id LIMIT 1').fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dt.datetime) else dt.datetime.fromisoformat(str(row[0]))
