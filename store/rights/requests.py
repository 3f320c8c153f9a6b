"""The register of data-subject requests and their deadlines (GDPR Art. 12(3)).

A request is answered within one month of receipt: the same day number in the
next month, or that month's last day when it has no such day (31 January ->
28/29 February).  It may be extended once by two further months, with a
recorded reason, decided and told to the person within the first month; the
extended deadline is counted from receipt (received + 3 months).

Registering a request records who asked and through which channel; before
anything is exported or erased for it, how the person's identity was verified
and by whom (Art. 12(6)).  Every export needs such a request, open and about
the person, for admin as well, and is recorded on it (`export_request`).

Only `admin` and `privacy` handle requests (permission `request.handle`); a
handler must hold one of those roles.  A privacy officer sees a person's
notes, deals and invoices only while handling an open request about them.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .. import audit, changes, validate
from ..db import StoreError, database, tuples
from ..errors import IdentityNotVerified, Invalid, NoOpenRequest
from ..models import Contact, DataSubjectRequest, User, utcnow
from ..processing import REQUEST_KINDS
from ..scope import NotFound, Scope
from .vocab import CHANNELS, IDENTITY_METHODS, OUTCOMES, REQUESTERS

ANSWER_MONTHS = 1
EXTENDED_MONTHS = 3  # the first month plus two further months
DUE_SOON_DAYS = 7
HANDLER_ROLES = ("admin", "privacy")
URGENCIES = ("overdue", "due_soon", "on_time", "closed")
_SELF = object()  # "the user acting" as default handler


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number `months` later, clamped to the last day of that month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_on: dt.date, *, extended: bool = False) -> dt.date:
    return add_months(received_on, EXTENDED_MONTHS if extended else ANSWER_MONTHS)


@dataclass(frozen=True)
class RequestView:
    id: int
    contact_id: int | None  # None: the person is not (or no longer) in the register
    contact_name: str
    kind: str
    received_on: dt.date
    due_on: dt.date
    original_due_on: dt.date
    extended: bool
    extension_reason: str
    status: str  # open / completed / refused / withdrawn
    handler_id: int | None
    handler: str
    closed_at: dt.datetime | None
    days_left: int | None  # None once closed; negative when overdue
    urgency: str  # overdue / due_soon / on_time / closed
    requester: str = ""  # REQUESTERS code
    channel: str = ""    # CHANNELS code
    identity_method: str = ""  # IDENTITY_METHODS code; "" until verified
    identity_verified_by: str = ""
    identity_verified_at: dt.datetime | None = None
    bundle_name: str = ""  # the export bundle attached to the request
    exported_at: dt.datetime | None = None
    outcome_detail: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.identity_method)


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _check_handler(handler_id: int | None) -> int | None:
    if handler_id is None:
        return None
    user = User.get_or_none((User.id == handler_id) & User.revoked_at.is_null())
    if user is None:
        raise StoreError(f"user {handler_id} is not an active user")
    if user.role not in HANDLER_ROLES:
        raise StoreError(f"user {handler_id} ({user.role}) may not handle data-subject requests; "
                         f"choose an admin or privacy user")
    return user.id


def add_request(scope: Scope, contact_id: int | None, kind: str, *,
                received_on: dt.date | None = None, handler_id=_SELF,
                requester: str = "person", channel: str = "email",
                today: dt.date | None = None) -> int:
    """Register a request received on `received_on` (default today); returns its id.

    `contact_id` None records a request from someone not in the register.  The
    handler defaults to the user registering it (the console has no user: none).
    `requester` and `channel` say who asked and how (codes).
    """
    scope.require("request.handle")
    validate.choice("kind", kind, REQUEST_KINDS)
    validate.choice("requester", requester, REQUESTERS)
    validate.choice("channel", channel, CHANNELS)
    received = _as_date(received_on) if received_on is not None else _today(today)
    if received > _today(today):
        raise Invalid("received_on", "is in the future")
    if handler_id is _SELF:
        handler_id = scope.user_id
    with database.atomic():
        handler = _check_handler(handler_id)
        if contact_id is not None:
            scope.contact(contact_id)
        row = DataSubjectRequest.create(contact=contact_id, kind=kind, received_on=received,
                                        due_on=due_date(received), status="open", handler=handler,
                                        requester=requester, channel=channel)
        changes.record("request", row.id, "insert")
        audit.record(scope.user_id, "request.add", "request", row.id, kind=kind,
                     contact_id=contact_id, handler_id=handler, requester=requester, channel=channel)
    return row.id


def verify_identity(scope: Scope, request_id: int, method: str, *, verified_by=_SELF) -> None:
    """Record how the person's identity was verified, and by whom (Art. 12(6)).

    `verified_by` defaults to the user acting; the console (no user) names a handler.
    Recorded once: a second check does not overwrite who checked first.
    """
    scope.require("request.handle")
    validate.choice("identity_method", method, tuple(IDENTITY_METHODS))
    if verified_by is _SELF:
        verified_by = scope.user_id
    with database.atomic():
        row = _open_request(scope, request_id)
        if row.identity_method:
            raise StoreError(f"request {request_id}: the identity was already verified "
                             f"({row.identity_method})")
        checker = _check_handler(verified_by)
        if checker is None:
            raise Invalid("verified_by", "name the admin or privacy user who verified the identity")
        DataSubjectRequest.update(identity_method=method, identity_verified_by=checker,
                                  identity_verified_at=utcnow()).where(
            DataSubjectRequest.id == request_id).execute()
        changes.record("request", request_id, "update")
        audit.record(scope.user_id, "request.verify", "request", request_id, method=method,
                     verified_by=checker)


def verified_request(scope: Scope, request_id: int) -> DataSubjectRequest:
    """The open request, if the person's identity has been verified (else IdentityNotVerified)."""
    row = _open_request(scope, request_id)
    if not row.identity_method:
        raise IdentityNotVerified(f"request {request_id}: record how the person's identity was "
                                  f"verified first (Art. 12(6))")
    return row


