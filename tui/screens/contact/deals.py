"""The contact's deals: title, amount, stage and owner, one row each."""
from __future__ import annotations

from textual.widgets import DataTable

from ... import safe, vocab
from ...i18n import _, fmt_money


class DealsTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="deals", cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(_("Deal"), _("Amount"), _("Stage"), _("Owner"))

    def show(self, deals) -> None:
        self.clear()
        for deal in deals:
            self.add_row(safe.text(deal.title), safe.text(fmt_money(deal.amount_minor, deal.currency)),
                         safe.text(vocab.label(deal.stage)), safe.text(deal.owner), key=str(deal.id))
