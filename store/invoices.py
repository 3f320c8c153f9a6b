"""Invoices: find them by filter (unpaid, overdue, paid), total them per currency, mark them
paid and correct them, within the finance role.

What may change is the amount, the due date and whether (and when) it was paid: the
number, the issue date, the billing identity and the retention stay as issued, so an
invoice kept for the books after its buyer's erasure (rights/erasure.py: unlinked, no
e-mail, `retain_until` from the issue date) stays exactly that kind of record.  Only
roles holding `invoice.edit` write; any other attempt, or one at a field that is not
editable, is refused and audited.  Every write is one short BEGIN IMMEDIATE transaction
made on the version it was read at (a Conflict says who saved first), audited by field
name only, and told to other sessions through the change feed.

Invoices are kept 5 years from the end of their financial year (bogføringsloven § 10).
"""
from __future__ import annotations

import datetime as dt

from peewee import SQL, fn

from . import audit, changes
from .db import tuples
from .errors import Conflict, Forbidden, Invalid
from .models import AuditEvent, Invoice, User
from .scope import Scope
from .views import InvoiceTotal, InvoiceView

FILTERS = ("all", "unpaid", "overdue", "paid")
EDITABLE = ("amount_minor", "due_on", "paid_on")
_EDIT_ACTIONS = ("invoice.edit", "invoice.paid", "invoice.unpaid")


def _view(i: Invoice) -> InvoiceView:
    return InvoiceView(id=i.id, number=i.number, issued_on=_as_date(i.issued_on), due_on=_as_date(i.due_on),
                       amount_minor=i.amount_minor, currency=i.currency,
                       paid_on=_as_date(i.paid_on) if i.paid_on else None,
                       billing_name=i.billing_name, billing_address=i.billing_address,
                       billing_email=i.billing_email or "", billing_cvr=i.billing_cvr or "",
                       retain_until=_as_date(i.retain_until), contact_id=i.contact_id, version=i.version,
                       retained_after_erasure=bool(i.retained_after_erasure))


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def invoices_of(scope: Scope, contact_id: int) -> list[InvoiceView]:
    scope.require("invoice.read")
    q = scope.invoices().where(Invoice.contact == contact_id).order_by(Invoice.issued_on.desc())
    return [_view(i) for i in q]