def export_request(scope: Scope, contact_id: int, request_id: int | None = None) -> DataSubjectRequest:
    """The open, identity-verified request an export of this person answers.

    `request_id` None: the person's newest such request.  Every role needs one, admin
    and the console too: an export hands the person's data out, so it answers a request.
    """
    scope.require("request.handle")
    scope.contact(contact_id)  # NotFound first: an unknown id is not "no request"
    if request_id is not None:
        row = verified_request(scope, request_id)
        if row.contact_id != contact_id:
            raise StoreError(f"request {request_id} is not about contact {contact_id}")
        return row
    rows = list(scope.requests().where((DataSubjectRequest.contact == contact_id)
                                       & (DataSubjectRequest.status == "open"))
                .order_by(DataSubjectRequest.id.desc()))
    if not rows:
        raise NoOpenRequest(f"contact {contact_id}: register the person's request first; "
                            f"every export answers an open request")
    for row in rows:
        if row.identity_method:
            return row
    raise IdentityNotVerified(f"request {rows[0].id}: record how the person's identity was "
                              f"verified first (Art. 12(6))")


def record_export(request_id: int, bundle_name: str | None) -> None:
    """Attach the bundle to the request (None: streamed, nothing kept); inside the export's transaction."""
    DataSubjectRequest.update(exported_at=utcnow(), bundle_name=bundle_name).where(
        DataSubjectRequest.id == request_id).execute()
    changes.record("request", request_id, "update")


def record_rectification(scope: Scope, request_id: int, fields: list[str]) -> None:
    """Note under the request which fields a rectification (Art. 16) changed (names only)."""
    scope.require("request.handle")
    with database.atomic():
        _open_request(scope, request_id)
        audit.record(scope.user_id, "request.rectify", "request", request_id,
                     fields=sorted(str(f) for f in fields))
        changes.record("request", request_id, "update")


def _open_request(scope: Scope, request_id: int) -> DataSubjectRequest:
    row = scope.get(scope.requests(), DataSubjectRequest, request_id, "request")
    if row.status != "open":
        raise StoreError(f"request {request_id} is already closed ({row.status})")
    return row


def extend_request(scope: Scope, request_id: int, reason: str, *,
                   today: dt.date | None = None) -> dt.date:
    """Extend by two further months (Art. 12(3)); returns the new due date.

    Allowed once, while the request is open and the first month has not run
    out: the person must be told of the extension and why within that month.
    """
    scope.require("request.handle")
    reason = validate.text("extension_reason", reason, max_length=200, required=True)
    with database.atomic():
        row = _open_request(scope, request_id)
        received = _as_date(row.received_on)
        first_due = due_date(received)
        if row.extension_reason:
            raise StoreError(f"request {request_id} has already been extended (due {row.due_on})")
        if _today(today) > first_due:
            raise StoreError(f"request {request_id}: an extension must be decided and told to the "
                             f"person within the first month (by {first_due})")
        new_due = due_date(received, extended=True)
        DataSubjectRequest.update(due_on=new_due, extension_reason=reason).where(
            DataSubjectRequest.id == request_id).execute()
        changes.record("request", request_id, "update")
        audit.record(scope.user_id, "request.extend", "request", request_id,
                     due_on=new_due.isoformat())
    return new_due


def assign_request(scope: Scope, request_id: int, handler_id: int | None) -> None:
    scope.require("request.handle")
    with database.atomic():
        _open_request(scope, request_id)
        handler = _check_handler(handler_id)
        DataSubjectRequest.update(handler=handler).where(DataSubjectRequest.id == request_id).execute()
        changes.record("request", request_id, "update")
        audit.record(scope.user_id, "request.assign", "request", request_id, handler_id=handler)


def close_request(scope: Scope, request_id: int, outcome: str = "completed", detail: str = "") -> None:
    """Close an open request: completed, refused (with reasons told to the person) or withdrawn.

    `detail` says what was done ("erased: ledger entry 12"); ids and codes only, no names.
    """
    scope.require("request.handle")
    validate.choice("outcome", outcome, OUTCOMES)
    detail = validate.text("outcome_detail", detail, max_length=200) or ""
    with database.atomic():
        _open_request(scope, request_id)
        DataSubjectRequest.update(status=outcome, closed_at=utcnow(),
                                  outcome_detail=detail or None).where(
            DataSubjectRequest.id == request_id).execute()
        changes.record("request", request_id, "update")
        audit.record(scope.user_id, "request.close", "request", request_id, outcome=outcome)


