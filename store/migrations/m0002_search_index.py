"""The Danish-folded full-text index over contacts (filled from existing rows)."""


def up(db):
    from store import search

    db.execute_sql(search.CREATE_INDEX)
    search.rebuild(db, before_points=True)
