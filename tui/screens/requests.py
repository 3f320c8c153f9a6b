"""The privacy desk: the register of data-subject requests, and one request acted on.

`RequestsScreen` lists every request, open ones by deadline (overdue and due
soon first), closed ones after them with their outcome.  `RequestScreen` is one
request: the identity check (Art. 12(6)), export (the bundle is written on the
server and attached; the screen shows the `ssh ... export fetch` command that
fetches it), restriction, erasure (the plan first, confirmed by typing the
contact's id), rectification through the normal contact form, extension and
closing.  Every rule is the store's (store/rights/handling.py): this module only
calls it with the session's scope and shows what came back.  Notes are never
shown here: private notes go into the bundle, not onto the handler's screen.
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Input, Select, Static

from .. import bindings, safe, vocab
from ..i18n import _, date_hint, fmt_date, ngettext, parse_date
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen
from .forms import ChoiceModal, FormModal


def _reasons() -> dict[str, str]:
    """Why a kind of record stays after an erasure: the store's STAY_REASONS, translatable."""
    from ..i18n import N_

    return {
        "invoices": N_("kept by law (bogføringsloven § 10) with the billing details, deleted on their "
                       "retention date"),
        "deals": N_("a deal with a company is kept for the company, no longer linked to the person"),
        "requests": N_("the register of requests keeps the request, no longer linked to the person"),
        "audit_rows": N_("the audit trail names people by id only"),
        "ledger_entry": N_("keyed hashes of e-mail and phone, so the person is not imported again"),
        "company": N_("the company record is not the person's; edit a sole trader's company separately"),
    }


def deadline(view) -> str:
    """'in 5 days', '3 days overdue', 'today', or the outcome once closed."""
    if view.urgency == "closed":
        return ""
    days = view.days_left
    if days < 0:
        return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days)
    if days == 0:
        return _("due today")
    return ngettext("in {n} day", "in {n} days", days).format(n=days)


def outcome(view) -> str:
    if view.status == "open":
        return vocab.label("open")
    detail = f": {view.outcome_detail}" if view.outcome_detail else ""
    return vocab.label(view.status) + detail


