"""m0019_search_trigram on a database that has contacts in the old word-prefix index."""
from __future__ import annotations

from store import contacts, migrations, runtime
from store.config import load_config
from store.db import database, new_key_file, open_database
from store.models import User
from store.scope import Scope

OLD_INDEX = ("CREATE VIRTUAL TABLE contact_search USING fts5(name, company, email, phone, tags, "
             "content='', contentless_delete=1, tokenize=\"unicode61 remove_diacritics 2\", prefix='1 2 3')")


def test_an_existing_database_gets_the_trigram_index_with_every_field(config_path):
    config = load_config(config_path)
    open_database(config.db_path, new_key_file(config.key_path), create=True)
    before = migrations.available()[-1][0]  # this branch's migration is the last one
    assert migrations.migrate(database, target=before - 1) == before - 1
    now = "2025-05-01 10:00:00"
    with database.atomic():
        database.execute_sql("DROP TABLE contact_search")  # as the database had it before issue 12
        database.execute_sql(OLD_INDEX)
        database.execute_sql(
            "INSERT INTO user (id, username, role, must_change_password, totp_enrolled, totp_last_step, "
            "failed_logins, auth_epoch, created_at) VALUES (1, 'gammel', 'manager', 0, 0, 0, 0, 0, ?)", (now,))
        database.execute_sql("INSERT INTO company (id, name, cvr, address, postcode, city, created_at, updated_at) "
                             "VALUES (1, 'Nikolajsen VVS A/S', '35954716', 'Åboulevarden 3', '8000', 'Århus C', ?, ?)",
                             (now, now))
        database.connection().executemany(
            "INSERT INTO contact (id, first_name, last_name, title, email, phone, company_id, owner_id, "
            "lifecycle, source, lawful_basis, created_at, updated_at, last_activity_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1, 'customer', 'import', 'contract', ?, ?, ?, 1)",
            [(1, "Søren", "Johansen", "Økonomichef", "soren@gmail.com", "+4531313131", 1, now, now, now),
             (2, "Åse", "Kjær", "Direktør", "aase@smedje.dk", "+4520202020", None, now, now, now)])
        database.connection().executemany(
            "INSERT INTO contact_search (rowid, name, company, email, phone, tags) VALUES (?, ?, ?, ?, ?, ?)",
            [(1, "soren johansen", "nikolajsen vvs a s 35954716", "soren gmail com", "4531313131 31313131", ""),
             (2, "ase kjaer", "", "ase smedje dk", "4520202020 20202020", "")])
    database.close()

    runtime.open_store(config)  # migrates
    try:
        assert migrations.current_version(database) == migrations.LATEST
        (sql,) = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'contact_search'").fetchone()
        assert "trigram" in sql
        scope = Scope(User.get_by_id(1))

        def ids(text):
            return [r.id for r in contacts.search_contacts(scope, text)]

        assert ids("økonomi") == [1] and ids("direktør") == [2]  # job titles, new
        assert ids("hans") == [1] and ids("kola") == [1]  # inside words, new
        assert ids("a/s") == [1] and ids("gmail.com") == [1]  # punctuation as one unit
        assert ids("aarhus") == ids("8000") == ids("aboulevarden") == [1]  # the company's address, new
        assert ids("soeren") == [1] and ids("ase kjaer") == [2] and ids("+45 31") == [1]  # as before
        assert ids("la") == []  # two letters: word starts only
    finally:
        runtime.close_store()
