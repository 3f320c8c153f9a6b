"""Purpose keys (TOTP, ledger, tokens ...): derived from the database key, and carried across a rekey.

Before any rekey a purpose key is HKDF(database key, purpose) (secretbox.derive_key).
Some derived values cannot be made again under a new key: the erasure ledger
holds keyed hashes of people who are gone, and tokens already mailed out must
keep working.  So `minicrm rekey` carries the *root* they derive from (the first
database key, then whatever root it carried) sealed under the new key in the
`sealing_key` table, and gives re-sealable purposes (TOTP secrets, which it
re-seals) a fresh random key of their own.  Rows are filed under `key_id` of
the database key that seals them; rows for any other key are dead weight that
a rekey removes.

Every function takes a raw DB-API connection (the models' `database.connection()`
or a backup's), so a rekey can prepare a copy before it becomes the database.
"""
from __future__ import annotations

import secrets

from .secretbox import derive_key, open_sealed, seal

TABLE_SQL = ('CREATE TABLE IF NOT EXISTS "sealing_key" ('
             '"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "key_id" VARCHAR(255) NOT NULL, '
             '"purpose" VARCHAR(255) NOT NULL, "sealed" BLOB NOT NULL)')
INDEX_SQL = ('CREATE UNIQUE INDEX IF NOT EXISTS "sealing_key_key_id_purpose" '
             'ON "sealing_key" ("key_id", "purpose")')
ROOT = "root"  # the key every carried purpose derives from


def key_id(db_key: bytes) -> str:
    """A short public name for a database key (which key a row or a backup is under)."""
    return derive_key(db_key, "key-id")[:8].hex()


def _sealed(conn, db_key: bytes, purpose: str) -> bytes | None:
    from sqlcipher3 import dbapi2 as sqlcipher

    try:
        row = conn.execute('SELECT sealed FROM sealing_key WHERE key_id = ? AND purpose = ?',
                           (key_id(db_key), purpose)).fetchone()
    except sqlcipher.OperationalError as exc:
        if "no such table" in str(exc):  # a database from before the table: nothing carried
            return None
        raise
    if row is None:
        return None
    return open_sealed(derive_key(db_key, "keyring"), bytes(row[0]), aad=purpose.encode())


def root(conn, db_key: bytes) -> bytes:
    return _sealed(conn, db_key, ROOT) or db_key


def purpose_key(conn, db_key: bytes, purpose: str) -> bytes:
    """The key for `purpose` in the database `conn` is open on, under `db_key`."""
    own = _sealed(conn, db_key, purpose)
    return own if own is not None else derive_key(root(conn, db_key), purpose)


def carry(conn, old_key: bytes, new_key: bytes, fresh: tuple[str, ...]) -> dict[str, tuple[bytes, bytes]]:
    """File the root under `new_key` and give each `fresh` purpose a new random key.

    Call inside the caller's transaction; returns {purpose: (old purpose key, new
    purpose key)} for the `fresh` ones, whose values the caller re-seals.
    """
    conn.execute(TABLE_SQL)
    conn.execute(INDEX_SQL)
    old_root = root(conn, old_key)
    changed = {p: (purpose_key(conn, old_key, p), secrets.token_bytes(32)) for p in fresh}
    conn.execute("DELETE FROM sealing_key")
    box = derive_key(new_key, "keyring")
    rows = [(ROOT, old_root)] + [(p, new) for p, (_, new) in changed.items()]
    for purpose, value in rows:
        conn.execute('INSERT INTO sealing_key (key_id, purpose, sealed) VALUES (?, ?, ?)',
                     (key_id(new_key), purpose, seal(box, value, aad=purpose.encode())))
    return changed
