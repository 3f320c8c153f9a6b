"""The hygiene screen (admin): the same report as `minicrm hygiene`, with its items applied
one by one.  A retention job row is applied with `a` (after a confirmation); a duplicate
pair opens the merge screen with `m`; `enter` opens the contact a row is about (free text
to clean, a consent to renew, a request); the access review screen is `v`.  Contacts appear
by id here, as in the console report: the person is opened from search."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from .. import bindings, safe
from ..i18n import N_, _, fmt_datetime
from ..messages import StoreChanged
from ..widgets.footer import Footer
from .base import BaseScreen

JOB_LABELS = {
    "archive": N_("Archive inactive"), "erase": N_("Erase archived"),
    "withdrawn_consents": N_("Old withdrawn consents"), "opt_ins": N_("Expired sign-ups"),
    "invoices": N_("Invoices past bookkeeping"), "erasure_proof": N_("Old erasure proof"),
    "export_bundles": N_("Old export bundles"), "audit_rows": N_("Old audit rows"),
}
RULE_LABELS = {
    "archive": N_("no activity for {n} months"), "erase": N_("archived {n} months; ledger kept"),
    "withdrawn_consents": N_("withdrawn {n} years ago"), "opt_ins": N_("link expired"),
    "invoices": N_("5 years after year end {n}"),
    "erasure_proof": N_("older than {n} years"), "export_bundles": N_("older than {n} days"),
    "audit_rows": N_("older than {n} years; head kept"),
}
REASON_LABELS = {"email": N_("same e-mail"), "phone": N_("same phone"), "name": N_("similar name"),
                 "import": N_("import review"), "unproven": N_("no valid proof"),
                 "repermission": N_("due for re-permission")}
SHOWN = 200  # rows per section on screen; the console report lists counts for the rest


class HygieneScreen(BaseScreen):
    BINDING_GROUP = "hygiene"
    BINDINGS = bindings.for_screen("hygiene")
    CSS_PATH = "admin.tcss"

    def __init__(self, now=None):
        super().__init__()
        self.now = now  # the clock (tests); None: now
        self.report = None
        self.rows: dict[str, tuple] = {}  # row key -> (kind, payload)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="hygiene-summary", markup=False)
        yield DataTable(id="hygiene-items", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Hygiene")
        table = self.query_one("#hygiene-items", DataTable)
        # fixed widths: the header is laid out once, before the rows arrive
        table.add_column(_("Item"), width=29)
        table.add_column(_("Count"), width=6)
        table.add_column(_("Detail"), width=38)
        self.load()
        self.query_one("#hygiene-items").focus()

    @work(exclusive=True, group="hygiene-load")
    async def load(self) -> None:
        from store import hygiene_checks

        report = await self.call_store(hygiene_checks.report, self.now)
        self.report = report
        self._fill(report)

    def _add(self, table: DataTable, key: str, kind: str, payload, item: str, count: str, detail: str) -> None:
        self.rows[key] = (kind, payload)
        table.add_row(safe.text(item), safe.text(count), safe.text(detail), key=key)

    def _fill(self, report) -> None:
        table = self.query_one("#hygiene-items", DataTable)
        table.clear()
        self.rows = {}
        for d in report.due:
            self._add(table, f"job:{d.job}", "job", d.job, _(JOB_LABELS[d.job]), str(d.count),
                      _(RULE_LABELS[d.job]).format(n=d.figure))
        for p in report.duplicates[:SHOWN]:
            self._add(table, f"dup:{p.first_id}:{p.second_id}", "pair", p, _("Possible duplicate"), "",
                      _("contacts {a} and {b}: {why} ({score})").format(
                          a=p.first_id, b=p.second_id, why=_(REASON_LABELS[p.reason]), score=p.score))
        a = report.access
        for key, label, names in (("inactive", N_("No login for 90 days"), a.inactive),
                                  ("admins", N_("Admins"), a.admins),
                                  ("invoices", N_("Can see invoices"), a.invoice_readers)):
            self._add(table, f"access:{key}", "access", None, _(label), str(len(names)), ", ".join(names))
        self._add(table, "access:revoked", "access", None, _("Revoked, still owning records"),
                  str(len(a.revoked_owning)), ", ".join(f"{n} ({c})" for n, c in a.revoked_owning))
        for i in report.consents[:SHOWN]:
            self._add(table, f"consent:{i.contact_id}:{i.purpose}", "consent", i, _("Consent check"), "",
                      _("contact {id}, {purpose}: {why}").format(id=i.contact_id, purpose=i.purpose,
                                                                 why=_(REASON_LABELS[i.reason])))
        for f in report.free_text[:SHOWN]:
            saved = _(" (saved anyway)") if f.saved_anyway else ""
            self._add(table, f"text:{f.entity}:{f.entity_id}:{f.field}", "text", f, _("Free text to clean"), "",
                      f"{f.entity} {f.entity_id}, {f.field}: {', '.join(f.kinds)}{saved}")
        for r in report.requests[:SHOWN]:
            when = (_("overdue by {n} days").format(n=-r.days_left) if r.urgency == "overdue"
                    else _("due in {n} days").format(n=r.days_left))
            self._add(table, f"request:{r.id}", "request", r, _("Request"), "",
                      _("request {id} ({kind}): {when}").format(id=r.id, kind=r.kind, when=when))
        last = (_("Last access review: {when} by {who}.").format(
                    when=fmt_datetime(a.last_reviewed_at), who=safe.clean(a.last_reviewed_by or "?"))
                if a.last_reviewed_at else _("No access review has been recorded yet."))
        self.query_one("#hygiene-summary", Static).update(
            _("{due} rows due for retention, {pairs} possible duplicates, {consents} consents to check, "
              "{texts} free texts to clean, {requests} requests due.").format(
                due=report.total_due, pairs=len(report.duplicates), consents=len(report.consents),
                texts=len(report.free_text), requests=len(report.requests)) + " " + last)

    def _selected(self) -> tuple | None:
        table = self.query_one("#hygiene-items", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def on_store_changed(self, message: StoreChanged) -> None:
        if any(message.touches(e) for e in ("contact", "consent", "invoice", "request", "access_review", "user")):
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load()

    def action_review(self) -> None:
        from .review import AccessReviewScreen

        self.app.push_screen(AccessReviewScreen())

    @work(group="hygiene-apply")
    async def action_apply(self) -> None:
        from store import hygiene

        from .forms import ConfirmModal

        item = self._selected()
        if item is None or item[0] != "job":
            self.app.tell(_("Select a retention row to apply it."))
            return
        job = item[1]
        ok = await self.app.push_screen_wait(ConfirmModal(
            _(JOB_LABELS[job]), _("Do this now? It is audited, and cannot be undone.")))
        if not ok:
            return
        count = await self.call_store(hygiene.apply_job, job, self.now)
        self.app.tell(_("Done: {n} rows.").format(n=count))
        self.load()

    @on(DataTable.RowSelected, "#hygiene-items")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()  # enter on the table: the table takes the key, its event comes here

    def action_open(self) -> None:
        """The contact a row is about (a duplicate's first, a text's, a consent's, a request's), to clean it."""
        from .contact import ContactScreen

        item = self._selected()
        kind, payload = item if item is not None else (None, None)
        contact_id = (payload.first_id if kind == "pair" else
                      getattr(payload, "contact_id", None) if kind in ("text", "consent", "request") else None)
        if contact_id is None:
            self.app.tell(_("This row is not about one contact."))
            return
        self.app.push_screen(ContactScreen(contact_id), lambda _done: self.load())

    def action_merge(self) -> None:
        from .merge import MergeScreen

        item = self._selected()
        if item is None or item[0] != "pair":
            self.app.tell(_("Select a possible duplicate to merge it."))
            return
        pair = item[1]
        self.app.push_screen(MergeScreen(pair.first_id, pair.second_id), lambda _done: self.load())
