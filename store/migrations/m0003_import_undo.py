"""What an import changed in existing contacts, so `import undo` can put it back."""


def up(db):
    db.execute_sql(
        """CREATE TABLE "import_change" ("id" INTEGER NOT NULL PRIMARY KEY,
            "batch_id" INTEGER NOT NULL, "contact_id" INTEGER NOT NULL,
            "old_values" TEXT NOT NULL, "version_after" INTEGER NOT NULL,
            FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE,
            FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""")
    db.execute_sql('CREATE INDEX "import_change_batch_id" ON "import_change" ("batch_id")')
    db.execute_sql('CREATE INDEX "import_change_contact_id" ON "import_change" ("contact_id")')
