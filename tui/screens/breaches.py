"""The breach register (GDPR Art. 33(5)): every breach, its 72-hour deadline, and a form.

`BreachesScreen` lists every breach, the newest first, with the time left until the
72-hour notification deadline (or how long overdue), and whether Datatilsynet was
notified and the people told (Art. 34).  `BreachModal` records a new breach or changes
one; it calls the store itself, so a refused value keeps the form open with the reason.
Every rule is store/breaches.py's: this module only shows and sends.
"""
from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Header, Select, SelectionList, Static, TextArea

from .. import bindings, safe
from ..i18n import N_, _, language, ngettext
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen
from .forms import FormModal

KIND_LABELS = {"confidentiality": N_("Confidentiality (disclosed or accessed)"),
               "integrity": N_("Integrity (altered)"), "availability": N_("Availability (lost or unavailable)")}


def _when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def deadline_text(view, now: dt.datetime | None = None) -> str:
    """'41 h 05 min left', 'overdue by 5 h 00 min', 'notified 2026-05-01 10:00' ..."""
    status = view.status(now)
    if status == "notified":
        return _("notified {when}").format(when=_when(view.notified_at))
    if status == "notified_late":
        return _("notified {when}, after the deadline").format(when=_when(view.notified_at))
    if status == "not_notified":
        return _("not notified (reason recorded)")
    seconds = abs(int(view.time_left(now).total_seconds()))
    values = {"h": seconds // 3600, "m": f"{seconds % 3600 // 60:02d}"}
    if status == "overdue":
        return _("overdue by {h} h {m} min").format(**values)
    return _("{h} h {m} min left").format(**values)


def _category_name(category_id: str) -> str:
    from store.processing import CATEGORIES

    c = CATEGORIES[category_id]
    return c.da if language() == "da" else c.en


class BreachesScreen(BaseScreen):
    BINDING_GROUP = "breaches"
    BINDINGS = bindings.for_screen("breaches")
    CSS_PATH = "breaches.tcss"

    def __init__(self):
        super().__init__()
        self.views = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield DataTable(id="breaches", cursor_type="row", zebra_stripes=True)
        yield Static("", id="breaches-count", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Breach register")
        self.query_one("#breaches", DataTable).add_columns(
            _("No."), _("Became aware (UTC)"), _("Kind"), _("People"), _("Records"), _("Datatilsynet"),
            _("People told"), _("What happened"))
        self.load()
        self.query_one("#breaches").focus()

    @work(exclusive=True, group="breaches-load")
    async def load(self) -> None:
        from store import breaches

        views = await self.call_store(breaches.list_breaches)
        if self.is_attached:
            self.show(views)

    def show(self, views) -> None:
        table = self.query_one("#breaches", DataTable)
        self.views = views
        table.clear()
        for v in views:
            urgent = v.status() in ("open", "overdue")
            first_line = v.nature.splitlines()[0] if v.nature else ""
            table.add_row(safe.text(str(v.id)), safe.text(_when(v.aware_at)), safe.text(_(KIND_LABELS[v.kind])),
                          safe.text(str(v.people_approx)), safe.text(str(v.records_approx)),
                          safe.text(deadline_text(v), style="bold" if urgent else ""),
                          safe.text(_when(v.people_told_at) or _("no")), safe.text(first_line[:60]), key=str(v.id))
        waiting = sum(v.status() in ("open", "overdue") for v in views)
        self.query_one("#breaches-count", Static).update(
            ngettext("{n} breach recorded", "{n} breaches recorded", len(views)).format(n=len(views)) + ", "
            + _("{waiting} awaiting a decision on notifying Datatilsynet (72 hours)").format(waiting=waiting))

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("breach"):
            self.load()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("new_breach", "open"):
            scope = self.app.scope
            return bool(scope and scope.can("breach.record"))
        return True

    @on(DataTable.RowSelected, "#breaches")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @work(group="breaches-write")
    async def action_new_breach(self) -> None:
        if await self.app.push_screen_wait(BreachModal(None)):
            self.load()

    @work(group="breaches-write")
    async def action_open(self) -> None:
        table = self.query_one("#breaches", DataTable)
        row = table.cursor_row
        if not self.views or row is None or row >= len(self.views):
            return
        if await self.app.push_screen_wait(BreachModal(self.views[row])):
            self.load()

    def action_cursor_down(self) -> None:
        self.query_one("#breaches", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#breaches", DataTable).action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()


class BreachModal(FormModal):
    """One breach: what happened, whom it touches, what was done, who was told and when."""

    CSS_PATH = ["forms.tcss", "breaches.tcss"]

    def __init__(self, view=None):
        self.view = view
        self.TITLE_TEXT = (_("Breach {id}").format(id=view.id) if view else _("Record a breach"))
        super().__init__()

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box", classes="breach-form"):
            yield Static(self.TITLE_TEXT, id="form-title", markup=False)
            with VerticalScroll(id="breach-fields"):
                yield from self.fields()
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(_("OK"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")
        yield Footer()

    def fields(self):
        from store.breaches import KINDS
        from store.processing import CATEGORIES

        v = self.view
        hint = "YYYY-MM-DD HH:MM"
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        yield Static(_("Times in UTC. Name people by contact id only. The 72-hour deadline for notifying "
                       "Datatilsynet counts from when you became aware (Art. 33)."), markup=False, classes="text")
        yield self.row(_("Became aware"), Field(_when(v.aware_at) if v else f"{now:%Y-%m-%d %H:%M}",
                                               id="aware_at", placeholder=hint, max_length=16))
        yield self.row(_("Occurred"), Field(_when(v.occurred_at) if v else "", id="occurred_at",
                                            placeholder=hint, max_length=16))
        yield self.row(_("Kind"), Select([(_(KIND_LABELS[k]), k) for k in KINDS], allow_blank=False,
                                         value=v.kind if v else "confidentiality", id="kind"))
        yield self.row(_("What happened"), TextArea(v.nature if v else "", id="nature"))
        chosen = set(v.data_categories) if v else set()
        yield self.row(_("Categories of data"), SelectionList[str](
            *[(_category_name(c), c, c in chosen) for c in CATEGORIES], id="data_categories"))
        yield self.row(_("People affected"), Field(str(v.people_approx) if v else "", id="people_approx",
                                                   type="integer", placeholder=_("approximate number")))
        yield self.row(_("Records affected"), Field(str(v.records_approx) if v else "", id="records_approx",
                                                    type="integer", placeholder=_("approximate number")))
        yield self.row(_("Likely consequences"), TextArea(v.consequences if v else "", id="consequences"))
        yield self.row(_("Measures taken"), TextArea(v.measures if v else "", id="measures"))
        yield self.row(_("Datatilsynet notified"), Field(_when(v.notified_at) if v else "", id="notified_at",
                                                         placeholder=hint, max_length=16))
        yield self.row(_("Why not notified"), Field(v.not_notified_reason if v else "", id="not_notified_reason",
                                                    placeholder=_("only if no risk to people is likely")))
        yield self.row(_("People told"), Field(_when(v.people_told_at) if v else "", id="people_told_at",
                                               placeholder=hint, max_length=16))
        yield self.row(_("How they were told"), Field(v.people_told_note if v else "", id="people_told_note"))

    def on_mount(self) -> None:
        self.query_one("#nature" if self.view is None else "#measures").focus()

    def result(self):
        values = {}
        for key in ("aware_at", "occurred_at", "notified_at", "people_told_at", "people_approx", "records_approx",
                    "not_notified_reason", "people_told_note"):
            values[key] = self.value(f"#{key}").strip()
        for key in ("nature", "consequences", "measures"):
            values[key] = self.value(f"#{key}")
        values["kind"] = self.value("#kind")
        values["data_categories"] = list(self.query_one("#data_categories", SelectionList).selected)
        for key in ("people_approx", "records_approx"):
            values[key] = values[key] or "0"
        return values

    @work(group="breach-save", exclusive=True)
    async def action_ok(self) -> None:
        from store import breaches

        values = self.result()
        if self.view is None:
            saved = await self.call_store(breaches.record_breach, report=self.error, **values)
            self.app.tell(_("Breach {id} recorded.").format(id=saved.id))
        else:
            saved = await self.call_store(breaches.update_breach, self.view.id, report=self.error, **values)
            self.app.tell(_("Breach {id} saved.").format(id=saved.id))
        self.dismiss(saved)
