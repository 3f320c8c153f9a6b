"""Erasure (GDPR Art. 17): the person goes, the books stay.

`erasure_plan` says what will go and what stays, for the confirmation.
`erase_person` then removes, in one BEGIN IMMEDIATE transaction, the contact
and everything personal about them: notes (private ones too), consents and
their events, tags, follow-ups, deal links, the import link, the full-text index entry.
Invoices stay, because the Bookkeeping Act (bogføringsloven § 10) requires
them for 5 years from the end of the financial year (`retention.financial_year_end`
says when it ends), and keep only what an invoice must show
(momsbekendtgørelsen § 58): number, dates, amounts, currency, paid, and the
buyer's name and address; for a business the company's name (and its CVR,
kept where the invoice had it) in place of the contact person's name.  The
billing e-mail goes.  A kept invoice is marked `retained_after_erasure`, and
`purge_expired_invoices` deletes it from its retention date on (Art. 17(3)(b)).
An invoice whose retention has already run out goes with the person.

What stays as proof (listed in the plan, stated in the Art. 15 report): the
ledger entry's keyed hashes of every e-mail and phone, so the person is not added
again, and per consent event its purpose, channel, date, method and text
version (`ErasureProof`: no name, address or evidence text), so an earlier
consent or withdrawal can still be shown.  Both are kept for
`retention.erasure_proof_years` and then deleted by `purge_expired_proof`.

No other trace stays behind: the ledger keeps keyed hashes only, the audit trail and
the change feed ids and counts only; secure_delete zeroes freed space, the
FTS5 index is optimised (a contentless index keeps deleted tokens in its
segments until they are merged) and the WAL is checkpointed and truncated.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from .. import audit, changes, contact_details, retention, search, validate
from ..db import database, tuples
from ..errors import Invalid
from ..models import (
    AuditEvent,
    CampaignRecipient,
    Company,
    Consent,
    ConsentEvent,
    Contact,
    ContactTag,
    DataSubjectRequest,
    Deal,
    EmailAddress,
    ErasureLedger,
    ErasureProof,
    FollowUp,
    ImportChange,
    Invoice,
    Note,
    OptIn,
    PhoneNumber,
    PossibleDuplicate,
    utcnow,
)
from ..scope import Scope
from . import ledger
from .requests import _as_date, require_person
from .vocab import LEGAL_BASES

# Every table that points at a contact, and what erasure does with its rows (a test checks
# that a new table pointing at contacts is added here).
COVERS = {
    Note: "delete", Consent: "delete", ContactTag: "delete", ImportChange: "delete",
    CampaignRecipient: "delete",  # which campaigns reached the person: goes with them
    EmailAddress: "delete", PhoneNumber: "delete",  # every one hashed into the ledger first
    PossibleDuplicate: "delete",  # either side erased: nothing left to review
    FollowUp: "delete",  # the next actions planned with the person go with them
    Deal: "unlink", DataSubjectRequest: "unlink",
    Invoice: "keep until retention ends, unlinked (bogføringsloven § 10)",
}
BOOKKEEPING_YEARS = retention.BOOKKEEPING_YEARS


def bookkeeping_retain_until(issued_on: dt.date, year_end: tuple[int, int] | None = None) -> dt.date:
    """The first day an invoice may be deleted: the day after its financial year's end + 5 years.

    The year ends as `retention.financial_year_end` says, unless `year_end` (month, day) is given.
    2025-03-10, calendar year -> 2031-01-01.
    """
    rules = retention.Rules(financial_year_end=year_end) if year_end else None
    return retention.bookkeeping_retain_until(issued_on, rules)


def _minimal_invoice_fields(until: dt.date) -> dict:
    """What a kept invoice is cut down to (momsbekendtgørelsen § 58): the e-mail goes, and a
    business invoice names the company, not its contact person; name and address stay."""
    company_name = Company.select(Company.name).where(Company.id == Invoice.company)
    return {Invoice.contact: None, Invoice.retained_after_erasure: True, Invoice.retain_until: until,
            Invoice.billing_email: None, Invoice.version: Invoice.version + 1,  # an open edit must re-read
            Invoice.billing_name: fn.COALESCE(company_name, Invoice.billing_name)}


@dataclass(frozen=True)
class ErasurePlan:
    contact_id: int
    goes: dict[str, int]    # what is deleted, by kind of record
    stays: dict[str, int]   # what is kept, and why (see `reasons`)
    invoices_kept_until: dt.date | None  # the last retention date among kept invoices
    restricted: bool
    open_requests: tuple[int, ...]
    reasons: dict[str, str] = field(default_factory=dict)  # kind kept -> why (English)
    proof_kept_until: dt.date | None = None  # when the ledger entry and the consent proof go
    # other records whose text names the person: ("note" | "deal", id, contact id) for the handler to edit
    mentions: tuple[tuple[str, int, int | None], ...] = ()


@dataclass(frozen=True)
class ErasureResult:
    contact_id: int
    legal_basis: str
    removed: dict[str, int]
    kept: dict[str, int]
    ledger_entry: int
    wal_cleared: bool  # False if a long reader kept the WAL from being truncated: run scrub() again


STAY_REASONS = {
    "invoices": ("kept by law (bogføringsloven § 10) with only what an invoice must show (momsbekendtgørelsen "
                 "§ 58): number, dates, amounts, currency, paid, the buyer's name and address (a company's "
                 "name, address and CVR instead of its contact person); the e-mail is dropped; deleted on "
                 "their retention date"),
    "deals": "a deal with a company is kept for the company, no longer linked to the person",
    "requests": "the register of requests keeps the request, no longer linked to the person",
    "audit_rows": "the audit trail names people by id only",
    "ledger_entry": "keyed hashes of email and phone, so the person is not imported again; kept {years} years",
    "consent_proof": ("per consent event: purpose, channel, date, method and text version, with the keyed "
                      "hashes (no name, address or evidence text), to prove an earlier consent; kept {years} "
                      "years"),
    "company": "the company record is not the person's; a sole trader named after them is edited separately",
}


def _counts(scope: Scope, contact: Contact, today: dt.date) -> tuple[dict, dict, dt.date | None]:
    cid = contact.id
    invoices = list(scope.invoices().where(Invoice.contact == cid)
                    .select(Invoice.id, Invoice.issued_on, Invoice.retain_until))
    expired = [i for i in invoices if _retain_until(i) <= today]
    kept = [i for i in invoices if _retain_until(i) > today]
    consents = scope.consents().where(Consent.contact == cid)
    goes = {
        "contact": 1,
        "notes": scope.subject_notes().where(Note.contact == cid).count(),
        "consents": consents.count(),
        "consent_events": scope.consent_events().where(
            ConsentEvent.consent.in_(consents.select(Consent.id))).count(),
        "tags": ContactTag.select().where(ContactTag.contact == cid).count(),
        "follow_ups": FollowUp.select().where(FollowUp.contact == cid).count(),
        "deals": scope.deals().where((Deal.contact == cid) & Deal.company.is_null()).count(),
        "deal_links": scope.deals().where((Deal.contact == cid) & Deal.company.is_null(False)).count(),
        "import_link": 1 if contact.import_batch_id else 0,
        "import_changes": ImportChange.select().where(ImportChange.contact == cid).count(),
        "search_index_entry": 1,
        "expired_invoices": len(expired),
    }
    stays = {
        "invoices": len(kept),
        "deals": goes["deal_links"],
        "requests": scope.requests().where(DataSubjectRequest.contact == cid).count(),
        "audit_rows": AuditEvent.select().where((AuditEvent.entity == "contact")
                                                & (AuditEvent.entity_id == cid)).count(),
        "ledger_entry": 1,
        "consent_proof": goes["consent_events"],
        "company": 1 if contact.company_id else 0,
    }
    until = max((_retain_until(i) for i in kept), default=None)
    return goes, stays, until


def _retain_until(invoice) -> dt.date:
    """The stored retention date, never earlier than the law's minimum."""
    return max(_as_date(invoice.retain_until), bookkeeping_retain_until(_as_date(invoice.issued_on)))


