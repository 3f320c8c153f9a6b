"""The change feed names the login session that made each change, so a session
can pass over its own writes (store/changes.py)."""


def up(db):
    db.execute_sql('ALTER TABLE "change" ADD COLUMN "session_id" INTEGER')