class RequestsScreen(BaseScreen):
    BINDING_GROUP = "requests"
    BINDINGS = bindings.for_screen("requests")
    CSS_PATH = "requests.tcss"

    def __init__(self):
        super().__init__()
        self.views = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
        yield Static("", id="requests-count", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Requests")
        self.query_one("#requests", DataTable).add_columns(
            _("No."), _("Kind"), _("Person"), _("Contact id"), _("Who asked"), _("Channel"),
            _("Received"), _("Deadline"), _("Left"), _("Extended"), _("Status"))
        self.load()
        self.query_one("#requests").focus()

    @work(exclusive=True, group="requests-load")
    async def load(self) -> None:
        from store.rights import requests

        views = await self.call_store(requests.list_requests, status=None)
        if self.is_attached:
            self.show(views)

    def show(self, views) -> None:
        table = self.query_one("#requests", DataTable)
        keep = table.cursor_row
        self.views = views
        table.clear()
        for v in views:
            person = v.contact_name if v.contact_id is not None else _("(erased or not registered)")
            table.add_row(safe.text(str(v.id)), safe.text(vocab.label(v.kind)), safe.text(person),
                          safe.text(str(v.contact_id) if v.contact_id is not None else "-"),
                          safe.text(vocab.label(v.requester)), safe.text(vocab.label(v.channel)),
                          safe.text(fmt_date(v.received_on)), safe.text(fmt_date(v.due_on)),
                          safe.text(deadline(v), style="bold" if v.urgency in ("overdue", "due_soon") else ""),
                          safe.text(_("yes") if v.extended else ""), safe.text(outcome(v)), key=str(v.id))
        if views and keep is not None:
            table.move_cursor(row=min(keep, len(views) - 1), animate=False)
        still_open = sum(v.status == "open" for v in views)
        soon = sum(v.urgency in ("overdue", "due_soon") for v in views)
        self.query_one("#requests-count", Static).update(
            _("{open} open, {soon} due within 7 days or overdue").format(open=still_open, soon=soon))

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("request") or message.touches("contact"):
            self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @on(DataTable.RowSelected, "#requests")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#requests", DataTable)
        if self.views and table.cursor_row is not None and table.cursor_row < len(self.views):
            self.app.push_screen(RequestScreen(self.views[table.cursor_row].id))

    def action_breaches(self) -> None:
        from .breaches import BreachesScreen

        self.app.push_screen(BreachesScreen())

    def action_cursor_down(self) -> None:
        self.query_one("#requests", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#requests", DataTable).action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()


class RequestScreen(BaseScreen):
    """One request: the identity check, then export, restriction, erasure, rectification."""

    BINDING_GROUP = "request"
    BINDINGS = bindings.for_screen("request")
    CSS_PATH = "requests.tcss"

    def __init__(self, request_id: int):
        super().__init__()
        self.request_id = request_id
        self.desk = None  # store.rights.handling.DeskView once loaded
        self.fetch_command = ""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with VerticalScroll(id="request-body"):
            yield Static("", id="request-details", markup=False)
            yield Static("", id="request-fetch", markup=False)
            yield Static("", id="request-progress", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Request {id}").format(id=self.request_id)
        self.load()

    @work(exclusive=True, group="request-load")
    async def load(self) -> None:
        from store.rights import handling

        desk = await self.call_store(handling.desk_view, self.request_id)
        if self.is_attached:
            self.desk = desk
            self.show()

    def show(self) -> None:
        v = self.desk.request
        lines = [
            _("Kind: {kind}").format(kind=vocab.label(v.kind)),
            _("Person: {name} (contact id {id})").format(name=safe.clean(v.contact_name), id=v.contact_id)
            if v.contact_id is not None else _("Person: erased or not in the register"),
            _("Who asked: {who}, by {channel}").format(who=vocab.label(v.requester),
                                                       channel=vocab.label(v.channel)),
            _("Received: {date}").format(date=fmt_date(v.received_on)),
            _("Answer by: {date} ({left})").format(date=fmt_date(v.due_on), left=deadline(v))
            if v.status == "open" else _("Answer by: {date}").format(date=fmt_date(v.due_on)),
            _("Extended: {reason}").format(reason=safe.clean(v.extension_reason)) if v.extended
            else _("Extended: no"),
            _("Identity: {method}, checked by {who}").format(method=vocab.label(v.identity_method),
                                                             who=safe.clean(v.identity_verified_by))
            if v.verified else _("Identity: not verified yet (press i): nothing is exported or erased before"),
            _("Handler: {who}").format(who=safe.clean(v.handler) or "-"),
            _("Status: {status}").format(status=outcome(v)),
        ]
        if self.desk.restricted is not None:
            lines.append(_("Processing: restricted (Art. 18)") if self.desk.restricted
                         else _("Processing: not restricted"))
        if v.bundle_name:
            lines.append(_("Bundle attached: {name}").format(name=v.bundle_name))
        self.query_one("#request-details", Static).update("\n".join(lines))
        if v.bundle_name and v.status == "open":
            address = self.app.config["export.ssh_address"]
            self.fetch_command = f"ssh {address} export fetch {v.id} --otp <code> > person.zip"
            self.query_one("#request-fetch", Static).update(
                _("Fetch the bundle with (your authenticator app's code for <code>):") + "\n  "
                + self.fetch_command)
        else:
            self.query_one("#request-fetch", Static).update("")
        self.refresh_bindings()

    def progress(self, text: str) -> None:
        self.query_one("#request-progress", Static).update(text)

    # -- what may be done now ---------------------------------------------------------

    def may(self, action: str) -> bool:
        scope = self.app.scope
        if scope is None:
            return False
        key = next((k for k in bindings.TABLE["request"] if k.action == action), None)
        if key is not None and not bindings.allowed(key, scope):
            return False
        if action == "back":
            return True
        v = self.desk.request if self.desk else None
        if v is None or v.status != "open":
            return False
        about_person = v.contact_id is not None
        if action == "identity":
            return not v.verified
        if action in ("export", "erase"):
            return about_person and v.verified
        if action in ("restrict", "rectify"):
            return about_person
        if action == "extend":
            return not v.extended
        return True

    def check_action(self, action: str, parameters) -> bool | None:
        if isinstance(self.focused, Input):
            return False  # nothing is typed on this screen; a field would be a modal's
        return self.may(action)

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("request", self.request_id) or (
                self.desk and message.touches("contact", self.desk.request.contact_id)):
            self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- actions ----------------------------------------------------------------------

    @work(group="request-act")
    async def action_identity(self) -> None:
        from store.rights import requests
        from store.rights.vocab import IDENTITY_METHODS

        choice = await self.app.push_screen_wait(ChoiceModal(
            _("Identity checked"), _("How"), vocab.options(IDENTITY_METHODS),
            explanation=_("Record how you verified that the person asking is the person (Art. 12(6)).")))
        if choice:
            await self.call_store(requests.verify_identity, self.request_id, choice["value"])
            self.app.tell(_("Identity check recorded."))
            self.load()

    @work(group="request-act")
    async def action_export(self) -> None:
        from store.rights import handling

        self.progress(_("Writing the bundle on the server…"))
        try:
            await self.call_store(handling.export_for_request, self.request_id, report=self._failed)
        finally:
            self.progress("")
        self.app.tell(_("Bundle written and attached to the request."))
        await self._reload_now()

    @work(group="request-act")
    async def action_restrict(self) -> None:
        from store.rights import handling

        lift = bool(self.desk.restricted)
        await self.call_store(handling.restrict_for_request, self.request_id, lift=lift)
        self.app.tell(_("Restriction lifted.") if lift else _("Processing restricted (Art. 18)."))
        await self._reload_now()

    @work(group="request-act")
    async def action_erase(self) -> None:
        from store.rights import erasure, handling

        contact_id = self.desk.request.contact_id
        plan = await self.call_store(erasure.erasure_plan, contact_id)
        typed = await self.app.push_screen_wait(EraseModal(plan))
        if typed is None:
            return
        self.progress(_("Erasing contact {id}…").format(id=contact_id))
        try:
            closed = await self.call_store(handling.erase_for_request, self.request_id, typed,
                                           report=self._failed)
        finally:
            self.progress("")
        self.app.tell(_("Erased. Request closed: {outcome}").format(outcome=closed.outcome))
        await self._reload_now()

    def action_rectify(self) -> None:
        from .contact import ContactScreen

        self.app.push_screen(ContactScreen(self.desk.request.contact_id, request_id=self.request_id))

    @work(group="request-act")
    async def action_extend(self) -> None:
        from store.rights import requests

        reason = await self.app.push_screen_wait(ExtendModal())
        if reason:
            await self.call_store(requests.extend_request, self.request_id, reason)
            self.app.tell(_("Deadline extended: tell the person, with the reason, now."))
            await self._reload_now()

    @work(group="request-act")
    async def action_close_request(self) -> None:
        from store.rights import requests
        from store.rights.vocab import OUTCOMES

        choice = await self.app.push_screen_wait(ChoiceModal(
            _("Close the request"), _("Outcome"), vocab.options(OUTCOMES)))
        if choice:
            await self.call_store(requests.close_request, self.request_id, choice["value"])
            self.app.tell(_("Request closed."))
            await self._reload_now()

    async def _reload_now(self) -> None:
        from store.rights import handling

        self.desk = await self.call_store(handling.desk_view, self.request_id)
        if self.is_attached:
            self.show()

    def _failed(self, text: str) -> None:
        self.app.tell(text, severity="error")


class NewRequestModal(FormModal):
    """Register a request for a person found in search: kind, who asked, how, when."""

    def __init__(self, name: str, contact_id: int):
        self.TITLE_TEXT = _("New request for {name} (contact id {id})").format(name=safe.clean(name),
                                                                              id=contact_id)
        super().__init__()

    def fields(self):
        from store.processing import REQUEST_KINDS
        from store.rights.vocab import CHANNELS, REQUESTERS

        yield self.row(_("Kind"), Select(vocab.options(REQUEST_KINDS), value="access", allow_blank=False,
                                         id="kind"))
        yield self.row(_("Who asked"), Select(vocab.options(REQUESTERS), value="person", allow_blank=False,
                                              id="requester"))
        yield self.row(_("Channel"), Select(vocab.options(CHANNELS), value="email", allow_blank=False,
                                            id="channel"))
        yield self.row(_("Received"), Field(id="received", placeholder=date_hint(), max_length=10))

    def on_mount(self) -> None:
        self.query_one("#kind").focus()

    def result(self):
        received = self.value("#received").strip()
        when = None
        if received:
            try:
                when = parse_date(received)
            except ValueError:
                self.error(_("The date is not a date (for example {hint}).").format(hint=date_hint()))
                return None
        return {"kind": self.value("#kind"), "requester": self.value("#requester"),
                "channel": self.value("#channel"), "received_on": when}


class ExtendModal(FormModal):
    def __init__(self):
        self.TITLE_TEXT = _("Extend the deadline by two months")
        super().__init__()

    def fields(self):
        yield Static(_("Allowed once, within the first month; the person is told why (Art. 12(3))."),
                     markup=False, classes="text")
        yield self.row(_("Reason"), Field(id="reason", max_length=200))

    def on_mount(self) -> None:
        self.query_one("#reason").focus()

    def result(self):
        reason = self.value("#reason").strip()
        if not reason:
            self.error(_("Give the reason the person will be told."))
            return None
        return reason


class EraseModal(FormModal):
    """The erasure plan, then the contact's id typed to confirm."""

    def __init__(self, plan):
        self.plan = plan
        self.TITLE_TEXT = _("Erase contact {id}").format(id=plan.contact_id)
        super().__init__()

    def plan_text(self) -> str:
        plan = self.plan
        goes = ", ".join(f"{n} {_kind(k)}" for k, n in plan.goes.items() if n)
        lines = [_("Deleted: {what}").format(what=goes)]
        reasons = _reasons()
        for kind, n in plan.stays.items():
            if not n:
                continue
            why = _(reasons[kind]) if kind in reasons else plan.reasons.get(kind, "")
            until = ""
            if kind == "invoices" and plan.invoices_kept_until:
                until = " " + _("until {date}").format(date=fmt_date(plan.invoices_kept_until))
            lines.append(_("Kept: {n} {kind}{until}: {why}").format(n=n, kind=_kind(kind), until=until,
                                                                   why=why))
        if plan.mentions:  # erasure leaves them: the handler edits them by hand
            named = ", ".join(f"{_('note') if kind == 'note' else _('deal')} {rid}"
                              + (f" ({_('contact')} {cid})" if cid else "") for kind, rid, cid in plan.mentions)
            lines.append(_("Other records name the person; edit them: {records}").format(records=named))
        return "\n".join(lines)

    def fields(self):
        yield Static(self.plan_text(), id="erase-plan", markup=False, classes="text")
        yield self.row(_("Contact id"), Field(id="confirm", max_length=20,
                                              placeholder=_("type {id} to erase").format(id=self.plan.contact_id)))

    def on_mount(self) -> None:
        self.query_one("#confirm").focus()

    def result(self):
        typed = self.value("#confirm").strip()
        if typed != str(self.plan.contact_id):
            self.error(_("Type the contact id ({id}) to erase, or press escape to cancel.").format(
                id=self.plan.contact_id))
            return None
        return typed


def _kind(code: str) -> str:
    from ..i18n import N_

    names = {"contact": N_("contact"), "notes": N_("notes"), "consents": N_("consents"),
             "consent_events": N_("consent events"), "tags": N_("tags"), "deal_links": N_("deal links"),
             "follow_ups": N_("follow-ups"),
             "import_link": N_("import link"), "import_changes": N_("import changes"),
             "search_index_entry": N_("search index entry"), "expired_invoices": N_("expired invoices"),
             "invoices": N_("invoices"), "deals": N_("deals"), "requests": N_("requests"),
             "audit_rows": N_("audit rows"), "ledger_entry": N_("ledger entry"), "company": N_("company")}
    return _(names[code]) if code in names else code.replace("_", " ")
