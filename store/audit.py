"""The hash-chained, append-only audit trail.

Each row hashes its canonical content together with the previous row's hash,
so editing or deleting any row behind the triggers breaks the chain from that
row on.  Rows are written inside the caller's BEGIN IMMEDIATE transaction,
which serialises writers across processes: the chain stays linear.  A few
kinds of row are kept in the process for a moment instead (see `_deferred`):
a refusal must outlive the rollback it causes, and a view must not wait.

Audit rows name people only by id; `detail` holds field names and counts.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from .db import after_transaction, database, short_wait
from .errors import DatabaseBusy
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


# Rows not written at once, kept in this process until the next top-level audit write,
# the end of the current transaction or flush():
# - searches, as "n searches happened": a disk write on every keystroke would make search crawl;
# - refusals raised inside a transaction: the refusal rolls that transaction back, and its
#   access.denied / access.forbidden row must not go with it;
# - views that met a busy file: opening a contact never waits behind another process's write.
# Each is taken off the list only once the transaction that wrote it has committed.  A process
# writes these from one thread at a time (the app's store thread): two threads flushing at
# the same moment could each write the same kept row once.
_pending_searches: dict[int | None, int] = {}
_deferred: list[tuple[str, int | None, str, str | None, int | None, dict]] = []
_lock = threading.Lock()

VIEW_WAIT_MS = 200  # how long a view waits for the write lock before its row is put off


def note_search(actor_id: int | None) -> None:
    with _lock:
        _pending_searches[actor_id] = _pending_searches.get(actor_id, 0) + 1


def pending() -> int:
    """Rows kept in this process, not yet in the trail (searches count once per user)."""
    with _lock:
        return len(_pending_searches) + len(_deferred)


def flush() -> None:
    """Write every kept row now (waiting up to the busy timeout)."""
    if pending():
        with database.atomic():
            _append_pending()


def _append_pending() -> None:
    """Write the kept rows inside the caller's top-level transaction, and take them off
    the lists once it commits (a rollback leaves them for the next try)."""
    with _lock:
        searches = dict(_pending_searches)
        deferred = list(_deferred)
    if not (searches or deferred):
        return
    for at, actor_id, action, entity, entity_id, detail in deferred:
        _append(actor_id, action, entity, entity_id, detail, at=at)
    for actor_id, count in searches.items():
        _append(actor_id, "contact.search", None, None, {"count": count})

    def written() -> None:
        with _lock:
            del _deferred[:len(deferred)]  # others only ever append behind these
            for actor_id, count in searches.items():
                left = _pending_searches.get(actor_id, 0) - count
                if left > 0:
                    _pending_searches[actor_id] = left
                else:
                    _pending_searches.pop(actor_id, None)

    database.after_commit(written)


def record(actor_id: int | None, action: str, entity: str | None = None,
           entity_id: int | None = None, **detail) -> None:
    """Append one audit row (inside the current transaction, or its own)."""
    top_level = not database.in_transaction()
    with database.atomic():
        if top_level:
            _append_pending()
        _append(actor_id, action, entity, entity_id, detail)


def record_refusal(actor_id: int | None, action: str, entity: str | None = None,
                   entity_id: int | None = None, **detail) -> None:
    """Audit a refusal so that it survives the rollback the refusal causes (inside a
    transaction the row is kept and written as soon as that transaction has ended) and
    never turns the refusal into a wait or a busy error (like a view, below)."""
    if database.in_transaction():
        _keep(actor_id, action, entity, entity_id, detail)
    else:
        _record_soon(actor_id, action, entity, entity_id, detail)


def record_view(actor_id: int | None, action: str, entity: str | None = None,
                entity_id: int | None = None, **detail) -> None:
    """Audit a read without ever blocking it: a busy file puts the row off (kept, with the
    time of the view, until the next write), it never fails or stalls the view."""
    if database.in_transaction():
        record(actor_id, action, entity, entity_id, **detail)
    else:
        _record_soon(actor_id, action, entity, entity_id, detail)


def _record_soon(actor_id, action, entity, entity_id, detail: dict) -> None:
    try:
        with short_wait(VIEW_WAIT_MS):
            record(actor_id, action, entity, entity_id, **detail)
    except DatabaseBusy:
        _keep(actor_id, action, entity, entity_id, detail)


def _keep(actor_id, action, entity, entity_id, detail: dict) -> None:
    with _lock:
        _deferred.append((_now(), actor_id, action, entity, entity_id, detail))


def _write_kept_rows() -> None:
    """After each outermost transaction: the kept refusals and views, if the file is free."""
    with _lock:
        if not _deferred:
            return
    try:
        with short_wait(VIEW_WAIT_MS), database.atomic():
            _append_pending()
    except Exception:  # noqa: BLE001 -- runs while another error may be on its way up: never mask it
        pass  # still kept: written with the next audit row or at close


after_transaction(_write_kept_rows)


def _now() -> str:
    return utcnow().isoformat(sep=" ")


def _append(actor_id, action, entity, entity_id, detail: dict, at: str | None = None) -> None:
    detail_text = json.dumps(detail, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    row = database.execute_sql('SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1').fetchone()
    prev = row[0] if row else GENESIS
    at = at or _now()
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


def chain_base(execute=None) -> tuple[int, str]:
    """(id, hash) the chain starts after: the last row dropped under `retention.audit_years`
    (store/audit_retention.py), or (0, GENESIS) while nothing was dropped.  `execute` runs SQL
    on another connection (a backup being verified); a schema without the table starts at 0."""
    run = execute or database.execute_sql
    try:
        row = run('SELECT through_id, through_hash FROM audit_truncation ORDER BY through_id DESC LIMIT 1'
                  ).fetchone()
    except Exception:  # noqa: BLE001 -- a backup from before m0014: no table, nothing dropped
        return 0, GENESIS
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def verify() -> ChainReport:
    _base_id, prev = chain_base()
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
    """When the trail began (the first row's time, naive UTC), or None: the clock for periodic duties.
    (After old rows were dropped: the oldest row kept, later than the start but long past any duty.)"""
    import datetime as dt

    row = database.execute_sql('SELECT at FROM audit_event ORDER BY id LIMIT 1').fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dt.datetime) else dt.datetime.fromisoformat(str(row[0]))
