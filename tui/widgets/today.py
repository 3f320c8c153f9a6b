"""The home screen's "today" list: the user's open follow-ups due today or before, overdue
ones first (store/followups.py `due_follow_ups`).

A few lines under the search results, shown only when something is due, so the search
box keeps the focus and the results most of the screen; F3 moves into it, Enter opens the
contact.  It loads on the store thread through its screen's `call_store`.
"""
from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from .. import safe
from ..i18n import _, ngettext
from .results import Caption


class TodayPanel(Vertical):
    DEFAULT_CSS = """
    TodayPanel { height: auto; max-height: 5; border-top: solid $primary; }
    TodayPanel #today-title { color: $text-muted; padding: 0 1; }
    TodayPanel DataTable { height: auto; max-height: 4; }
    """

    class Open(Message):
        """Enter on a follow-up: open its contact."""

        def __init__(self, contact_id: int) -> None:
            super().__init__()
            self.contact_id = contact_id

    def __init__(self) -> None:
        super().__init__(id="today")
        self.follow_ups: list = []
        self.display = False

    def compose(self) -> ComposeResult:
        yield Caption(id="today-title")
        yield DataTable(id="today-table", cursor_type="row", show_header=False)

    @work(exclusive=True, group="today")
    async def load(self) -> None:
        from store import followups

        if self.app.scope is None or not self.app.scope.can("followup.read"):
            return
        rows = await self.screen.call_store(followups.due_follow_ups, today=dt.date.today(), background=True)
        if self.is_attached and not self._pruning:  # not while its screen is being removed
            self.show(rows, dt.date.today())

    def show(self, rows, today: dt.date) -> None:
        from ..screens.contact.followups import due_label

        self.follow_ups = list(rows)
        table = self.query_one(DataTable)
        if not table.columns:
            table.add_columns(_("Due"), _("Contact"), _("Follow-up"))
        table.clear()
        for f in self.follow_ups:
            table.add_row(safe.text(due_label(f, today), style="bold" if f.due_on < today else ""),
                          safe.text(f.contact_name), safe.text(f.body + (f" · {f.deal_title}" if f.deal_title else "")),
                          key=str(f.id))
        overdue = sum(1 for f in self.follow_ups if f.due_on < today)
        total = len(self.follow_ups)
        self.query_one("#today-title", Caption).update(
            ngettext("{n} follow-up due", "{n} follow-ups due", total).format(n=total)
            + (" " + _("({n} overdue)").format(n=overdue) if overdue else "") + " · " + _("F3: go to the list"))
        self.display = bool(self.follow_ups)

    def focus_list(self) -> bool:
        """Move into the list; False when nothing is due."""
        if not self.follow_ups:
            return False
        self.screen.set_focus(self.query_one(DataTable))  # now, not after a refresh: the next key goes there
        return True

    @on(DataTable.RowSelected, "#today-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.follow_ups):
            self.post_message(self.Open(self.follow_ups[event.cursor_row].contact_id))
