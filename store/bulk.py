"""Fast insertion of many contacts (demo data, imports).

Peewee's insert_many spends most of its time building SQL in Python; here the
rows go to the connection's executemany with ids assigned under the write
lock, and the search index is filled from the same tuples in one go.
Call inside `database.atomic()` (BEGIN IMMEDIATE).
"""
from __future__ import annotations

from . import search
from .db import database
from .models import utcnow
from .sorting import person_key

CONTACT_COLUMNS = ("first_name", "last_name", "title", "email", "phone", "company_id", "owner_id",
                   "lifecycle", "source", "import_batch_id", "lawful_basis")
# An import's rows carry the postal address and the primary e-mail's and phone's labels
# too (the other e-mails and phones go to email_address/phone_number: contact_details.py).
IMPORT_COLUMNS = (*CONTACT_COLUMNS, "address", "postcode", "city", "country", "email_label", "phone_label")


def next_free_id(conn, table: str) -> int:
    """The first id never handed out in `table`: past its AUTOINCREMENT counter as well as its
    rows, so ids assigned here are never an erased row's (max(id) + 1 alone would be)."""
    (seq,) = conn.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    (top,) = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()
    return max(seq, top) + 1


def insert_contacts(rows, *, company_names: dict[int, tuple] | None = None,
                    tags: dict[int, list[str]] | None = None) -> list[int]:
    """Insert contact tuples (in CONTACT_COLUMNS order); returns their new ids.

    `company_names` maps company id to (name, cvr[, street, postcode, city]) for the
    search index; `tags` maps a row's position to tag names linked afterwards by the caller.
    """
    assert database.in_transaction(), "bulk inserts run inside one IMMEDIATE transaction"
    conn = database.connection()
    start = next_free_id(conn, "contact")
    now = utcnow().isoformat(sep=" ")
    ids = list(range(start, start + len(rows)))
    marks = ",".join("?" * (len(CONTACT_COLUMNS) + 8))
    conn.executemany(  # the sort key in hand: the insert trigger then has nothing to do (m0017)
        f"INSERT INTO contact (id, {', '.join(CONTACT_COLUMNS)}, created_at, updated_at, "
        f"last_activity_at, archived_at, restricted_at, version, sort_name) VALUES ({marks})",
        [(i, *row, now, now, now, None, None, 1, person_key(row[0], row[1])) for i, row in zip(ids, rows, strict=True)],
    )
    company_names = company_names or {}
    tags = tags or {}
    search.index_new(database, ((i, search.contact_fields(
        row[0], row[1], title=row[2], emails=(row[3],), phones=(row[4],), company=company_names.get(row[5]),
        tags=tags.get(n, ()))) for n, (i, row) in enumerate(zip(ids, rows, strict=True))))
    return ids


def insert_prepared(rows, index_rows, *, columns: tuple[str, ...] = CONTACT_COLUMNS,
                    sort_keys: bool = False) -> list[int]:
    """Insert contact tuples (in `columns` order: CONTACT_COLUMNS or IMPORT_COLUMNS) whose
    search documents the caller already made (`index_rows`: `search.index_text` of each);
    returns their new ids.  `sort_keys`: each row ends with its sort key already
    (`sorting.person_key` of its names: made before the lock), else it is made here.

    SQLite numbers the rows itself (max rowid + 1, or past the AUTOINCREMENT sequence), so an
    id is never reused; under the write lock nobody else inserts, so they are consecutive."""
    assert database.in_transaction(), "bulk inserts run inside one IMMEDIATE transaction"
    if not rows:
        return []
    conn = database.connection()
    now = utcnow().isoformat(sep=" ")
    conn.executemany(  # the sort key in hand: the insert trigger then has nothing to do (m0017)
        f"INSERT INTO contact ({', '.join(columns)}, sort_name, created_at, updated_at, last_activity_at, "
        f"version) VALUES ({','.join('?' * (len(columns) + 1))}, '{now}', '{now}', '{now}', 1)",
        rows if sort_keys else [(*row, person_key(row[0], row[1])) for row in rows])
    last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    ids = list(range(last - len(rows) + 1, last + 1))
    search.index_prepared(database, zip(ids, index_rows, strict=True))
    return ids
