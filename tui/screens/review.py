"""The access review: who can see and do what, who has gone quiet, and a
record that the review was done."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from .. import bindings, safe, vocab
from ..i18n import N_, _, fmt_datetime
from ..messages import StoreChanged
from ..widgets.footer import Footer
from .base import BaseScreen

# What each permission lets a role do, in words.
PERMISSION_LABELS = {
    "contact.read": N_("see contacts"), "contact.create": N_("create contacts"),
    "contact.edit": N_("edit contacts"), "contact.rectify": N_("correct personal data"),
    "contact.reassign": N_("reassign contacts"), "contact.archive": N_("archive contacts"),
    "company.read": N_("see companies"), "company.edit": N_("edit companies"),
    "deal.read": N_("see deals"), "deal.edit": N_("edit deals"), "note.read": N_("see notes"),
    "note.write": N_("write notes"), "invoice.read": N_("see invoices"), "invoice.edit": N_("edit invoices"),
    "consent.read": N_("see consent"), "consent.write": N_("record consent"),
    "request.handle": N_("handle data-subject requests"), "person.export": N_("export a person's data"),
    "person.erase": N_("erase a person"), "person.restrict": N_("restrict processing"),
    "import": N_("import files"), "mailing.export": N_("export mailing lists"),
    "audit.read": N_("read the audit trail"),
    "breach.read": N_("see the breach register"), "breach.record": N_("record breaches"),
    "user.admin": N_("administer users"),
}


class AccessReviewScreen(BaseScreen):
    BINDING_GROUP = "review"
    BINDINGS = bindings.for_screen("review")
    CSS_PATH = "admin.tcss"

    def __init__(self):
        super().__init__()
        self.view = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="review-last", markup=False)
        yield DataTable(id="review-users", cursor_type="row")
        yield DataTable(id="review-roles", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Access review")
        self.query_one("#review-users", DataTable).add_columns(
            _("User name"), _("Role"), _("Last login"), _("Contacts owned"), _("Note"))
        self.query_one("#review-roles", DataTable).add_columns(_("Role"), _("May"))
        self.load()
        self.query_one("#review-users").focus()

    @work(exclusive=True, group="review-load")
    async def load(self) -> None:
        from store import staff

        view = await self.call_store(staff.access_review)
        self.view = view
        users = self.query_one("#review-users", DataTable)
        users.clear()
        for u in view.users:
            note = (_("revoked") if u.revoked else
                    _("no login for 90 days: revoke?") if u.inactive else "")
            users.add_row(safe.text(u.username), safe.text(vocab.label(u.role)),
                          safe.text(fmt_datetime(u.last_login_at) if u.last_login_at else _("never")),
                          safe.text(str(u.contacts_owned)), safe.text(note), key=str(u.id))
        roles = self.query_one("#review-roles", DataTable)
        roles.clear()
        for role, permissions in view.roles:
            roles.add_row(safe.text(vocab.label(role)),
                          safe.text(", ".join(_(PERMISSION_LABELS.get(p, p)) for p in permissions)),
                          key=role)
        last = (_("Last review: {when} by {who}.").format(when=fmt_datetime(view.last_reviewed_at),
                                                          who=safe.clean(view.last_reviewed_by or "?"))
                if view.last_reviewed_at else _("No access review has been recorded yet."))
        inactive = sum(1 for u in view.users if u.inactive)
        self.query_one("#review-last", Static).update(
            last + " " + _("{n} active accounts have not logged in for 90 days.").format(n=inactive))

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("user") or message.touches("access_review"):
            self.load()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "mark_done":
            scope = self.app.scope
            return bool(scope and scope.can("user.admin"))
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(group="review-write")
    async def action_mark_done(self) -> None:
        from store import staff

        from .forms import ConfirmModal

        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Record access review"),
            _("Confirm that you have checked every account and role above, and revoked access "
              "that is no longer needed.")))
        if not ok:
            return
        await self.call_store(staff.record_access_review)
        self.app.tell(_("Access review recorded."))
        self.load()