def _filtered(scope: Scope, text: str, status: str, today: dt.date | None):
    """The scoped query for a filter and a search text (plain substring; never syntax)."""
    if status not in FILTERS:
        raise Invalid("filter", f"must be one of {', '.join(FILTERS)}")
    q = scope.invoices()
    text = (text or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(SQL("(number LIKE ? ESCAPE '\\' OR billing_name LIKE ? ESCAPE '\\' "
                        "OR billing_email LIKE ? ESCAPE '\\' OR billing_cvr LIKE ? ESCAPE '\\')",
                        [pattern] * 4))
    day = today or dt.date.today()
    if status == "unpaid":
        q = q.where(Invoice.paid_on.is_null())
    elif status == "overdue":
        q = q.where(Invoice.paid_on.is_null() & (Invoice.due_on < day))
    elif status == "paid":
        q = q.where(Invoice.paid_on.is_null(False))
    return q


def list_invoices(scope: Scope, text: str = "", *, status: str = "all", today: dt.date | None = None,
                  limit: int = 100) -> list[InvoiceView]:
    """Invoices in scope matching the filter: unpaid and overdue ones oldest due date first
    (what to chase first), the others newest first."""
    scope.require("invoice.read")
    q = _filtered(scope, text, status, today)
    if status in ("unpaid", "overdue"):
        q = q.order_by(Invoice.due_on, Invoice.id)
    else:
        q = q.order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    return [_view(i) for i in q.limit(limit)]


def search_invoices(scope: Scope, text: str = "", *, limit: int = 100) -> list[InvoiceView]:
    """Invoices in scope by number or billing name/email/CVR (plain substring; never syntax)."""
    return list_invoices(scope, text, limit=limit)


def invoice_totals(scope: Scope, text: str = "", *, status: str = "all",
                   today: dt.date | None = None) -> list[InvoiceTotal]:
    """Count and sum of every invoice the filter finds (not only the page shown), one per
    currency: Danish kroner first, then the others by code."""
    scope.require("invoice.read")
    q = _filtered(scope, text, status, today)
    rows = tuples(q.select(Invoice.currency, fn.COUNT(Invoice.id), fn.SUM(Invoice.amount_minor))
                  .group_by(Invoice.currency))
    totals = [InvoiceTotal(currency, count, int(amount or 0)) for currency, count, amount in rows]
    return sorted(totals, key=lambda t: (t.currency != "DKK", t.currency))


def get_invoice(scope: Scope, invoice_id: int) -> InvoiceView:
    """One invoice, its view audited (never blocking the read)."""
    scope.require("invoice.read")
    invoice = scope.invoice(invoice_id)
    audit.record_view(scope.user_id, "invoice.view", "invoice", invoice.id)
    return _view(invoice)


def _clean(current: Invoice, fields: dict, today: dt.date) -> dict:
    issued = _as_date(current.issued_on)
    out: dict = {}
    for key, value in fields.items():
        if key == "amount_minor":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise Invalid("amount", "must be a whole number of øre, zero or more")
            out[key] = value
        elif key == "due_on":
            if value is None:
                raise Invalid("due_on", "is required")
            day = _date_value("due_on", value)
            if day < issued:
                raise Invalid("due_on", "is before the invoice date")
            out[key] = day
        elif key == "paid_on":
            if value is None:
                out[key] = None
                continue
            day = _date_value("paid_on", value)
            if day < issued:
                raise Invalid("paid_on", "is before the invoice date")
            if day > today:
                raise Invalid("paid_on", "is in the future")
            out[key] = day
    return out


def _date_value(field: str, value) -> dt.date:
    try:
        return _as_date(value)
    except (TypeError, ValueError):
        raise Invalid(field, "is not a date (yyyy-mm-dd)") from None


def update_invoice(scope: Scope, invoice_id: int, version: int, *, today: dt.date | None = None,
                   **fields) -> InvoiceView:
    """Change the amount, due date and/or paid date (None: unpaid) of the invoice as read at
    `version`; returns it as saved.  Raises Forbidden (audited) for a role without
    invoice.edit or a field that is not editable, Conflict if someone saved first."""
    scope.require("invoice.edit")
    refused = sorted(set(fields) - set(EDITABLE))
    if refused:
        audit.record_refusal(scope.user_id, "access.forbidden", "invoice", invoice_id,
                             permission="invoice.edit", fields=refused)
        raise Forbidden(f"invoice {invoice_id}: only the amount, the due date and the paid date may be "
                        f"changed, not {', '.join(refused)}")
    day = today or dt.date.today()
    scope.invoice(invoice_id)  # outside the transaction, so an access.denied row is not rolled back
    with scope.transaction():
        current = scope.invoice(invoice_id)
        if current.version != version:
            raise _conflict(invoice_id)
        clean = _clean(current, fields, day)
        changed = sorted(k for k, v in clean.items() if _stored(getattr(current, k)) != v)
        if not changed:
            return _view(current)
        Invoice.update({**{getattr(Invoice, k): clean[k] for k in changed},
                        Invoice.version: Invoice.version + 1}).where(Invoice.id == invoice_id).execute()
        changes.record("invoice", invoice_id, "update", session_id=scope.session_id)
        if current.contact_id:  # the contact screen's invoice tab follows
            changes.record("contact", current.contact_id, "update", session_id=scope.session_id)
        action = "invoice.edit"
        if changed == ["paid_on"]:
            action = "invoice.paid" if clean["paid_on"] is not None else "invoice.unpaid"
        audit.record(scope.user_id, action, "invoice", invoice_id, fields=changed)
        return _view(scope.invoice(invoice_id))


def _stored(value):
    return _as_date(value) if value not in (None, "") and not isinstance(value, int) else value


def mark_paid(scope: Scope, invoice_id: int, version: int, paid_on: dt.date | None = None, *,
              today: dt.date | None = None) -> InvoiceView:
    """Record the payment date (default today) of the invoice as read at `version`."""
    day = today or dt.date.today()
    return update_invoice(scope, invoice_id, version, paid_on=paid_on or day, today=day)


def mark_unpaid(scope: Scope, invoice_id: int, version: int) -> InvoiceView:
    """Undo a payment recorded by mistake."""
    return update_invoice(scope, invoice_id, version, paid_on=None)


def _conflict(invoice_id: int) -> Conflict:
    last = (AuditEvent.select().where((AuditEvent.entity == "invoice") & (AuditEvent.entity_id == invoice_id)
                                      & AuditEvent.action.in_(_EDIT_ACTIONS))
            .order_by(AuditEvent.id.desc()).first())
    if last is None:
        return Conflict("invoice", invoice_id)
    who = User.get_or_none(User.id == last.actor_id)
    return Conflict("invoice", invoice_id, who.username if who else None, last.at)


__all__ = ["FILTERS", "EDITABLE", "invoices_of", "list_invoices", "search_invoices", "invoice_totals",
           "get_invoice", "update_invoice", "mark_paid", "mark_unpaid"]
