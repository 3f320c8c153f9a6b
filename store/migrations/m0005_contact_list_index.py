"""Indexes for the contact list shown before anything is typed: sorted by name.

Without them that first page scans and sorts every visible contact: 2-4 s at
1,000,000 contacts, under 1 ms with them (see bench/bench_store.py).
"""


def up(db):
    db.execute_sql('CREATE INDEX "contact_last_name_first_name" ON "contact" ("last_name", "first_name")')
    # A seller sees only their own contacts: the same order within one owner.
    db.execute_sql('CREATE INDEX "contact_owner_id_last_name_first_name" '
                   'ON "contact" ("owner_id", "last_name", "first_name")')
