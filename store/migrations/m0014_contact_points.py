"""Several e-mails and phones per contact, addresses, the import's review list, and a
ledger that hashes every e-mail and phone of an erased person (issues 12 and 17).

- `email_address` / `phone_number`: every address and number a contact has, each with
  a label (work, private, mobile, other) and exactly one primary per kind (a partial
  unique index says so).  Existing contacts' e-mail and phone move in as their primary.
- `contact.email` / `contact.phone` stay, as the denormalised copy of the primary:
  search results, mailings, campaigns, the web sign-up and the import's look-ups read
  one column instead of a join.  Triggers keep the primary row equal to that copy, so
  every writer that sets `contact.email` (the web sign-up, import undo, an import's
  update) keeps both in step without knowing about the table; store/contact_details.py
  writes the rest (labels, the other addresses) in the same transaction.
- `contact.address/postcode/city/country` and `company.country`.
- `possible_duplicate`: a row imported as its own contact because it shares only an
  e-mail or only a phone with a contact of another name (a switchboard, a family
  landline); the hygiene merge screen lists them until someone decides.
- `erasure_ledger_hash`: the keyed hash of every e-mail and phone an erased person had
  (the entry's own two columns keep the primary ones, as before).
"""

STATEMENTS = [
    'ALTER TABLE "contact" ADD COLUMN "address" VARCHAR(255)',
    'ALTER TABLE "contact" ADD COLUMN "postcode" VARCHAR(255)',
    'ALTER TABLE "contact" ADD COLUMN "city" VARCHAR(255)',
    'ALTER TABLE "contact" ADD COLUMN "country" VARCHAR(255)',
    'ALTER TABLE "company" ADD COLUMN "country" VARCHAR(255)',
    """CREATE TABLE "email_address" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "email" VARCHAR(255) NOT NULL,
        "label" VARCHAR(255) NOT NULL CHECK ("label" IN ('work','private','mobile','other')),
        "is_primary" INTEGER NOT NULL, "position" INTEGER NOT NULL,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "email_address_contact_id" ON "email_address" ("contact_id")',
    'CREATE UNIQUE INDEX "email_address_contact_id_email" ON "email_address" ("contact_id", "email")',
    'CREATE INDEX "email_address_email" ON "email_address" ("email")',
    'CREATE UNIQUE INDEX "email_address_one_primary" ON "email_address" ("contact_id") WHERE "is_primary"',
    """CREATE TABLE "phone_number" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "phone" VARCHAR(255) NOT NULL,
        "label" VARCHAR(255) NOT NULL CHECK ("label" IN ('work','private','mobile','other')),
        "is_primary" INTEGER NOT NULL, "position" INTEGER NOT NULL,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "phone_number_contact_id" ON "phone_number" ("contact_id")',
    'CREATE UNIQUE INDEX "phone_number_contact_id_phone" ON "phone_number" ("contact_id", "phone")',
    'CREATE INDEX "phone_number_phone" ON "phone_number" ("phone")',
    'CREATE UNIQUE INDEX "phone_number_one_primary" ON "phone_number" ("contact_id") WHERE "is_primary"',
    """INSERT INTO "email_address" ("contact_id", "email", "label", "is_primary", "position")
        SELECT "id", "email", 'other', 1, 0 FROM "contact" WHERE "email" IS NOT NULL AND "email" != ''""",
    """INSERT INTO "phone_number" ("contact_id", "phone", "label", "is_primary", "position")
        SELECT "id", "phone", 'other', 1, 0 FROM "contact" WHERE "phone" IS NOT NULL AND "phone" != ''""",
    """CREATE TABLE "possible_duplicate" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "other_id" INTEGER NOT NULL,
        "shared" VARCHAR(255) NOT NULL CHECK ("shared" IN ('email','phone')),
        "import_batch_id" INTEGER, "found_at" DATETIME NOT NULL, "resolved_at" DATETIME,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("other_id") REFERENCES "contact" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL)""",
    'CREATE INDEX "possible_duplicate_contact_id" ON "possible_duplicate" ("contact_id")',
    'CREATE INDEX "possible_duplicate_other_id" ON "possible_duplicate" ("other_id")',
    'CREATE INDEX "possible_duplicate_import_batch_id" ON "possible_duplicate" ("import_batch_id")',
    """CREATE TABLE "erasure_ledger_hash" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "ledger_entry_id" INTEGER NOT NULL, "hmac" VARCHAR(255) NOT NULL,
        FOREIGN KEY ("ledger_entry_id") REFERENCES "erasure_ledger" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "erasure_ledger_hash_ledger_entry_id" ON "erasure_ledger_hash" ("ledger_entry_id")',
    'CREATE INDEX "erasure_ledger_hash_hmac" ON "erasure_ledger_hash" ("hmac")',
]

# The primary row follows contact.email / contact.phone (see the module doc).  A new value
# replaces the old primary (keeping its label); a value the contact already has as another
# address becomes the primary; NULL removes the primary row.
_TRIGGERS = (
    """CREATE TRIGGER "{table}_primary_insert" AFTER INSERT ON "contact"
    WHEN NEW."{column}" IS NOT NULL AND NEW."{column}" != ''
BEGIN
    INSERT OR IGNORE INTO "{table}" ("contact_id", "{kind}", "label", "is_primary", "position")
        VALUES (NEW."id", NEW."{column}", 'other', 1, 0);
END""",
    """CREATE TRIGGER "{table}_primary_update" AFTER UPDATE OF "{column}" ON "contact"
    WHEN NEW."{column}" IS NOT OLD."{column}"
BEGIN
    INSERT OR IGNORE INTO "{table}" ("contact_id", "{kind}", "label", "is_primary", "position")
        SELECT NEW."id", NEW."{column}",
               coalesce((SELECT "label" FROM "{table}" WHERE "contact_id" = NEW."id" AND "is_primary"),
                        'other'), 0, 0
        WHERE NEW."{column}" IS NOT NULL AND NEW."{column}" != '';
    DELETE FROM "{table}" WHERE "contact_id" = NEW."id" AND "is_primary"
        AND "{kind}" IS NOT NEW."{column}";
    UPDATE "{table}" SET "is_primary" = 1 WHERE "contact_id" = NEW."id" AND "{kind}" = NEW."{column}";
END""",
)
KINDS = (("email_address", "email"), ("phone_number", "phone"))  # (table, the column in it and in contact)


def triggers() -> list[str]:
    return [t.format(table=table, kind=kind, column=kind) for table, kind in KINDS for t in _TRIGGERS]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
    for statement in triggers():
        db.execute_sql(statement)
