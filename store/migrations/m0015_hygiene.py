"""Hygiene (issue 14): audit rows older than `retention.audit_years` may be dropped, with
the chain still verifiable.

`audit_truncation` notes each drop's head (the last dropped row's id and hash): the
chain is checked from that row on (store/audit.py `chain_base`).  It is append-only, like
the trail.  The trail's delete trigger now lets a row go only once a truncation row
covers it, so the application still cannot delete a row anywhere else.
"""

STATEMENTS = [
    """CREATE TABLE "audit_truncation" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "through_id" INTEGER NOT NULL, "through_hash" VARCHAR(255) NOT NULL, "rows" INTEGER NOT NULL,
        "before" DATE NOT NULL, "at" DATETIME NOT NULL)""",
    """CREATE TRIGGER "audit_truncation_no_update" BEFORE UPDATE ON "audit_truncation"
        BEGIN SELECT RAISE(ABORT, 'the audit truncation record is append-only'); END""",
    """CREATE TRIGGER "audit_truncation_no_delete" BEFORE DELETE ON "audit_truncation"
        BEGIN SELECT RAISE(ABORT, 'the audit truncation record is append-only'); END""",
    'DROP TRIGGER "audit_event_no_delete"',
    """CREATE TRIGGER "audit_event_no_delete" BEFORE DELETE ON "audit_event"
        WHEN OLD.id > COALESCE((SELECT max(through_id) FROM audit_truncation), 0)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
