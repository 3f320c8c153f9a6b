"""A person's every e-mail, phone and address in their own copy, corrected by rectification,
and hashed into the erasure ledger so none of them brings them back (issue 12)."""
from __future__ import annotations

import io
import json
import zipfile

from store.views import ContactPoint


def _with_points(scopes, p):
    from store import contacts

    detail = contacts.get_contact(scopes["manager"], p.id, audit_view=False)
    return contacts.save_contact(scopes["manager"], p.id, detail.version, {
        "emails": [(p.email, "work", True), ("privat.person@gmail.com", "private", False)],
        "phones": [(p.phone, "mobile", True), ("+4586123456", "private", False)],
        "address": "Vestergade 12", "postcode": "8000", "city": "Aarhus C", "country": "Danmark"})


def test_the_export_holds_every_email_phone_and_the_address(store, scopes, make_person, handled_by):
    from store.rights import export_person

    p = make_person()
    _with_points(scopes, p)
    handled_by("privacy", p.id, "access")
    path = export_person(scopes["privacy"], p.id, language="da")
    with zipfile.ZipFile(path) as bundle:
        files = {name.split("/", 1)[1]: bundle.read(name) for name in bundle.namelist()}  # under one folder
    data = json.loads(files["data.json"])
    c = data["contact"]
    assert (c["email"], c["email_label"], c["phone"], c["phone_label"]) == (p.email, "work", p.phone, "mobile")
    assert [(e["email"], e["label"]) for e in data["emails"]] == [("privat.person@gmail.com", "private")]
    assert [(t["phone"], t["label"]) for t in data["phones"]] == [("+4586123456", "private")]
    assert (c["address"], c["postcode"], c["city"], c["country"]) == ("Vestergade 12", "8000", "Aarhus C",
                                                                      "Danmark")
    assert data["field_metadata"]["emails.email"]["category"] == "contact_details"
    assert "privat.person@gmail.com" in files["emails.csv"].decode()
    report = files["report.txt"].decode()
    for needle in ("Dine e-mailadresser", "privat.person@gmail.com", "Dine telefonnumre", "privat", "Aarhus C",
                   "Land", "Danmark"):
        assert needle in report, needle
    rows = list(io.StringIO(files["phones.csv"].decode()))
    assert len(rows) == 2  # header and the other number


def test_rectification_corrects_the_emails_phones_and_address(store, scopes, make_person, handled_by):
    from store import contacts
    from store.models import AuditEvent

    p = make_person()
    _with_points(scopes, p)
    handled_by("privacy", p.id, "rectification")
    privacy = scopes["privacy"]
    shown = contacts.get_contact(privacy, p.id, audit_view=False)
    saved = contacts.save_contact(privacy, p.id, shown.version, {
        "emails": [("ret@firma.dk", "work", True)], "phones": [(p.phone, "mobile", True)], "city": "Aarhus N"})
    assert saved.emails == (ContactPoint("ret@firma.dk", "work", True),)
    assert (saved.email, saved.city) == ("ret@firma.dk", "Aarhus N")
    assert saved.phones == (ContactPoint(p.phone, "mobile", True),)
    event = AuditEvent.select().where(AuditEvent.action == "contact.edit").order_by(AuditEvent.id.desc()).get()
    assert json.loads(event.detail) == {"fields": ["city", "email", "emails", "phones"]}


def test_erased_then_a_file_with_only_the_second_email_or_phone_is_suppressed(store, scopes, make_person,
                                                                                handled_by, tmp_path):
    from store.importing.batch import import_file
    from store.models import EmailAddress, ErasureLedgerHash, PhoneNumber
    from store.rights import erase_person, is_erased

    p = make_person()
    _with_points(scopes, p)
    handled_by("privacy", p.id, "erasure")
    result = erase_person(scopes["privacy"], p.id, legal_basis="art17_1a")
    assert not EmailAddress.select().where(EmailAddress.contact == p.id).exists()
    assert not PhoneNumber.select().where(PhoneNumber.contact == p.id).exists()
    hashes = [h.hmac for h in ErasureLedgerHash.select().where(ErasureLedgerHash.ledger_entry == result.ledger_entry)]
    assert len(hashes) == 4 and all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)  # keyed hashes only
    assert is_erased(email="PRIVAT.PERSON@gmail.com") and is_erased(phone="86 12 34 56")

    path = tmp_path / "igen.csv"
    path.write_text("Navn,E-mail,Telefon\n"
                    "Igen Person,privat.person@gmail.com,\n"   # the second e-mail only
                    "Igen Person,,0045 86 12 34 56\n"          # the second phone only
                    "Anden Person,anden@x.dk,\n", encoding="utf-8")
    report = import_file(scopes["manager"], path)
    assert (report.suppressed, report.new) == (2, 1), report.summary()
    assert [n.line for n in report.reasons("suppressed")] == [2, 3]


def test_a_web_sign_up_with_the_second_address_clears_the_entry(store, scopes, make_person, handled_by):
    """The person asked to come back under any of their addresses: the entry no longer keeps them out."""
    from store.models import ErasureLedger, ErasureLedgerHash
    from store.optin import _clear_ledger
    from store.rights import erase_person, is_erased

    p = make_person()
    _with_points(scopes, p)
    handled_by("privacy", p.id, "erasure")
    erase_person(scopes["privacy"], p.id, legal_basis="art17_1a")
    from store.db import database

    with database.atomic():
        _clear_ledger("privat.person@gmail.com", 0)
    assert ErasureLedger.select().count() == 0 and ErasureLedgerHash.select().count() == 0
    assert not is_erased(phone=p.phone)


def test_a_restricted_persons_second_email_can_still_be_corrected(store, scopes, make_person, handled_by):
    """Art. 18 keeps the data unused, but Art. 16 still corrects it."""
    from store import contacts
    from store.rights import restrict_person

    p = make_person()
    _with_points(scopes, p)
    handled_by("privacy", p.id, "restriction")
    restrict_person(scopes["privacy"], p.id)
    handled_by("privacy", p.id, "rectification")
    shown = contacts.get_contact(scopes["privacy"], p.id, audit_view=False)
    saved = contacts.save_contact(scopes["privacy"], p.id, shown.version,
                                  {"emails": [(p.email, "work", True), ("rettet@gmail.com", "private", False)]})
    assert [e.value for e in saved.emails] == [p.email, "rettet@gmail.com"]
