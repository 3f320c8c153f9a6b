"""The contact's consents: purpose, channel, status and since when, one row each."""
from __future__ import annotations

from textual.widgets import DataTable

from ... import safe, vocab
from ...i18n import _, fmt_date


class ConsentsTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="consents", cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(_("Purpose"), _("Channel"), _("Status"), _("Since"), _("Method"), _("Text version"))

    def show(self, consents) -> None:
        self.clear()
        for c in consents:
            since = c.withdrawn_at if c.status == "withdrawn" else c.given_at
            self.add_row(safe.text(vocab.label(c.purpose)), safe.text(vocab.label(c.channel)),
                         safe.text(vocab.label(c.status)), safe.text(fmt_date(since)),
                         safe.text(vocab.label(c.method)), safe.text(c.text_version), key=str(c.id))
