"""One invoice: what it says, whether it is paid, how long it is kept; mark it paid or
unpaid and correct its amount or due date (roles with invoice.edit; the store refuses
and audits the others).

Every write is made on the version shown; if someone else saved first (or an erasure
cut the invoice down to what the books keep), the store says so and the invoice is
shown again as it now is.  `mark_paid` and `edit` are shared with the invoice list.
"""
from __future__ import annotations

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from .. import bindings, safe
from ..i18n import _, date_hint, fmt_date, fmt_money, parse_date, parse_money
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen
from .forms import FormModal, date_row


class MarkPaidModal(FormModal):
    """The payment date, today unless typed otherwise."""

    def __init__(self, invoice):
        self.TITLE_TEXT = _("Mark invoice {number} paid").format(number=safe.clean(invoice.number))
        self.invoice = invoice
        super().__init__()

    def fields(self):
        yield Static(_("{amount} billed to {name}").format(
            amount=fmt_money(self.invoice.amount_minor, self.invoice.currency),
            name=safe.clean(self.invoice.billing_name)), markup=False, classes="text")
        yield date_row(self, _("Paid on"), "paid_on", fmt_date(dt.date.today()))

    def on_mount(self) -> None:
        self.query_one("#paid_on").focus()

    def result(self):
        try:
            return {"paid_on": parse_date(self.value("#paid_on"))}
        except ValueError:
            self.error(_("The date is not a date ({hint}).").format(hint=date_hint()))
            return None


class InvoiceEditModal(FormModal):
    """Amount, due date and paid date (empty: unpaid): what finance may correct."""

    def __init__(self, invoice):
        self.TITLE_TEXT = _("Correct invoice {number}").format(number=safe.clean(invoice.number))
        self.invoice = invoice
        super().__init__()

    def fields(self):
        from .. import i18n

        inv = self.invoice
        yield self.row(_("Amount ({currency})").format(currency=inv.currency),
                       _input("amount", i18n.fmt_money(inv.amount_minor, None)))
        yield date_row(self, _("Due"), "due_on", fmt_date(inv.due_on))
        yield date_row(self, _("Paid on"), "paid_on", fmt_date(inv.paid_on) if inv.paid_on else "")
        yield Static(_("Leave 'Paid on' empty for an unpaid invoice. The number, the dates issued and "
                       "the billing details stay as issued."), markup=False, classes="text")

    def on_mount(self) -> None:
        self.query_one("#amount").focus()

    def result(self):
        try:
            amount = parse_money(self.value("#amount"))
        except ValueError:
            self.error(_("The amount is not a number (for example 12.500,00)."))
            return None
        try:
            due = parse_date(self.value("#due_on"))
            paid_text = self.value("#paid_on").strip()
            paid = parse_date(paid_text) if paid_text else None
        except ValueError:
            self.error(_("The date is not a date ({hint}).").format(hint=date_hint()))
            return None
        return {"amount_minor": amount, "due_on": due, "paid_on": paid}


def _input(widget_id: str, value: str):

    return Field(value=value, id=widget_id, max_length=20)


async def mark_paid(screen: BaseScreen, invoice) -> bool:
    """Ask for the payment date and record it; True when saved."""
    from store import invoices

    values = await screen.app.push_screen_wait(MarkPaidModal(invoice))
    if not values:
        return False
    await screen.call_store(invoices.mark_paid, invoice.id, invoice.version, values["paid_on"],
                            report=_refused(screen))
    screen.app.tell(_("Invoice {number} marked paid.").format(number=safe.clean(invoice.number)))
    return True


async def edit(screen: BaseScreen, invoice) -> bool:
    """Correct amount, due date and paid date; True when saved."""
    from store import invoices

    values = await screen.app.push_screen_wait(InvoiceEditModal(invoice))
    if not values:
        return False
    changed = {k: v for k, v in values.items() if v != getattr(invoice, k)}
    if not changed:
        return False
    await screen.call_store(invoices.update_invoice, invoice.id, invoice.version, **changed,
                            report=_refused(screen))
    screen.app.tell(_("Invoice {number} saved.").format(number=safe.clean(invoice.number)))
    return True


