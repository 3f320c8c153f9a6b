"""The hygiene report: what the retention jobs would do now, and the checks a person acts on.

One function, `report`, read by `minicrm hygiene` and the app's hygiene screen alike:

* `due`: each retention job with its count and rule (store/hygiene.py);
* `duplicates`: possible duplicate contacts (store/duplicates.py), for the merge screen;
* `access`: users not logged in for 90 days, the admins, who can see invoices, revoked
  users still owning records, and when the access review was last recorded;
* `consents`: consents counted as given that cannot be used for a list: no proof (no
  date, or "proof missing"), or due for re-permission (`consent.repermission_months`);
* `free_text`: notes, job titles, deal titles and company names holding special-category
  terms or a CPR number (the importer's detector, store/screening.py), those saved with
  "save anyway" marked so;
* `requests`: data-subject requests due within 7 days or overdue.

People appear by contact id, staff by user name: the report is for an admin, and what the
console prints may be logged.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Value

from . import duplicates, hygiene, screening, staff
from .consent import repermission_before
from .db import tuples
from .importing.sensitive import looks_like_cpr, scan_free_text
from .models import Company, Consent, Contact, Deal, Note
from .scope import Scope


@dataclass(frozen=True)
class AccessCheck:
    inactive: tuple[str, ...]        # active accounts without a login for 90 days
    admins: tuple[str, ...]
    invoice_readers: tuple[str, ...]  # active accounts whose role holds invoice.read
    revoked_owning: tuple[tuple[str, int], ...]  # (user name, records still owned)
    last_reviewed_at: dt.datetime | None
    last_reviewed_by: str


@dataclass(frozen=True)
class ConsentIssue:
    contact_id: int
    purpose: str
    reason: str  # "unproven" (no date, or proof missing) | "repermission" (older than the setting)


@dataclass(frozen=True)
class FreeText:
    entity: str      # note / contact / deal / company
    entity_id: int
    field: str
    kinds: tuple[str, ...]  # what the detector finds now ("cpr" among them for a CPR number)
    contact_id: int | None
    saved_anyway: bool      # saved through "save anyway" (flagged), rather than found by the scan


@dataclass(frozen=True)
class HygieneReport:
    now: dt.datetime
    due: tuple[hygiene.Due, ...]
    duplicates: tuple[duplicates.DuplicatePair, ...]
    access: AccessCheck
    consents: tuple[ConsentIssue, ...]
    free_text: tuple[FreeText, ...]
    requests: tuple  # of rights.requests.RequestView, overdue first

    @property
    def total_due(self) -> int:
        return sum(item.count for item in self.due)


def access_check(scope: Scope, now: dt.datetime | None = None) -> AccessCheck:
    view = staff.access_review(scope, now)
    active = [u for u in view.users if not u.revoked]
    return AccessCheck(
        inactive=tuple(u.username for u in active if u.inactive),
        admins=tuple(u.username for u in active if u.role == "admin"),
        invoice_readers=tuple(u.username for u in active if u.sees_invoices),
        revoked_owning=tuple((u.username, u.contacts_owned + u.deals_owned) for u in view.users
                             if u.revoked_owning),
        last_reviewed_at=view.last_reviewed_at, last_reviewed_by=view.last_reviewed_by)


def consent_issues(scope: Scope, now: dt.datetime | None = None) -> list[ConsentIssue]:
    """Given consents a list may not use: unproven ones, and ones due for re-permission."""
    due = repermission_before(now)
    rows = tuples(scope.consents().select(Consent.contact, Consent.purpose, Consent.given_at, Consent.proof_missing)
                  .where((Consent.status == "given") & Consent.withdrawn_at.is_null())
                  .order_by(Consent.contact, Consent.purpose))
    out = []
    for contact_id, purpose, given_at, proof_missing in rows:
        if proof_missing or given_at is None:
            out.append(ConsentIssue(contact_id, purpose, "unproven"))
        elif given_at < due:
            out.append(ConsentIssue(contact_id, purpose, "repermission"))
    return out


def _findings(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    kinds = set(scan_free_text(text))
    if looks_like_cpr(text):
        kinds.add("cpr")
    return tuple(sorted(kinds))


def free_text(scope: Scope) -> list[FreeText]:
    """Free text holding special-category terms or CPR numbers: flagged records first."""
    flagged = screening.flagged(scope)
    out = [FreeText(f.entity, f.entity_id, f.field, f.kinds, f.contact_id, True) for f in flagged]
    seen = {(f.entity, f.entity_id, f.field) for f in flagged}
    sources = (  # (entity, field, query of (id, text, contact id or None)); private notes too: ids only
        ("note", "body", Note.select(Note.id, Note.body, Note.contact)),
        ("contact", "title", Contact.select(Contact.id, Contact.title, Contact.id).where(Contact.title != "")),
        ("deal", "title", Deal.select(Deal.id, Deal.title, Deal.contact)),
        ("company", "name", Company.select(Company.id, Company.name, Value(None))),
    )
    for entity, field, query in sources:
        for row_id, text, contact_id in tuples(query.order_by(query.model.id)):
            kinds = _findings(text)
            if kinds and (entity, row_id, field) not in seen:
                out.append(FreeText(entity, row_id, field, kinds, contact_id, False))
    return out


def due_requests(scope: Scope, today: dt.date | None = None) -> list:
    from .rights import requests

    return [v for v in requests.open_requests(scope, today=today) if v.urgency in ("overdue", "due_soon")]


def report(scope: Scope, now: dt.datetime | dt.date | None = None) -> HygieneReport:
    """The whole report (for the admin role: it reads users, requests and the audit flags)."""
    scope.require("user.admin")
    when = hygiene._now(now)
    return HygieneReport(
        now=when, due=tuple(hygiene.due_items(when)), duplicates=tuple(duplicates.find(scope)),
        access=access_check(scope, when), consents=tuple(consent_issues(scope, when)),
        free_text=tuple(free_text(scope)), requests=tuple(due_requests(scope, when.date())))


__all__ = ["AccessCheck", "ConsentIssue", "FreeText", "HygieneReport", "access_check", "consent_issues",
           "free_text", "due_requests", "report"]
