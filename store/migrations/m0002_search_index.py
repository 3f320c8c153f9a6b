"""The Danish-folded full-text index over contacts.

Created in today's design (store/search.py) and left empty: m0019_search_trigram,
which every database passes after this, fills it from the rows as the schema then
stands (rebuilding here would read tables that later migrations add).
"""


def up(db):
    from store import search

    db.execute_sql(search.CREATE_INDEX)
