"""Restriction (Art. 18) holds everywhere: a restricted person gets no new notes, deals or
consents; lifting the restriction makes them possible again; withdrawing a consent stays possible."""
from __future__ import annotations

import datetime as dt

import pytest

from store import consent, contacts, deals, notes
from store.errors import Restricted
from store.models import Consent, Deal, Note
from store.rights import lift_restriction, restrict_person


def published_text(purpose: str) -> int:
    """A published consent text to record consent under (staff pick one, never type one)."""
    from store import consent_texts
    from store.scope import Scope

    consent_texts.seed_defaults(Scope.console())
    return consent_texts.current_text(purpose, "da").id



def test_a_restricted_person_gets_no_new_notes_deals_or_consents(store, scopes, handled_by):
    manager, privacy = scopes["manager"], scopes["privacy"]
    cid = contacts.create_contact(manager, first_name="Rita", last_name="Rask", email="rita@example.dk")
    consent.record_consent(manager, cid, "newsletter", method="phone", given_on=dt.date.today(),
                           text_id=published_text("newsletter"), evidence="Sagt ja i telefonen")
    handled_by("privacy", cid, "restriction")
    assert restrict_person(privacy, cid, ground="accuracy_contested")

    with pytest.raises(Restricted, match=f"contact {cid} is restricted"):
        notes.add_note(manager, cid, body="Ringede igen.")
    with pytest.raises(Restricted):
        deals.create_deal(manager, cid, title="Nyt tilbud", amount_minor=1000)
    with pytest.raises(Restricted):
        consent.record_consent(manager, cid, "offers", method="phone", given_on=dt.date.today(),
                               text_id=published_text("offers"), evidence="Sagt ja")
    assert Note.select().where(Note.contact == cid).count() == 0
    assert Deal.select().where(Deal.contact == cid).count() == 0
    assert [c.purpose for c in Consent.select().where(Consent.contact == cid)] == ["newsletter"]
    # withdrawing lessens the processing: allowed while restricted
    consent.withdraw_consent(manager, cid, "newsletter", method="phone")

    assert lift_restriction(privacy, cid)
    assert notes.add_note(manager, cid, body="Ringede igen.")
    assert deals.create_deal(manager, cid, title="Nyt tilbud", amount_minor=1000)
