"""The contact's invoices: number, dates, amount, whether paid, and how long it is kept."""
from __future__ import annotations

from textual.widgets import DataTable

from ... import safe
from ...i18n import _, fmt_date, fmt_money


class InvoicesTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="invoices", cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(_("Number"), _("Issued"), _("Due"), _("Amount"), _("Paid"), _("Billed to"),
                         _("Keep until"))

    def show(self, invoices) -> None:
        self.clear()
        for inv in invoices:
            self.add_row(safe.text(inv.number), safe.text(fmt_date(inv.issued_on)),
                         safe.text(fmt_date(inv.due_on)), safe.text(fmt_money(inv.amount_minor, inv.currency)),
                         safe.text(fmt_date(inv.paid_on) if inv.paid_on else _("unpaid")),
                         safe.text(inv.billing_name), safe.text(fmt_date(inv.retain_until)),
                         key=str(inv.id))
