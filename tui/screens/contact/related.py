"""What the contact screen does with the records hanging on the contact: a new note,
deal or follow-up (each through its form, with the store's free-text screening), a
deal's stage, a follow-up done, the consent screen.

A mixin of ContactScreen (screen.py), which holds the record (`bundle`) and reloads it:
this session's own writes do not come back through the change feed.
"""
from __future__ import annotations

from textual import work
from textual.widgets import TabbedContent

from ... import safe, vocab
from ...i18n import _
from .deals import DealsTable
from .followups import FollowUpsTable

# each related-record action and the permission it needs (on a saved contact only)
PERMISSIONS = {"new_deal": "deal.edit", "deal_stage": "deal.edit", "new_note": "note.write",
               "consent": "consent.read", "new_follow_up": "followup.write", "follow_up_done": "followup.write"}


class RelatedActions:
    """The letter commands on the related records (n, d, f, x, s, c)."""

    def may_related(self, action: str) -> bool | None:
        """Whether this user may do the related-record `action` now (None: not one of them)."""
        if action not in PERMISSIONS:
            return None
        if self.contact_id is None or not self.login_scope.can(PERMISSIONS[action]):
            return False
        if action == "deal_stage":
            return bool(self.bundle.deals)
        if action == "follow_up_done":
            return bool(self.bundle.follow_ups)
        return True

    def _refused_then_reload(self, text: str) -> None:
        """A refused stage change is said, and the deals shown as they now are."""
        self.app.tell(text, severity="error")
        self.reload()

    @work(group="contact-related")
    async def action_new_note(self) -> None:
        from store import notes

        from ..forms import NoteModal

        await self._add_screened(NoteModal, notes.add_note, _("Note added."), "tab-notes")

    @work(group="contact-related")
    async def action_new_deal(self) -> None:
        from store import deals

        from ..forms import DealModal

        await self._add_screened(DealModal, deals.create_deal, _("Deal added."), "tab-deals")

    async def _add_screened(self, modal, write, done: str, tab: str) -> None:
        """The form, then the write; refused text reopens the form with it and the reason."""
        result = await self.app.push_screen_wait(modal())
        while result:
            # A refused write is said once and stops here.
            # This session reloads itself: its own writes do not come back through the change feed.
            problem = await self._screened_write(write, result)
            if problem is None:
                self.app.tell(done)
                await self.open_tab(tab)
                self.reload()
                return
            result = await self.app.push_screen_wait(modal(result, problem))

    @work(group="contact-related")
    async def action_new_follow_up(self) -> None:
        """A follow-up on the contact, or on the highlighted deal when the Deals tab is open."""
        from store import followups

        from .followups import FollowUpModal

        tabs = self.query_one("#tabs", TabbedContent)
        initial, deal_title = {}, ""
        if tabs.active == "tab-deals" and self.bundle.deals:
            await self._build_pane("tab-deals")  # shown, but perhaps still being built
            table = self.query_one(DealsTable)
            deal = self.bundle.deals[min(table.cursor_row or 0, len(self.bundle.deals) - 1)]
            initial, deal_title = {"deal_id": deal.id}, deal.title
        result = await self.app.push_screen_wait(FollowUpModal(initial, deal_title=deal_title))
        while result:
            problem = await self._screened_write(followups.add_follow_up, result)
            if problem is None:
                self.app.tell(_("Follow-up added."))
                await self.open_tab("tab-follow-ups")
                self.reload()
                return
            result = await self.app.push_screen_wait(FollowUpModal(result, problem, deal_title=deal_title))

    @work(group="contact-related")
    async def action_follow_up_done(self) -> None:
        """Done (or open again) for the highlighted follow-up on the Follow-ups tab."""
        from store import followups

        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active != "tab-follow-ups":
            await self.open_tab("tab-follow-ups")
            self.query_one(FollowUpsTable).focus()
            return  # first show which one: the next press marks it
        follow_up = self.query_one(FollowUpsTable).current()
        if follow_up is None:
            return
        saved = await self.call_store(followups.set_done, follow_up.id, follow_up.version,
                                      follow_up.done_at is None, report=self._refused_then_reload)
        self.app.tell(_("Follow-up done.") if saved.done_at else _("Follow-up open again."))
        self.reload()

    async def _screened_write(self, fn, values: dict) -> str | None:
        """fn(contact, **values) with the store's free-text screening: a special-category word
        asks "Save anyway?"; returns None when written, else what to show in the reopened form."""
        from store.errors import CprInText, SpecialCategory

        from ...errors import describe
        from ..forms import SaveAnywayModal

        allow_special = False
        while True:
            try:
                await self.call_store(fn, self.contact_id, **values, allow_special=allow_special,
                                      expect=(CprInText, SpecialCategory))
                return None
            except CprInText as exc:
                return describe(exc)
            except SpecialCategory as exc:
                if not allow_special and await self.app.push_screen_wait(SaveAnywayModal(describe(exc))):
                    allow_special = True
                    continue
                return describe(exc)

    @work(group="contact-related")
    async def action_deal_stage(self) -> None:
        from store import deals
        from store.processing import DEAL_STAGES

        from ..forms import ChoiceModal

        if not self.bundle.deals:
            return
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active != "tab-deals":
            await self.open_tab("tab-deals")
            self.query_one(DealsTable).focus()
        table = self.query_one(DealsTable)
        index = min(table.cursor_row or 0, len(self.bundle.deals) - 1)
        deal = self.bundle.deals[index]
        result = await self.app.push_screen_wait(ChoiceModal(
            _("Deal stage"), _("Stage"), vocab.options(DEAL_STAGES), value=deal.stage,
            explanation=safe.clean(deal.title)))
        if result:
            await self.call_store(deals.set_stage, deal.id, deal.version, result["value"],
                                  report=self._refused_then_reload)
            self.reload()

    def action_consent(self) -> None:
        from ..consent import ConsentScreen

        name = self.bundle.detail.name if self.bundle.detail else ""
        # Back from the consent screen: show what was recorded there (our own writes).
        self.app.push_screen(ConsentScreen(self.contact_id, name), callback=lambda _result: self.reload())
