"""A request records who asked and how, how the person's identity was verified and by
whom (Art. 12(6)), the bundle attached to it, and the outcome it was closed with.

Only new nullable columns: an ALTER TABLE ADD COLUMN each, no table rebuild, so the
migration holds the write lock for milliseconds whatever the register's size.
It runs after m0009_ids_never_reused: adding columns keeps the table's AUTOINCREMENT.
"""

COLUMNS = (
    '"requester" VARCHAR(255)',
    '"channel" VARCHAR(255)',
    '"identity_method" VARCHAR(255)',
    '"identity_verified_by_id" INTEGER REFERENCES "user" ("id") ON DELETE SET NULL',
    '"identity_verified_at" DATETIME',
    '"bundle_name" VARCHAR(255)',
    '"exported_at" DATETIME',
    '"outcome_detail" VARCHAR(255)',
)


def up(db):
    for column in COLUMNS:
        db.execute_sql(f'ALTER TABLE "data_subject_request" ADD COLUMN {column}')
