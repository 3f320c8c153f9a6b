"""Finance's home screen: invoices (finance does not see the contact register)."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Static

from .. import bindings, safe
from ..i18n import _, fmt_date, fmt_money, ngettext
from ..messages import StoreChanged
from .base import BaseScreen


class InvoicesScreen(BaseScreen):
    BINDING_GROUP = "search"
    BINDINGS = bindings.for_screen("search")
    AUTO_FOCUS = "#search"
    DEFAULT_CSS = """
    InvoicesScreen #invoices { height: 1fr; }
    InvoicesScreen #count { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self):
        super().__init__()
        self.rows = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Input(id="search", placeholder=_("Search invoice number, billing name, email or CVR…"),
                    max_length=100)
        yield DataTable(id="invoices", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Invoices")
        self.query_one("#invoices", DataTable).add_columns(
            _("Number"), _("Issued"), _("Amount"), _("Paid"), _("Billed to"), _("Keep until"))
        self.search()

    @work(exclusive=True, group="search")
    async def search(self) -> None:
        from store import invoices

        text = self.query_one("#search", Input).value
        self.rows = await self.call_store(invoices.search_invoices, text)
        if not self.is_attached:
            return
        table = self.query_one("#invoices", DataTable)
        table.clear()
        for inv in self.rows:
            table.add_row(safe.text(inv.number), safe.text(fmt_date(inv.issued_on)),
                          safe.text(fmt_money(inv.amount_minor, inv.currency)),
                          safe.text(fmt_date(inv.paid_on) if inv.paid_on else _("unpaid")),
                          safe.text(inv.billing_name), safe.text(fmt_date(inv.retain_until)),
                          key=str(inv.id))
        n = len(self.rows)
        self.query_one("#count", Static).update(ngettext("{n} invoice", "{n} invoices", n).format(n=n))

    @on(Input.Changed, "#search")
    def _typed(self) -> None:
        self.search()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("invoice") or message.everything:
            self.search()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "to_results":
            return isinstance(self.focused, Input)
        return action in ("focus_search", "cursor_down", "cursor_up")

    def action_to_results(self) -> None:
        self.set_focus(self.query_one("#invoices"))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_cursor_down(self) -> None:
        self.query_one("#invoices", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#invoices", DataTable).action_cursor_up()

