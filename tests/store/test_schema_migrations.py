"""Migrations: an old database is brought up to date on open (its rows become
searchable), and the schema the migrations build is the one the models describe."""
from __future__ import annotations

import pytest
from peewee import SqliteDatabase

from store import contacts, migrations, runtime
from store.config import load_config
from store.db import database, new_key_file, open_database
from store.models import MODELS, ContactSearch, User
from store.scope import Scope
from store.sorting import KEY_COLUMNS


def _affinity(declared: str) -> str:
    """SQLite's column affinity rules (https://sqlite.org/datatype3.html, 3.1)."""
    t = (declared or "").upper()
    if "INT" in t:
        return "INTEGER"
    if any(s in t for s in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in t or not t:
        return "BLOB"
    if any(s in t for s in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def test_a_version_1_database_is_migrated_on_open_and_its_rows_are_searchable(config_path):
    config = load_config(config_path)
    key = new_key_file(config.key_path)
    open_database(config.db_path, key, create=True)
    assert migrations.migrate(database, target=1) == 1
    assert "contact_search" not in database.get_tables()
    now = "2024-05-01 10:00:00"
    with database.atomic():
        database.execute_sql(
            "INSERT INTO user (id, username, role, must_change_password, totp_enrolled, totp_last_step, "
            "failed_logins, auth_epoch, created_at) VALUES (1, 'gammel', 'manager', 0, 0, 0, 0, 0, ?)", (now,))
        database.execute_sql("INSERT INTO company (id, name, cvr, created_at, updated_at) "
                             "VALUES (1, 'Gammel Smedje ApS', '35954716', ?, ?)", (now, now))
        database.connection().executemany(
            "INSERT INTO contact (id, first_name, last_name, title, email, phone, company_id, owner_id, "
            "lifecycle, source, lawful_basis, created_at, updated_at, last_activity_at, version) "
            "VALUES (?, ?, ?, '', ?, ?, 1, 1, 'customer', 'import', 'contract', ?, ?, ?, 1)",
            [(1, "Søren", "Ærøskøbing", "soren@smedje.dk", "+4520123456", now, now, now),
             (2, "Åse", "Kjær", "aase@smedje.dk", "+4530303030", now, now, now)])
    runtime.close_store()

    runtime.open_store(config)
    try:
        assert migrations.current_version(database) == migrations.LATEST
        scope = Scope(User.get_by_id(1))
        assert [r.id for r in contacts.search_contacts(scope, "soeren")] == [1]
        assert [r.id for r in contacts.search_contacts(scope, "aerosk")] == [1]
        assert [r.id for r in contacts.search_contacts(scope, "ase kjaer")] == [2]
        assert {r.id for r in contacts.search_contacts(scope, "smedje")} == {1, 2}
        assert [r.id for r in contacts.search_contacts(scope, "30 30 30")] == [2]
        assert {r.id for r in contacts.search_contacts(scope, "35954716")} == {1, 2}
    finally:
        runtime.close_store()


def test_migrating_twice_changes_nothing(store):
    before = database.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrations.migrate(database) == migrations.LATEST
    after = database.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert before == after


def test_a_database_from_a_newer_version_is_refused_without_migrating(store):
    with database.atomic():
        database.execute_sql(f"PRAGMA user_version = {migrations.LATEST + 1}")
    runtime.close_store()
    with pytest.raises(Exception, match="newer MiniCRM"):
        runtime.open_store(store, migrate=False)
    runtime.close_store()


def _model_schema() -> dict[str, dict[str, tuple[str, bool, int]]]:
    """table -> column -> (affinity, notnull, pk) as Peewee would create the models."""
    scratch = SqliteDatabase(":memory:")
    tables = [m for m in MODELS if m is not ContactSearch]
    with scratch.bind_ctx(tables):
        scratch.create_tables(tables)
        out = {}
        for model in tables:
            name = model._meta.table_name
            out[name] = {c.name: (_affinity(c.data_type), not c.null, int(c.primary_key))
                         for c in scratch.get_columns(name)}
    scratch.close()
    return out


def _migrated_schema() -> dict[str, dict[str, tuple[str, bool, int]]]:
    out = {}
    for (name,) in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'contact_search%'"):
        cols = database.execute_sql(f'PRAGMA table_info("{name}")').fetchall()
        out[name] = {c[1]: (_affinity(c[2]), bool(c[3]), int(c[5] > 0)) for c in cols}
    return out


def test_every_model_table_and_column_exists_with_the_right_nullability(store):
    models, migrated = _model_schema(), _migrated_schema()
    problems = []
    for table, columns in models.items():
        if table not in migrated:
            problems.append(f"table {table} is in models.py but no migration creates it")
            continue
        for column, (affinity, notnull, pk) in columns.items():
            got = migrated[table].get(column)
            if got is None:
                problems.append(f"{table}.{column} is missing")
            elif got != (affinity, notnull, pk):
                problems.append(f"{table}.{column}: migrated {got} != model {(affinity, notnull, pk)}")
        for column in set(migrated[table]) - set(columns) - {KEY_COLUMNS.get(table)}:  # trigger-kept keys
            problems.append(f"{table}.{column} exists but no model field has it")
    for table in set(migrated) - set(models):
        problems.append(f"table {table} exists but no model describes it")
    assert problems == []


def test_unique_constraints_of_the_models_exist(store):
    def unique_sets(conn_execute, table):
        sets = set()
        for idx in conn_execute(f'PRAGMA index_list("{table}")'):
            if idx[2]:  # unique
                sets.add(tuple(r[2] for r in conn_execute(f'PRAGMA index_info("{idx[1]}")')))
        return sets

    tables = [m for m in MODELS if m is not ContactSearch]
    peewee_db = SqliteDatabase(":memory:")
    with peewee_db.bind_ctx(tables):
        peewee_db.create_tables(tables)
        expected = {m._meta.table_name: unique_sets(lambda sql: peewee_db.execute_sql(sql).fetchall(),
                                                    m._meta.table_name) for m in tables}
    for table, sets in expected.items():
        got = unique_sets(lambda sql: database.execute_sql(sql).fetchall(), table)
        assert sets <= got, f"{table}: unique {sets - got} missing"


def test_foreign_keys_point_where_the_models_say(store):
    tables = [m for m in MODELS if m is not ContactSearch]
    for model in tables:
        want = {(f.column_name, f.rel_model._meta.table_name, (f.on_delete or "NO ACTION").upper())
                for f in model._meta.refs}
        got = {(r[3], r[2], r[6].upper())
               for r in database.execute_sql(f'PRAGMA foreign_key_list("{model._meta.table_name}")')}
        assert want == got, model.__name__


def test_the_search_index_is_contentless_fts5_with_trigrams(store):
    (sql,) = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'contact_search'").fetchone()
    assert "fts5" in sql and "content=''" in sql and "trigram" in sql
