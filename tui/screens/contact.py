"""One contact: fields, tags, deals, notes, invoices, consent and history.

Edits are saved with the version they were made on.  If someone else saved
first, the screen says who and when and offers to reload their version with
what was typed kept on top.  While nothing is being typed, the screen
follows changes made elsewhere within a second.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (DataTable, Footer, Header, Input, Label, Select, Static, TabbedContent,
                             TabPane, TextArea)

from .. import bindings, safe, vocab
from ..i18n import N_, _, fmt_date, fmt_datetime, fmt_money
from ..messages import StoreChanged

TEXT_FIELDS = ("first_name", "last_name", "title", "email", "phone")
COMPANY_FIELDS = ("company", "company_cvr")
SELECT_FIELDS = ("lifecycle", "lawful_basis", "owner_id")
LETTER_ACTIONS = {"new_deal", "deal_stage", "new_note", "consent"}


@dataclass
class Bundle:
    """Everything the screen shows, fetched in one trip to the store thread."""
    detail: object = None
    deals: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    consents: list = field(default_factory=list)
    history: list = field(default_factory=list)
    owners: list = field(default_factory=list)


def load_bundle(scope, contact_id: int | None, audit_view: bool) -> Bundle:
    """Runs on the store thread."""
    from store import consent, contacts, deals, invoices, notes, staff

    bundle = Bundle(owners=staff.owner_choices(scope) if scope.can("contact.reassign") else [])
    if contact_id is None:
        return bundle
    bundle.detail = contacts.get_contact(scope, contact_id, audit_view=audit_view)
    if scope.can("deal.read"):
        bundle.deals = deals.deals_of(scope, contact_id)
    if scope.can("note.read"):
        bundle.notes = notes.notes_of(scope, contact_id)
    if scope.can("invoice.read"):
        bundle.invoices = invoices.invoices_of(scope, contact_id)
    if scope.can("consent.read"):
        bundle.consents = consent.consents_of(scope, contact_id)
    if scope.can("audit.read"):
        bundle.history = contacts.history(scope, contact_id)
    return bundle


def save_contact(scope, contact_id, version, changes: dict, tags: list[str] | None):
    """Runs on the store thread: create, or update then tags; returns (id, version)."""
    from store import contacts

    if "company" in changes or "company_cvr" in changes:
        from store import companies

        changes["company_id"] = companies.find_or_create(scope, changes.pop("company", None),
                                                         changes.pop("company_cvr", None))
    if contact_id is None:
        new_id = contacts.create_contact(scope, tags=tags or (), **changes)
        return new_id, None
    if changes:
        version = contacts.update_contact(scope, contact_id, version, **changes)
    if tags is not None:
        contacts.set_tags(scope, contact_id, tags)
    return contact_id, version


class ContactScreen(Screen):
    BINDING_GROUP = "contact"
    BINDINGS = bindings.for_screen("contact")
    CSS_PATH = "contact.tcss"

    def __init__(self, contact_id: int | None):
        super().__init__()
        bindings.localise(self)
        self.contact_id = contact_id
        self.bundle = Bundle()
        self.original: dict[str, object] = {}
        self.version: int | None = None
        self.stale = False
        self._loaded = False

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from store.processing import LAWFUL_BASES, LIFECYCLES

        scope = self.app.scope
        yield Header(show_clock=False, icon="")
        with TabbedContent(id="tabs"):
            with TabPane(_("Details"), id="tab-details"):
                with VerticalScroll(id="form"):
                    labels = {"first_name": _("First name"), "last_name": _("Last name"),
                              "title": _("Job title"), "email": _("Email"), "phone": _("Phone")}
                    hints = {"email": "navn@firma.dk", "phone": "+45 12 34 56 78"}
                    for name in TEXT_FIELDS:
                        yield self._row(labels[name], Input(compact=True, select_on_focus=False, id=f"f-{name}", max_length=200,
                                                            placeholder=hints.get(name, "")))
                    yield self._row(_("Lifecycle"), Select(vocab.options(LIFECYCLES), compact=True, id="f-lifecycle",
                                                           allow_blank=False, value="lead"))
                    yield self._row(_("Lawful basis"), Select(vocab.options(LAWFUL_BASES), compact=True,
                                                              id="f-lawful_basis", allow_blank=False,
                                                              value="legitimate_interest"))
                    if scope.can("contact.reassign"):
                        yield self._row(_("Owner"), Select([], compact=True, id="f-owner_id", prompt=_("(none)")))
                    yield self._row(_("Tags"), Input(compact=True, select_on_focus=False, id="f-tags", max_length=400,
                                                     placeholder=_("comma separated, e.g. vip, b2b")))
                    if scope.can("company.edit"):
                        yield self._row(_("Company"), Input(compact=True, select_on_focus=False, id="f-company",
                                                            max_length=200))
                        yield self._row(_("CVR"), Input(compact=True, select_on_focus=False,
                                                        id="f-company_cvr", max_length=12, placeholder="12345674"))
                    yield Static("", id="company", markup=False)
                    yield Static("", id="meta", markup=False)
                yield Static("", id="form-message", markup=False)
            if scope.can("deal.read"):
                with TabPane(_("Deals"), id="tab-deals"):
                    yield DataTable(id="deals", cursor_type="row")
            if scope.can("note.read"):
                with TabPane(_("Notes"), id="tab-notes"):
                    yield DataTable(id="notes", cursor_type="row")
                    yield Static("", id="note-body", markup=False)
            if scope.can("invoice.read"):
                with TabPane(_("Invoices"), id="tab-invoices"):
                    yield DataTable(id="invoices", cursor_type="row")
            if scope.can("consent.read"):
                with TabPane(_("Consent"), id="tab-consent"):
                    yield DataTable(id="consents", cursor_type="row")
            if scope.can("audit.read"):
                with TabPane(_("History"), id="tab-history"):
                    yield DataTable(id="history", cursor_type="row")
        yield Footer()

    @staticmethod
    def _row(label: str, widget) -> Horizontal:
        return Horizontal(Label(label, classes="label", markup=False), widget, classes="row")

    def on_mount(self) -> None:
        self.query_one("#form").can_focus = False  # tab goes from the tab bar straight into the fields
        self._setup_tables()
        self._apply_permissions()
        if self.contact_id is None:
            self.title = _("New contact")
            for pane in ("tab-deals", "tab-notes", "tab-invoices", "tab-consent", "tab-history"):
                self._hide_tab(pane)
        self.reload(audit_view=True)
        self.query_one("#f-first_name", Input).focus()

    def _hide_tab(self, pane_id: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if self.query(f"#{pane_id}"):
            tabs.hide_tab(pane_id)

    def _setup_tables(self) -> None:
        columns = {
            "deals": (_("Deal"), _("Amount"), _("Stage"), _("Owner")),
            "notes": (_("Date"), _("Category"), _("Visible to"), _("Author"), _("Note")),
            "invoices": (_("Number"), _("Issued"), _("Due"), _("Amount"), _("Paid"), _("Billed to"),
                         _("Keep until")),
            "consents": (_("Purpose"), _("Channel"), _("Status"), _("Since"), _("Method"), _("Text version")),
            "history": (_("When"), _("Who"), _("What")),
        }
        for table_id, names in columns.items():
            for table in self.query(f"#{table_id}").results(DataTable):
                table.add_columns(*names)

    def _apply_permissions(self) -> None:
        scope = self.app.scope
        creating = self.contact_id is None
        may_edit = scope.can("contact.create") if creating else scope.can("contact.edit")
        may_rectify = may_edit or (not creating and scope.can("contact.rectify"))
        for name in TEXT_FIELDS:
            self.query_one(f"#f-{name}").disabled = not may_rectify
        for name in ("lifecycle", "lawful_basis", "tags"):
            self.query_one(f"#f-{name}").disabled = not may_edit
        for owner in self.query("#f-owner_id"):
            owner.disabled = not (may_edit and scope.can("contact.reassign"))

    # -- loading --------------------------------------------------------------------

    @work(exclusive=True, group="contact-load")
    async def reload(self, audit_view: bool = False, keep_typed: bool = False) -> None:
        typed = self.form_changes() if keep_typed else {}
        try:
            bundle = await self.app.backend.run(load_bundle, self.app.scope, self.contact_id, audit_view)
        except Exception as exc:
            from ..errors import describe

            self.app.tell(describe(exc), severity="error")
            if not self._loaded:
                self.app.pop_screen()
            return
        if not self.is_attached:
            return
        self.bundle = bundle
        self._loaded = True
        self.stale = False
        self.show_bundle(typed)

    def show_bundle(self, typed: dict | None = None) -> None:
        b = self.bundle
        owners = self.query("#f-owner_id").results(Select)
        for owner in owners:
            owner.set_options([(safe.text(o.username), o.id) for o in b.owners])
        d = b.detail
        if d is not None:
            self.title = safe.clean(d.name) or _("Contact")
            self.version = d.version
            self.original = {"first_name": d.first_name, "last_name": d.last_name, "title": d.title,
                             "email": d.email, "phone": d.phone, "lifecycle": d.lifecycle,
                             "lawful_basis": d.lawful_basis, "owner_id": d.owner_id,
                             "tags": ", ".join(d.tags)}
            if self.query("#f-company"):
                self.original.update(company=d.company, company_cvr=d.company_cvr)
            for name, value in self.original.items():
                self._set_field(name, value)
            company = (_("Company: {name} (CVR {cvr})").format(name=safe.clean(d.company), cvr=d.company_cvr)
                       if d.company_cvr else _("Company: {name}").format(name=safe.clean(d.company))
                       if d.company else _("No company"))
            self.query_one("#company", Static).update(company)
            self.query_one("#meta", Static).update(
                _("Status: {status} · Source: {source} · Created {created} · Changed {changed} · "
                  "Version {version}").format(status=vocab.label(d.status), source=safe.clean(d.source),
                                              created=fmt_date(d.created_at),
                                              changed=fmt_datetime(d.updated_at), version=d.version))
        for name, value in (typed or {}).items():
            self._set_field(name, value)
        self._fill_tables()
        self.query_one("#form-message", Static).update(
            _("Your typing was kept on top of the newer version: check it and save again (ctrl+s).")
            if typed else "")

    def _set_field(self, name: str, value) -> None:
        widgets = self.query(f"#f-{name}")
        if not widgets:
            return
        widget = widgets.first()
        if isinstance(widget, Select):
            if value is None:
                widget.clear() if widget._allow_blank else None
            else:
                widget.value = value
        else:
            widget.value = safe.clean(value)

    def _fill_tables(self) -> None:
        b = self.bundle
        for table in self.query("#deals").results(DataTable):
            table.clear()
            for deal in b.deals:
                table.add_row(safe.text(deal.title), safe.text(fmt_money(deal.amount_minor, deal.currency)),
                              safe.text(vocab.label(deal.stage)), safe.text(deal.owner), key=str(deal.id))
        for table in self.query("#notes").results(DataTable):
            table.clear()
            for note in b.notes:
                first_line = note.body.splitlines()[0] if note.body else ""
                table.add_row(safe.text(fmt_date(note.created_at)), safe.text(vocab.label(note.category)),
                              safe.text(vocab.label(note.visibility)), safe.text(note.author),
                              safe.text(first_line[:60]), key=str(note.id))
            self._show_note(0)
        for table in self.query("#invoices").results(DataTable):
            table.clear()
            for inv in b.invoices:
                table.add_row(safe.text(inv.number), safe.text(fmt_date(inv.issued_on)),
                              safe.text(fmt_date(inv.due_on)),
                              safe.text(fmt_money(inv.amount_minor, inv.currency)),
                              safe.text(fmt_date(inv.paid_on) if inv.paid_on else _("unpaid")),
                              safe.text(inv.billing_name), safe.text(fmt_date(inv.retain_until)),
                              key=str(inv.id))
        for table in self.query("#consents").results(DataTable):
            table.clear()
            for c in b.consents:
                since = c.withdrawn_at if c.status == "withdrawn" else c.given_at
                table.add_row(safe.text(vocab.label(c.purpose)), safe.text(vocab.label(c.channel)),
                              safe.text(vocab.label(c.status)), safe.text(fmt_date(since)),
                              safe.text(vocab.label(c.method)), safe.text(c.text_version), key=str(c.id))
        for table in self.query("#history").results(DataTable):
            table.clear()
            for index, h in enumerate(b.history):
                table.add_row(safe.text(fmt_datetime(h.at)), safe.text(h.actor),
                              safe.text(history_label(h.action)), key=str(index))

    def _show_note(self, index: int) -> None:
        body = self.bundle.notes[index].body if 0 <= index < len(self.bundle.notes) else ""
        for static in self.query("#note-body").results(Static):
            static.update(safe.content(body, multiline=True))

    @on(DataTable.RowHighlighted, "#notes")
    def _note_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_note(event.cursor_row)

    # -- editing ---------------------------------------------------------------------

    def form_values(self) -> dict:
        values = {}
        for name in (*TEXT_FIELDS, "tags"):
            values[name] = self.query_one(f"#f-{name}", Input).value
        for name in COMPANY_FIELDS:  # only for roles that may edit companies
            for widget in self.query(f"#f-{name}").results(Input):
                values[name] = widget.value
        for name in SELECT_FIELDS:
            for widget in self.query(f"#f-{name}").results(Select):
                values[name] = None if widget.value is Select.NULL else widget.value
        return values

    def form_changes(self) -> dict:
        """Only what the user changed (compared with the version shown)."""
        out = {}
        for name, value in self.form_values().items():
            shown = self.original.get(name)
            if name in TEXT_FIELDS or name in COMPANY_FIELDS or name == "tags":
                shown = safe.clean(shown)
            if value != shown and not (value in ("", None) and shown in ("", None)):
                out[name] = value
        return out

    @property
    def dirty(self) -> bool:
        return bool(self.form_changes()) if self._loaded else False

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
        self._save(changes, tags)

    @work(exclusive=True, group="contact-save")
    async def _save(self, changes: dict, tags) -> None:
        from store.contacts import Conflict
        from store.errors import Invalid

        message = self.query_one("#form-message", Static)
        try:
            new_id, _version = await self.app.backend.run(save_contact, self.app.scope, self.contact_id,
                                                          self.version, changes, tags)
        except Conflict as exc:
            choice = await self.app.push_screen_wait(ConflictModalFactory(exc.by, exc.at))
            if choice == "reload":
                self.reload(keep_typed=True)
            else:
                message.update(_("Not saved: someone else saved first. Press ctrl+r to reload."))
            return
        except Invalid as exc:
            from ..errors import describe

            message.update(describe(exc))
            for widget in self.query(f"#f-{exc.field}"):
                widget.focus()
            return
        except Exception as exc:
            from ..errors import describe

            message.update(describe(exc))
            return
        created = self.contact_id is None
        self.contact_id = new_id
        if created:
            self.app.tell(_("Contact created."))
            for pane in ("tab-deals", "tab-notes", "tab-invoices", "tab-consent", "tab-history"):
                if self.query(f"#{pane}"):
                    self.query_one("#tabs", TabbedContent).show_tab(pane)
            self._apply_permissions()
        else:
            self.app.tell(_("Saved."))
        self.reload()
        self.refresh_bindings()

    def action_reload(self) -> None:
        if self.contact_id is not None:
            self.reload(keep_typed=True)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_store_changed(self, message: StoreChanged) -> None:
        if self.contact_id is None or not message.touches("contact", self.contact_id):
            return
        if self.dirty:
            self.stale = True
            self.query_one("#form-message", Static).update(
                _("Someone else changed this contact. Press ctrl+r to reload; what you typed is kept."))
        else:
            self.reload()

    # -- related records --------------------------------------------------------------

    def may(self, action: str) -> bool:
        """Whether this user may do `action` here at all (the command palette asks this)."""
        scope = self.app.scope
        if scope is None:
            return False
        needs_contact = {"new_deal", "deal_stage", "new_note", "consent", "reload"}
        if action in needs_contact and self.contact_id is None:
            return False
        permission = {"new_deal": "deal.edit", "deal_stage": "deal.edit", "new_note": "note.write",
                      "consent": "consent.read"}.get(action)
        if permission and not scope.can(permission):
            return False
        if action == "save":
            creating = self.contact_id is None
            return scope.can("contact.create") if creating else (
                scope.can("contact.edit") or scope.can("contact.rectify"))
        if action == "deal_stage":
            return bool(self.bundle.deals)
        return True

    def check_action(self, action: str, parameters) -> bool | None:
        if action in LETTER_ACTIONS and isinstance(self.focused, (Input, TextArea)):
            return False  # the key is a letter typed into the field
        return self.may(action)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_next_tab(self) -> None:
        self._switch_tab(+1)

    def action_previous_tab(self) -> None:
        self._switch_tab(-1)

    def _switch_tab(self, step: int) -> None:
        from textual.widgets import Tabs

        tabs = self.query_one("#tabs", TabbedContent).query_one(Tabs)
        tabs.action_next_tab() if step > 0 else tabs.action_previous_tab()

    @work(group="contact-related")
    async def action_new_note(self) -> None:
        from store import notes

        from .forms import NoteModal

        result = await self.app.push_screen_wait(NoteModal())
        if not result:
            return
        try:
            await self.app.backend.run(notes.add_note, self.app.scope, self.contact_id, **result)
        except Exception as exc:
            from ..errors import describe

            self.app.tell(describe(exc), severity="error")
            return
        self.app.tell(_("Note added."))
        self.query_one("#tabs", TabbedContent).active = "tab-notes"
        self.reload()

    @work(group="contact-related")
    async def action_new_deal(self) -> None:
        from store import deals

        from .forms import DealModal

        result = await self.app.push_screen_wait(DealModal())
        if not result:
            return
        try:
            await self.app.backend.run(deals.create_deal, self.app.scope, self.contact_id, **result)
        except Exception as exc:
            from ..errors import describe

            self.app.tell(describe(exc), severity="error")
            return
        self.app.tell(_("Deal added."))
        self.query_one("#tabs", TabbedContent).active = "tab-deals"
        self.reload()

    @work(group="contact-related")
    async def action_deal_stage(self) -> None:
        from store import deals
        from store.processing import DEAL_STAGES

        from .forms import ChoiceModal

        if not self.bundle.deals:
            return
        tabs = self.query_one("#tabs", TabbedContent)
        table = self.query_one("#deals", DataTable)
        if tabs.active != "tab-deals":
            tabs.active = "tab-deals"
            table.focus()
        index = min(table.cursor_row or 0, len(self.bundle.deals) - 1)
        deal = self.bundle.deals[index]
        result = await self.app.push_screen_wait(ChoiceModal(
            _("Deal stage"), _("Stage"), vocab.options(DEAL_STAGES), value=deal.stage,
            explanation=safe.clean(deal.title)))
        if not result:
            return
        try:
            await self.app.backend.run(deals.set_stage, self.app.scope, deal.id, deal.version,
                                       result["value"])
        except Exception as exc:
            from ..errors import describe

            self.app.tell(describe(exc), severity="error")
        self.reload()

    def action_consent(self) -> None:
        from .consent import ConsentScreen

        name = self.bundle.detail.name if self.bundle.detail else ""
        self.app.push_screen(ConsentScreen(self.contact_id, name))


def ConflictModalFactory(by, at):
    from .forms import ConflictModal

    return ConflictModal(by, at)


HISTORY_ACTIONS = {
    "contact.view": N_("Viewed"), "contact.edit": N_("Changed"), "contact.create": N_("Created"),
    "contact.tags": N_("Changed tags"), "contact.archive": N_("Archived"),
    "contact.unarchive": N_("Unarchived"), "consent.give": N_("Recorded consent"),
    "consent.withdraw": N_("Withdrew consent"), "access.denied": N_("Access refused"),
}


def history_label(action: str) -> str:
    msgid = HISTORY_ACTIONS.get(action)
    return _(msgid) if msgid else action

