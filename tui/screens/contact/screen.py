"""One contact: fields, tags, deals, notes, invoices, consent and history.

Edits are saved with the version they were made on, in one store transaction
that returns the contact as saved.  If someone else saved first, the screen
says who and when and offers to reload their version with what was typed kept
on top.  While nothing is being typed, the screen follows changes made by other
sessions within a second (the app tells it while it is the active screen, and
what it missed when it is shown again).

A contact opens read-only (browsing: single letters are commands, shown in the
footer), shown as one block of text (card.py); `e` or Enter edits (every key types)
in the form, built the first time it is needed and kept; Escape leaves editing, and
asks first when something typed is not saved.  A new contact opens as a form to fill.
Keys typed while the contact loads are held by the app and handed over once its
fields are filled (tui/keygate.py), so they land where they were aimed.

Opened from a request (`request_id`), it is the rectification form (Art. 16):
each save is also recorded under that request, by field name.  Roles that
handle requests see the contact's id.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Header, Input, Static, TabbedContent, TabPane

from ... import bindings, safe
from ...i18n import _
from ...messages import StoreChanged
from ...widgets.footer import Footer
from ..base import BaseScreen
from .card import ContactCard
from .form import ContactForm
from .panes import RELATED_PANES, RELATED_TABS, RelatedPanes
from .related import RelatedActions
from .saving import ContactSaving

LETTER_ACTIONS = {"new_deal", "deal_stage", "new_note", "consent", "new_follow_up", "follow_up_done"}
class ContactScreen(RelatedPanes, RelatedActions, ContactSaving, BaseScreen):
    BINDING_GROUP = "contact"
    BINDINGS = bindings.for_screen("contact")
    CSS_PATH = Path(__file__).parent / "contact.tcss"

    def __init__(self, contact_id: int | None, *, request_id: int | None = None, prepared: bool = False):
        from store.contact_record import ContactRecord

        super().__init__()
        # The scope of the login this screen is built for, taken now: a screen built ahead
        # composes a moment later, and a session that ended meanwhile (revoked) has left the
        # app no scope (AttributeError in compose, over SSH).  Its store calls still go
        # through call_store, which the ended session's backend refuses.
        self.login_scope = self.app.scope
        self.contact_id = contact_id
        self.request_id = request_id  # saves are recorded under this request (rectification)
        self.bundle = ContactRecord()
        self.version: int | None = None
        self.stale = False
        self._loaded = False
        self._panes_built: dict[str, asyncio.Event] = {}  # pane id -> set once built and filled
        self._pane_widgets: dict[str, tuple] = {}  # pane id -> its widgets, once mounted
        self._shown = False
        self._look: tuple = ()  # (theme, ansi) it was last styled in (on_screen_resume)
        self._form: ContactForm | None = None  # built for the first edit (_open_form), then kept
        self._form_building = False
        self._focus_after_paint = False  # a save's move of the focus to the tab bar, still to come
        self._saving = False  # a save on its way (saving.py): keys wait for it
        # A new contact is a form to fill, a rectification (from a request) a form to correct:
        # both open editing; any other contact opens read-only.
        self.editing_mode = (contact_id is None or request_id is not None) and not prepared
        self._prepared = prepared  # built ahead, empty, for the first contact opened (prepare_contact)

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        scope = self.login_scope
        yield Header(show_clock=False, icon="")
        with TabbedContent(id="tabs"):
            with TabPane(_("Details"), id="tab-details"):
                if scope.can("request.handle"):
                    yield Static("", id="contact-id", markup=False)
                # Browsing shows the card; the form is built when editing starts (_open_form):
                # most opens are to read, and the form's ~120 widgets were most of the open.
                editing = self.editing_mode and self.may_edit()
                with VerticalScroll(id="card-box") as box:
                    box.display = not editing
                    yield ContactCard()
                if editing:
                    self._form = ContactForm(scope)
                    yield self._form
                yield Static("", id="form-message", markup=False)
            # The other tabs are built when first shown (_build_pane): opening a contact
            # builds and lays out only what is seen (issue 17: Enter to the contact painted).
            for pane_id, permission, label in RELATED_PANES:
                if scope.can(permission):
                    yield TabPane(_(label), id=pane_id)
        yield Footer()

    @property
    def form(self) -> ContactForm | None:
        """The edit form, once it has been built (None before the first edit)."""
        return self._form

    def on_mount(self) -> None:
        if self._prepared:
            try:
                self._set_mode(False)  # browsing
            except NoMatches:
                # built ahead and taken apart while it mounted: the app closing right after a
                # login removes its widgets in any order (the card gone, its box still there)
                return
            if self.contact_id is None:  # empty: show_contact fills it
                # laid out at the terminal's size now, while hidden (Textual's own step, which
                # paints nothing off the stack): the tab bar's underline and the footer's keys
                # are placed before its first frame, not in a second one (bench_terminal saw it)
                self.call_after_refresh(self._warm_up)
            elif self._loaded:
                # given a contact before it had mounted (show_contact returned early): shown
                # now with its version (a save from a record shown without one was refused as a
                # conflict, over SSH)
                self.show_bundle()
            else:
                self.reload(audit_view=True)
            return
        if self.editing_mode and not self.may_edit():
            self.editing_mode = False
        if self.contact_id is None:
            self.title = _("New contact")
            for pane in RELATED_TABS:
                self._hide_tab(pane)
        # Focus goes where it belongs now, never after the load: keys typed meanwhile are
        # held by the app until the fields are filled (ready_for_keys), then land here.
        self._set_mode(self.editing_mode)
        self.reload(audit_view=True)

    def _warm_up(self) -> None:
        """Laid out and drawn once while hidden (drawn to nothing): the first contact shown
        then draws only what it changed.  Shown cold, the first took ~20 ms more to lay out and
        draw than the next (traced at 100,000 contacts: the p95 of Enter to the contact)."""
        if not self.is_attached or self.app.screen is self:
            return
        self._refresh_layout(self.app.size)
        self._compositor.render_update(full=True)  # (Textual's own step; nothing is written)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it is shown (for one coming back
        # after a theme change). Shown the first time, this screen's widgets were styled as they
        # were built a moment ago, and each change since restyled what it touched: restyling all
        # ~120 again was a quarter of Enter to the contact painted (bench/profile_tui, issue 17).
        # (This handler runs before Screen's own, which reads the flag.)
        # Shown again (a reused screen, open_contact): only a theme changed since makes a
        # restyle worth its cost.
        look = (self.app.theme, self.app.ansi_color)
        if not self._shown or self._look == look:
            event.refresh_styles = False
        self._shown, self._look = True, look

    def show_contact(self, contact_id: int, bundle=None) -> None:
        """Another contact in this (kept) screen, browsing: `bundle`, its record loaded
        already, or nothing of the last one while the new one loads (the keys typed
        meanwhile are held: ready_for_keys)."""
        from store.contact_record import ContactRecord

        self.contact_id, self.request_id = contact_id, None
        self.bundle, self.version, self.stale = bundle or ContactRecord(), None, False
        self._loaded = bundle is not None
        self.editing_mode = False
        if not self.is_mounted:
            return  # on_mount loads it
        self.title = _("Contact")
        self.query_one("#tabs", TabbedContent).active = "tab-details"
        self.show_bundle()
        self._set_mode(False)
        if bundle is None:
            self.reload(audit_view=True)

    async def open_loaded(self, contact_id: int) -> None:
        """This kept screen shown with `contact_id`, loaded before it is shown: the first
        frame is the filled contact, one layout, not an empty one and then the record
        (the record is ~6 ms; each layout of the screen ~12: issue 17, Enter to the contact).
        Keys typed meanwhile wait for it (KeyGate.pause); a refusal is said where one is."""
        from store.contact_record import load_record
        from store.contacts import record_view

        gate = self.app.key_gate
        gate.pause()
        try:
            bundle = await self._read_ahead(contact_id)
            if bundle is None:
                bundle = await self.call_store(load_record, contact_id, audit_view=False,
                                               report=lambda text: self.app.tell(text, severity="error"))
            if self.app.scope is None:
                return  # the session ended meanwhile
            self.show_contact(contact_id, bundle)
            footer = self.query_one_optional(Footer)  # (none yet if it has not mounted: on_mount shows it)
            if footer is not None:
                footer.show_keys_now()  # its keys with it: `e` offered, in the first frame
            # its new layout (the card's height, the title) asked of the screen itself now, so
            # the first frame is laid out: left to the widgets, the request reached the screen
            # after a frame of the old layout, and the contact was a second frame ~30 ms later
            # (each Enter was three renders; traced at 100,000 contacts, bench/profile_tui)
            self.refresh(layout=True)
            self.app.push_screen(self)
        finally:
            gate.resume()
        # the view's audit row, once the contact is painted (a background call): its wait for the
        # write lock (an import writing elsewhere) is never part of the Enter
        self.run_worker(self.call_store(record_view, contact_id, background=True), group="contact-view")

    async def _read_ahead(self, contact_id: int):
        """The record read while it was highlighted (opening.read_ahead), if it is still good;
        None: it is read now (a failed read ahead is read again, and says why then)."""
        future = self.app.backend.take_ahead(("contact", contact_id), self.app.scope)
        if future is None:
            return None
        try:
            return await asyncio.wrap_future(future)
        except Exception:  # noqa: BLE001 -- read again now, by the call that reports
            return None

    # -- the two modes ----------------------------------------------------------------

    @property
    def editing(self) -> bool:
        return self.editing_mode

    @property
    def ready_for_keys(self) -> bool:
        # keys typed after `e` wait while the form is built, then land in its first field
        return ((self._loaded or self.contact_id is None) and not self._form_building
                and not self._focus_after_paint and not self._saving)

    def may_edit(self) -> bool:
        scope = self.app.scope
        if scope is None:
            return False
        if self.contact_id is None:
            return scope.can("contact.create")
        return scope.can("contact.edit") or scope.can("contact.rectify")

    def _set_mode(self, editing: bool, *, focus_after_paint: bool = False) -> None:
        """Browsing: the card, the focus on the tab bar, letters are commands.
        Editing: the form, the fields this role may change, the focus in the first of them.
        `focus_after_paint` (browsing, after a save): see saving.py."""
        self.editing_mode = editing
        form = self.form
        self.query_one("#card-box").display = not editing or form is None
        if form is not None:
            form.display = editing
        if editing and form is not None:
            form.apply_permissions(creating=self.contact_id is None)
            self.query_one("#tabs", TabbedContent).active = "tab-details"
            first = next((w for w in form.query("Input, Select") if not w.disabled), None)
            if first is not None:
                self.set_focus(first)
        else:
            self._show_card()
            if focus_after_paint:
                self.focus_tabs_after_paint()  # (saving.py)
            else:
                self._focus_tabs()
        self.show_mode()

    def action_edit(self) -> None:
        if self.editing_mode or self._form_building:
            return
        if not self.may_edit():
            self.app.tell(_("Your role may not change this contact."))
            return
        if self.form is None:
            self._form_building = True  # the keys typed meanwhile wait for its fields
            self._open_form()
            return
        self._fill_form()  # the version shown now: hidden, the form was not kept filled
        self._set_mode(True)

    @work(exclusive=True, group="contact-form")
    async def _open_form(self) -> None:
        """The form, built and filled from the version shown, then editing in it."""
        form = ContactForm(self.login_scope)
        try:
            await self.query_one("#tab-details", TabPane).mount(form, before="#form-message")
            self._form = form
            self._fill_form()
            self._set_mode(True)
        finally:
            self._form_building = False
            self.keys_ready()

    def action_back(self) -> None:
        """Escape: out of editing (asking first if something typed is unsaved), else back."""
        if not self.editing_mode:
            self.app.pop_screen()
            return
        creating = self.contact_id is None
        if self.dirty_new() if creating else self.dirty:
            self._ask_to_discard()
        else:
            self._leave_editing()

    @work(exclusive=True, group="contact-leave")
    async def _ask_to_discard(self) -> None:
        from ..forms import ConfirmModal

        if await self.app.push_screen_wait(ConfirmModal(
                _("Discard your changes?"),
                _("What you typed here is not saved. OK throws it away; Cancel goes back to it."))):
            if self.contact_id is not None:
                self.show_bundle()  # the version shown, without the typing
            self._leave_editing()

    def _leave_editing(self) -> None:
        if self.contact_id is None:
            self.app.pop_screen()  # a new contact never saved: nothing to browse
        else:
            self._set_mode(False)

    def dirty_new(self) -> bool:
        """A new contact's form holds something typed."""
        if self.form is None:
            return False
        return any(v not in ("", None) for k, v in self.form_values().items()
                   if k not in ("lifecycle", "lawful_basis"))

    # -- loading --------------------------------------------------------------------

    @work(exclusive=True, group="contact-load")
    async def reload(self, audit_view: bool = False, keep_typed: bool = False,
                     background: bool = False) -> None:
        """`background`: nobody waits for it (another session's change, the related records
        after a save): the store thread takes what someone waits for first."""
        from store.contact_record import load_record

        bundle = await self.call_store(load_record, self.contact_id, audit_view=audit_view,
                                       report=self._load_refused, background=background)
        # What is typed in the form now is kept, also what came while the record loaded: a
        # reload begun from a clean form (a change elsewhere, an import's every chunk) then
        # overwrote the letters typed meanwhile (bench_terminal under load: the x of "Larsx").
        # Only a newer version is filled in under it; the same version leaves the form alone.
        # (Not on the first load: the form is empty then, not typed in.)
        typed = self.form_changes() if self._loaded and (keep_typed or self.editing_mode) else {}
        shown, new = self.bundle.detail, bundle.detail
        newer = shown is None or new is None or new.version != shown.version
        self.bundle = bundle
        first_load = not self._loaded
        self._loaded = True
        self.stale = False
        self.show_bundle(typed, newer=newer)
        if first_load:
            self.keys_ready()  # the keys typed while it loaded: now, into the filled fields

    def _load_refused(self, text: str) -> None:
        """A failed load is said once; a contact never shown closes again."""
        self.app.tell(text, severity="error")
        if not self._loaded:
            self.app.pop_screen()

    def show_bundle(self, typed: dict | None = None, newer: bool = True) -> None:
        """The record shown: `typed` (what the form holds beyond the version it showed) put
        back on top of it; the form is refilled only if the record is `newer` than that."""
        b = self.bundle
        if b.detail is not None:
            self.set_header(title=safe.clean(b.detail.name) or _("Contact"))
            self.version = b.detail.version
        self._show_card()
        if typed and not newer:
            typed = {}  # the same version under the typing: the form stays as it is
        elif self.editing_mode:
            self._fill_form()  # while browsing the hidden form is filled when editing starts
        shown = self.query_one_optional("#contact-id", Static)  # by id: not a walk of the whole screen
        if shown is not None:
            note = (" · " + _("rectification under request {id}").format(id=self.request_id)
                    if self.request_id else "")
            shown.update(_("Contact id: {id}").format(id=self.contact_id) + note
                         if self.contact_id is not None else "")
        for name, value in (typed or {}).items():
            if self.form is not None:
                self.form.set_field(name, value)
        self._fill_tables()
        self.query_one("#form-message", Static).update(
            _("Your typing was kept on top of the newer version: check it and save again (ctrl+s).")
            if typed else "")

    def _show_card(self) -> None:
        if not self.editing_mode or self.form is None:
            self.query_one(ContactCard).show(self.bundle.detail, owners=self.bundle.owners,
                                             show_owner=self.login_scope.can("contact.reassign"))

    def _fill_form(self) -> None:
        """The form (if built) shows the version shown: what editing starts from."""
        form, b = self.form, self.bundle
        if form is None:
            return
        form.set_owners(b.owners)
        if b.detail is not None:
            form.show(b.detail)

    @on(TabbedContent.TabActivated, "#tabs")
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id in RELATED_TABS:
            await self._build_pane(event.pane.id)

    @on(DataTable.RowSelected, "#invoices")
    def _invoice_selected(self, event: DataTable.RowSelected) -> None:
        from ..invoice import InvoiceScreen

        event.stop()
        self.app.push_screen(InvoiceScreen(int(event.row_key.value)), callback=lambda _result: self.reload())

    @on(DataTable.RowHighlighted, "#notes")
    def _note_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_note(event.cursor_row)

    # -- editing ---------------------------------------------------------------------

    def form_values(self) -> dict:
        return self.form.values() if self.form is not None else {}

    def form_changes(self) -> dict:
        """Only what the user changed (compared with the version shown)."""
        return self.form.changes() if self.editing_mode and self.form is not None else {}

    @property
    def dirty(self) -> bool:
        return bool(self.form_changes()) if self._loaded else False

    def action_reload(self) -> None:
        if self.contact_id is not None:
            self.reload(keep_typed=True)

    def on_store_changed(self, message: StoreChanged) -> None:
        if self.contact_id is None or not message.touches("contact", self.contact_id):
            return
        if self.dirty:
            self.stale = True
            self.query_one("#form-message", Static).update(
                _("Someone else changed this contact. Press ctrl+r to reload; what you typed is kept."))
        else:
            self.reload(background=True)

    # -- related records --------------------------------------------------------------

    def may(self, action: str) -> bool:
        """Whether this user may do `action` here at all (the command palette asks this)."""
        scope = self.app.scope
        if scope is None:
            return False
        related = self.may_related(action)
        if related is not None:
            return related
        if action == "reload" and self.contact_id is None:
            return False
        if action == "edit":
            return not self.editing_mode and self.contact_id is not None and self.may_edit()
        if action == "save":
            if not self.editing_mode:
                return False
            creating = self.contact_id is None
            return scope.can("contact.create") if creating else (
                scope.can("contact.edit") or scope.can("contact.rectify"))
        return True

    def check_action(self, action: str, parameters) -> bool | None:
        # (letters never fire while a field has focus: BaseScreen sees to that)
        if action in LETTER_ACTIONS and self.editing_mode and self._focus_in_form():
            return False  # editing the form: every key types there (Escape first)
        return self.may(action)

    def _focus_in_form(self) -> bool:
        focused = self.focused
        return focused is not None and self.form is not None and self.form in focused.ancestors_with_self

    @on(Input.Submitted, "#form Input")
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()  # Enter moves on, as Tab does (ctrl+s saves)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()
