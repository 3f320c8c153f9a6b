"""Long lists in Danish order, and staff members' full names (issue 17).

`sort_name` on contact, company, user and tag holds the Danish sort key
(store/sorting.py), kept by triggers that use only SQLite's own functions: every
write path, and any connection, ours or not, keeps it right without knowing
(the bulk inserts of store/bulk.py bring the same key computed in Python), and the name order is an index walk (one
per owner too, for sales).  Stored rather than generated: a VIRTUAL column is
recomputed for every row a sort reads (90 ms to sort the 20,000 matches of
`han` at 100,000 contacts, against a few ms stored); ALTER TABLE cannot add a
STORED one.  The models do not declare these columns (nothing but the
triggers writes them; store/sorting.KEY_COLUMNS lists them).  The key is part
of the schema from here on: changing it needs a new migration that rewrites
these triggers and the columns.
"""
from store.sorting import key_sql, person_key_sql


def _user_name(p: str) -> str:
    return f"CASE WHEN {p}full_name = '' THEN {p}username ELSE {p}full_name END"  # what lists show


def _keep(table: str, columns: str, key) -> list[str]:
    """The column, filled now, and the triggers that keep it; `key(prefix)` is the key's SQL.
    An insert that brings its key (store/bulk.py: the same key computed in Python) is left as
    it is: the trigger's UPDATE would rewrite each row and its index entries once more
    (a bulk load 1.5 to 2.4 times slower, bench/bench_lists.py)."""
    update = f'UPDATE "{table}" SET "sort_name" = {key("NEW.")} WHERE "id" = NEW."id"'
    return [
        f'ALTER TABLE "{table}" ADD COLUMN "sort_name" TEXT',
        f'UPDATE "{table}" SET "sort_name" = {key("")}',
        f'CREATE TRIGGER "{table}_sort_name_insert" AFTER INSERT ON "{table}" '
        f'WHEN NEW."sort_name" IS NULL BEGIN {update}; END',
        f'CREATE TRIGGER "{table}_sort_name_update" AFTER UPDATE OF {columns} ON "{table}" BEGIN {update}; END',
    ]


STATEMENTS = [
    'ALTER TABLE "user" ADD COLUMN "full_name" VARCHAR(255) NOT NULL DEFAULT \'\'',
    *_keep("contact", "first_name, last_name", lambda p: person_key_sql(f"{p}first_name", f"{p}last_name")),
    # The list's filter (archived, restricted) rides along: walking the name order in search of
    # matches (contacts.search_page) then reads the table only for the rows it shows.
    # (The id is written out: it orders the list's ties, and the filter columns come after it.)
    'CREATE INDEX "contact_sort_name" ON "contact" ("sort_name", "id", "archived_at", "restricted_at")',
    'CREATE INDEX "contact_owner_id_sort_name" '
    'ON "contact" ("owner_id", "sort_name", "id", "archived_at", "restricted_at")',
    # m0005's name-order indexes: the list now walks the key's, and every insert paid for both
    'DROP INDEX "contact_last_name_first_name"',
    'DROP INDEX "contact_owner_id_last_name_first_name"',
    *_keep("company", "name", lambda p: key_sql(f"{p}name")),
    *_keep("user", "username, full_name", lambda p: key_sql(_user_name(p))),
    *_keep("tag", "name", lambda p: key_sql(f"{p}name")),
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
