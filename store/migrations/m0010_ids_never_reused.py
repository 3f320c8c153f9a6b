"""Ids are never handed out twice: every table keyed by an integer gets AUTOINCREMENT.

Without it SQLite gives a new row max(id)+1, so after the newest contact was
erased the next contact got its id, and the audit trail and change feed
listed the erased person's history under the new one (Art. 5(1)(d)).

Generic on purpose: it rewrites every ordinary table whose INTEGER PRIMARY KEY
lacks AUTOINCREMENT, whichever tables earlier migrations made, so it must stay
the last migration (a later one creates its tables with AUTOINCREMENT itself;
tests/store/test_ids_never_reused.py checks every table).

How: the documented writable_schema procedure (sqlite.org/lang_altertable.html,
"other kinds of table schema changes"): AUTOINCREMENT changes nothing on disk,
only how the next rowid is chosen, so the stored CREATE TABLE text is edited in
place and the schema version bumped, inside the migration's one transaction.
No table is copied: seconds of write lock on a large register become milliseconds.

Each table's counter (sqlite_sequence) starts at the highest id it ever handed
out that is still known: the table's own max id, and every id the audit trail
or the change feed names for it, so an id erased before this migration is not
handed out again either.
"""
from __future__ import annotations

import re

# Audit and change-feed entity names that differ from their table's name.
ENTITY_ALIASES = {"session": "login_session", "request": "data_subject_request"}


def tables_to_convert(db) -> list[tuple[str, str, str]]:
    """(table, its integer key column, its CREATE TABLE text) for every ordinary table
    whose key is a rowid alias without AUTOINCREMENT (no shadow, virtual or sqlite_ table)."""
    out = []
    for _schema, name, kind, *_ in db.execute_sql("PRAGMA main.table_list").fetchall():
        if kind != "table" or name.startswith("sqlite_"):
            continue
        (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (name,)).fetchone()
        if re.search(r"\bAUTOINCREMENT\b", sql, re.I) or re.search(r"\bWITHOUT\s+ROWID\b", sql, re.I):
            continue
        keys = [(col, decl) for _cid, col, decl, _nn, _default, pk in
                db.execute_sql(f'PRAGMA table_info("{name}")').fetchall() if pk]
        if len(keys) == 1 and keys[0][1].upper() == "INTEGER":
            out.append((name, keys[0][0], sql))
    return out


def with_autoincrement(table: str, column: str, sql: str) -> str:
    """The CREATE TABLE text with AUTOINCREMENT after the key column's PRIMARY KEY."""
    pattern = re.compile(r'((?:"%s"|`%s`|\[%s\]|\b%s\b)\s+INTEGER\b[^,()]*?\bPRIMARY\s+KEY(?:\s+(?:ASC|DESC))?)'
                         % ((re.escape(column),) * 4), re.I)
    new, count = pattern.subn(r"\1 AUTOINCREMENT", sql, count=1)
    if count != 1:
        raise RuntimeError(f"ids_never_reused: cannot find the key column {column!r} of table {table!r} in its schema")
    return new


def highest_id_known(db, table: str, column: str) -> int:
    entities = [table] + [alias for alias, target in ENTITY_ALIASES.items() if target == table]
    marks = ", ".join("?" * len(entities))
    found = [db.execute_sql(f'SELECT max("{column}") FROM "{table}"').fetchone()[0]]
    for source in ("audit_event", "change"):
        if db.table_exists(source):
            found.append(db.execute_sql(f'SELECT max(entity_id) FROM "{source}" WHERE entity IN ({marks})',
                                        entities).fetchone()[0])
    return max((n for n in found if n is not None), default=0)


def _ensure_sequence_table(db) -> None:
    """sqlite_sequence exists once any AUTOINCREMENT table has been created (m0001's change feed)."""
    if not db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        db.execute_sql('CREATE TABLE "ids_never_reused_seed" ("id" INTEGER PRIMARY KEY AUTOINCREMENT)')
        db.execute_sql('DROP TABLE "ids_never_reused_seed"')


def up(db):
    todo = tables_to_convert(db)
    if not todo:
        return
    _ensure_sequence_table(db)
    seeds = {table: highest_id_known(db, table, column) for table, column, _sql in todo}
    new_sql = {table: with_autoincrement(table, column, sql) for table, column, sql in todo}
    (version,) = db.execute_sql("PRAGMA schema_version").fetchone()
    db.execute_sql("PRAGMA writable_schema = ON")
    try:
        for table, sql in new_sql.items():
            db.execute_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table))
        db.execute_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute_sql("PRAGMA writable_schema = OFF")
    for table, seq in seeds.items():
        db.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, seq))
    for table in new_sql:  # reparses the edited schema: a mistake fails here and rolls back
        db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 0').fetchall()
