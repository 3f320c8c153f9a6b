"""Several e-mails and phones per contact, each labelled, one primary per kind, and the
postal address: saved through store.contacts on a real SQLCipher file."""
import pytest

from store import contact_details, contacts
from store.db import database
from store.errors import CprInText, Invalid, SpecialCategory
from store.models import AuditEvent, EmailAddress, PhoneNumber
from store.scope import Scope
from store.views import ContactPoint


def _save(scope, cid, fields, version=None):
    return contacts.save_contact(scope, cid, version, fields)


def test_a_contact_keeps_every_email_and_phone_with_labels_and_one_primary(store, users):
    sales = Scope(users["sales"])
    saved = _save(sales, None, {
        "first_name": "Søren", "last_name": "Ågaard",
        "emails": [("SOREN@Firma.DK", "work", False), {"value": "soren.aagaard@gmail.com", "label": "private",
                                                         "primary": True}],
        "phones": [("+45 20 12 34 56", "mobile"), ("0045 33 12 34 56", "work")],
        "address": "Vestergade 3, 2. th.", "postcode": "8000", "city": "Aarhus C", "country": "Danmark"})
    assert saved.emails == (ContactPoint("soren.aagaard@gmail.com", "private", True),  # the primary first
                            ContactPoint("soren@firma.dk", "work", False))
    assert saved.email == "soren.aagaard@gmail.com"  # the primary's copy on the contact
    assert saved.phones == (ContactPoint("+4520123456", "mobile", True), ContactPoint("+4533123456", "work", False))
    assert saved.phone == "+4520123456"  # none marked: the first is primary
    assert (saved.address, saved.postcode, saved.city, saved.country) == (
        "Vestergade 3, 2. th.", "8000", "Aarhus C", "Danmark")
    # every one is found by search, not only the primary
    assert [r.id for r in contacts.search_contacts(sales, "firma.dk")] == [saved.id]
    assert [r.id for r in contacts.search_contacts(sales, "33123456")] == [saved.id]


def test_editing_adds_removes_relabels_and_moves_the_primary_in_one_version(store, users):
    sales = Scope(users["sales"])
    first = _save(sales, None, {"first_name": "Mette", "emails": ["a@x.dk", "b@x.dk"], "phones": ["20202020"]})
    edited = _save(sales, first.id, {"emails": [("b@x.dk", "work", True), ("c@y.dk", "private", False)],
                                     "phones": []}, first.version)
    assert edited.version == first.version + 1
    assert edited.emails == (ContactPoint("b@x.dk", "work", True), ContactPoint("c@y.dk", "private", False))
    assert (edited.email, edited.phone, edited.phones) == ("b@x.dk", "", ())
    rows = EmailAddress.select().where(EmailAddress.contact == first.id)
    assert [r.email for r in rows] == ["c@y.dk"]  # the primary is the contact's own column
    assert PhoneNumber.select().where(PhoneNumber.contact == first.id).count() == 0
    assert contacts.search_contacts(sales, "a@x.dk") == []
    edit = AuditEvent.select().where(AuditEvent.action == "contact.edit").order_by(AuditEvent.id.desc()).first()
    assert "emails" in edit.detail and "b@x.dk" not in edit.detail  # field names, never values


def test_setting_only_the_primary_keeps_the_others(store, users):
    """A caller that sets only `email` (the old single field) replaces the primary, keeping its label;
    a value that was among the others moves up instead of being there twice."""
    admin = Scope(users["admin"])
    saved = _save(admin, None, {"first_name": "Ida", "emails": [("ida@x.dk", "work", True), ("ida@y.dk", "private")]})
    version = contacts.update_contact(admin, saved.id, saved.version, email="ida@z.dk")
    now = contacts.get_contact(admin, saved.id, audit_view=False)
    assert now.emails == (ContactPoint("ida@z.dk", "work", True), ContactPoint("ida@y.dk", "private", False))
    contacts.update_contact(admin, saved.id, version, email="ida@y.dk")
    now = contacts.get_contact(admin, saved.id, audit_view=False)
    assert now.emails == (ContactPoint("ida@y.dk", "work", True),)


def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(store, users):
    sales = Scope(users["sales"])
    saved = _save(sales, None, {"first_name": "Bo", "emails": ["bo@x.dk"]})
    cases = [({"emails": ["bo@x.dk", "not an address"]}, "email_1"),
             ({"phones": ["20202020", "abc"]}, "phone_1"),
             ({"emails": [("bo@x.dk", "fax")]}, "email_label"),
             ({"emails": [("a@x.dk", "work", True), ("b@x.dk", "work", True)]}, "emails")]
    for fields, field in cases:
        with pytest.raises(Invalid) as refused:
            _save(sales, saved.id, fields, saved.version)
        assert refused.value.field == field
        assert "bo@x.dk" not in str(refused.value) and "abc" not in str(refused.value)
    with pytest.raises(CprInText):
        _save(sales, saved.id, {"phones": ["010190-1234"]}, saved.version)
    with pytest.raises(CprInText):
        _save(sales, saved.id, {"address": "Vej 1, cpr 010190-1234"}, saved.version)
    with pytest.raises(SpecialCategory):
        _save(sales, saved.id, {"address": "Psykiatrisk afdeling, diabetes klinik"}, saved.version)
    with pytest.raises(Invalid):
        _save(sales, saved.id, {"city": "Aarhus\x1b[31m"}, saved.version)
    after = contacts.get_contact(sales, saved.id, audit_view=False)
    assert (after.version, after.address) == (saved.version, "")
    assert after.emails == (ContactPoint("bo@x.dk", "other", True),)


