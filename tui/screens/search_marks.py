"""The search screen's marks and bulk actions: mark rows, then tag, reassign or archive them.

Space marks a row, `*` marks all shown; `t`, `o` and `h` act on the marked rows (or the
highlighted one) in one transaction each (store/bulk_actions.py), then the marks are
cleared and the list searched again.

A mixin for tui/screens/search.py's SearchScreen (which holds `marked` and the rows), next
to its paging (tui/screens/search_paging.py).
"""
from __future__ import annotations

from textual import work

from .. import safe
from ..i18n import _, ngettext
from ..widgets.results import ResultsTable


class MarkedRows:
    """Marks on the results and the bulk actions on them (see the module)."""

    def action_mark(self) -> None:
        table = self.query_one("#results", ResultsTable)
        contact_id = self.current_id()
        if contact_id is None:
            return
        self.marked ^= {contact_id}
        index = table.cursor_row
        table.set_row(index, self._cells(self.rows[index]))
        table.action_cursor_down()  # marking several in a row is space, space, space
        self._caption()

    def action_mark_page(self) -> None:
        shown = {r.id for r in self.rows}
        if shown <= self.marked:
            self.marked -= shown
        else:
            self.marked |= shown
        self.query_one("#results", ResultsTable).set_rows([self._cells(r) for r in self.rows])
        self._caption()

    def _targets(self) -> list[int]:
        """The marked contacts, else the highlighted one."""
        if self.marked:
            return sorted(self.marked)
        current = self.current_id()
        return [current] if current is not None else []

    def _done(self, text: str) -> None:
        self.app.tell(text)
        self.marked.clear()
        self.search()

    @work(group="bulk")
    async def action_bulk_tag(self) -> None:
        from store import bulk_actions

        from .forms import TagModal

        ids = self._targets()
        if not ids:
            return
        result = await self.app.push_screen_wait(TagModal(len(ids)))
        if not result:
            return
        n = await self.call_store(bulk_actions.add_tags, ids, [result["tag"]])
        if n is not None:
            self._done(ngettext("Tagged {n} contact.", "Tagged {n} contacts.", n).format(n=n))

    @work(group="bulk")
    async def action_bulk_owner(self) -> None:
        from store import bulk_actions, staff

        from .forms import ChoiceModal

        ids = self._targets()
        if not ids:
            return
        owners = await self.call_store(staff.owner_choices)
        result = await self.app.push_screen_wait(ChoiceModal(
            ngettext("Reassign {n} contact", "Reassign {n} contacts", len(ids)).format(n=len(ids)), _("Owner"),
            [(safe.text(o.display_name), o.id) for o in owners]))
        if not result or result["value"] is None:
            return
        n = await self.call_store(bulk_actions.reassign, ids, result["value"])
        if n is not None:
            self._done(ngettext("Reassigned {n} contact.", "Reassigned {n} contacts.", n).format(n=n))

    @work(group="bulk")
    async def action_archive(self) -> None:
        """Archive the marked contacts, or unarchive them when every one is archived."""
        from store import bulk_actions

        from .forms import ConfirmModal

        ids = self._targets()
        if not ids:
            return
        status = {r.id: r.status for r in self.rows}
        unarchive = all(status.get(i) == "archived" for i in ids)
        n = len(ids)
        if unarchive:
            title, question = _("Unarchive"), ngettext(
                "Unarchive {n} contact? It shows in the list again.",
                "Unarchive {n} contacts? They show in the list again.", n).format(n=n)
        else:
            title, question = _("Archive"), ngettext(
                "Archive {n} contact? It is kept, and shown only with the Archived filter.",
                "Archive {n} contacts? They are kept, and shown only with the Archived filter.", n).format(n=n)
        if not await self.app.push_screen_wait(ConfirmModal(title, question)):
            return
        changed = await self.call_store(bulk_actions.set_archived, ids, not unarchive)
        if changed is not None:
            self._done((ngettext("Unarchived {n} contact.", "Unarchived {n} contacts.", changed) if unarchive
                        else ngettext("Archived {n} contact.", "Archived {n} contacts.", changed)).format(n=changed))
