"""The home screen: type to search at once, filter, open, create.

Each keystroke starts a search on the store thread; a newer keystroke
cancels the wait for an older one (exclusive worker), so results always
match what is in the box.  Results refresh by themselves when another
session changes a contact.  The highlighted contact's record is read while the
person looks at it (tui/screens/contact/opening.py read_ahead): Enter shows it at once.

For the roles that handle data-subject requests (admin, privacy) the results
show each contact's id, a line says how many requests are due within 7 days,
`r` starts or continues a request for the highlighted person and F2 opens the
request register (tui/screens/requests.py).

Under the results, the user's follow-ups due today or before (tui/widgets/today.py),
overdue first, when there are any; F3 moves into that list, Enter opens the contact.
Long lists (issue 17): the first 50 rows come at once, the next page when the
cursor nears the end of what is loaded (keyset pages from the store); `s` or
a click on a header sorts by a column (Danish order, done by the store), `d`
reverses; until then typed text lists best match first (exact and prefix matches,
then inside words: store.contacts.search_page) and no column is marked.  The caption
counts every match (tui/screens/search_paging.py).  Space marks a row, `*` marks all
shown; `t`, `o` and `h` tag, reassign or archive the marked rows (or the
highlighted one) in one transaction (store/bulk_actions.py; tui/screens/search_marks.py).
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Select

from .. import bindings, safe, vocab
from ..i18n import _, ngettext
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from ..widgets.results import Caption, ResultsTable
from ..widgets.today import TodayPanel
from .base import BaseScreen
from .search_marks import MarkedRows
from .search_paging import LIMIT, MORE_WHEN, ResultPages

STATUSES = ("active", "archived", "restricted", "all")
# keys only the results list answers: letters typed into the search box stay letters there
LIST_ACTIONS = ("mark", "mark_page", "sort_next", "sort_reverse", "bulk_tag", "bulk_owner", "archive")
# The highlighted contact's record is read once the highlight has rested this long: not for
# each letter of someone typing on (each read would take the GIL from their next keystroke).
# Well under the time a person takes to see the row and press Enter.
READ_AHEAD_AFTER_S = 0.05


class SearchScreen(ResultPages, MarkedRows, BaseScreen):
    """The results' paging and order are ResultPages (search_paging.py), the marks and
    bulk actions MarkedRows (search_marks.py); the widgets, filters and keys are here."""

    BINDING_GROUP = "search"
    BINDINGS = bindings.for_screen("search")
    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#search"

    def __init__(self):
        super().__init__()
        self.rows = []
        self._filters_loaded = False
        self._shown_text: str | None = None  # the search text the table shows results for
        self._shown_order: tuple[str | None, bool] | None = None  # and the (sort, descending) they are in
        self._from_top = False  # a new sort order starts at its first row once its page lands
        self._open_when_shown = False
        self._after: tuple | None = None  # where the next page starts (None: all loaded)
        self._generation = 0  # bumped when a new first page lands: an older next page is dropped
        self._count: int | None = None
        self._counted: tuple | None = None  # the matches `_count` is of (_count_key)
        # None: best match first for typed text, name order for the whole list (no sort
        # of every match per keystroke); a column once the user sorts by one.
        self.sort: str | None = None
        self.descending = False
        self.marked: set[int] = set()
        self._begun = False  # this session's data asked for (begin)
        self._shown_before = False  # the first showing loads nothing: begin has asked for it all
        self._read_ahead_timer = None

    @property
    def handles_requests(self) -> bool:
        scope = self.app.scope
        return scope is not None and scope.can("request.handle")

    def compose(self) -> ComposeResult:
        # Nothing here depends on who is logged in: the app builds this screen ahead, on the
        # login screen before anyone is (MiniCRMApp.prepare_home).  The role's columns and the
        # data come in `begin`.
        from store.processing import LIFECYCLES

        yield Header(show_clock=False, icon="")
        yield Field(id="search", placeholder=_("Search names, companies, email, phone, tags…"),
                    max_length=200)
        with Horizontal(id="filters"):
            yield Select([], prompt=_("Tag"), id="tag")
            yield Select([], prompt=_("Owner"), id="owner")
            yield Select(vocab.options(STATUSES), value="active", allow_blank=False, id="status")
            yield Select(vocab.options(LIFECYCLES), prompt=_("Lifecycle"), id="lifecycle")
        yield ResultsTable(self._columns(), id="results")
        yield Caption(id="count")
        desk = Caption(id="desk")  # the requests line, for the roles that handle requests
        desk.display = False
        yield desk
        yield TodayPanel()
        # The footer comes a frame after the results (on_screen_resume): its keys follow the
        # role, and the results are what a person needs first.

    def _columns(self) -> list[tuple[str, int, int]]:
        """The results' columns for this role (and `_sorts`, `_labels` to match)."""
        columns = [("", 0, 1), (_("Name"), 4, 14), (_("Company"), 4, 12), (_("Email"), 5, 14),
                   (_("Phone"), 0, 11), (_("Owner"), 1, 5), (_("Status"), 0, 7), (_("Tags"), 2, 4),
                   (_("Found in"), 3, 8)]  # what the text matched: not a sort
        self._sorts: list[str | None] = [None, "name", "company", "email", "phone", "owner", "status", "tags",
                                         None]
        if self.handles_requests:
            columns.insert(1, (_("Id"), 0, 6))
            self._sorts.insert(1, "id")
        self._labels = [c[0] for c in columns]
        return columns

    def on_mount(self) -> None:
        # Watching the value (not waiting for Input.Changed to bubble up) runs the search
        # while the key is handled: the box and its results then paint in the same frame.
        self.watch(self.query_one("#search", Input), "value", self._typed, init=False)
        self._show_sort()
        if self.app.scope is not None:  # built for a session (not ahead of the login)
            self.begin()

    def begin(self, first_page: tuple | None = None) -> None:
        """This session's screen: the role's columns, then the first page of results (or
        `first_page`, fetched already: fetch_first_page) before the filter choices, the
        requests line and the follow-ups.  Once per screen."""
        if self._begun:
            return
        self._begun = True
        table = self.query_one("#results", ResultsTable)
        table.set_columns(self._columns())
        self.query_one("#desk", Caption).display = self.handles_requests
        self._show_sort()
        self.show_mode()  # the header names who is logged in (built ahead, it named nobody)
        if first_page is not None:
            self._landed(*first_page)
        else:
            self.search()
        # the rest after the first paint (on_screen_resume): the results come first

    async def _first_shown(self) -> None:
        """After the first paint: the footer, the filter choices, the requests line, the follow-ups."""
        if not self.still_here:
            return  # gone already (a logout at once)
        await self.mount(Footer())
        self.refresh_bindings()  # a footer shows its keys at the next bindings update
        self.load_filters()
        self.load_desk()
        self.query_one(TodayPanel).load()

    async def fetch_first_page(self) -> tuple | None:
        """The first page for what the screen shows now, for `begin`: (text, page, order);
        None if the call failed (begin's own search then tries again, and reports)."""
        from store import contacts

        criteria = self.criteria()
        text = criteria.pop("text")
        order = (self.sort, self.descending)
        try:
            page = await self.app.backend.run_as(self.app.scope, contacts.search_page, text, limit=LIMIT,
                                                 sort=order[0], descending=order[1], **criteria)
        # deliberately broad: whatever failed is reported once, by the search `begin` then starts
        except Exception:  # noqa: BLE001
            return None
        return text, page, order

    # -- data ------------------------------------------------------------------

    @work(group="filters")
    async def load_filters(self) -> None:
        from store import contacts, staff

        tags = await self.call_store(contacts.all_tags, background=True)
        owners = await self.call_store(staff.owner_choices, background=True)
        tag_select = self.query_one("#tag", Select)
        owner_select = self.query_one("#owner", Select)
        keep_tag, keep_owner = tag_select.value, owner_select.value
        tag_select.set_options([(safe.text(t), t) for t in tags])  # Text: never parsed as markup
        owner_select.set_options([(safe.text(o.display_name), o.id) for o in owners])
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
        summary = await self.call_store(requests.deadline_summary, background=True)
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

    # -- events ------------------------------------------------------------------

    def _typed(self, _value: str = "") -> None:
        self.search_now() or self.search()

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

    @on(ResultsTable.RowHighlighted, "#results")
    def _highlighted(self, event: ResultsTable.RowHighlighted) -> None:
        if self._read_ahead_timer is not None:
            self._read_ahead_timer.stop()
        self._read_ahead_timer = self.set_timer(READ_AHEAD_AFTER_S, self._read_ahead)
        if self._after is not None and event.cursor_row >= len(self.rows) - MORE_WHEN:
            self.load_more()

    def _read_ahead(self) -> None:
        """The highlighted contact read now, so that Enter on it shows it without a wait."""
        contact_id = self.current_id() if self.still_here else None
        if contact_id is not None:
            from .contact import read_ahead

            read_ahead(self.app, contact_id)

    @on(ResultsTable.HeaderSelected, "#results")
    def _header(self, event: ResultsTable.HeaderSelected) -> None:
        sort = self._sorts[event.column]
        if sort is None:
            return
        typed = bool(self.query_one("#search", Input).value.strip())
        shown = self.sort or (None if typed else "name")  # the column the header marks
        self.descending = not self.descending if sort == shown else False
        self.sort = sort
        self._resort()


    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("contact") or message.touches("user"):
            self.search(keep_loaded=True)
            if message.everything or message.touches("user"):
                self.load_filters()
        if message.touches("request") or message.touches("contact"):
            self.load_desk()
        if message.touches("follow_up") or message.touches("contact"):
            self.query_one(TodayPanel).load()

    def on_screen_resume(self) -> None:
        # Back on the list, the cursor is in the search box: a name typed now searches
        # (letters on the results are commands: `i` would open the import wizard).
        box = self.query_one("#search", Input)
        self.set_focus(box)
        box.select_all()  # what is typed replaces the last search; an arrow key keeps it
        if not self._shown_before:
            self._shown_before = True
            self.call_after_refresh(self._first_shown)  # begin has shown the first page
            return
        if self.rows:
            self.search(keep_loaded=True)
        self.load_desk()
        self.query_one(TodayPanel).load()  # a follow-up added or done on the contact just left

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
        if action == "today":
            return scope is not None and scope.can("followup.read")
        if action == "bulk_tag":
            return scope is not None and scope.can("contact.edit")
        if action == "bulk_owner":
            return scope is not None and scope.can("contact.reassign")
        if action == "archive":
            return scope is not None and scope.can("contact.archive")
        return action != "to_results"

    def check_action(self, action: str, parameters) -> bool | None:
        in_box = isinstance(self.focused, Input)
        if action == "to_results":  # a priority binding: focus moves before the next key arrives
            return in_box
        if in_box and action in ("new_contact", "focus_filters", "clear_filters", "admin", "import_file",
                                 "cursor_down", "cursor_up", "request", *LIST_ACTIONS):
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
        from .contact import open_contact

        open_contact(self.app, contact_id)

    def action_new_contact(self) -> None:
        from .contact import ContactScreen

        self.app.push_screen(ContactScreen(None))

    def action_import_file(self) -> None:
        from .import_wizard import ImportWizard

        self.app.push_screen(ImportWizard(self.app.scope))

    def action_admin(self) -> None:
        from .admin import AdminScreen

        self.app.push_screen(AdminScreen())

    def action_today(self) -> None:
        if not self.query_one(TodayPanel).focus_list():
            self.app.tell(_("No follow-ups due today."))

    def on_today_panel_open(self, message: TodayPanel.Open) -> None:
        from .contact import open_contact

        open_contact(self.app, message.contact_id)

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
