"""Bulk actions on marked contacts: tag, reassign, archive, each in one transaction,
audited per contact, refused whole when one contact is out of scope (real SQLCipher)."""
from __future__ import annotations

import pytest

from store import audit, bulk_actions, contacts
from store.db import database
from store.errors import Forbidden, Invalid, NotFound, StoreError
from store.models import AuditEvent, Contact
from store.scope import Scope


@pytest.fixture
def world(store, users):
    manager, sales = Scope(users["manager"]), Scope(users["sales"])
    theirs = [contacts.create_contact(sales, first_name=f"Salg{i}", last_name="Kunde") for i in range(3)]
    others = [contacts.create_contact(manager, first_name=f"Leder{i}", last_name="Kunde") for i in range(3)]
    return manager, sales, theirs, others


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def _state() -> list[tuple]:
    return database.execute_sql("SELECT id, owner_id, archived_at, version FROM contact ORDER BY id").fetchall()


def test_tagging_several_adds_the_tag_to_each_and_audits_each(world):
    manager, _sales, theirs, others = world
    contacts.set_tags(manager, others[0], ["vip"])
    changed = bulk_actions.add_tags(manager, theirs + others, ["Messe-2026"])
    assert changed == 6
    for cid in theirs + others:
        assert "messe-2026" in contacts.get_contact(manager, cid).tags
    assert set(contacts.get_contact(manager, others[0]).tags) == {"vip", "messe-2026"}  # kept
    rows = [r for r in _rows("contact.tags") if '"bulk":6' in r.detail]
    assert sorted(r.entity_id for r in rows) == sorted(theirs + others)
    assert {r.id for r in contacts.search_contacts(manager, "messe")} == set(theirs + others)
    assert audit.verify().ok


def test_reassigning_several_moves_each_in_one_go(world, users):
    manager, sales, theirs, others = world
    assert bulk_actions.reassign(manager, others, users["sales"].id) == 3
    assert {r.id for r in contacts.search_contacts(sales, "", limit=100)} == set(theirs + others)
    assert sorted(r.entity_id for r in _rows("contact.edit") if '"bulk":3' in r.detail) == sorted(others)
    with pytest.raises(Invalid, match="owner"):
        bulk_actions.reassign(manager, others, users["finance"].id)  # finance owns no contacts


def test_archiving_several_and_unarchiving_them(world):
    manager, _sales, theirs, others = world
    assert bulk_actions.set_archived(manager, theirs) == 3
    assert {r.id for r in contacts.search_contacts(manager, "", status="archived")} == set(theirs)
    assert {r.id for r in contacts.search_contacts(manager, "")} == set(others)
    assert bulk_actions.set_archived(manager, theirs + others[:1]) == 1  # only the one not yet archived
    assert bulk_actions.set_archived(manager, theirs, archived=False) == 3
    assert {r.id for r in contacts.search_contacts(manager, "", status="archived")} == {others[0]}
    assert len(_rows("contact.archive")) == 4 and len(_rows("contact.unarchive")) == 3


def test_one_contact_outside_the_scope_refuses_the_whole_batch(world):
    _manager, sales, theirs, others = world
    before = _state()
    with pytest.raises(NotFound, match=f"contact {others[0]}"):
        bulk_actions.add_tags(sales, [*theirs, others[0]], ["messe"])
    assert _state() == before
    assert not _rows("contact.tags")
    denied = _rows("access.denied")
    assert [r.entity_id for r in denied] == [others[0]]  # the refusal is audited, by id


@pytest.mark.parametrize("role", ["sales", "finance", "privacy"])
def test_only_managers_and_admins_archive(world, users, role):
    _manager, _sales, theirs, _others = world
    with pytest.raises(Forbidden):
        bulk_actions.set_archived(Scope(users[role]), theirs[:1])
    with pytest.raises(Forbidden):
        contacts.set_archived(Scope(users[role]), theirs[0])
    assert contacts.get_contact(Scope(users["manager"]), theirs[0]).status == "active"


def test_sales_may_not_reassign(world, users):
    _manager, sales, theirs, _others = world
    with pytest.raises(Forbidden):
        bulk_actions.reassign(sales, theirs, users["sales2"].id)


def test_a_failure_half_way_leaves_nothing_written(world, monkeypatch):
    manager, _sales, theirs, others = world
    before = _state()
    calls = []
    real = audit.record

    def failing(*args, **kw):  # the fourth contact's audit row fails: all four roll back
        calls.append(args)
        if len(calls) == 4:
            raise StoreError("disk full")
        return real(*args, **kw)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(StoreError, match="disk full"):
        bulk_actions.set_archived(manager, theirs + others)
    monkeypatch.undo()
    assert _state() == before
    assert not _rows("contact.archive")


def test_a_restricted_contact_refuses_a_bulk_tag(world, users):
    _manager, _sales, _theirs, others = world
    admin = Scope(users["admin"])
    with database.atomic():
        Contact.update(restricted_at=Contact.created_at).where(Contact.id == others[1]).execute()
    before = _state()
    with pytest.raises(StoreError, match=f"contact {others[1]} is restricted"):
        bulk_actions.add_tags(admin, others, ["messe"])
    assert _state() == before


def test_nothing_chosen_or_too_many_is_a_clear_error(world):
    manager, *_ = world
    with pytest.raises(Invalid, match="none chosen"):
        bulk_actions.set_archived(manager, [])
    with pytest.raises(Invalid, match="at most"):
        bulk_actions.set_archived(manager, range(1, bulk_actions.MAX_CONTACTS + 2))


def test_sales_tag_their_own_contacts_in_bulk(world):
    _manager, sales, theirs, _others = world
    assert bulk_actions.add_tags(sales, theirs, ["ring-op"]) == 3
    assert {r.id for r in contacts.search_contacts(sales, "", tag="ring-op")} == set(theirs)
    assert bulk_actions.add_tags(sales, theirs, ["ring-op"]) == 0  # already tagged: nothing written
    assert len(_rows("contact.tags")) == 3


def test_a_cpr_number_as_a_tag_is_refused_before_anything_is_written(world):
    manager, _sales, theirs, _others = world
    before = _state()
    with pytest.raises(Invalid):
        bulk_actions.add_tags(manager, theirs, ["010203-1234"])
    assert _state() == before
