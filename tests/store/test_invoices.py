"""Invoices finance can act on (issue 17): unpaid and overdue filters with their totals per
currency, mark paid, edits within the role (refusals audited), and a kept invoice that
stays what the Bookkeeping Act keeps.  A real SQLCipher file; nothing mocked."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from store import invoices
from store.db import database
from store.errors import Conflict, Forbidden, Invalid
from store.models import AuditEvent, Invoice
from store.retention import bookkeeping_retain_until
from store.scope import Scope

TODAY = dt.date(2026, 11, 20)


def _invoice(number: str, *, issued: dt.date, due: dt.date, amount: int, paid: dt.date | None = None,
             currency: str = "DKK", name: str = "Bøgh VVS ApS") -> int:
    with database.atomic():
        return Invoice.create(number=number, issued_on=issued, due_on=due, amount_minor=amount,
                              currency=currency, paid_on=paid, billing_name=name,
                              billing_address="Østergade 1, 8000 Aarhus C",
                              retain_until=bookkeeping_retain_until(issued)).id


@pytest.fixture
def books(store):
    """Two overdue, one due later, one paid; one overdue in euros."""
    return {
        "late": _invoice("F-1001", issued=dt.date(2026, 9, 1), due=dt.date(2026, 10, 1), amount=1_250_000),
        "later": _invoice("F-1002", issued=dt.date(2026, 11, 1), due=dt.date(2026, 12, 1), amount=500_050),
        "paid": _invoice("F-1003", issued=dt.date(2026, 8, 1), due=dt.date(2026, 9, 1), amount=99_900,
                         paid=dt.date(2026, 8, 20)),
        "oldest": _invoice("F-1004", issued=dt.date(2026, 7, 1), due=dt.date(2026, 8, 1), amount=20_000,
                           name="Ærø Køleteknik A/S"),
        "euro": _invoice("F-1005", issued=dt.date(2026, 9, 15), due=dt.date(2026, 10, 15), amount=300_000,
                         currency="EUR"),
        "due_today": _invoice("F-1006", issued=dt.date(2026, 10, 20), due=TODAY, amount=10_000),
    }


@pytest.fixture
def finance(users):
    return Scope(users["finance"])


def _numbers(rows) -> list[str]:
    return [r.number for r in rows]


def test_overdue_is_unpaid_past_its_due_date_oldest_first(books, finance):
    rows = invoices.list_invoices(finance, status="overdue", today=TODAY)
    assert _numbers(rows) == ["F-1004", "F-1001", "F-1005"]  # due today is not overdue yet
    assert {r.state(TODAY) for r in rows} == {"overdue"}


def test_unpaid_holds_overdue_and_not_yet_due(books, finance):
    assert _numbers(invoices.list_invoices(finance, status="unpaid", today=TODAY)) == [
        "F-1004", "F-1001", "F-1005", "F-1006", "F-1002"]
    assert _numbers(invoices.list_invoices(finance, status="paid", today=TODAY)) == ["F-1003"]
    assert len(invoices.list_invoices(finance, status="all", today=TODAY)) == 6


def test_totals_are_per_currency_for_the_whole_filter(books, finance):
    totals = invoices.invoice_totals(finance, status="overdue", today=TODAY)
    assert [(t.currency, t.count, t.amount_minor) for t in totals] == [
        ("DKK", 2, 1_270_000), ("EUR", 1, 300_000)]
    unpaid = invoices.invoice_totals(finance, status="unpaid", today=TODAY)
    assert [(t.currency, t.count, t.amount_minor) for t in unpaid] == [
        ("DKK", 4, 1_780_050), ("EUR", 1, 300_000)]
    # a search narrows the totals too
    assert [(t.currency, t.count, t.amount_minor) for t in
            invoices.invoice_totals(finance, "Ærø", status="unpaid", today=TODAY)] == [("DKK", 1, 20_000)]
    assert invoices.invoice_totals(finance, "nobody-by-that-name", status="all") == []


def test_an_unknown_filter_is_refused_by_name(books, finance):
    with pytest.raises(Invalid, match="filter"):
        invoices.list_invoices(finance, status="late")


def test_mark_paid_records_the_date_audits_and_leaves_the_overdue_list(books, finance, users):
    inv = invoices.get_invoice(finance, books["late"])
    saved = invoices.mark_paid(finance, inv.id, inv.version, dt.date(2026, 11, 18), today=TODAY)
    assert saved.paid_on == dt.date(2026, 11, 18) and saved.version == inv.version + 1
    assert saved.state(TODAY) == "paid"
    assert "F-1001" not in _numbers(invoices.list_invoices(finance, status="overdue", today=TODAY))
    row = AuditEvent.select().where(AuditEvent.action == "invoice.paid").get()
    assert (row.actor_id, row.entity, row.entity_id) == (users["finance"].id, "invoice", inv.id)
    assert json.loads(row.detail) == {"fields": ["paid_on"]}  # field names, never the date or amount


def test_mark_paid_defaults_to_today_and_refuses_dates_that_cannot_be(books, finance):
    inv = invoices.get_invoice(finance, books["later"])
    with pytest.raises(Invalid, match="paid_on: is in the future"):
        invoices.mark_paid(finance, inv.id, inv.version, TODAY + dt.timedelta(days=1), today=TODAY)
    with pytest.raises(Invalid, match="paid_on: is before the invoice date"):
        invoices.mark_paid(finance, inv.id, inv.version, dt.date(2026, 10, 1), today=TODAY)
    assert invoices.mark_paid(finance, inv.id, inv.version, today=TODAY).paid_on == TODAY
    again = invoices.get_invoice(finance, inv.id)
    assert invoices.mark_unpaid(finance, again.id, again.version).paid_on is None


def test_finance_edits_amount_and_due_date_on_the_version_it_read(books, finance):
    inv = invoices.get_invoice(finance, books["later"])
    saved = invoices.update_invoice(finance, inv.id, inv.version, amount_minor=612_500,
                                    due_on=dt.date(2026, 12, 15), today=TODAY)
    assert (saved.amount_minor, saved.due_on) == (612_500, dt.date(2026, 12, 15))
    with pytest.raises(Conflict):  # someone read it before that save
        invoices.update_invoice(finance, inv.id, inv.version, amount_minor=1, today=TODAY)
    assert invoices.get_invoice(finance, inv.id).amount_minor == 612_500
    with pytest.raises(Invalid, match="due_on: is before the invoice date"):
        invoices.update_invoice(finance, inv.id, saved.version, due_on=dt.date(2026, 1, 1), today=TODAY)
    with pytest.raises(Invalid, match="amount"):
        invoices.update_invoice(finance, inv.id, saved.version, amount_minor=-5, today=TODAY)


@pytest.mark.parametrize("role", ["manager", "sales", "privacy"])
def test_other_roles_may_not_edit_and_the_refusal_is_audited(books, users, role):
    scope = Scope(users[role])
    with pytest.raises(Forbidden):
        invoices.mark_paid(scope, books["late"], 1, TODAY, today=TODAY)
    with pytest.raises(Forbidden):
        invoices.update_invoice(scope, books["late"], 1, amount_minor=1)
    refusals = AuditEvent.select().where((AuditEvent.action == "access.forbidden")
                                         & (AuditEvent.actor_id == users[role].id))
    assert refusals.count() == 2
    assert {json.loads(r.detail)["permission"] for r in refusals} == {"invoice.edit"}
    assert Invoice.get_by_id(books["late"]).paid_on is None


def test_finance_may_not_touch_what_the_invoice_was_issued_with_and_that_is_audited(books, finance, users):
    inv = invoices.get_invoice(finance, books["late"])
    for field, value in (("billing_name", "Someone Else"), ("number", "F-9999"),
                         ("issued_on", dt.date(2026, 1, 1)), ("retain_until", dt.date(2027, 1, 1)),
                         ("contact_id", 1)):
        with pytest.raises(Forbidden, match="only the amount, the due date and the paid date"):
            invoices.update_invoice(finance, inv.id, inv.version, **{field: value})
    rows = AuditEvent.select().where((AuditEvent.action == "access.forbidden")
                                     & (AuditEvent.actor_id == users["finance"].id))
    assert [json.loads(r.detail)["fields"] for r in rows] == [
        ["billing_name"], ["number"], ["issued_on"], ["retain_until"], ["contact_id"]]
    assert Invoice.get_by_id(inv.id).version == inv.version


def test_admin_may_act_as_finance(books, users):
    admin = Scope(users["admin"])
    inv = invoices.get_invoice(admin, books["oldest"])
    assert invoices.mark_paid(admin, inv.id, inv.version, TODAY, today=TODAY).paid_on == TODAY


def test_editing_a_kept_invoice_keeps_it_what_the_books_keep(store, users):
    """After an erasure the invoice is unlinked, without e-mail, kept until its retention date:
    marking it paid or correcting it changes none of that, and the purge still takes it."""
    from store.rights.erasure import purge_expired_invoices

    issued = dt.date(2026, 3, 10)
    with database.atomic():
        kept = Invoice.create(number="K-1", issued_on=issued, due_on=dt.date(2026, 4, 10), amount_minor=129_500,
                              billing_name="Søren Ærø", billing_address="Vestergade 7, 5000 Odense C",
                              billing_email=None, contact=None, retained_after_erasure=True,
                              retain_until=bookkeeping_retain_until(issued)).id
    finance = Scope(users["finance"])
    inv = invoices.get_invoice(finance, kept)
    assert inv.retained_after_erasure
    inv = invoices.mark_paid(finance, kept, inv.version, dt.date(2026, 5, 1), today=TODAY)
    invoices.update_invoice(finance, kept, inv.version, amount_minor=130_000, today=TODAY)
    row = Invoice.get_by_id(kept)
    assert (row.contact_id, row.billing_email, row.retained_after_erasure) == (None, None, True)
    assert row.retain_until == dt.date(2032, 1, 1)  # from the issue date, which nobody may change
    assert purge_expired_invoices(dt.date(2031, 12, 31)) == 0
    assert purge_expired_invoices(dt.date(2032, 1, 1)) == 1


def test_an_erasure_while_finance_has_the_invoice_open_makes_the_edit_a_conflict(store, users):
    from store import contacts
    from store.rights import add_request, erase_person, verify_identity

    manager, privacy, finance = Scope(users["manager"]), Scope(users["privacy"]), Scope(users["finance"])
    cid = contacts.create_contact(manager, first_name="Åse", last_name="Kjær", email="aase@kjaer.dk")
    issued = dt.date(2026, 2, 1)
    with database.atomic():
        inv_id = Invoice.create(number="E-1", issued_on=issued, due_on=dt.date(2026, 3, 1), amount_minor=50_000,
                                contact=cid, billing_name="Åse Kjær", billing_email="aase@kjaer.dk",
                                retain_until=bookkeeping_retain_until(issued)).id
    seen = invoices.get_invoice(finance, inv_id)
    request = add_request(privacy, cid, "erasure")
    verify_identity(privacy, request, "known_email")
    erase_person(privacy, cid, legal_basis="art17_1a")
    with pytest.raises(Conflict):
        invoices.mark_paid(finance, inv_id, seen.version, TODAY, today=TODAY)
    fresh = invoices.get_invoice(finance, inv_id)
    assert fresh.billing_email == "" and fresh.contact_id is None
    assert invoices.mark_paid(finance, inv_id, fresh.version, TODAY, today=TODAY).paid_on == TODAY
