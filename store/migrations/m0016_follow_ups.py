"""Follow-ups (issue 17): a next action with a date on a contact or one of its deals, owned by a
user; and a version on invoices, so finance's edits check what they were made on.

The table is created with AUTOINCREMENT itself (ids are never reused: m0010).  The index
(owner, done, due) serves the home screen's "today" list: one user's open follow-ups by date.
"""

STATEMENTS = [
    """CREATE TABLE "follow_up" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "deal_id" INTEGER, "owner_id" INTEGER, "created_by_id" INTEGER,
        "due_on" DATE NOT NULL, "body" VARCHAR(200) NOT NULL, "done_at" DATETIME,
        "created_at" DATETIME NOT NULL, "version" INTEGER NOT NULL DEFAULT 1,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("deal_id") REFERENCES "deal" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("owner_id") REFERENCES "user" ("id") ON DELETE SET NULL,
        FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)""",
    'CREATE INDEX "follow_up_contact_id" ON "follow_up" ("contact_id")',
    'CREATE INDEX "follow_up_deal_id" ON "follow_up" ("deal_id")',
    'CREATE INDEX "follow_up_owner_id" ON "follow_up" ("owner_id")',
    'CREATE INDEX "follow_up_created_by_id" ON "follow_up" ("created_by_id")',
    'CREATE INDEX "follow_up_owner_open_due" ON "follow_up" ("owner_id", "done_at", "due_on")',
    'ALTER TABLE "invoice" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    # the invoice list's filters (unpaid, overdue: "paid_on IS NULL" by due date), a page in due order
    'CREATE INDEX "invoice_paid_on_due_on" ON "invoice" ("paid_on", "due_on")',
    # and their totals per currency read from an index alone, already in currency order (no sort)
    'CREATE INDEX "invoice_totals" ON "invoice" ("paid_on", "currency", "due_on", "amount_minor")',
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
