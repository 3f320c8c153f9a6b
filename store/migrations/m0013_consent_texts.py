"""Consent texts as data (issue 13): the exact wording every consent points to,
web sign-ups waiting for confirmation, and campaigns that can resume.

Existing consents keep their free-text `text_version` and get no text row
(there is no wording to point to); `proof_missing` starts false for them.
"""

STATEMENTS = [
    """CREATE TABLE "consent_text" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "purpose" VARCHAR(255) NOT NULL, "language" VARCHAR(255) NOT NULL CHECK ("language" IN ('da','en')),
        "version" INTEGER NOT NULL, "wording" TEXT NOT NULL, "sha256" VARCHAR(255) NOT NULL,
        "published_at" DATETIME NOT NULL, "published_by_id" INTEGER,
        FOREIGN KEY ("published_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)""",
    'CREATE INDEX "consent_text_published_by_id" ON "consent_text" ("published_by_id")',
    'CREATE UNIQUE INDEX "consent_text_purpose_language_version" ON "consent_text" ("purpose", "language", "version")',
    # What a person agreed to never changes under them: a published text is final.
    """CREATE TRIGGER "consent_text_no_update" BEFORE UPDATE ON "consent_text"
        BEGIN SELECT RAISE(ABORT, 'a published consent text is never changed: publish a new version'); END""",
    """CREATE TRIGGER "consent_text_no_delete" BEFORE DELETE ON "consent_text"
        BEGIN SELECT RAISE(ABORT, 'a published consent text is never deleted'); END""",
    'ALTER TABLE "consent" ADD COLUMN "text_id" INTEGER REFERENCES "consent_text" ("id") ON DELETE RESTRICT',
    'ALTER TABLE "consent" ADD COLUMN "proof_missing" INTEGER NOT NULL DEFAULT 0',
    'CREATE INDEX "consent_text_id" ON "consent" ("text_id")',
    'ALTER TABLE "consent_event" ADD COLUMN "text_id" INTEGER REFERENCES "consent_text" ("id") ON DELETE RESTRICT',
    'CREATE INDEX "consent_event_text_id" ON "consent_event" ("text_id")',
    """CREATE TABLE "opt_in" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "purpose" VARCHAR(255) NOT NULL,
        "text_id" INTEGER NOT NULL, "email" VARCHAR(255) NOT NULL, "first_name" VARCHAR(255) NOT NULL,
        "last_name" VARCHAR(255) NOT NULL, "token_hash" VARCHAR(255) NOT NULL, "requested_at" DATETIME NOT NULL,
        "expires_at" DATETIME NOT NULL, "ip" VARCHAR(255) NOT NULL, "user_agent" VARCHAR(255) NOT NULL,
        FOREIGN KEY ("text_id") REFERENCES "consent_text" ("id") ON DELETE RESTRICT)""",
    'CREATE INDEX "opt_in_text_id" ON "opt_in" ("text_id")',
    'CREATE INDEX "opt_in_email" ON "opt_in" ("email")',
    'CREATE UNIQUE INDEX "opt_in_token_hash" ON "opt_in" ("token_hash")',
    'CREATE INDEX "opt_in_expires_at" ON "opt_in" ("expires_at")',
    """CREATE TABLE "campaign" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "list_name" VARCHAR(255) NOT NULL,
        "subject" VARCHAR(255) NOT NULL, "body_sha256" VARCHAR(255) NOT NULL, "started_at" DATETIME NOT NULL,
        "started_by_id" INTEGER, "finished_at" DATETIME,
        FOREIGN KEY ("started_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)""",
    'CREATE INDEX "campaign_started_by_id" ON "campaign" ("started_by_id")',
    """CREATE TABLE "campaign_recipient" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        "campaign_id" INTEGER NOT NULL, "contact_id" INTEGER NOT NULL,
        "state" VARCHAR(255) NOT NULL CHECK ("state" IN ('pending','sending','sent','failed','skipped')), "at" DATETIME,
        FOREIGN KEY ("campaign_id") REFERENCES "campaign" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("contact_id") REFERENCES "contact" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "campaign_recipient_campaign_id" ON "campaign_recipient" ("campaign_id")',
    'CREATE INDEX "campaign_recipient_contact_id" ON "campaign_recipient" ("contact_id")',
    'CREATE UNIQUE INDEX "campaign_recipient_campaign_id_contact_id" '
    'ON "campaign_recipient" ("campaign_id", "contact_id")',
]


def up(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
