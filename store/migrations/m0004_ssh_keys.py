"""Staff SSH public keys: sshd asks `minicrm ssh authorized-keys` which may log in."""


def up(db):
    db.execute_sql(
        """CREATE TABLE "ssh_key" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL,
            "key_type" VARCHAR(255) NOT NULL, "blob" BLOB NOT NULL, "bits" INTEGER NOT NULL,
            "fingerprint" VARCHAR(255) NOT NULL, "comment" VARCHAR(255) NOT NULL,
            "added_at" DATETIME NOT NULL, "added_by" INTEGER, "last_used_at" DATETIME,
            FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)""")
    db.execute_sql('CREATE INDEX "ssh_key_user_id" ON "ssh_key" ("user_id")')
    db.execute_sql('CREATE UNIQUE INDEX "ssh_key_fingerprint" ON "ssh_key" ("fingerprint")')
