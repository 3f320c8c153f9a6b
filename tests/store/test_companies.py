"""Linking a contact to a company by name and CVR."""
import pytest

from store import companies, contacts
from store.errors import Invalid
from store.models import AuditEvent, Company
from store.scope import Forbidden, Scope


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


def test_a_form_save_that_conflicts_leaves_no_company_and_the_version_unchanged(store, users):
    from store.errors import Conflict

    manager, admin = Scope(users["manager"]), Scope(users["admin"])
    cid = contacts.create_contact(manager, first_name="Åse")
    shown = contacts.get_contact(manager, cid, audit_view=False).version
    contacts.update_contact(admin, cid, shown, title="Direktør")  # someone else saves first
    after_theirs = contacts.get_contact(admin, cid, audit_view=False).version
    audit_rows = AuditEvent.select().count()

    with pytest.raises(Conflict):
        contacts.save_contact(manager, cid, shown, {"company": "Ny Smedje ApS", "company_cvr": "12345674",
                                                    "last_name": "Ærø"}, ["vip"])
    assert Company.select().count() == 0                       # no orphan company
    saved = contacts.get_contact(admin, cid, audit_view=False)
    assert (saved.version, saved.last_name, saved.company, saved.tags) == (after_theirs, "", "", ())
    assert AuditEvent.select().count() == audit_rows           # nothing audited that did not happen


def test_a_form_save_links_the_company_and_bumps_the_version_once(store, users):
    manager = Scope(users["manager"])
    cid = contacts.create_contact(manager, first_name="Åse")
    version = contacts.get_contact(manager, cid, audit_view=False).version
    saved = contacts.save_contact(manager, cid, version, {"company": "Ny Smedje ApS",
                                                          "company_cvr": "12345674", "title": "Ejer"},
                                  ["vip", "b2b"])
    assert saved.version == version + 1                        # fields, company and tags: one bump
    assert (saved.company, saved.company_cvr, saved.title, saved.tags) == (
        "Ny Smedje ApS", "12345674", "Ejer", ("b2b", "vip"))
    actions = [a.action for a in AuditEvent.select().where(AuditEvent.id > 0).order_by(AuditEvent.id)]
    assert actions[-3:] == ["company.create", "contact.edit", "contact.tags"]
    created = contacts.save_contact(manager, None, None, {"first_name": "Bo", "company": "Ny Smedje ApS",
                                                          "company_cvr": "12345674"}, ["ny"])
    assert (created.company_id, created.tags, created.version) == (saved.company_id, ("ny",), 1)
    assert Company.select().count() == 1
