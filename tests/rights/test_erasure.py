"""Erasure: the person goes (down to the bytes), invoices stay by law, the ledger remembers."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest


def _scan(blob: bytes, *values: str) -> dict[str, int]:
    return {v: blob.count(v.encode()) for v in values}


def _gone_everywhere(p) -> list[str]:
    """Values that must leave no byte behind (the kept invoice holds the name and a company address)."""
    return [p.email, p.email.split("@")[0], p.first_name.lower(), p.last_name.lower(), p.phone,
            p.phone[3:], p.phone[1:], p.note_token, p.private_token, p.evidence_token, p.old_email,
            p.tokens["other_email"], p.tokens["other_phone"], p.tokens["other_phone"][3:], p.tokens["street"]]


def test_plan_shows_what_goes_and_what_stays(store, scopes, make_person, handled_by):
    from store.rights import erasure_plan

    p = make_person()
    rid = handled_by("privacy", p.id, "erasure")
    plan = erasure_plan(scopes["privacy"], p.id)
    assert plan.goes == {"contact": 1, "notes": 2, "consents": 1, "consent_events": 1, "tags": 2, "follow_ups": 1,
                         "deals": 0, "deal_links": 1, "import_link": 1, "import_changes": 1,
                         "search_index_entry": 1, "expired_invoices": 1}
    assert plan.stays["invoices"] == 1 and plan.stays["deals"] == 1 and plan.stays["requests"] == 1
    assert plan.stays["company"] == 1
    assert plan.invoices_kept_until == dt.date(dt.date.today().year + 6, 1, 1)
    assert plan.open_requests == (rid,)
    assert "bogføringsloven" in plan.reasons["invoices"]


def test_erase_removes_the_person_keeps_invoices_and_writes_the_ledger(store, users, scopes, make_person,
                                                                      handled_by):
    from store import audit
    from store.db import database
    from store.models import (
        AuditEvent,
        Change,
        Consent,
        ConsentEvent,
        Contact,
        ContactTag,
        DataSubjectRequest,
        Deal,
        ErasureLedger,
        ImportChange,
        Invoice,
        Note,
    )
    from store.rights import erase_person, erased_checker, is_erased
    from store.rights.ledger import normalise_email
    from store.runtime import derived_key
    from store.secretbox import keyed_hash

    p = make_person()
    keep = make_person(phone="+4571234567")
    rid = handled_by("privacy", p.id, "erasure")
    result = erase_person(scopes["privacy"], p.id, legal_basis="art17_1b")
    assert result.wal_cleared

    assert not Contact.select().where(Contact.id == p.id).exists()
    for model in (Note, Consent, ContactTag, ImportChange):
        assert not model.select().where(model.contact == p.id).exists(), model.__name__
    assert ConsentEvent.select().count() == 1  # the other person's
    assert database.execute_sql("SELECT count(*) FROM contact_search WHERE contact_search MATCH ?",
                                (f'"{p.first_name.lower()}"',)).fetchone()[0] == 0
    # deals stay for the company, unlinked
    deal = Deal.get_by_id(p.deal_id)
    assert deal.contact_id is None and deal.company_id == p.company_id
    # the invoice under the Bookkeeping Act stays with what § 58 asks of a business invoice (the
    # company, not its contact person; no e-mail); the expired one goes
    kept = Invoice.get_by_id(p.invoice_kept)
    assert kept.contact_id is None and kept.retained_after_erasure
    assert kept.billing_name == f"{p.tokens['company'].capitalize()} ApS"
    assert kept.billing_address.startswith("Østergade") and kept.billing_email is None
    assert kept.retain_until == dt.date(dt.date.today().year + 6, 1, 1)
    assert not Invoice.select().where(Invoice.id == p.invoice_expired).exists()
    # the request register keeps the request, without the link
    assert DataSubjectRequest.get_by_id(rid).contact_id is None
    # the ledger: keyed hashes only, never a plain hash or the value
    [entry] = list(ErasureLedger.select())
    assert entry.legal_basis == "art17_1b" and entry.erased_at is not None
    assert entry.email_hmac == keyed_hash(derived_key("ledger"), "email:" + normalise_email(p.email))
    assert entry.email_hmac != hashlib.sha256(p.email.encode()).hexdigest()
    assert entry.phone_hmac and p.phone not in entry.phone_hmac
    # re-import and re-subscription are blocked, however the address is written
    assert is_erased(email=f"  {p.email.upper()} ")
    assert is_erased(phone=f"{p.phone[3:5]} {p.phone[5:7]} {p.phone[7:9]} {p.phone[9:]}")  # 29 87 65 43
    assert is_erased(phone="0045" + p.phone[3:])
    assert not is_erased(email=keep.email) and not is_erased(phone=keep.phone) and not is_erased()
    check = erased_checker()  # the importer's bulk form
    assert check(email=p.email.upper()) and check(phone=p.phone) and not check(email=keep.email)
    # audit trail and change feed: ids and counts only
    event = AuditEvent.select().where(AuditEvent.action == "person.erase").get()
    assert event.entity_id == p.id and event.actor_id == users["privacy"].id
    assert json.loads(event.detail)["legal_basis"] == "art17_1b"
    for row in AuditEvent.select():
        for value in [*_gone_everywhere(p), p.name, p.first_name]:
            assert value not in row.detail
    assert Change.select().where((Change.entity == "contact") & (Change.entity_id == p.id)
                                 & (Change.op == "delete")).exists()
    assert audit.verify().ok
    # the other person is untouched
    assert Contact.get_by_id(keep.id).email == keep.email
    assert Note.select().where(Note.contact == keep.id).count() == 2


def test_no_trace_in_any_page_the_wal_or_a_decrypted_copy(store, make_person, console, raw_bytes):
    from store import demo
    from store.contacts import get_contact, update_contact
    from store.rights import erase_person, purge_expired_invoices
    from store.rights.erasure import checkpoint

    demo.generate(300)  # neighbours on every page, so the person shares pages with others
    p = make_person()
    # An earlier correction leaves the old address in freed space and in FTS segments: it must go too.
    corrected = f"rettet{p.note_token}@example.dk"
    update_contact(console, p.id, get_contact(console, p.id, audit_view=False).version, email=corrected)
    update_contact(console, p.id, get_contact(console, p.id, audit_view=False).version, email=p.email)
    checkpoint()
    pages, wal, copy = raw_bytes()
    # The scanner sees the person before (proof that absence afterwards means something).
    assert all(_scan(pages, v)[v] for v in _gone_everywhere(p)), _scan(pages, *_gone_everywhere(p))
    # (the corrected address usually lingers in FTS segments here, unless an automerge took it)
    assert _scan(copy, p.email)[p.email] >= 1 and wal == b""

    erase_person(console, p.id, legal_basis="art17_1a")
    pages, wal, copy = raw_bytes()
    for blob, what in ((pages, "pages"), (wal, "wal"), (copy, "decrypted copy")):
        found = {v: n for v, n in _scan(blob, *_gone_everywhere(p), "rettet" + p.note_token).items() if n}
        assert found == {}, f"{what}: {found}"
    assert wal == b""
    # The kept invoice is a business invoice: it names the company, so the person's name is gone too.
    assert _scan(pages, p.first_name, p.last_name, p.billing_email) == {
        p.first_name: 0, p.last_name: 0, p.billing_email: 0}

    # On its retention date the hygiene job deletes it, and then nothing is left at all.
    assert purge_expired_invoices(dt.date(dt.date.today().year + 5, 12, 31)) == 0
    assert purge_expired_invoices(dt.date(dt.date.today().year + 6, 1, 1)) == 1
    pages, wal, copy = raw_bytes()
    for blob in (pages, wal, copy):
        assert _scan(blob, p.first_name, p.last_name, p.billing_email) == {
            p.first_name: 0, p.last_name: 0, p.billing_email: 0}


def test_the_wal_scanner_reads_wal_frames(store, make_person, raw_bytes):
    """The WAL check above is only worth something if it can see data in the WAL."""
    from store.rights.erasure import checkpoint

    checkpoint()
    p = make_person()
    _, wal, _ = raw_bytes()
    assert _scan(wal, p.email)[p.email] >= 1


def test_purge_keeps_invoices_of_people_not_erased(store, make_person):
    from store.models import Invoice
    from store.rights import purge_expired_invoices

    p = make_person()
    assert purge_expired_invoices(dt.date(2100, 1, 1)) == 0
    assert Invoice.select().where(Invoice.contact == p.id).count() == 2


def test_bookkeeping_retention_date():
    from store.rights import bookkeeping_retain_until

    assert bookkeeping_retain_until(dt.date(2025, 3, 10)) == dt.date(2031, 1, 1)
    assert bookkeeping_retain_until(dt.date(2025, 12, 31)) == dt.date(2031, 1, 1)
    assert bookkeeping_retain_until(dt.date(2025, 7, 1), (6, 30)) == dt.date(2031, 7, 1)
    assert bookkeeping_retain_until(dt.date(2025, 6, 30), (6, 30)) == dt.date(2030, 7, 1)


def test_reapplied_after_a_backup_restore(store, make_person, console):
    from store import search
    from store.db import database
    from store.models import Contact
    from store.rights import erase_person, is_erased, reapply_ledger
    from store.scope import Scope

    p = make_person()
    other = make_person(phone="+4571234567")
    erase_person(console, p.id, legal_basis="art17_1a")
    assert is_erased(email=p.email)
    # A restored backup brings the person back, as raw rows (no store code runs on a restore).
    with database.atomic():
        database.execute_sql(
            "INSERT INTO contact (id, first_name, last_name, title, email, phone, lifecycle, source, "
            "lawful_basis, created_at, updated_at, last_activity_at, version) "
            "VALUES (?, ?, ?, '', ?, ?, 'customer', 'manual', 'contract', '2025-01-01', '2025-01-01', "
            "'2025-01-01', 1)", (p.id, p.first_name, p.last_name, p.email.upper(), None))
        database.execute_sql(
            "INSERT INTO contact (first_name, last_name, title, email, phone, lifecycle, source, "
            "lawful_basis, created_at, updated_at, last_activity_at, version) "
            "VALUES ('Kopi', 'Person', '', NULL, ?, 'lead', 'manual', 'contract', '2025-01-01', "
            "'2025-01-01', '2025-01-01', 1)", ("+45 29 87 65 43",))
        twin = database.execute_sql("SELECT last_insert_rowid()").fetchone()[0]
        search.index_contacts(database, [p.id, twin])
    assert sorted(reapply_ledger(Scope.console())) == sorted([p.id, twin])
    assert not Contact.select().where(Contact.id.in_([p.id, twin])).exists()
    assert Contact.select().where(Contact.id == other.id).exists()
    assert reapply_ledger(console) == []  # idempotent


def test_sales_manager_finance_cannot_erase(store, scopes, make_person):
    from store.rights import erase_person, erasure_plan
    from store.scope import Forbidden

    p = make_person()
    for role in ("sales", "manager", "finance"):
        with pytest.raises(Forbidden):
            erasure_plan(scopes[role], p.id)
        with pytest.raises(Forbidden):
            erase_person(scopes[role], p.id, legal_basis="art17_1a")
    with pytest.raises(Forbidden):
        from store.rights import reapply_ledger

        reapply_ledger(scopes["sales"])


def test_erasure_refuses_unknown_ids_free_text_bases_and_privacy_without_a_request(
        store, scopes, make_person):
    from store.errors import Invalid
    from store.models import Contact
    from store.rights import NoOpenRequest, erase_person
    from store.scope import NotFound

    p = make_person()
    with pytest.raises(NotFound, match="contact 31337 not found"):
        erase_person(scopes["admin"], 31337, legal_basis="art17_1a")
    with pytest.raises(Invalid):
        erase_person(scopes["admin"], p.id, legal_basis="because Søren asked")
    with pytest.raises(Invalid):  # not a way around the privacy role's request check
        erase_person(scopes["privacy"], p.id, legal_basis="ledger_reapplied")
    with pytest.raises(NoOpenRequest):
        erase_person(scopes["privacy"], p.id, legal_basis="art17_1a")
    assert Contact.select().where(Contact.id == p.id).exists()


def test_erasure_is_one_transaction(store, scopes, make_person):
    """A failure half-way (here: the ledger insert, after notes, consents and links went) leaves
    the person whole.  The failure is a real one, raised by SQLite from a temporary trigger."""
    from store.db import database
    from store.models import Contact, ContactTag, Invoice, Note
    from store.rights import erase_person

    p = make_person()
    database.execute_sql("CREATE TEMP TRIGGER ledger_full BEFORE INSERT ON main.erasure_ledger "
                         "BEGIN SELECT RAISE(ABORT, 'ledger unavailable'); END")
    try:
        with pytest.raises(Exception, match="ledger unavailable"):
            erase_person(scopes["admin"], p.id, legal_basis="art17_1a")
    finally:
        database.execute_sql("DROP TRIGGER temp.ledger_full")
    assert Contact.select().where(Contact.id == p.id).exists()
    assert Note.select().where(Note.contact == p.id).count() == 2
    assert ContactTag.select().where(ContactTag.contact == p.id).count() == 2
    assert Invoice.select().where(Invoice.contact == p.id).count() == 2


def test_erasure_covers_every_table_that_points_at_a_contact():
    """Fails when a new table links to contacts and erase_person does not say what happens to it."""
    from peewee import ForeignKeyField

    from store.models import MODELS, Contact
    from store.rights.erasure import COVERS

    pointing = {m for m in MODELS for f in m._meta.fields.values()
                if isinstance(f, ForeignKeyField) and f.rel_model is Contact}
    assert pointing - set(COVERS) == set()


def test_a_deal_of_the_person_alone_goes_and_other_records_naming_them_are_listed(store, scopes, handled_by):
    """Issue 11: deals linked only to this person go with them; a note or deal elsewhere whose text
    names the person is listed in the plan for the handler to edit (erasure does not rewrite it)."""
    from store import contacts, deals, notes
    from store.models import Deal, Note
    from store.rights import erase_person, erasure_plan

    manager = scopes["manager"]
    rita = contacts.create_contact(manager, first_name="Rita", last_name="Holm", email="rita@holm.dk")  # no company
    own = deals.create_deal(manager, rita, title="Privat havearbejde", amount_minor=5000)
    other = contacts.create_contact(manager, first_name="Jonas", last_name="Berg", email="jonas@berg.dk")
    note = notes.add_note(manager, other, body="Anbefalet af Rita Holm, ring til hende.")
    mention = deals.create_deal(manager, other, title="Samme tilbud som RITA HOLM fik", amount_minor=100)
    handled_by("privacy", rita, "erasure")

    plan = erasure_plan(scopes["privacy"], rita)
    assert plan.goes["deals"] == 1 and plan.stays["deals"] == 0  # hers alone: it goes with her
    assert ("note", note, other) in plan.mentions and ("deal", mention, other) in plan.mentions

    erase_person(scopes["privacy"], rita, legal_basis="art17_1a")
    assert Deal.get_or_none(Deal.id == own) is None
    assert Note.get_by_id(note).body.startswith("Anbefalet af")  # listed, left for the handler
    assert Deal.get_by_id(mention).contact_id == other