def test_an_existing_contacts_email_and_phone_became_their_primary(store, users):
    """What m0014 does for rows from before it: the same as a contact made the old way."""
    admin = Scope(users["admin"])
    cid = contacts.create_contact(admin, first_name="Gammel", email="gammel@x.dk", phone="+4520202020")
    detail = contacts.get_contact(admin, cid, audit_view=False)
    assert detail.emails == (ContactPoint("gammel@x.dk", "other", True),)
    assert detail.phones == (ContactPoint("+4520202020", "other", True),)
    assert EmailAddress.select().count() == PhoneNumber.select().count() == 0  # one of each: no other row


def test_searchable_gives_the_index_every_email_phone_and_the_address(store, users):
    sales = Scope(users["sales"])
    a = _save(sales, None, {"first_name": "A", "emails": ["a@x.dk", ("a@gmail.com", "private", True)],
                            "phones": ["20202020", "31313131"], "postcode": "8000", "city": "Aarhus C"})
    b = _save(sales, None, {"first_name": "B"})
    got = contact_details.searchable(database, [a.id, b.id, 99999])
    assert got[a.id] == contact_details.Searchable(("a@gmail.com", "a@x.dk"), ("+4520202020", "+4531313131"),
                                                   "", "8000", "Aarhus C", "")
    assert got[b.id] == contact_details.Searchable()
    assert 99999 not in got


def test_a_company_has_an_address_with_a_country_cleaned_and_screened(store, users):
    from store import companies
    from store.models import AuditEvent

    manager = Scope(users["manager"])
    cid = companies.find_or_create(manager, "Ærø Byg ApS", "12345674")
    stored = companies.set_address(manager, cid, {"address": "  Havnen 1 ", "postcode": "5970",
                                                  "city": "Ærøskøbing", "country": "Danmark"})
    assert stored == {"address": "Havnen 1", "postcode": "5970", "city": "Ærøskøbing", "country": "Danmark"}
    with pytest.raises(Invalid):
        companies.set_address(manager, cid, {"city": "By\u202e"})  # a bidi override
    with pytest.raises(CprInText):
        companies.set_address(manager, cid, {"address": "010190-1234"})
    with pytest.raises(Invalid):
        companies.set_address(manager, cid, {"name": "x"})
    edit = AuditEvent.select().where(AuditEvent.action == "company.edit").get()
    assert "Havnen" not in edit.detail and "city" in edit.detail
    from store.scope import Forbidden

    with pytest.raises(Forbidden):
        companies.set_address(Scope(users["finance"]), cid, {"city": "Odense"})


def test_a_merge_keeps_every_email_and_phone_of_both(store, users):
    from store.merge import merge_contacts

    admin = Scope(users["admin"])
    a = _save(admin, None, {"first_name": "Mads", "emails": [("mads@firma.dk", "work", True)],
                            "phones": ["86 12 34 56"]})
    b = _save(admin, None, {"first_name": "Mads", "emails": [("mads@gmail.com", "private", True),
                                                             ("m@hotmail.com", "private", False)],
                            "phones": [("20 12 34 56", "mobile", True)], "city": "Aarhus C"})
    merge_contacts(admin, a.id, b.id, {"phone": "merged"})
    after = contacts.get_contact(admin, a.id, audit_view=False)
    assert after.emails == (ContactPoint("mads@firma.dk", "work", True),
                            ContactPoint("mads@gmail.com", "private", False),
                            ContactPoint("m@hotmail.com", "private", False))
    assert after.phones == (ContactPoint("+4520123456", "mobile", True), ContactPoint("+4586123456", "other", False))
    assert [r.id for r in contacts.search_contacts(admin, "hotmail")] == [a.id]
    assert EmailAddress.select().where(EmailAddress.contact == b.id).count() == 0


def test_the_validators_load_when_warmed_up_not_with_the_store_a_session_imports():
    """They stay off the start and the login (~35 ms to import), and the app loads them once the
    home screen is shown (contact_points.warm_up), not in the session's first save."""
    import subprocess
    import sys

    code = ("import sys; import store.contacts, store.auth, store.search; "
            "print(sorted(m for m in ('phonenumbers', 'email_validator') if m in sys.modules)); "
            "from store.contact_points import warm_up; warm_up(); "
            "print(sorted(m for m in ('phonenumbers', 'email_validator') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "['email_validator', 'phonenumbers']"]
