"""The search screen's results in pages: the first page, the next ones, the count, the order.

The first 50 rows come at once, the next page when the cursor nears the end of what is
loaded (keyset pages from the store: store/contact_lists.py).  A keystroke's indexed search
runs right on the event loop (`search_now`), anything else on the store thread; a newer
search cancels the wait for an older one, and a next page that belongs to an older list
is dropped.  `s` or a click on a header sorts by a column (Danish order, done by the
store), `d` reverses; until then typed text lists best match first and no column is marked.

A mixin for tui/screens/search.py's SearchScreen, which owns the widgets, the filters
(`criteria`) and the state these methods read (`rows`, `marked`, `sort`, ...).  Its
`@on` handlers stay on the screen: Textual collects those from the screen class only.
"""
from __future__ import annotations

import asyncio

from textual import work
from textual.css.query import NoMatches
from textual.widgets import Input

from .. import vocab
from ..i18n import N_, _, ngettext
from ..widgets.results import Caption, ResultsTable

LIMIT = 50  # one screenful or two: a bigger page costs more to fill than it helps
MORE_WHEN = 10  # rows before the end of what is loaded: the next page is fetched
COUNT_AFTER_S = 0.15  # typing pauses this long before the matches are counted
KEEP_AT_MOST = 1000  # rows a refresh reloads at once (beyond, the list starts again from the top)
MARK = "✓"

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


class ResultPages:
    """Loading, counting and ordering the rows the results table shows (see the module)."""

    def _criteria(self) -> dict | None:
        """The filters, or None once the screen's widgets are gone: a search queued by the
        last keystroke or store change can start while the app exits or logs out."""
        try:
            return self.criteria()
        except NoMatches:
            return None

    @work(exclusive=True, group="search")
    async def search(self, *, keep_loaded: bool = False) -> None:
        """The first page; `keep_loaded`: as many rows as are loaded now (a refresh after
        another session's change must not fold a list someone has scrolled far down)."""
        from store import contacts

        criteria = self._criteria()
        if criteria is None:
            return
        text = criteria.pop("text")
        limit = min(max(LIMIT, len(self.rows)), KEEP_AT_MOST) if keep_loaded else LIMIT
        order = (self.sort, self.descending)
        page = await self.call_store(contacts.search_page, text, limit=limit, sort=order[0],
                                     descending=order[1], background=keep_loaded, **criteria)
        self._landed(text, page, order)

    def _landed(self, text: str, page, order: tuple[str | None, bool] | None = None) -> None:
        if self.sort is None and bool(text.strip()) != bool((self._shown_text or "").strip()):
            self._show_sort()  # best match first or the name order: the header says which
        self._after = page.after
        self._generation += 1
        order = order or (self.sort, self.descending)
        if _count_key(text, self._criteria()) != self._counted:
            # the last count was of other matches: shown beside these rows it said "16,059
            # contacts" under the 8,316 of the next letter until their count came (~0.2 s)
            self._count = None
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
        elif self._count is None and self._after is not None:
            text = _("At least {n} contacts").format(n=n)  # more pages: counted in a moment
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

        criteria = self._criteria()
        if criteria is None:
            return
        text = criteria.pop("text")
        self._count = None
        # A pause first: while someone types, each key cancels the last count before it reaches
        # its thread (a count of 100,000 rows would run for each letter typed).
        await asyncio.sleep(COUNT_AFTER_S)
        n = await self.call_store(contacts.count_contacts, text, aside=True, **criteria)
        now = self._criteria()
        if now is not None and text == now.pop("text") and criteria == now:
            self._count, self._counted = n, _count_key(text, criteria)
            self._caption()

    @work(exclusive=True, group="more")
    async def load_more(self) -> None:
        """The next page, appended: the cursor and what is marked stay."""
        from store import contacts

        if self._after is None:
            return
        generation, after = self._generation, self._after
        criteria = self._criteria()
        if criteria is None:
            return
        text = criteria.pop("text")
        page = await self.call_store(contacts.search_page, text, limit=LIMIT, sort=self.sort,
                                     descending=self.descending, after=after, **criteria)
        if not self.still_here or generation != self._generation:
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

    def search_now(self) -> bool:
        """A keystroke's search, right here on the event loop, when it is an indexed one.

        An FTS query for one page of results takes about a millisecond even at a
        million contacts; handing it to the store thread and back costs more than
        that (GIL hand-offs while the screen redraws: 5-15 ms).  Anything else (no
        text, only filters) goes to the store thread.  Returns False if not done.
        """
        from store import contacts, search
        from store.errors import StoreError

        criteria = self._criteria()
        if criteria is None:
            return True  # nothing left to search for
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


def _count_key(text: str, criteria: dict | None) -> tuple[str, dict] | None:
    """Which matches a count is of: the text and the filters (the text may sit in `criteria`)."""
    if criteria is None:
        return None
    return text, {k: v for k, v in criteria.items() if k != "text"}
