"""Long lists in Danish order, and staff members' full names (issue 17).

`sort_name` on contact, company, user and tag is a VIRTUAL generated column
holding the Danish sort key (store/sorting.py): SQLite computes it on every
write, whichever path writes, and the indexes make the name order an index
walk (one per owner too, for sales).  Generated columns do not appear in
`PRAGMA table_info`, and the models do not declare them: nothing ever writes
them.  The key is part of the schema from here on: changing store/sorting.py's
key needs a new migration that drops and re-adds these columns.
"""
from store.sorting import key_sql, person_key_sql

_USER_NAME = "CASE WHEN full_name = '' THEN username ELSE full_name END"  # what lists show

STATEMENTS = [
    f'ALTER TABLE "contact" ADD COLUMN "sort_name" TEXT GENERATED ALWAYS AS ({person_key_sql()}) VIRTUAL',
    'CREATE INDEX "contact_sort_name" ON "contact" ("sort_name")',
    'CREATE INDEX "contact_owner_id_sort_name" ON "contact" ("owner_id", "sort_name")',
    f'ALTER TABLE "company" ADD COLUMN "sort_name" TEXT GENERATED ALWAYS AS ({key_sql("name")}) VIRTUAL',
    'ALTER TABLE "user" ADD COLUMN "full_name" VARCHAR(255) NOT NULL DEFAULT \'\'',
    f'ALTER TABLE "user" ADD COLUMN "sort_name" TEXT GENERATED ALWAYS AS ({key_sql(_USER_NAME)}) VIRTUAL',
    f'ALTER TABLE "tag" ADD COLUMN "sort_name" TEXT GENERATED ALWAYS AS ({key_sql("name")}) VIRTUAL',
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