def _refused(screen):
    """A refused write is said, and what is shown is read again (it may have changed)."""
    def report(text: str) -> None:
        screen.app.tell(text, severity="error")
        reload = getattr(screen, "reload", None) or getattr(screen, "search", None)
        if reload is not None:
            reload()
    return report


class InvoiceScreen(BaseScreen):
    BINDING_GROUP = "invoice"
    BINDINGS = bindings.for_screen("invoice")
    DEFAULT_CSS = """
    InvoiceScreen #invoice { padding: 1 2; height: 1fr; }
    InvoiceScreen .line { height: auto; }
    InvoiceScreen #kept { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, invoice_id: int):
        super().__init__()
        self.invoice_id = invoice_id
        self.invoice = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with VerticalScroll(id="invoice"):
            for name in ("number", "billed", "address", "email", "cvr", "issued", "due", "amount", "state"):
                yield Static("", id=f"i-{name}", markup=False, classes="line")
            yield Static("", id="kept", markup=False, classes="line")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Invoice")
        self.reload()

    @work(exclusive=True, group="invoice-load")
    async def reload(self) -> None:
        from store import invoices

        invoice = await self.call_store(invoices.get_invoice, self.invoice_id, report=self._load_refused)
        if self.is_attached:
            self.show(invoice)

    def _load_refused(self, text: str) -> None:
        self.app.tell(text, severity="error")
        if self.invoice is None:
            self.app.pop_screen()

    def show(self, inv) -> None:
        from .invoices import state_label

        self.invoice = inv
        self.title = _("Invoice {number}").format(number=safe.clean(inv.number))
        lines = {
            "number": (_("Number"), inv.number), "billed": (_("Billed to"), inv.billing_name),
            "address": (_("Billing address"), inv.billing_address),
            "email": (_("Billing email"), inv.billing_email), "cvr": (_("CVR"), inv.billing_cvr),
            "issued": (_("Issued"), fmt_date(inv.issued_on)), "due": (_("Due"), fmt_date(inv.due_on)),
            "amount": (_("Amount"), fmt_money(inv.amount_minor, inv.currency)),
            "state": (_("Status"), _("Paid on {date}").format(date=fmt_date(inv.paid_on)) if inv.paid_on
                      else state_label(inv, dt.date.today())),
        }
        for name, (label, value) in lines.items():
            self.query_one(f"#i-{name}", Static).update(f"{label:<21}{safe.clean(value)}")
        kept = _("Kept until {date} (bogføringsloven § 10).").format(date=fmt_date(inv.retain_until))
        if inv.retained_after_erasure:
            kept += " " + _("The buyer was erased: only what the books need is kept.")
        self.query_one("#kept", Static).update(kept)
        self.refresh_bindings()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("invoice", self.invoice_id):
            self.reload()

    def may(self, action: str) -> bool:
        scope = self.app.scope
        if action in ("mark_paid", "mark_unpaid", "edit"):
            if scope is None or not scope.can("invoice.edit") or self.invoice is None:
                return False
            paid = self.invoice.paid_on is not None
            return {"mark_paid": not paid, "mark_unpaid": paid}.get(action, True)
        return True

    def check_action(self, action: str, parameters) -> bool | None:
        return self.may(action)

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(group="invoice-write")
    async def action_mark_paid(self) -> None:
        if self.invoice is not None and await mark_paid(self, self.invoice):
            self.reload()

    @work(group="invoice-write")
    async def action_edit(self) -> None:
        if self.invoice is not None and await edit(self, self.invoice):
            self.reload()

    @work(group="invoice-write")
    async def action_mark_unpaid(self) -> None:
        from store import invoices

        from .forms import ConfirmModal

        inv = self.invoice
        if inv is None or not await self.app.push_screen_wait(ConfirmModal(
                _("Mark unpaid?"), _("The payment recorded for invoice {number} is removed.").format(
                    number=safe.clean(inv.number)))):
            return
        await self.call_store(invoices.mark_unpaid, inv.id, inv.version, report=_refused(self))
        self.reload()
