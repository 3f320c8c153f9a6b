"""The breach register (GDPR Art. 33(5)): one row per personal-data breach, notified or not.

AUTOINCREMENT like every table since m0010: a breach number is never handed out twice.
"""

STATEMENTS = [
    """CREATE TABLE "breach" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "aware_at" DATETIME NOT NULL,
        "occurred_at" DATETIME, "kind" VARCHAR(255) NOT NULL
            CHECK ("kind" IN ('confidentiality','integrity','availability')),
        "nature" TEXT NOT NULL, "data_categories" VARCHAR(255) NOT NULL, "people_approx" INTEGER NOT NULL,
        "records_approx" INTEGER NOT NULL, "consequences" TEXT NOT NULL, "measures" TEXT NOT NULL,
        "notified_at" DATETIME, "not_notified_reason" TEXT NOT NULL, "people_told_at" DATETIME,
        "people_told_note" TEXT NOT NULL, "recorded_by_id" INTEGER, "recorded_at" DATETIME NOT NULL,
        "updated_at" DATETIME NOT NULL,
        FOREIGN KEY ("recorded_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)""",
    'CREATE INDEX "breach_recorded_by_id" ON "breach" ("recorded_by_id")',
    'CREATE INDEX "breach_aware_at" ON "breach" ("aware_at")',
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