def _view(row: DataSubjectRequest, names: dict, handlers: dict, today: dt.date,
          soon_days: int) -> RequestView:
    received, due = _as_date(row.received_on), _as_date(row.due_on)
    if row.status != "open":
        days_left, urgency = None, "closed"
    else:
        days_left = (due - today).days
        urgency = "overdue" if days_left < 0 else "due_soon" if days_left <= soon_days else "on_time"
    return RequestView(
        id=row.id, contact_id=row.contact_id, contact_name=names.get(row.contact_id, ""),
        kind=row.kind, received_on=received, due_on=due, original_due_on=due_date(received),
        extended=bool(row.extension_reason), extension_reason=row.extension_reason or "",
        status=row.status, handler_id=row.handler_id, handler=handlers.get(row.handler_id, ""),
        closed_at=row.closed_at, days_left=days_left, urgency=urgency,
        requester=row.requester or "", channel=row.channel or "",
        identity_method=row.identity_method or "",
        identity_verified_by=handlers.get(row.identity_verified_by_id, ""),
        identity_verified_at=row.identity_verified_at, bundle_name=row.bundle_name or "",
        exported_at=row.exported_at, outcome_detail=row.outcome_detail or "",
    )


def list_requests(scope: Scope, *, status: str | None = "open", contact_id: int | None = None,
                  today: dt.date | None = None, soon_days: int = DUE_SOON_DAYS,
                  audited: bool = False) -> list[RequestView]:
    """Requests in the register, soonest deadline first (status None: all); `audited`
    records the listing (the console's; the app's request list is not audited)."""
    scope.require("request.handle")
    q = scope.requests()
    if status is not None:
        q = q.where(DataSubjectRequest.status == status)
    if contact_id is not None:
        q = q.where(DataSubjectRequest.contact == contact_id)
    # open ones by deadline (overdue, then due soon, first), closed ones after them
    rows = list(q.order_by((DataSubjectRequest.status != "open"), DataSubjectRequest.due_on,
                           DataSubjectRequest.id))
    ids = {r.contact_id for r in rows if r.contact_id is not None}
    names = {}
    if ids:
        names = {c.id: c.name for c in scope.contacts().where(Contact.id.in_(list(ids)))
                 .select(Contact.id, Contact.first_name, Contact.last_name)}
    handlers = dict(tuples(User.select(User.id, User.username)))
    day = _today(today)
    views = [_view(r, names, handlers, day, soon_days) for r in rows]
    if audited:
        audit.record(scope.user_id, "request.list", count=len(views))
    return views


def open_requests(scope: Scope, *, today: dt.date | None = None,
                  soon_days: int = DUE_SOON_DAYS) -> list[RequestView]:
    """Open requests, overdue first, then by deadline: what the TUI's request list shows."""
    return list_requests(scope, status="open", today=today, soon_days=soon_days)


def get_request(scope: Scope, request_id: int, *, today: dt.date | None = None) -> RequestView:
    scope.require("request.handle")
    row = scope.get(scope.requests(), DataSubjectRequest, request_id, "request")
    names = {}
    if row.contact_id is not None:
        c = scope.contacts().where(Contact.id == row.contact_id).first()
        names = {c.id: c.name} if c else {}
    handlers = dict(tuples(User.select(User.id, User.username)))
    return _view(row, names, handlers, _today(today), DUE_SOON_DAYS)


def deadline_summary(scope: Scope, *, today: dt.date | None = None,
                     soon_days: int = DUE_SOON_DAYS) -> dict[str, int]:
    """{"open": n, "due_soon": n, "overdue": n} for a status line or a badge."""
    views = open_requests(scope, today=today, soon_days=soon_days)
    return {"open": len(views), "due_soon": sum(v.urgency == "due_soon" for v in views),
            "overdue": sum(v.urgency == "overdue" for v in views)}


# -- who may see all of a person -----------------------------------------------------------

def handles_open_request(scope: Scope, contact_id: int) -> bool:
    return scope._request_contact_ids().where(DataSubjectRequest.contact == contact_id).exists()


def require_person(scope: Scope, contact_id: int, permission: str) -> Contact:
    """The contact, if this user may act on all of the person's data for `permission`.

    The privacy role's scope shows notes, deals and invoices only for people
    whose open request they handle: without one, an export would be silently
    incomplete and an erasure plan wrong, so both are refused instead.
    """
    scope.require(permission)
    contact = scope.contact(contact_id)
    scope.require_request(contact_id, permission)  # refused and audited without one
    return contact


__all__ = ["RequestView", "NotFound", "NoOpenRequest", "IdentityNotVerified", "add_months", "due_date",
           "add_request", "verify_identity", "verified_request", "export_request", "record_export",
           "record_rectification", "extend_request", "assign_request", "close_request", "list_requests",
           "open_requests",
           "get_request", "deadline_summary", "require_person", "handles_open_request"]
