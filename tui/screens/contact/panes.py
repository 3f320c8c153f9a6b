"""A contact's related tabs (deals, notes, follow-ups, invoices, consent, history): each
built the first time it is shown, and filled from the screen's record (`bundle`).

A mixin of ContactScreen (screen.py); its `@on(TabbedContent.TabActivated)` handler stays on
the screen (Textual collects those from the screen class only) and calls `_build_pane`.
"""
from __future__ import annotations

import asyncio

from textual.widgets import TabbedContent, TabPane

from ...i18n import N_
from .consents import ConsentsTable
from .deals import DealsTable
from .followups import FollowUpsTable
from .history import HistoryTable
from .invoices import InvoicesTable
from .notes import NoteBody, NotesTable

# (pane id, the permission that shows it, its label): built on first activation (_build_pane)
RELATED_PANES = (("tab-deals", "deal.read", N_("Deals")), ("tab-notes", "note.read", N_("Notes")),
                 ("tab-follow-ups", "followup.read", N_("Follow-ups")),
                 ("tab-invoices", "invoice.read", N_("Invoices")),
                 ("tab-consent", "consent.read", N_("Consent")), ("tab-history", "audit.read", N_("History")))
RELATED_TABS = tuple(pane_id for pane_id, _permission, _label in RELATED_PANES)


def _pane_content(pane_id: str) -> tuple:
    if pane_id == "tab-notes":
        return NotesTable(), NoteBody()
    return ({"tab-deals": DealsTable, "tab-follow-ups": FollowUpsTable, "tab-invoices": InvoicesTable,
             "tab-consent": ConsentsTable, "tab-history": HistoryTable}[pane_id](),)


class RelatedPanes:
    """Building and filling the related tabs (state: `_panes_built`, `_pane_widgets`)."""

    def _fill_tables(self, pane_id: str | None = None) -> None:
        """The related tables built so far (all, or those of `pane_id`) show the bundle."""
        # (kept by _build_pane: a DOM query per kind was a quarter of a save, profiled)
        b = self.bundle
        records = {DealsTable: b.deals, NotesTable: b.notes, FollowUpsTable: b.follow_ups,
                   InvoicesTable: b.invoices, ConsentsTable: b.consents, HistoryTable: b.history}
        for pane, widgets in self._pane_widgets.items():
            if pane_id is not None and pane != pane_id:
                continue
            for widget in widgets:
                if type(widget) in records:
                    widget.show(records[type(widget)])
                if isinstance(widget, NotesTable):
                    self._show_note(0)

    async def _build_pane(self, pane_id: str) -> None:
        """A related tab's widgets, mounted and filled the first time it is shown."""
        built = self._panes_built.get(pane_id)
        if built is not None:
            await built.wait()  # built, or being built by the first caller
            return
        built = self._panes_built[pane_id] = asyncio.Event()
        pane = self.query_one(f"#{pane_id}", TabPane)
        widgets = _pane_content(pane_id)
        await pane.mount(*widgets)
        self._pane_widgets[pane_id] = widgets
        self._fill_tables(pane_id)
        built.set()

    def pane_ready(self, pane_id: str) -> bool:
        """A related tab's widgets are built and filled (tests wait for this after a switch)."""
        built = self._panes_built.get(pane_id)
        return built is not None and built.is_set()

    async def open_tab(self, pane_id: str) -> None:
        """Show a tab, its widgets built and filled when this returns."""
        self.query_one("#tabs", TabbedContent).active = pane_id
        await self._build_pane(pane_id)

    def _show_note(self, index: int) -> None:
        note = self.bundle.notes[index] if 0 <= index < len(self.bundle.notes) else None
        for body in self._pane_widgets.get("tab-notes", ()):
            if isinstance(body, NoteBody):
                body.show(note)

    def _hide_tab(self, pane_id: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if self.query(f"#{pane_id}"):
            tabs.hide_tab(pane_id)

    def action_next_tab(self) -> None:
        self._switch_tab(+1)

    def action_previous_tab(self) -> None:
        self._switch_tab(-1)

    def _switch_tab(self, step: int) -> None:
        from textual.widgets import Tabs

        tabs = self.query_one("#tabs", TabbedContent).query_one(Tabs)
        tabs.action_next_tab() if step > 0 else tabs.action_previous_tab()
