"""Ids are never handed out twice (Art. 5(1)(d)): an erased person's id given to a new
contact would list the erased person's views, export and erasure as the new one's history."""
from __future__ import annotations

import re

from store import contacts, migrations, notes, runtime
from store.config import load_config
from store.db import database, new_key_file, open_database
from store.models import Contact, Note, User
from store.scope import Scope


def _tables_without_autoincrement() -> list[str]:
    """Ordinary tables keyed by an integer whose CREATE TABLE lacks AUTOINCREMENT."""
    # found by name, not number: the migration is renumbered when others land before it
    (module,) = [m for _n, m in migrations.available() if m.__name__.endswith("_ids_never_reused")]
    tables_to_convert = module.tables_to_convert
    return [name for name, _column, _sql in tables_to_convert(database)]


def test_every_table_keyed_by_an_integer_uses_autoincrement(store):
    assert _tables_without_autoincrement() == []
    for (name, sql) in database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('contact', 'note', "
            "'audit_event', 'invoice', 'data_subject_request', 'erasure_ledger')"):
        assert re.search(r"PRIMARY KEY AUTOINCREMENT", sql), name


def _erase(scope_privacy, contact_id: int) -> None:
    from store.rights import add_request, erase_person

    add_request(scope_privacy, contact_id, "erasure")
    erase_person(scope_privacy, contact_id, legal_basis="art17_1b")


def test_the_newest_contact_erased_its_id_is_not_given_to_the_next(store, users):
    manager, privacy, admin = Scope(users["manager"]), Scope(users["privacy"]), Scope(users["admin"])
    contacts.create_contact(manager, first_name="Anna", last_name="Andersen", email="anna@example.dk")
    newest = contacts.create_contact(manager, first_name="Bent", last_name="Berg", email="bent@example.dk")
    contacts.get_contact(privacy, newest)  # a view, audited under the contact's id
    _erase(privacy, newest)

    new = contacts.create_contact(manager, first_name="Carla", last_name="Carlsen", email="carla@example.dk")
    assert new != newest and new > newest
    assert [e.action for e in contacts.history(admin, new)] == ["contact.create"]


def test_the_newest_note_erased_its_id_is_not_given_to_the_next(store, users):
    manager, privacy = Scope(users["manager"]), Scope(users["privacy"])
    keep = contacts.create_contact(manager, first_name="Dora", last_name="Dahl")
    gone = contacts.create_contact(manager, first_name="Egon", last_name="Eriksen")
    notes.add_note(manager, keep, body="Ringede om tilbuddet.")
    newest_note = notes.add_note(manager, gone, body="Vil have et møde i maj.")
    _erase(privacy, gone)
    assert not Note.select().where(Note.id == newest_note).exists()

    new_note = notes.add_note(manager, keep, body="Sendte prisliste.")
    assert new_note > newest_note
    from store import audit

    assert [e.action for e in audit.history("note", new_note)] == ["note.add"]


def test_an_existing_database_is_converted_and_ids_erased_before_stay_used(config_path):
    """A version-6 database whose newest contact (id 3) and an older one (id 5, only in the
    audit trail) were deleted before the migration: the next contact gets 6."""
    config = load_config(config_path)
    key = new_key_file(config.key_path)
    open_database(config.db_path, key, create=True)
    ids_migration = next(n for n, m in migrations.available() if m.__name__.endswith("_ids_never_reused"))
    migrations.migrate(database, target=ids_migration - 1)  # later migrations only add columns
    now = "2024-05-01 10:00:00"
    with database.atomic():
        database.execute_sql(
            "INSERT INTO user (id, username, role, must_change_password, totp_enrolled, totp_last_step, "
            "failed_logins, auth_epoch, created_at) VALUES (1, 'gammel', 'manager', 0, 0, 0, 0, 0, ?)", (now,))
        database.connection().executemany(
            "INSERT INTO contact (id, first_name, last_name, title, lifecycle, source, lawful_basis, "
            "created_at, updated_at, last_activity_at, version) "
            "VALUES (?, ?, '', '', 'lead', 'manual', 'contract', ?, ?, ?, 1)",
            [(1, "Søren", now, now, now), (2, "Åse", now, now, now), (3, "Jens", now, now, now)])
        database.execute_sql("DELETE FROM contact WHERE id = 3")
        database.execute_sql("INSERT INTO audit_event (at, actor_id, action, entity, entity_id, detail, "
                             "prev_hash, hash) VALUES (?, 1, 'person.erase', 'contact', 5, '{}', '', '')", (now,))
        database.execute_sql("INSERT INTO change (at, entity, entity_id, op) VALUES (?, 'note', 9, 'delete')",
                             (now,))
    assert "contact" in _tables_without_autoincrement()
    runtime.close_store()

    runtime.open_store(config)
    try:
        assert migrations.current_version(database) == migrations.LATEST
        assert _tables_without_autoincrement() == []
        assert [c.first_name for c in Contact.select().order_by(Contact.id)] == ["Søren", "Åse"]
        assert database.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        scope = Scope(User.get_by_id(1))
        assert contacts.create_contact(scope, first_name="Ny") == 6
        assert notes.add_note(scope, 1, body="Første note efter opgraderingen.") == 10
    finally:
        runtime.close_store()


def test_bulk_inserts_skip_ids_handed_out_before(store, users):
    """Imports and demo data assign ids themselves: past the counter, not max(id) + 1."""
    from store import bulk

    row = ("Frida", "Friis", "", None, None, None, users["manager"].id, "lead", "import", None,
           "legitimate_interest")
    with database.atomic():
        (first,) = bulk.insert_contacts([row])
    _erase(Scope(users["privacy"]), first)
    with database.atomic():
        (second,) = bulk.insert_contacts([row])
    assert second > first
    assert contacts.create_contact(Scope(users["manager"]), first_name="Gorm") > second
