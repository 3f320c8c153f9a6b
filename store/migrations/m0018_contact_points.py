"""Several e-mails and phones per contact, addresses, the import's review list, and a
ledger that hashes every e-mail and phone of an erased person (issues 12 and 17).

- `contact.email` / `contact.phone` stay, and stay the primary ones, now with a label
  (`email_label`, `phone_label`: work, private, mobile, other).  Search results,
  mailings, campaigns, the web sign-up and the import's look-ups go on reading one
  column, every writer that sets it keeps working, and "exactly one primary per kind"
  holds by construction.
- `email_address` / `phone_number`: the contact's other addresses and numbers, each
  labelled, in the order the user gave.  Most contacts have one of each: they write no
  row here at all, so a bulk import pays nothing for the common case (with the primary
  copied into these tables too, kept by triggers, the raw insert floor of
  bench/bench_import.py fell from about 28,800 to 13,700 rows per CPU-second).
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
    """ALTER TABLE "contact" ADD COLUMN "email_label" VARCHAR(255) NOT NULL DEFAULT 'other'
        CHECK ("email_label" IN ('work','private','mobile','other'))""",
    """ALTER TABLE "contact" ADD COLUMN "phone_label" VARCHAR(255) NOT NULL DEFAULT 'other'
        CHECK ("phone_label" IN ('work','private','mobile','other'))""",
    """CREATE TABLE "email_address" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "email" VARCHAR(255) NOT NULL,
        "label" VARCHAR(255) NOT NULL CHECK ("label" IN ('work','private','mobile','other')),
        "position" INTEGER NOT NULL,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""",
    # (contact_id, email) also serves look-ups by contact: no separate contact_id index
    'CREATE UNIQUE INDEX "email_address_contact_id_email" ON "email_address" ("contact_id", "email")',
    'CREATE INDEX "email_address_email" ON "email_address" ("email")',
    """CREATE TABLE "phone_number" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "contact_id" INTEGER NOT NULL, "phone" VARCHAR(255) NOT NULL,
        "label" VARCHAR(255) NOT NULL CHECK ("label" IN ('work','private','mobile','other')),
        "position" INTEGER NOT NULL,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""",
    'CREATE UNIQUE INDEX "phone_number_contact_id_phone" ON "phone_number" ("contact_id", "phone")',
    'CREATE INDEX "phone_number_phone" ON "phone_number" ("phone")',
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


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
