"""Invoices on a contact (read-only here; kept 5 years by bogføringsloven § 10)."""
from __future__ import annotations

from .models import Invoice
from .scope import Scope
from .views import InvoiceView


def invoices_of(scope: Scope, contact_id: int) -> list[InvoiceView]:
    scope.require("invoice.read")
    q = scope.invoices().where(Invoice.contact == contact_id).order_by(Invoice.issued_on.desc())
    return [InvoiceView(id=i.id, number=i.number, issued_on=i.issued_on, due_on=i.due_on,
                        amount_minor=i.amount_minor, currency=i.currency, paid_on=i.paid_on,
                        billing_name=i.billing_name, billing_address=i.billing_address,
                        billing_email=i.billing_email or "", billing_cvr=i.billing_cvr or "",
                        retain_until=i.retain_until, contact_id=i.contact_id) for i in q]


def search_invoices(scope: Scope, text: str = "", *, limit: int = 100) -> list[InvoiceView]:
    """Invoices in scope by number or billing name/email/CVR (plain substring; never syntax)."""
    scope.require("invoice.read")
    q = scope.invoices()
    text = (text or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        from peewee import SQL

        q = q.where(SQL("(number LIKE ? ESCAPE '\\' OR billing_name LIKE ? ESCAPE '\\' "
                        "OR billing_email LIKE ? ESCAPE '\\' OR billing_cvr LIKE ? ESCAPE '\\')",
                        [pattern] * 4))
    q = q.order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(limit)
    return [InvoiceView(id=i.id, number=i.number, issued_on=i.issued_on, due_on=i.due_on,
                        amount_minor=i.amount_minor, currency=i.currency, paid_on=i.paid_on,
                        billing_name=i.billing_name, billing_address=i.billing_address,
                        billing_email=i.billing_email or "", billing_cvr=i.billing_cvr or "",
                        retain_until=i.retain_until, contact_id=i.contact_id) for i in q]
