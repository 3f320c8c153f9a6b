"""Merging duplicates: the chosen value per field stays, everything of the merged contact moves
to the survivor in one transaction, audited, and the merged-away id never comes back."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from store import contacts, merge
from store.db import database
from store.errors import Conflict, Invalid
from store.models import (
    AuditEvent,
    Campaign,
    CampaignRecipient,
    Consent,
    ConsentEvent,
    Contact,
    ContactTag,
    DataSubjectRequest,
    Deal,
    Invoice,
    Note,
)


def _filled(scope, users, first: str, email: str, consent_at: dt.datetime, tags) -> int:
    cid = contacts.create_contact(scope, first_name=first, last_name="Ærbøl", email=email, tags=tags)
    with database.atomic():
        Deal.create(title=f"Aftale {first}", contact=cid, owner=users["manager"].id)
        Note.create(contact=cid, author=users["manager"].id, body=f"Ringede til {first}")
        Invoice.create(number=f"F-{first}", issued_on=dt.date(2026, 1, 5), due_on=dt.date(2026, 2, 5),
                       amount_minor=100_00, contact=cid, billing_name=first, retain_until=dt.date(2032, 1, 1))
        consent = Consent.create(contact=cid, purpose="newsletter", channel="email", status="given",
                                 given_at=consent_at, method="phone")
        ConsentEvent.create(consent=consent.id, at=consent_at, event="given", method="phone")
        campaign = Campaign.create(list_name="newsletter", subject="Nyt", body_sha256=first * 4)
        CampaignRecipient.create(campaign=campaign.id, contact=cid, state="sent")
    return cid


def test_merge_keeps_the_chosen_values_and_moves_everything(store, scopes, users, handled_by):
    manager = scopes["manager"]
    survivor = _filled(manager, users, "Søren", "soren@example.dk", dt.datetime(2025, 1, 1), ["vip"])
    merged = _filled(manager, users, "Soeren", "s.aerboel@example.dk", dt.datetime(2026, 1, 1), ["vip", "messe"])
    request = handled_by("privacy", merged, "access")
    plan = merge.merge_plan(manager, survivor, merged)
    assert set(plan.differing) == {"first_name", "email"}
    assert plan.moves["deals"] == 1 and plan.moves["notes"] == 1 and plan.moves["invoices"] == 1

    merge.merge_contacts(manager, survivor, merged, {"first_name": "survivor", "email": "merged"},
                         versions=plan.versions)

    kept = Contact.get_by_id(survivor)
    assert (kept.first_name, kept.email) == ("Søren", "s.aerboel@example.dk")
    assert not Contact.select().where(Contact.id == merged).exists()
    assert Deal.select().where(Deal.contact == survivor).count() == 2
    assert Note.select().where(Note.contact == survivor).count() == 2
    assert Invoice.select().where(Invoice.contact == survivor).count() == 2
    assert DataSubjectRequest.get_by_id(request).contact_id == survivor
    assert CampaignRecipient.select().where(CampaignRecipient.contact == survivor).count() == 2
    assert sorted(t.tag.name for t in ContactTag.select().where(ContactTag.contact == survivor)) == ["messe", "vip"]
    # two newsletter consents become one: the later decision, with both histories as proof
    (consent,) = Consent.select().where(Consent.contact == survivor)
    assert consent.given_at == dt.datetime(2026, 1, 1)
    assert ConsentEvent.select().where(ConsentEvent.consent == consent.id).count() == 2
    # the search finds the survivor under the e-mail taken from the merged contact
    assert [r.id for r in contacts.search_contacts(manager, "aerboel")] == [survivor]
    event = AuditEvent.select().where(AuditEvent.action == "contact.merge").get()
    detail = json.loads(event.detail)
    assert event.entity_id == survivor and detail["merged_id"] == merged and detail["fields_taken"] == ["email"]
    assert "s.aerboel" not in event.detail  # ids, field names and counts only
    # the merged-away id is never handed out again
    assert contacts.create_contact(manager, first_name="Ny") > merged


def test_a_stale_or_restricted_merge_is_refused_and_changes_nothing(store, scopes, users, handled_by):
    from store.rights import restrict_person

    manager = scopes["manager"]
    a = contacts.create_contact(manager, first_name="Anna", email="anna@example.dk")
    b = contacts.create_contact(manager, first_name="Ana", email="anna@example.dk")
    plan = merge.merge_plan(manager, a, b)
    contacts.update_contact(manager, b, plan.versions[1], title="Indkøber")
    with pytest.raises(Conflict):
        merge.merge_contacts(manager, a, b, versions=plan.versions)
    assert Contact.select().where(Contact.id == b).exists()
    handled_by("privacy", b, "restriction")
    restrict_person(scopes["privacy"], b)
    with pytest.raises(Invalid, match="restricted"):
        merge.merge_contacts(manager, a, b)
    with pytest.raises(Invalid):
        merge.merge_contacts(manager, a, a)


def test_a_seller_may_not_merge(store, scopes):
    from store.errors import Forbidden

    a = contacts.create_contact(scopes["sales"], first_name="Bo")
    b = contacts.create_contact(scopes["sales"], first_name="Bo")
    with pytest.raises(Forbidden):
        merge.merge_contacts(scopes["sales"], a, b)
