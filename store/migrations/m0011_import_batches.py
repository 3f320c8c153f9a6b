"""Imports in short batches: an import batch records how far it got, so an
interrupted import can be resumed (or undone) as a whole; and the contact
table loses an index that another one already covers.

- `state`: running (being written, or interrupted if its process is gone),
  done, failed (the file broke half-way and what was written was taken back).
- `progress`: JSON with the import's options, the position reached in the
  file and the report's counts so far (no field values: lines and ids only).
- `file_sha256`: resume only with the very same file.
- `finished_at`: when the last batch committed (undo's "used since" cut-off).

`contact_owner_id` (owner_id) is the leading column of
`contact_owner_id_last_name_first_name`, which answers every look-up it did;
each index costs every contact insert (7 -> 6 indexes).
"""


def up(db):
    db.execute_sql("""ALTER TABLE "import_batch" ADD COLUMN "state" VARCHAR(255) NOT NULL DEFAULT 'done'""")
    db.execute_sql('ALTER TABLE "import_batch" ADD COLUMN "progress" TEXT')
    db.execute_sql('ALTER TABLE "import_batch" ADD COLUMN "file_sha256" VARCHAR(255)')
    db.execute_sql('ALTER TABLE "import_batch" ADD COLUMN "finished_at" DATETIME')
    db.execute_sql('DROP INDEX IF EXISTS "contact_owner_id"')
