"""What is kept after an erasure as proof: the consent history without the person.

`erasure_proof` holds, per consent event of an erased person, the purpose,
channel, event, date, method and text version, linked to the ledger entry
whose keyed hashes recognise them (no name, address or evidence text).  Both
are kept until `keep_until` (erasure + retention.erasure_proof_years).
"""


def up(db):
    db.execute_sql(
        """CREATE TABLE "erasure_proof" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            "ledger_entry_id" INTEGER NOT NULL, "purpose" VARCHAR(255) NOT NULL,
            "channel" VARCHAR(255) NOT NULL, "event" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL,
            "method" VARCHAR(255), "text_version" VARCHAR(255), "keep_until" DATE NOT NULL,
            FOREIGN KEY ("ledger_entry_id") REFERENCES "erasure_ledger" ("id") ON DELETE CASCADE)""")
    db.execute_sql('CREATE INDEX "erasure_proof_ledger_entry_id" ON "erasure_proof" ("ledger_entry_id")')
    db.execute_sql('ALTER TABLE "erasure_ledger" ADD COLUMN "keep_until" DATE')
