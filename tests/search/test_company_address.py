"""A company's address is part of its contacts' search documents: a change reaches them."""
from __future__ import annotations

from store import companies, contacts
from store.scope import Scope


def test_a_changed_company_address_finds_its_contacts(store, users):
    scope = Scope(users["manager"])
    firm = companies.find_or_create(scope, "Smedje ApS", "35954716")
    worker = contacts.create_contact(scope, first_name="Bo", last_name="Holm", company_id=firm)
    assert contacts.search_contacts(scope, "odense") == []
    companies.set_address(scope, firm, {"address": "Vestergade 2", "postcode": "5000", "city": "Odense C"})
    assert [r.id for r in contacts.search_contacts(scope, "odense")] == [worker]
    assert [r.id for r in contacts.search_contacts(scope, "vestergade 2")] == [worker]
