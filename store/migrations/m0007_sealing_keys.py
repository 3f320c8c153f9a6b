"""Purpose keys carried across a database rekey (store/keyring.py)."""


def up(db):
    from store.keyring import INDEX_SQL, TABLE_SQL

    db.execute_sql(TABLE_SQL)
    db.execute_sql(INDEX_SQL)
