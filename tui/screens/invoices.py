"""Finance's home screen: invoices (finance does not see the contact register).

Type to search by number, billing name, e-mail or CVR; `f` (or the filter box) shows
all, unpaid, overdue or paid invoices, and the line under the table totals what the
filter finds, per currency.  Enter opens the invoice (tui/screens/invoice.py); `p` marks
the highlighted one paid and `e` corrects it, for the roles that may (the store decides
and audits refusals).  Single letters act only while the search box is not focused.
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select

from .. import bindings, safe, vocab
from ..i18n import _, fmt_date, fmt_money, ngettext
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from ..widgets.results import Caption
from .base import BaseScreen

FILTERS = ("unpaid", "overdue", "all", "paid")  # the order `f` steps through; unpaid first
LIMIT = 100
LETTER_ACTIONS = {"next_filter", "mark_paid", "edit", "cursor_down", "cursor_up"}


def state_label(invoice, today) -> str:
    """The paid date, else Unpaid or Overdue (ten characters at most in either language)."""
    state = invoice.state(today)
    return fmt_date(invoice.paid_on) if state == "paid" else vocab.label(state)


def totals_line(totals) -> str:
    """'Total: 12.500,00 kr. + 3.000,00 EUR' (each currency summed on its own)."""
    if not totals:
        return ""
    return _("Total: {amounts}").format(amounts=" + ".join(fmt_money(t.amount_minor, t.currency)
                                                           for t in totals))


class InvoicesScreen(BaseScreen):
    BINDING_GROUP = "invoices"
    BINDINGS = bindings.for_screen("invoices")
    AUTO_FOCUS = "#search"
    DEFAULT_CSS = """
    InvoicesScreen #bar { height: 3; }
    InvoicesScreen #search { width: 1fr; height: 3; }
    InvoicesScreen #filter { width: 22; }
    InvoicesScreen #invoices { height: 1fr; }
    InvoicesScreen #count { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self):
        super().__init__()
        self.rows = []
        self.totals = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Horizontal(id="bar"):
            yield Field(id="search", placeholder=_("Search number, billed to, email or CVR…"), max_length=100)
            yield Select(vocab.options(FILTERS), value="unpaid", allow_blank=False, id="filter")
        yield DataTable(id="invoices", cursor_type="row", zebra_stripes=True)
        yield Caption(id="count")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Invoices")
        table = self.query_one("#invoices", DataTable)
        # fixed widths: 80 columns hold them all in both languages, whatever the rows say
        for label, width in ((_("Number"), 9), (_("Issued"), 10), (_("Due"), 10), (_("Amount"), 15),
                             (_("Status"), 10)):
            table.add_column(label, width=width)
        table.add_column(_("Billed to"))
        self.search()

    @property
    def status(self) -> str:
        return self.query_one("#filter", Select).value

    @work(exclusive=True, group="search")
    async def search(self) -> None:
        import datetime as dt

        from store import invoices

        text, status, today = self.query_one("#search", Input).value, self.status, dt.date.today()
        rows = await self.call_store(invoices.list_invoices, text, status=status, today=today, limit=LIMIT)
        totals = await self.call_store(invoices.invoice_totals, text, status=status, today=today)
        if self.is_attached:
            self.show(rows, totals, today)

    def show(self, rows, totals, today) -> None:
        table = self.query_one("#invoices", DataTable)
        keep = self.current_id()
        self.rows, self.totals = rows, totals
        table.clear()
        for inv in rows:
            table.add_row(safe.text(inv.number), safe.text(fmt_date(inv.issued_on)), safe.text(fmt_date(inv.due_on)),
                          safe.text(fmt_money(inv.amount_minor, inv.currency)),
                          safe.text(state_label(inv, today), style="bold" if inv.state(today) == "overdue" else ""),
                          safe.text(inv.billing_name), key=str(inv.id))
        for index, inv in enumerate(rows):
            if inv.id == keep:
                table.move_cursor(row=index, animate=False)
        found = sum(t.count for t in totals)
        count = ngettext("{n} invoice", "{n} invoices", found).format(n=found)
        if found > len(rows):
            count = _("{shown} of {n} invoices shown").format(shown=len(rows), n=found)
        self.query_one("#count", Caption).update(
            " · ".join(part for part in (count, totals_line(totals)) if part) if found else _("No invoices found"))

    def current_id(self) -> int | None:
        table = self.query_one("#invoices", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    def current(self):
        row_id = self.current_id()
        return next((r for r in self.rows if r.id == row_id), None)

    @on(Input.Changed, "#search")
    def _typed(self) -> None:
        self.search()

    @on(Select.Changed, "#filter")
    def _filtered(self) -> None:
        if self.is_mounted:
            self.search()

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        self.action_to_results()

    @on(DataTable.RowSelected, "#invoices")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("invoice") or message.everything:
            self.search()

    def on_screen_resume(self) -> None:
        self.search()  # back from an invoice: what was changed there shows here

    # -- actions ---------------------------------------------------------------------

    def may(self, action: str) -> bool:
        scope = self.app.scope
        if action in ("mark_paid", "edit"):
            return scope is not None and scope.can("invoice.edit")
        return action != "to_results"

    def check_action(self, action: str, parameters) -> bool | None:
        in_box = isinstance(self.focused, Input)
        if action == "to_results":
            return in_box
        if in_box and action in LETTER_ACTIONS:
            return False  # the letter is typed into the search box
        return self.may(action)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_to_results(self) -> None:
        self.set_focus(self.query_one("#invoices"))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_cursor_down(self) -> None:
        self.query_one("#invoices", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#invoices", DataTable).action_cursor_up()

    def action_next_filter(self) -> None:
        select = self.query_one("#filter", Select)
        select.value = FILTERS[(FILTERS.index(select.value) + 1) % len(FILTERS)]

    def action_open(self) -> None:
        invoice_id = self.current_id()
        if invoice_id is not None:
            from .invoice import InvoiceScreen

            self.app.push_screen(InvoiceScreen(invoice_id))

    @work(group="invoice-write")
    async def action_mark_paid(self) -> None:
        from .invoice import mark_paid

        invoice = self.current()
        if invoice is not None and await mark_paid(self, invoice):
            self.search()

    @work(group="invoice-write")
    async def action_edit(self) -> None:
        from .invoice import edit

        invoice = self.current()
        if invoice is not None and await edit(self, invoice):
            self.search()
