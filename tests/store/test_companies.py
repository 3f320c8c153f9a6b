"""Linking a contact to a company by name and CVR."""
import pytest

from store import companies, contacts
from store.models import AuditEvent, Company
from store.scope import Forbidden, Scope
from store.errors import Invalid


def test_find_or_create_by_cvr_then_by_name(store, users):
    sales = Scope(users["sales"])
    first = companies.find_or_create(sales, "Ærø Byg ApS", "12345674")
    assert companies.find_or_create(sales, "Another name", "1234 5674") == first  # the CVR decides
    by_name = companies.find_or_create(sales, "Uden CVR I/S")
    assert companies.find_or_create(sales, "Uden CVR I/S", "") == by_name
    assert companies.find_or_create(sales, "", None) is None
    assert Company.select().count() == 2
    created = AuditEvent.select().where(AuditEvent.action == "company.create")
    assert [a.entity_id for a in created] == [first, by_name]
    assert all("Ærø" not in a.detail for a in created)


def test_bad_cvr_missing_name_and_roles(store, users):
    admin = Scope(users["admin"])
    with pytest.raises(Invalid) as bad:
        companies.find_or_create(admin, "X ApS", "12345678")
    assert bad.value.field == "company_cvr"
    with pytest.raises(Invalid):
        companies.find_or_create(admin, "", "12345674")
    for role in ("finance", "privacy"):
        with pytest.raises(Forbidden):
            companies.find_or_create(Scope(users[role]), "X ApS")
    cid = contacts.create_contact(admin, first_name="Åse")
    company = companies.find_or_create(admin, "Århus VVS ApS", "12345674")
    detail = contacts.get_contact(admin, cid, audit_view=False)
    contacts.update_contact(admin, cid, detail.version, company_id=company)
    assert [r.id for r in contacts.search_contacts(admin, "aarhus")] == [cid]
