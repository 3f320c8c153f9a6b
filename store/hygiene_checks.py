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

from . import duplicates, hygiene, screening, staff
from .consent import repermission_before
from .db import database
from .importing.sensitive import looks_like_cpr, scan_free_text
from .models import Consent
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
    query = (scope.consents().select(Consent.contact, Consent.purpose, Consent.given_at, Consent.proof_missing)
             .where((Consent.status == "given") & Consent.withdrawn_at.is_null()
                    & ((Consent.proof_missing == True) | Consent.given_at.is_null()  # noqa: E712
                       | (Consent.given_at < due)))
             .order_by(Consent.contact, Consent.purpose))
    sql, params = query.sql()
    out = []
    for contact_id, purpose, given_at, proof_missing in database.execute_sql(sql, params).fetchall():
        reason = "unproven" if proof_missing or given_at is None else "repermission"
        out.append(ConsentIssue(contact_id, purpose, reason))
    return out


def _findings(text: str | None, seen: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The kinds found in `text`; `seen` keeps each distinct text's answer (titles, deal names and
    company names repeat: "Indkøber" is scanned once, not ten thousand times)."""
    if not text:
        return ()
    found = seen.get(text)
    if found is None:
        kinds = set(scan_free_text(text))
        if looks_like_cpr(text):
            kinds.add("cpr")
        found = seen[text] = tuple(sorted(kinds))
    return found


# (entity, field, SQL giving (id, text, contact id or NULL)); private notes too: the report lists ids only.
# Plain cursors: building a row object per note costs more than scanning its text.
_FREE_TEXT = (
    ("note", "body", "SELECT id, body, contact_id FROM note ORDER BY id"),
    ("contact", "title", "SELECT id, title, id FROM contact WHERE title != '' ORDER BY id"),
    ("deal", "title", "SELECT id, title, contact_id FROM deal ORDER BY id"),
    ("company", "name", "SELECT id, name, NULL FROM company ORDER BY id"),
)


def free_text(scope: Scope) -> list[FreeText]:
    """Free text holding special-category terms or CPR numbers: flagged records first."""
    flagged = screening.flagged(scope)
    out = [FreeText(f.entity, f.entity_id, f.field, f.kinds, f.contact_id, True) for f in flagged]
    done = {(f.entity, f.entity_id, f.field) for f in flagged}
    seen: dict[str, tuple[str, ...]] = {}
    for entity, field, sql in _FREE_TEXT:
        cursor = database.execute_sql(sql)
        while rows := cursor.fetchmany(5000):
            for row_id, text, contact_id in rows:
                kinds = _findings(text, seen)
                if kinds and (entity, row_id, field) not in done:
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
