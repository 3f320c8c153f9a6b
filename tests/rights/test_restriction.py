"""Restriction (Art. 18): kept, not used; edits refused except the rights handlers' corrections."""
from __future__ import annotations

import json

import pytest


def test_restrict_and_lift(store, users, scopes, make_person):
    from store.changes import latest_seq
    from store.contacts import get_contact
    from store.models import AuditEvent, Change
    from store.rights import lift_restriction, restrict_person

    p = make_person()
    seq = latest_seq()
    assert restrict_person(scopes["privacy"], p.id, ground="objection_pending") is True
    assert restrict_person(scopes["privacy"], p.id) is False  # already
    assert get_contact(scopes["admin"], p.id, audit_view=False).status == "restricted"
    feed = Change.select(Change.entity, Change.entity_id, Change.op).where(Change.seq > seq).tuples()
    assert [(e, i, op) for (e, i, op) in feed] == [("contact", p.id, "update")]  # other sessions refresh
    event = AuditEvent.select().where(AuditEvent.action == "person.restrict").get()
    assert event.entity_id == p.id and event.actor_id == users["privacy"].id
    assert json.loads(event.detail) == {"ground": "objection_pending"}
    assert lift_restriction(scopes["privacy"], p.id) is True
    assert lift_restriction(scopes["privacy"], p.id) is False
    assert get_contact(scopes["admin"], p.id, audit_view=False).status == "active"


def test_restricted_person_is_left_out_of_mailings_and_third_party_exports(store, scopes, make_person):
    from store.db import StoreError
    from store.models import Contact
    from store.rights import lift_restriction, processable_contacts, restrict_person
    from store.rights.restriction import require_usable

    p = make_person()
    other = make_person(phone="+4571234567")
    restrict_person(scopes["admin"], p.id)
    ids = {c.id for c in processable_contacts(scopes["manager"]).select(Contact.id)}
    assert other.id in ids and p.id not in ids
    with pytest.raises(StoreError, match="restricted"):
        require_usable(scopes["manager"], p.id)
    lift_restriction(scopes["admin"], p.id)
    assert p.id in {c.id for c in processable_contacts(scopes["manager"]).select(Contact.id)}


@pytest.mark.parametrize("role", ["sales", "manager"])
def test_edits_to_a_restricted_contact_are_refused(store, scopes, make_person, role):
    from store.contacts import get_contact, update_contact
    from store.db import StoreError
    from store.rights import restrict_person

    p = make_person()
    restrict_person(scopes["privacy"], p.id)
    version = get_contact(scopes["admin"], p.id, audit_view=False).version
    with pytest.raises(StoreError, match="restricted"):
        update_contact(scopes[role], p.id, version, title="Direktør")
    assert get_contact(scopes["admin"], p.id, audit_view=False).title == "Indkøber"


def test_privacy_may_still_rectify_a_restricted_contact(store, scopes, make_person, handled_by):
    """Art. 18(1)(a): while accuracy is contested, the correction itself must remain possible."""
    from store.contacts import get_contact, update_contact
    from store.rights import restrict_person

    p = make_person()
    handled_by("privacy", p.id, "rectification")
    restrict_person(scopes["privacy"], p.id, ground="accuracy_contested")
    version = get_contact(scopes["admin"], p.id, audit_view=False).version
    update_contact(scopes["privacy"], p.id, version, last_name="Rettet")
    assert get_contact(scopes["admin"], p.id, audit_view=False).last_name == "Rettet"


def test_the_person_still_gets_their_own_copy(store, scopes, make_person, handled_by):
    from store.rights import export_person, restrict_person

    p = make_person()
    restrict_person(scopes["privacy"], p.id)
    handled_by("privacy", p.id)
    assert export_person(scopes["privacy"], p.id).exists()  # Art. 15 is not a use by a third party


@pytest.mark.parametrize("role", ["sales", "manager", "finance"])
def test_only_rights_handlers_restrict(store, scopes, make_person, role):
    from store.rights import lift_restriction, restrict_person
    from store.scope import Forbidden

    p = make_person()
    with pytest.raises(Forbidden):
        restrict_person(scopes[role], p.id)
    with pytest.raises(Forbidden):
        lift_restriction(scopes[role], p.id)


def test_restrict_unknown_id_and_free_text_ground(store, scopes, make_person):
    from store.errors import Invalid
    from store.rights import restrict_person
    from store.scope import NotFound

    p = make_person()
    with pytest.raises(NotFound, match="contact 777 not found"):
        restrict_person(scopes["admin"], 777)
    with pytest.raises(Invalid):
        restrict_person(scopes["admin"], p.id, ground="Søren ringede og var vred")


def test_admin_may_correct_but_not_otherwise_use_a_restricted_contact(store, scopes, make_person, users):
    from store.contacts import get_contact, set_tags, update_contact
    from store.db import StoreError
    from store.rights import restrict_person

    p = make_person()
    restrict_person(scopes["privacy"], p.id)
    before = get_contact(scopes["admin"], p.id, audit_view=False)
    version = before.version
    with pytest.raises(StoreError, match="restricted"):
        update_contact(scopes["admin"], p.id, version, lifecycle="former")
    with pytest.raises(StoreError, match="restricted"):
        set_tags(scopes["admin"], p.id, ["vip"])
    update_contact(scopes["admin"], p.id, version, title="Direktør")
    detail = get_contact(scopes["admin"], p.id, audit_view=False)
    assert (detail.title, detail.lifecycle, detail.tags) == ("Direktør", before.lifecycle, before.tags)
