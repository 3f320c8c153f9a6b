"""No "database is locked" and no OperationalError ever reaches a person (issue 16).

Another process holds the write lock (as a long import did): start-up still opens the
store, opening a contact still works and its audit row follows, and a write that cannot
get the lock within the busy timeout says so in one line.
"""
from __future__ import annotations

import pytest

from .conftest import BUSY_TIMEOUT_MS

START_UP = """
runtime.open_store()
from store import migrations
print("open", migrations.current_version(database), flush=True)
"""


def test_start_up_takes_no_write_lock_when_nothing_is_to_migrate(store, write_lock_held, run_python):
    from store import migrations

    with write_lock_held():
        proc = run_python(store, START_UP, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["open", str(migrations.LATEST)]


def test_a_view_is_not_blocked_and_its_audit_row_follows(store, users, write_lock_held):
    from store import audit, contacts
    from store.models import AuditEvent
    from store.scope import Scope

    manager = Scope(users["manager"])
    cid = contacts.create_contact(manager, first_name="Karen", last_name="Holm")
    with write_lock_held():
        detail = contacts.get_contact(manager, cid)  # used to wait, then fail with OperationalError
        assert detail.first_name == "Karen"
    assert audit.pending() == 1  # kept in this process while the file was busy
    contacts.create_contact(manager, first_name="Ole")  # the next write takes it along
    assert audit.pending() == 0
    views = AuditEvent.select().where((AuditEvent.action == "contact.view") & (AuditEvent.entity_id == cid))
    assert [v.actor_id for v in views] == [users["manager"].id]
    assert audit.verify().ok


def test_a_view_of_a_free_file_is_audited_at_once(store, users):
    from store import audit, contacts
    from store.models import AuditEvent
    from store.scope import Scope

    manager = Scope(users["manager"])
    cid = contacts.create_contact(manager, first_name="Karen")
    contacts.get_contact(manager, cid)
    assert audit.pending() == 0
    assert AuditEvent.select().where(AuditEvent.action == "contact.view").count() == 1


def test_a_write_past_the_busy_timeout_is_one_clear_error_and_writes_nothing(store, users, write_lock_held):
    from store import contacts
    from store.errors import DatabaseBusy, StoreError
    from store.models import Contact
    from store.scope import Scope

    manager = Scope(users["manager"])
    with write_lock_held(), pytest.raises(DatabaseBusy) as busy:
        contacts.create_contact(manager, first_name="Karen")
    assert isinstance(busy.value, StoreError)  # every front end already shows these in one line
    assert str(busy.value) == "the database is busy; try again"
    assert Contact.select().count() == 0


def test_the_command_line_says_busy_in_one_line(closed_store, write_lock_held, run_cli):
    with write_lock_held():
        proc = run_cli(closed_store, "user", "add", "karen", "--role", "sales")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == ["minicrm: the database is busy; try again"]
    assert "Traceback" not in proc.stderr and "OperationalError" not in proc.stderr


def test_the_app_says_busy_in_its_own_words():
    from store.errors import DatabaseBusy
    from tui import i18n
    from tui.errors import describe

    i18n.set_language("en")
    assert describe(DatabaseBusy()) == "The database is busy; try again."
    i18n.set_language("da")
    assert describe(DatabaseBusy()) == "Databasen er optaget; prøv igen."


def test_the_timeout_is_a_setting(store):
    from store.db import database

    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