def erasure_plan(scope: Scope, contact_id: int, *, today: dt.date | None = None) -> ErasurePlan:
    """What erasing this person removes and keeps: show it before asking to confirm."""
    contact = require_person(scope, contact_id, "person.erase")
    day = today or dt.date.today()
    goes, stays, until = _counts(scope, contact, day)
    open_ids = tuple(r.id for r in scope.requests().where(
        (DataSubjectRequest.contact == contact_id) & (DataSubjectRequest.status == "open")))
    years = retention.rules().erasure_proof_years
    return ErasurePlan(contact_id, goes, stays, until, contact.restricted_at is not None, open_ids,
                       {k: STAY_REASONS[k].format(years=years) for k, v in stays.items() if v},
                       proof_kept_until=_proof_until(day), mentions=_mentions(scope, contact))


MENTIONS_SHOWN = 50  # enough to act on; the handler searches for the rest


def _mentions(scope: Scope, contact: Contact) -> tuple[tuple[str, int, int | None], ...]:
    """Notes and deals of other records whose text names the person (the full name), which
    erasure does not touch: listed by id so the handler can edit them.  Private notes are not
    searched (not the handler's to see)."""
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part).strip()
    if len(name) < 3 or " " not in name:  # a lone first name would list half the register
        return ()
    lowered = name.lower()

    def like(column):  # as written, or in lower case (SQLite's lower() folds ASCII only: both ways)
        return (fn.instr(column, name) > 0) | (fn.instr(fn.lower(column), lowered) > 0)

    found: list[tuple[str, int, int | None]] = []
    for (nid, cid) in tuples(scope.mentioning(Note).where(like(Note.body) & (Note.contact != contact.id))
                             .select(Note.id, Note.contact).order_by(Note.id).limit(MENTIONS_SHOWN)):
        found.append(("note", nid, cid))
    deals = scope.mentioning(Deal).where(like(Deal.title) & ((Deal.contact != contact.id) | Deal.contact.is_null()))
    for (did, cid) in tuples(deals.select(Deal.id, Deal.contact).order_by(Deal.id).limit(MENTIONS_SHOWN)):
        found.append(("deal", did, cid))
    return tuple(found[:MENTIONS_SHOWN])


