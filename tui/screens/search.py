"""The home screen: type to search at once, filter, open, create.

Each keystroke starts a search on the store thread; a newer keystroke
cancels the wait for an older one (exclusive worker), so results always
match what is in the box.  Results refresh by themselves when another
session changes a contact.

For the roles that handle data-subject requests (admin, privacy) the results
show each contact's id, a line says how many requests are due within 7 days,
`r` starts or continues a request for the highlighted person and F2 opens the
request register (tui/screens/requests.py).
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Select

from .. import bindings, safe, vocab
from ..i18n import N_, _, ngettext
from ..messages import StoreChanged
from ..widgets.results import Caption, ResultsTable
from .base import BaseScreen

LIMIT = 50  # one screenful or two: a bigger page costs more to fill than it helps
STATUSES = ("active", "archived", "restricted", "all")
# What the search text matched (store.search.Field names and labels), for the "Found in" column.
MATCHED_FIELDS = {"name": N_("Name"), "company": N_("Company"), "cvr": N_("CVR"), "title": N_("Job title"),
                  "email": N_("Email"), "phone": N_("Phone"), "address": N_("Address"), "postcode": N_("Postcode"),
                  "city": N_("City"), "country": N_("Country"), "tag": N_("Tag")}
MATCHED_LABELS = {"company": N_("company"), "work": N_("work"), "private": N_("private"), "mobile": N_("mobile"),
                  "home": N_("home")}


def found_in(row) -> str:
    """Plain words for the fields a hit matched: `Job title: Direktør; City (company): Aarhus C`.
    Stored text: the results table makes it safe (tui/safe.py)."""
    parts = []
    for field in row.matched:
        caption = _(MATCHED_FIELDS[field.name]) if field.name in MATCHED_FIELDS else field.name
        if field.label and field.label != "other":  # "other" says nothing the field name does not
            caption += f" ({_(MATCHED_LABELS[field.label]) if field.label in MATCHED_LABELS else field.label})"
        parts.append(caption if field.name == "name" else f"{caption}: {field.value}")
    return "; ".join(parts)


class SearchScreen(BaseScreen):
    BINDING_GROUP = "search"
    BINDINGS = bindings.for_screen("search")
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#search"

    def __init__(self):
        super().__init__()
        self.rows = []
        self._filters_loaded = False
        self._shown_text: str | None = None  # the search text the table shows results for
        self._open_when_shown = False

    @property
    def handles_requests(self) -> bool:
        scope = self.app.scope
        return scope is not None and scope.can("request.handle")

    def compose(self) -> ComposeResult:
        from store.processing import LIFECYCLES

        yield Header(show_clock=False, icon="")
        yield Input(id="search", placeholder=_("Search names, companies, email, phone, tags…"),
                    max_length=200)
        with Horizontal(id="filters"):
            yield Select([], prompt=_("Tag"), id="tag")
            yield Select([], prompt=_("Owner"), id="owner")
            yield Select(vocab.options(STATUSES), value="active", allow_blank=False, id="status")
            yield Select(vocab.options(LIFECYCLES), prompt=_("Lifecycle"), id="lifecycle")
        columns = [(_("Name"), 4, 14), (_("Company"), 4, 12), (_("Email"), 5, 14),
                   (_("Phone"), 0, 11), (_("Owner"), 1, 5), (_("Status"), 0, 7), (_("Tags"), 2, 4),
                   (_("Found in"), 3, 8)]
        if self.handles_requests:
            columns.insert(0, (_("Id"), 0, 6))
        yield ResultsTable(columns, id="results")
        yield Caption(id="count")
        if self.handles_requests:
            yield Caption(id="desk")
        yield Footer()

    def on_mount(self) -> None:
        # Watching the value (not waiting for Input.Changed to bubble up) runs the search
        # while the key is handled: the box and its results then paint in the same frame.
        self.watch(self.query_one("#search", Input), "value", self._typed, init=False)
        self.load_filters()
        self.search()
        self.load_desk()

    # -- data ------------------------------------------------------------------

    @work(group="filters")
    async def load_filters(self) -> None:
        from store import contacts, staff

        tags = await self.call_store(contacts.all_tags)
        if not self.is_attached:
            return
        owners = await self.call_store(staff.owner_choices)
        if not self.is_attached:
            return
        tag_select = self.query_one("#tag", Select)
        owner_select = self.query_one("#owner", Select)
        keep_tag, keep_owner = tag_select.value, owner_select.value
        tag_select.set_options([(safe.text(t), t) for t in tags])  # Text: never parsed as markup
        owner_select.set_options([(safe.text(o.username), o.id) for o in owners])
        if keep_tag in tags:
            tag_select.value = keep_tag
        if keep_owner in [o.id for o in owners]:
            owner_select.value = keep_owner
        self._filters_loaded = True

    @work(exclusive=True, group="desk")
    async def load_desk(self) -> None:
        from store.rights import requests

        if not self.handles_requests:
            return
        summary = await self.call_store(requests.deadline_summary)
        if self.is_attached:
            soon = summary["due_soon"] + summary["overdue"]
            self.query_one("#desk", Caption).update(
                ngettext("Requests: {n} due within 7 days", "Requests: {n} due within 7 days", soon).format(n=soon)
                + (" " + _("({n} overdue)").format(n=summary["overdue"]) if summary["overdue"] else "")
                + " · " + _("F2: all requests"))

    def criteria(self) -> dict:
        def value(widget_id):
            v = self.query_one(widget_id, Select).value
            return None if v is Select.NULL else v

        status = value("#status")
        return dict(text=self.query_one("#search", Input).value, tag=value("#tag"),
                    owner_id=value("#owner"), lifecycle=value("#lifecycle"),
                    status=None if status == "all" else status)

    @work(exclusive=True, group="search")
    async def search(self) -> None:
        from store import contacts

        criteria = self.criteria()
        text = criteria.pop("text")
        rows = await self.call_store(contacts.search_contacts, text, limit=LIMIT, **criteria)
        if self.is_attached:
            self._landed(text, rows)

    def _landed(self, text: str, rows) -> None:
        self.show(rows)
        self._shown_text = text
        if self._open_when_shown and text == self.query_one("#search", Input).value:
            self._open_when_shown = False
            self.action_open()

    def show(self, rows) -> None:
        table = self.query_one("#results", ResultsTable)
        keep = self.current_id()
        self.rows = rows
        ids = self.handles_requests
        table.set_rows([((str(r.id),) if ids else ()) + (r.name, r.company, r.email, r.phone, r.owner,
                                                         vocab.label(r.status), ", ".join(r.tags),
                                                         found_in(r))
                        for r in rows])
        if keep is not None:
            for index, r in enumerate(rows):
                if r.id == keep:
                    table.move_cursor(row=index, animate=False)
                    break
        count = len(rows)
        text = (ngettext("{n} contact", "{n} contacts", count).format(n=count) if count < LIMIT
                else _("The first {n} contacts: type more to narrow the search").format(n=LIMIT))
        self.query_one("#count", Caption).update(text if count else _("No contacts found"))

    def current_id(self) -> int | None:
        table = self.query_one("#results", ResultsTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    # -- events ------------------------------------------------------------------

    def _typed(self, _value: str = "") -> None:
        self.search_now() or self.search()

    def search_now(self) -> bool:
        """A keystroke's search, right here on the event loop, when it is an indexed one.

        An FTS query for one page of results takes about a millisecond even at a
        million contacts; handing it to the store thread and back costs more than
        that (GIL hand-offs while the screen redraws: 5-15 ms).  Anything else (no
        text, only filters) goes to the store thread.  Returns False if not done.
        """
        from store import contacts, search
        from store.errors import StoreError

        criteria = self.criteria()
        text = criteria.pop("text")
        scope = self.app.scope
        if (scope is None or not self.app.store_ready.is_set() or self.app.store_error
                or not search.match_expression(text)):
            return False
        self.workers.cancel_group(self, "search")  # an older, slower search must not land after this
        try:
            rows = contacts.search_contacts(scope, text, limit=LIMIT, **criteria)
        except StoreError:
            return False  # the worker tries again and reports
        self._landed(text, rows)
        return True

    @on(Select.Changed)
    def _filtered(self) -> None:
        if self.is_mounted:
            self.search()

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        # Typed fast and pressed enter before the results came: open when they do.
        if event.value != self._shown_text:
            self._open_when_shown = True
            return
        self.action_open()

    @on(ResultsTable.RowSelected, "#results")
    def _selected(self, event: ResultsTable.RowSelected) -> None:
        event.stop()
        self.action_open()


    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("contact") or message.touches("user"):
            self.search()
            if message.everything or message.touches("user"):
                self.load_filters()
        if message.touches("request") or message.touches("contact"):
            self.load_desk()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.search()
        self.load_desk()

    # -- actions -----------------------------------------------------------------

    def may(self, action: str) -> bool:
        """Whether this user may do `action` here at all (the command palette asks this)."""
        scope = self.app.scope
        if action == "new_contact":
            return scope is not None and scope.can("contact.create")
        if action == "admin":
            return scope is not None and scope.can("user.admin")
        if action == "import_file":
            return scope is not None and scope.can("import")
        if action in ("request", "requests"):
            return scope is not None and scope.can("request.handle")
        return action != "to_results"

    def check_action(self, action: str, parameters) -> bool | None:
        in_box = isinstance(self.focused, Input)
        if action == "to_results":  # a priority binding: focus moves before the next key arrives
            return in_box
        if in_box and action in ("new_contact", "focus_filters", "clear_filters", "admin", "import_file",
                                 "cursor_down", "cursor_up", "request"):
            return False  # those keys are letters typed into the search box
        return self.may(action)

    def action_to_results(self) -> None:
        self.set_focus(self.query_one("#results"))

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#tag", Select).focus()

    def action_clear_filters(self) -> None:
        for widget_id in ("#tag", "#owner", "#lifecycle"):
            self.query_one(widget_id, Select).clear()
        self.query_one("#status", Select).value = "active"

    def action_cursor_down(self) -> None:
        self.query_one("#results", ResultsTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#results", ResultsTable).action_cursor_up()

    def action_open(self) -> None:
        contact_id = self.current_id()
        if contact_id is None:
            return
        from .contact import ContactScreen

        self.app.push_screen(ContactScreen(contact_id))

    def action_new_contact(self) -> None:
        from .contact import ContactScreen

        self.app.push_screen(ContactScreen(None))

    def action_import_file(self) -> None:
        from .import_wizard import ImportWizard

        self.app.push_screen(ImportWizard(self.app.scope))

    def action_admin(self) -> None:
        from .admin import AdminScreen

        self.app.push_screen(AdminScreen())

    def action_requests(self) -> None:
        from .requests import RequestsScreen

        self.app.push_screen(RequestsScreen())

    @work(group="desk-request")
    async def action_request(self) -> None:
        """Continue the person's open request, or register a new one for them."""
        from store.rights import handling, requests

        from .requests import NewRequestModal, RequestScreen

        contact_id = self.current_id()
        if contact_id is None:
            return
        name = next((r.name for r in self.rows if r.id == contact_id), "")
        request_id = await self.call_store(handling.open_request_for, contact_id)
        if request_id is None:
            values = await self.app.push_screen_wait(NewRequestModal(name, contact_id))
            if not values:
                return
            request_id = await self.call_store(requests.add_request, contact_id, values.pop("kind"), **values)
            self.app.tell(_("Request {id} registered.").format(id=request_id))
        self.app.push_screen(RequestScreen(request_id))
