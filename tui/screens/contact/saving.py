"""Saving the contact form: one store transaction, then the record as saved, in browsing.

A save is made on the version the form was filled from; if someone else saved first, the
screen says who and when and offers to reload their version with what was typed kept on
top.  Special-category words are saved only when the user says so.  Saved, the screen goes
back to reading the record, "Saved." said under it in the same frame.

A mixin of ContactScreen (screen.py), which owns the form, the record (`bundle`) and the modes.
"""
from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import work
from textual.widgets import Static, TabbedContent

from ...i18n import _
from .panes import RELATED_TABS

# A save's move of the focus to the tab bar comes this long after the saved record's paint.
FOCUS_AFTER_PAINT_S = 0.01


class ContactSaving:
    """ctrl+s on the contact form (see the module)."""

    def action_save(self) -> None:
        changes = self.form_changes()
        if self.contact_id is None:
            values = self.form_values()
            changes = {k: v for k, v in values.items() if v not in ("", None) or k == "first_name"}
        if not changes:
            self.query_one("#form-message", Static).update(_("Nothing to save."))
            return
        tags = None
        if "tags" in changes:
            tags = [t.strip() for t in changes.pop("tags").split(",") if t.strip()]
        # What is typed while the save is on its way (the file busy with another writer, say)
        # waits for its outcome: typed into the form, it was hidden with it, unsaved.
        self._saving = True
        self._save(changes, tags)

    @work(exclusive=True, group="contact-save")
    async def _save(self, changes: dict, tags) -> None:
        try:
            await self._save_and_show(changes, tags)
        finally:
            self._saving = False
            self.keys_ready()  # (after a save: once the focus has moved, focus_tabs_after_paint)

    async def _save_and_show(self, changes: dict, tags) -> None:
        from store.contacts import save_contact
        from store.errors import Conflict, Invalid, SpecialCategory

        from ...errors import describe
        from ..forms import SaveAnywayModal

        message = self.query_one("#form-message", Static)
        allow_special = False
        while True:
            try:
                saved = await self.call_store(save_contact, self.contact_id, self.version, changes, tags,
                                              allow_special=allow_special, report=message.update,
                                              expect=(Conflict, Invalid))
            except Conflict as exc:
                choice = await self.app.push_screen_wait(_conflict_modal(exc.by, exc.at))
                if choice == "reload":
                    self.reload(keep_typed=True)
                else:
                    message.update(_("Not saved: someone else saved first. Press ctrl+r to reload."))
                return
            except Invalid as exc:
                # Special-category words in free text: the store saves them only if the user says so.
                if isinstance(exc, SpecialCategory) and not allow_special \
                        and await self.app.push_screen_wait(SaveAnywayModal(describe(exc))):
                    allow_special = True
                    continue
                message.update(describe(exc))
                for widget in self.query(f"#f-{exc.field}"):
                    widget.focus()
                return
            break
        if self.request_id is not None:
            from store.rights import record_rectification

            fields = sorted(changes) + (["tags"] if tags is not None else [])
            await self.call_store(record_rectification, self.request_id, fields, report=message.update)
        self._saved(saved)

    def _saved(self, saved) -> None:
        """Show the contact as the store saved it; this session is not told of its own write."""
        created = self.contact_id is None
        self.contact_id = saved.id
        if created:
            self.app.tell(_("Contact created."))
            tabs = self.query_one("#tabs", TabbedContent)
            for pane in RELATED_TABS:
                if self.query(f"#{pane}"):
                    tabs.show_tab(pane)
            if self.form is not None:
                self.form.apply_permissions(creating=False)
        self.bundle = replace(self.bundle, detail=saved)
        self.stale = False
        # saved: back to reading it, before it is shown (the hidden form is not refilled:
        # refilling its ~20 fields was half of save to "Saved." painted, profiled)
        self.editing_mode = False
        self.show_bundle()
        if not created:
            # said under the record, in the frame that shows it saved: a notification is drawn
            # a frame later (~40 ms at 100,000 contacts, bench_terminal), and is gone later too
            # in the theme's colour for success, as text: a class for it restyled the line (~0.6 ms)
            self.query_one("#form-message", Static).update(
                Text(_("Saved."), style=self.app.theme_variables.get("success", "green")))
        self._set_mode(False, focus_after_paint=True)
        # one frame for all of it: the new layout (the card for the form) is asked of the screen
        # now, so its next paint lays out first.  Left to the widgets, the request came after a
        # paint of the old layout, and the saved record was a second frame, ~40 ms later
        # (bench_terminal at 100,000 contacts: the title changed in one write, the card in the next)
        self.refresh(layout=True)
        if created or self.login_scope.can("audit.read"):
            # the related records (a new contact's tabs, the history's new row), once "Saved."
            # is painted: loaded and shown at once, they were a third of save to "Saved."
            self.call_after_refresh(self.reload, background=True)
        self.refresh_bindings()

    def focus_tabs_after_paint(self) -> None:
        """Browsing after a save: the focus on the tab bar once the saved record is painted,
        the keys typed meanwhile held for it (ready_for_keys).  Moved at once, the field's
        blur and the tab bar's focus restyled 11 widgets before the paint (3-5 ms of ~30);
        right after the paint, they kept Textual's writer thread from the interpreter (the
        frame reached the terminal ~10 ms late, traced): a moment after it, then."""
        self._focus_after_paint = True
        self.call_after_refresh(self.set_timer, FOCUS_AFTER_PAINT_S, self._focus_tabs)

    def _focus_tabs(self) -> None:
        from textual.widgets import Tabs

        waited, self._focus_after_paint = self._focus_after_paint, False
        if not self.is_attached:
            return
        if not self.editing_mode:  # (editing again by then: its own focus stands)
            self.set_focus(self.query_one("#tabs", TabbedContent).query_one(Tabs))
        if waited:
            self.keys_ready()


def _conflict_modal(by, at):
    from ..forms import ConflictModal

    return ConflictModal(by, at)