def _proof_until(day: dt.date) -> dt.date:
    return retention.add_years(day, retention.rules().erasure_proof_years)


def _consent_proof(contact_id: int) -> list[tuple]:
    """(purpose, channel, event, at, method, text_version) of each consent event: the proof kept."""
    return list(tuples(ConsentEvent.select(Consent.purpose, Consent.channel, ConsentEvent.event, ConsentEvent.at,
                                           ConsentEvent.method, ConsentEvent.text_version)
                       .join(Consent).where(Consent.contact == contact_id).order_by(ConsentEvent.id)))


def erase_person(scope: Scope, contact_id: int, *, legal_basis: str,
                 today: dt.date | None = None, _scrub: bool = True,
                 _reapplying: bool = False) -> ErasureResult:
    """Erase the person in one transaction; keep invoices under the Bookkeeping Act.

    `legal_basis` is one of LEGAL_BASES (a code, never free text).  Raises
    NotFound for an unknown id, Forbidden for roles without person.erase.
    """
    validate.choice("legal_basis", legal_basis, tuple(LEGAL_BASES))
    if (legal_basis == "ledger_reapplied") != _reapplying:
        raise Invalid("legal_basis", "ledger_reapplied is for reapply_ledger only")
    day = today or dt.date.today()
    with database.atomic():
        if _reapplying:  # the erasure was decided before the restore
            scope.require("person.erase")
            contact = scope.contact(contact_id)
        else:
            contact = require_person(scope, contact_id, "person.erase")
        goes, stays, _ = _counts(scope, contact, day)
        request_ids = [r for (r,) in tuples(DataSubjectRequest.select(DataSubjectRequest.id)
                       .where(DataSubjectRequest.contact == contact_id))]
        follow_up_ids = [f for (f,) in tuples(FollowUp.select(FollowUp.id).where(FollowUp.contact == contact_id))]
        # a deal of the person alone goes with them; a deal with a company stays for it, unlinked
        own_deals = [d for (d,) in tuples(Deal.select(Deal.id).where((Deal.contact == contact_id)
                                                                     & Deal.company.is_null()))]
        deal_ids = [d for (d,) in tuples(Deal.select(Deal.id).where((Deal.contact == contact_id)
                                                                    & Deal.company.is_null(False)))]
        invoices = list(Invoice.select(Invoice.id, Invoice.issued_on, Invoice.retain_until)
                        .where(Invoice.contact == contact_id))
        expired = [i.id for i in invoices if _retain_until(i) <= day]
        kept_until: dict[dt.date, list[int]] = {}
        for inv in invoices:
            if _retain_until(inv) > day:
                kept_until.setdefault(_retain_until(inv), []).append(inv.id)
        for until, ids in kept_until.items():
            for chunk in _chunks(ids):
                Invoice.update(_minimal_invoice_fields(until)).where(Invoice.id.in_(chunk)).execute()
        for chunk in _chunks(expired):
            Invoice.delete().where(Invoice.id.in_(chunk)).execute()
        for chunk in _chunks(own_deals):
            Deal.delete().where(Deal.id.in_(chunk)).execute()
        Deal.update(contact=None).where(Deal.contact == contact_id).execute()
        proof = _consent_proof(contact_id)
        consent_ids = Consent.select(Consent.id).where(Consent.contact == contact_id)
        ConsentEvent.delete().where(ConsentEvent.consent.in_(consent_ids)).execute()
        Consent.delete().where(Consent.contact == contact_id).execute()
        Note.delete().where(Note.contact == contact_id).execute()
        FollowUp.delete().where(FollowUp.contact == contact_id).execute()
        ContactTag.delete().where(ContactTag.contact == contact_id).execute()
        ImportChange.delete().where(ImportChange.contact == contact_id).execute()
        CampaignRecipient.delete().where(CampaignRecipient.contact == contact_id).execute()
        points = contact_details.points_of(database, [contact_id])[contact_id]
        emails = sorted({p.value for p in points["emails"]} | ({contact.email} if contact.email else set()))
        phones = sorted({p.value for p in points["phones"]} | ({contact.phone} if contact.phone else set()))
        if emails:  # a sign-up still waiting under an address goes too (a new one is their way back)
            OptIn.delete().where(OptIn.email.in_(emails)).execute()
        for model in (EmailAddress, PhoneNumber):
            model.delete().where(model.contact == contact_id).execute()
        PossibleDuplicate.delete().where((PossibleDuplicate.contact == contact_id)
                                         | (PossibleDuplicate.other == contact_id)).execute()
        DataSubjectRequest.update(contact=None).where(DataSubjectRequest.contact == contact_id).execute()
        search.forget(database, [contact_id])
        proof_until = _proof_until(day)
        entry = ledger.add_entry(contact.email, contact.phone, legal_basis, keep_until=proof_until,
                                 emails=emails, phones=phones)
        if proof:
            database.connection().executemany(
                "INSERT INTO erasure_proof (ledger_entry_id, purpose, channel, event, at, method, text_version, "
                "keep_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(entry, *(_plain_value(v) for v in row), proof_until.isoformat()) for row in proof])
        Contact.delete().where(Contact.id == contact_id).execute()
        changes.record("contact", contact_id, "delete")
        _record_changes("deal", deal_ids, "update")
        _record_changes("deal", own_deals, "delete")
        _record_changes("invoice", [i for ids in kept_until.values() for i in ids], "update")
        _record_changes("invoice", expired, "delete")
        _record_changes("follow_up", follow_up_ids, "delete")
        _record_changes("request", request_ids, "update")
        audit.record(scope.user_id, "person.erase", "contact", contact_id, legal_basis=legal_basis,
                     ledger_entry=entry, request_ids=request_ids, removed=goes, kept=stays)
    wal_cleared = scrub() if _scrub else False
    return ErasureResult(contact_id, legal_basis, goes, stays, entry, wal_cleared)


def _plain_value(value):
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _record_changes(entity: str, ids: list[int], op: str) -> None:
    """changes.record_many, without building SQL per row in Python (a person may have 10,000 rows)."""
    if ids:
        at = utcnow().isoformat(sep=" ")
        database.connection().executemany(
            "INSERT INTO change (at, entity, entity_id, op) VALUES (?, ?, ?, ?)",
            [(at, entity, i, op) for i in ids])


MERGE_PAGES = 500  # FTS5 leaf pages merged per transaction: tens of milliseconds of write lock


def merge_index(pages: int = MERGE_PAGES) -> int:
    """Merge the whole search index, a slice per short transaction; returns the number of slices.

    A contentless FTS5 table keeps a deleted row's tokens in its segments until
    a merge rewrites them.  'optimize' would do it in one transaction, holding
    the write lock for seconds on a large index; 'merge' with a negative page
    count first puts every segment on one level, so repeating it until it does
    no work is the same full merge in small steps that let other writers in.
    """
    conn = database.connection()
    steps = 0
    while True:
        with database.atomic():
            before = conn.total_changes
            search.merge_step(database, -pages)
            worked = conn.total_changes - before >= 2  # the command itself counts as one change
        steps += 1
        if not worked:
            return steps


def checkpoint() -> bool:
    """Checkpoint and truncate the WAL (old page images hold erased data); False if a reader blocked it."""
    busy, _log, _done = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0


def scrub() -> bool:
    """Merge the search index and truncate the WAL, so erased data leaves every page.

    Runs after every erasure; the hygiene job may run it again (`minicrm erase scrub`)
    when an erasure reported that a long-lived reader kept the WAL busy.
    """
    merge_index()
    return checkpoint()


def purge_expired_invoices(now: dt.datetime | dt.date | None = None, scope_or_console=None) -> int:
    """The hygiene job: delete invoices kept after an erasure once their retention date has come.

    Returns how many went.  Runs as the console unless a Scope is given.
    """
    scope = scope_or_console or Scope.console()
    scope.require("invoice.edit")
    day = _as_date(now) if now is not None else dt.date.today()
    with database.atomic():
        ids = [i for (i,) in tuples(Invoice.select(Invoice.id).where(
            (Invoice.retained_after_erasure == True) & Invoice.contact.is_null()  # noqa: E712
            & (Invoice.retain_until <= day)))]
        if ids:
            for chunk in _chunks(ids):
                Invoice.delete().where(Invoice.id.in_(chunk)).execute()
            _record_changes("invoice", ids, "delete")
        audit.record(scope.user_id, "invoice.purge", "invoice", None, count=len(ids),
                     before=day.isoformat())
    if ids:
        checkpoint()
    return len(ids)


def purge_expired_proof(now: dt.datetime | dt.date | None = None, scope_or_console=None) -> int:
    """The hygiene job: delete ledger entries and consent proof kept after erasures once
    `retention.erasure_proof_years` have passed.  Returns how many ledger entries went.

    An entry from before proof retention had a date counts from its erasure.
    """
    scope = scope_or_console or Scope.console()
    scope.require("person.erase")
    day = _as_date(now) if now is not None else dt.date.today()
    years = retention.rules().erasure_proof_years
    cutoff = retention.add_years(day, -years)  # erased on or before it: kept long enough
    with database.atomic():
        expired = (ErasureLedger.keep_until <= day) | (
            ErasureLedger.keep_until.is_null() & (fn.date(ErasureLedger.erased_at) <= cutoff.isoformat()))
        ids = [i for (i,) in tuples(ErasureLedger.select(ErasureLedger.id).where(expired))]
        for chunk in _chunks(ids):
            ErasureProof.delete().where(ErasureProof.ledger_entry.in_(chunk)).execute()
            ErasureLedger.delete().where(ErasureLedger.id.in_(chunk)).execute()
        ErasureProof.delete().where(ErasureProof.keep_until <= day).execute()
        audit.record(scope.user_id, "ledger.purge", "erasure_ledger", None, count=len(ids),
                     before=day.isoformat())
    if ids:
        checkpoint()
    return len(ids)


__all__ = ["LEGAL_BASES", "ErasurePlan", "ErasureResult", "erasure_plan", "erase_person",
           "purge_expired_invoices", "purge_expired_proof", "bookkeeping_retain_until", "scrub", "checkpoint"]
