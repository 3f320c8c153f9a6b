"""The search index becomes a trigram index over every searchable field (issue 12).

Dropped and rebuilt from the existing rows (m0002 leaves it empty): job titles,
company addresses and substrings become searchable; see store/search.py for the
document's design.
"""


def up(db):
    from store import search

    db.execute_sql("DROP TABLE IF EXISTS contact_search")
    db.execute_sql(search.CREATE_INDEX)
    search.rebuild(db)
