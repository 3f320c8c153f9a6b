"""The register of data-subject requests and their deadlines (GDPR Art. 12(3)).

A request is answered within one month of receipt: the same day number in the
next month, or that month's last day when it has no such day (31 January ->
28/29 February).  It may be extended once by two further months, with a
recorded reason, decided and told to the person within the first month; the
extended deadline is counted from receipt (received + 3 months).

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
from ..errors import Invalid, NoOpenRequest
from ..models import Contact, DataSubjectRequest, User, utcnow
from ..processing import REQUEST_KINDS
from ..scope import NotFound, Scope
from .vocab import OUTCOMES

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
                today: dt.date | None = None) -> int:
    """Register a request received on `received_on` (default today); returns its id.

    `contact_id` None records a request from someone not in the register.  The
    handler defaults to the user registering it (the console has no user: none).
    """
    scope.require("request.handle")
    validate.choice("kind", kind, REQUEST_KINDS)
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
                                        due_on=due_date(received), status="open", handler=handler)
        changes.record("request", row.id, "insert")
        audit.record(scope.user_id, "request.add", "request", row.id, kind=kind,
                     contact_id=contact_id, handler_id=handler)
    return row.id


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


def close_request(scope: Scope, request_id: int, outcome: str = "completed") -> None:
    """Close an open request: completed, refused (with reasons told to the person) or withdrawn."""
    scope.require("request.handle")
    validate.choice("outcome", outcome, OUTCOMES)
    with database.atomic():
        _open_request(scope, request_id)
        DataSubjectRequest.update(status=outcome, closed_at=utcnow()).where(
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
    rows = list(q.order_by(DataSubjectRequest.due_on, DataSubjectRequest.id))
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


__all__ = ["RequestView", "NotFound", "NoOpenRequest", "add_months", "due_date", "add_request",
           "extend_request", "assign_request", "close_request", "list_requests", "open_requests",
           "get_request", "deadline_summary", "require_person", "handles_open_request"]
