"""Free text is screened on every write, with the importer's detector: a CPR number is refused
naming the field, a special-category term is saved only when the user says "save anyway",
which flags the record for the hygiene report and is audited."""
from __future__ import annotations

import json

import pytest

from store import audit, contacts, deals, notes, screening
from store.errors import CprInText, SpecialCategory
from store.models import AuditEvent, Company, Deal, Note

CPR_TITLE = "Tilbud til Ida (CPR 010190-1234)"
ALLERGY = "allergi: jordnødder"


@pytest.fixture
def person(store, scopes):
    return contacts.create_contact(scopes["manager"], first_name="Ida", last_name="Holm", email="ida@example.dk")


def test_a_cpr_number_in_a_deal_title_is_refused_naming_the_field(person, scopes):
    with pytest.raises(CprInText) as caught:
        deals.create_deal(scopes["manager"], person, title=CPR_TITLE,
                          amount_minor=100)
    assert caught.value.field == "deal_title" and "CPR" in str(caught.value)
    assert "010190" not in str(caught.value)
    # not even "save anyway" stores it
    with pytest.raises(CprInText):
        deals.create_deal(scopes["manager"], person, title=CPR_TITLE, amount_minor=100, allow_special=True)
    assert Deal.select().count() == 0


def test_a_health_term_in_a_note_needs_save_anyway_and_is_flagged_and_audited(person, scopes):
    manager, privacy = scopes["manager"], scopes["privacy"]
    with pytest.raises(SpecialCategory) as caught:
        notes.add_note(manager, person, body=ALLERGY)
    assert caught.value.field == "body" and caught.value.kinds == ("health",)
    assert "jordnødder" not in str(caught.value)
    assert Note.select().count() == 0

    note_id = notes.add_note(manager, person, body=ALLERGY, allow_special=True)
    assert Note.get_by_id(note_id).body == ALLERGY
    [row] = AuditEvent.select().where(AuditEvent.action == screening.FLAG_ACTION)
    assert (row.entity, row.entity_id) == ("note", note_id)
    assert json.loads(row.detail) == {"field": "body", "kinds": ["health"]}
    assert "jordn" not in row.detail and audit.verify().ok
    [flag] = screening.flagged(privacy)
    assert (flag.entity, flag.entity_id, flag.field, flag.kinds, flag.contact_id) == (
        "note", note_id, "body", ("health",), person)


def test_plain_text_is_saved_without_asking(person, scopes):
    notes.add_note(scopes["manager"], person, body="Ringede om tilbuddet; vender tilbage i maj.")
    deals.create_deal(scopes["manager"], person, title="Serviceaftale 2027", amount_minor=100)
    assert not AuditEvent.select().where(AuditEvent.action == screening.FLAG_ACTION).exists()


def test_job_titles_tags_and_company_names_are_screened(person, scopes):
    manager = scopes["manager"]
    with pytest.raises(SpecialCategory) as caught:
        contacts.create_contact(manager, first_name="Ole", title="Tillidsrepræsentant i 3F")
    assert caught.value.field == "title" and caught.value.kinds == ("union",)
    with pytest.raises(CprInText) as cpr:
        contacts.create_contact(manager, first_name="Ole", tags=["cpr 0101901234"])
    assert cpr.value.field == "tags"
    version = contacts.get_contact(manager, person, audit_view=False).version
    with pytest.raises(SpecialCategory) as tagged:
        contacts.update_contact(manager, person, version, tags=["diabetiker"])
    assert tagged.value.field == "tags"
    with pytest.raises(SpecialCategory) as company:
        contacts.save_contact(manager, None, None, {"first_name": "Per", "company": "Moské Foreningen"})
    assert company.value.field == "company"
    assert not Company.select().where(Company.name == "Moské Foreningen").exists()

    saved = contacts.save_contact(manager, None, None, {"first_name": "Per", "title": "Indkøber",
                                                          "company": "Moské Foreningen"}, allow_special=True)
    [flag] = screening.flagged(scopes["admin"])
    assert (flag.entity, flag.field, flag.kinds) == ("company", "company", ("religion",))
    assert Company.get_by_id(flag.entity_id).name == "Moské Foreningen" and saved.id


def test_an_unchanged_flagged_title_is_not_asked_about_again(person, scopes):
    manager = scopes["manager"]
    cid = contacts.create_contact(manager, first_name="Bo", title="Tillidsmand", allow_special=True)
    version = contacts.get_contact(manager, cid, audit_view=False).version
    contacts.update_contact(manager, cid, version, last_name="Bager")  # no "save anyway" needed
    [flag] = screening.flagged(scopes["privacy"])
    assert (flag.entity, flag.entity_id, flag.field) == ("contact", cid, "title")
    # edited clean, the record leaves the hygiene report
    version = contacts.get_contact(manager, cid, audit_view=False).version
    contacts.update_contact(manager, cid, version, title="Indkøber")
    assert screening.flagged(scopes["privacy"]) == []
