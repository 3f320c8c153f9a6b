"""The home screen: type to search at once, filter, open, create.

Each keystroke starts a search on the store thread; a newer keystroke
cancels the wait for an older one (exclusive worker), so results always
match what is in the box.  Results refresh by themselves when another
session changes a contact.

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
counts every match.  Space marks a row, `*` marks all
shown; `t`, `o` and `h` tag, reassign or archive the marked rows (or the
highlighted one) in one transaction (store/bulk_actions.py).
"""
from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Select

from .. import bindings, safe, vocab
from ..i18n import N_, _, ngettext
from ..messages import StoreChanged
from ..widgets.footer import Footer
from ..widgets.results import Caption, ResultsTable
from ..widgets.today import TodayPanel
from .base import BaseScreen

LIMIT = 50  # one screenful or two: a bigger page costs more to fill than it helps
MORE_WHEN = 10  # rows before the end of what is loaded: the next page is fetched
COUNT_AFTER_S = 0.15  # typing pauses this long before the matches are counted
KEEP_AT_MOST = 1000  # rows a refresh reloads at once (beyond, the list starts again from the top)
STATUSES = ("active", "archived", "restricted", "all")
MARK = "✓"
# keys only the results list answers: letters typed into the search box stay letters there
LIST_ACTIONS = ("mark", "mark_page", "sort_next", "sort_reverse", "bulk_tag", "bulk_owner", "archive")
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
        self._shown_order: tuple[str | None, bool] | None = None  # and the (sort, descending) they are in
        self._from_top = False  # a new sort order starts at its first row once its page lands
        self._open_when_shown = False
        self._after: tuple | None = None  # where the next page starts (None: all loaded)
        self._generation = 0  # bumped when a new first page lands: an older next page is dropped
        self._count: int | None = None
        # None: best match first for typed text, name order for the whole list (no sort
        # of every match per keystroke); a column once the user sorts by one.
        self.sort: str | None = None
        self.descending = False
        self.marked: set[int] = set()

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
        columns = [("", 0, 1), (_("Name"), 4, 14), (_("Company"), 4, 12), (_("Email"), 5, 14),
                   (_("Phone"), 0, 11), (_("Owner"), 1, 5), (_("Status"), 0, 7), (_("Tags"), 2, 4),
                   (_("Found in"), 3, 8)]  # what the text matched: not a sort
        self._sorts: list[str | None] = [None, "name", "company", "email", "phone", "owner", "status", "tags",
                                         None]
        if self.handles_requests:
            columns.insert(1, (_("Id"), 0, 6))
            self._sorts.insert(1, "id")
        self._labels = [c[0] for c in columns]
        yield ResultsTable(columns, id="results")
        yield Caption(id="count")
        if self.handles_requests:
            yield Caption(id="desk")
        yield TodayPanel()
        yield Footer()

    def on_mount(self) -> None:
        # Watching the value (not waiting for Input.Changed to bubble up) runs the search
        # while the key is handled: the box and its results then paint in the same frame.
        self.watch(self.query_one("#search", Input), "value", self._typed, init=False)
        self._show_sort()
        self.load_filters()
        self.search()
        self.load_desk()
        self.query_one(TodayPanel).load()

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
    async def search(self, *, keep_loaded: bool = False) -> None:
        """The first page; `keep_loaded`: as many rows as are loaded now (a refresh after
        another session's change must not fold a list someone has scrolled far down)."""
        from store import contacts

        criteria = self.criteria()
        text = criteria.pop("text")
        limit = min(max(LIMIT, len(self.rows)), KEEP_AT_MOST) if keep_loaded else LIMIT
        order = (self.sort, self.descending)
        page = await self.call_store(contacts.search_page, text, limit=limit, sort=order[0],
                                     descending=order[1], **criteria)
        if self.is_attached:
            self._landed(text, page, order)

    def _landed(self, text: str, page, order: tuple[str | None, bool] | None = None) -> None:
        if self.sort is None and bool(text.strip()) != bool((self._shown_text or "").strip()):
            self._show_sort()  # best match first or the name order: the header says which
        self._after = page.after
        self._generation += 1
        order = order or (self.sort, self.descending)
        top = self._from_top and order == (self.sort, self.descending)
        if top:
            self._from_top = False
        self.show(page.rows, top=top)
        self._shown_text = text
        self._shown_order = order
        self.count()
        if self._open_when_shown and text == self.query_one("#search", Input).value:
            self._open_when_shown = False
            self.action_open()

    def _cells(self, r) -> tuple[str, ...]:
        return ((MARK if r.id in self.marked else " ",) + ((str(r.id),) if self.handles_requests else ())
                + (r.name, r.company, r.email, r.phone, r.owner, vocab.label(r.status), ", ".join(r.tags),
                   found_in(r)))

    def show(self, rows, *, top: bool = False) -> None:
        """The rows, the highlighted contact kept highlighted (a refresh, the next page);
        `top`: the cursor on the first row instead (a new sort order)."""
        table = self.query_one("#results", ResultsTable)
        keep = None if top else self.current_id()
        self.rows = list(rows)
        table.set_rows([self._cells(r) for r in rows])
        if top:
            table.move_cursor(row=0, animate=False)
        elif keep is not None:
            for index, r in enumerate(rows):
                if r.id == keep:
                    table.move_cursor(row=index, animate=False)
                    break
        self._caption()

    def _caption(self) -> None:
        from store.contacts import COUNT_CAP

        n = self._count if self._count is not None else len(self.rows)
        if not n:
            text = _("No contacts found")
        elif n > COUNT_CAP:
            text = _("More than {n} contacts").format(n=f"{COUNT_CAP:,}")
        else:
            text = ngettext("{n} contact", "{n} contacts", n).format(n=n)
        if self.marked:
            text += " · " + ngettext("{n} marked", "{n} marked", len(self.marked)).format(n=len(self.marked))
        self.query_one("#count", Caption).update(text)

    @work(exclusive=True, group="count")
    async def count(self) -> None:
        """Every match counted on the store thread, after the page has painted."""
        from store import contacts

        criteria = self.criteria()
        text = criteria.pop("text")
        self._count = None
        # A pause first: while someone types, each key cancels the last count before it reaches
        # the store thread (a count of 100,000 rows would queue ahead of their next call).
        await asyncio.sleep(COUNT_AFTER_S)
        n = await self.call_store(contacts.count_contacts, text, **criteria)
        if self.is_attached and criteria == {k: v for k, v in self.criteria().items() if k != "text"} \
                and text == self.query_one("#search", Input).value:
            self._count = n
            self._caption()

    @work(exclusive=True, group="more")
    async def load_more(self) -> None:
        """The next page, appended: the cursor and what is marked stay."""
        from store import contacts

        if self._after is None:
            return
        generation, after = self._generation, self._after
        criteria = self.criteria()
        text = criteria.pop("text")
        page = await self.call_store(contacts.search_page, text, limit=LIMIT, sort=self.sort,
                                     descending=self.descending, after=after, **criteria)
        if not self.is_attached or generation != self._generation:
            return  # a newer search landed meanwhile: this page belongs to an old list
        self.rows.extend(page.rows)
        self._after = page.after
        self.query_one("#results", ResultsTable).add_rows([self._cells(r) for r in page.rows])
        self._caption()

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
                or not search.match_expression(text) or self.sort not in (None, "name")):
            return False  # (another column's order sorts every match: not on the event loop)
        self.workers.cancel_group(self, "search")  # an older, slower search must not land after this
        try:
            page = contacts.search_page(scope, text, limit=LIMIT, sort=self.sort,
                                        descending=self.descending, **criteria)
        except StoreError:
            return False  # the worker tries again and reports
        self._landed(text, page)
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

    @on(ResultsTable.RowHighlighted, "#results")
    def _highlighted(self, event: ResultsTable.RowHighlighted) -> None:
        if self._after is not None and event.cursor_row >= len(self.rows) - MORE_WHEN:
            self.load_more()

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

    def action_today(self) -> None:
        if not self.query_one(TodayPanel).focus_list():
            self.app.tell(_("No follow-ups due today."))

    def on_today_panel_open(self, message: TodayPanel.Open) -> None:
        from .contact import ContactScreen

        self.app.push_screen(ContactScreen(message.contact_id))

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

    # -- sorting, marking and bulk actions ------------------------------------------------

    def _show_sort(self) -> None:
        arrow = " ▼" if self.descending else " ▲"
        # No column marked while typed text lists best match first
        typed = bool(self.query_one("#search", Input).value.strip())
        shown = self.sort or (None if typed else "name")
        labels = [label + (arrow if sort is not None and sort == shown else "")
                  for label, sort in zip(self._labels, self._sorts, strict=True)]
        self.query_one("#results", ResultsTable).set_labels(labels)

    def _resort(self) -> None:
        self._show_sort()
        self._from_top = True
        self.query_one("#results", ResultsTable).move_cursor(row=0)
        self.search()

    def action_sort_next(self) -> None:
        """The next column, from the one after Name round to Name, then best match first again."""
        sorts = [s for s in self._sorts if s is not None]
        at = sorts.index("name")
        cycle = [None, *sorts[at + 1:], *sorts[:at + 1]]
        self.sort = cycle[(cycle.index(self.sort) + 1) % len(cycle)]
        self.descending = False
        self._resort()

    def action_sort_reverse(self) -> None:
        self.sort = self.sort or "name"  # best match first has no reverse: the name order does
        self.descending = not self.descending
        self._resort()

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
