"""Plain read-only values the service API hands out.

The UI gets these, never model instances: a model would lazily load related
rows behind the scope's back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple


class ContactRow(NamedTuple):
    """One search hit.  A NamedTuple: search builds 50 of these per keystroke and a
    frozen dataclass costs three times as much to make."""
    id: int
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    owner: str
    lifecycle: str
    status: str  # active / archived / restricted
    tags: tuple[str, ...] = ()
    # The fields the search text matched (store.search.Field: name, value, label), in field order.
    matched: tuple = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactPoint(NamedTuple):
    """One e-mail address or phone number of a contact, as stored (normalised)."""
    value: str
    label: str = "other"  # contact_points.LABELS
    primary: bool = False


class ContactPage(NamedTuple):
    """One page of a contact list; `after` fetches the next page (None: this is the last)."""
    rows: list[ContactRow]
    after: tuple | None


@dataclass(frozen=True)
class ContactDetail:
    id: int
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    company_id: int | None
    company: str
    company_cvr: str
    owner_id: int | None
    owner: str
    lifecycle: str
    status: str
    source: str
    lawful_basis: str
    created_at: dt.datetime
    updated_at: dt.datetime
    last_activity_at: dt.datetime
    version: int
    tags: tuple[str, ...] = ()
    # every e-mail and phone, the primary first; `email`/`phone` above are the primary ones
    emails: tuple[ContactPoint, ...] = ()
    phones: tuple[ContactPoint, ...] = ()
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class DealView:
    id: int
    title: str
    amount_minor: int
    currency: str
    stage: str
    owner: str
    contact_id: int | None
    version: int


@dataclass(frozen=True)
class NoteView:
    id: int
    category: str
    body: str
    visibility: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount_minor: int
    currency: str
    paid_on: dt.date | None
    billing_name: str
    billing_address: str
    billing_email: str
    billing_cvr: str
    retain_until: dt.date
    contact_id: int | None
    version: int = 1
    retained_after_erasure: bool = False  # kept for the books after the person was erased

    def state(self, today: dt.date) -> str:
        """paid, overdue (due date passed, unpaid) or unpaid."""
        if self.paid_on is not None:
            return "paid"
        return "overdue" if self.due_on < today else "unpaid"


@dataclass(frozen=True)
class InvoiceTotal:
    """One currency's sum over the invoices a filter finds (amounts of different currencies
    are never added together)."""
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class FollowUpView:
    id: int
    contact_id: int
    contact_name: str
    deal_id: int | None
    deal_title: str
    body: str
    due_on: dt.date
    done_at: dt.datetime | None
    owner_id: int | None
    owner: str
    version: int

    def state(self, today: dt.date) -> str:
        """done, overdue, today or later."""
        if self.done_at is not None:
            return "done"
        if self.due_on < today:
            return "overdue"
        return "today" if self.due_on == today else "later"


@dataclass(frozen=True)
class ConsentEventView:
    at: dt.datetime
    event: str
    method: str
    text_version: str
    evidence: str
    actor: str


@dataclass(frozen=True)
class ConsentView:
    id: int
    purpose: str
    channel: str
    status: str
    given_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    method: str
    text_version: str
    events: tuple[ConsentEventView, ...] = field(default=())
    text_id: int | None = None
    wording: str = ""  # the exact text agreed to, word for word
    text_sha256: str = ""
    proof_missing: bool = False  # imported without a date: never counts for sending
    needs_repermission: bool = False  # older than consent.repermission_months


@dataclass(frozen=True)
class AuditView:
    at: dt.datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class OwnerChoice:
    id: int
    username: str
    role: str
    full_name: str = ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


@dataclass(frozen=True)
class AccessReviewView:
    """Who can do what, who has gone quiet, and when the review was last recorded."""
    users: tuple  # of AccessReviewUser
    roles: tuple  # of (role, tuple of permissions)
    last_reviewed_at: dt.datetime | None
    last_reviewed_by: str


@dataclass(frozen=True)
class AccessReviewUser:
    id: int
    username: str
    role: str
    last_login_at: dt.datetime | None
    revoked: bool
    inactive: bool  # no login for 90 days (or never, for an account older than that)
    contacts_owned: int
    deals_owned: int = 0
    sees_invoices: bool = False  # the role holds invoice.read
    full_name: str = ""

    @property
    def revoked_owning(self) -> bool:
        """Revoked but still the owner of records: hand them over (store/auth administration)."""
        return self.revoked and (self.contacts_owned + self.deals_owned) > 0
