"""Who viewed and changed the contact (admin and privacy roles): when, who, what."""
from __future__ import annotations

from textual.widgets import DataTable

from ... import safe
from ...i18n import N_, _, fmt_datetime

HISTORY_ACTIONS = {
    "contact.view": N_("Viewed"), "contact.edit": N_("Changed"), "contact.create": N_("Created"),
    "contact.tags": N_("Changed tags"), "contact.archive": N_("Archived"),
    "contact.unarchive": N_("Unarchived"), "consent.give": N_("Recorded consent"),
    "consent.withdraw": N_("Withdrew consent"), "access.denied": N_("Access refused"),
}


def history_label(action: str) -> str:
    msgid = HISTORY_ACTIONS.get(action)
    return _(msgid) if msgid else action


class HistoryTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="history", cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(_("When"), _("Who"), _("What"))

    def show(self, history) -> None:
        self.clear()
        for index, h in enumerate(history):
            self.add_row(safe.text(fmt_datetime(h.at)), safe.text(h.actor),
                         safe.text(history_label(h.action)), key=str(index))
