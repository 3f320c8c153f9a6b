"""Administration: users (with full names), roles, revocation with hand-over,
reinstating, 2FA and password resets, sessions, and the periodic access review.

Who may do what is decided by the store (each service requires `user.admin`
itself); this screen only calls with the app's scope and shows the outcome.
"""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Select, Static

from .. import bindings, safe, vocab
from ..i18n import _, fmt_datetime
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseModal, BaseScreen
from .forms import ChoiceModal, ConfirmModal, FormModal, SecretModal


class AdminScreen(BaseScreen):
    BINDING_GROUP = "admin"
    BINDINGS = bindings.for_screen("admin")
    CSS_PATH = "admin.tcss"

    def __init__(self):
        super().__init__()
        self.users = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield DataTable(id="users", cursor_type="row", zebra_stripes=True)
        yield Static("", id="admin-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Users")
        self.query_one("#users", DataTable).add_columns(
            _("User name"), _("Full name"), _("Role"), _("Last login"), _("2FA"), _("State"), _("Sessions"))
        self.load()
        self.query_one("#users").focus()

    @work(exclusive=True, group="admin-load")
    async def load(self) -> None:
        from store import accounts

        users = await self.call_store(accounts.list_users)
        table = self.query_one("#users", DataTable)
        keep = table.cursor_row or 0
        self.users = users
        table.clear()
        for u in users:
            state = _("revoked") if u.revoked else _("locked") if u.locked else _("active")
            table.add_row(safe.text(u.username), safe.text(u.full_name), safe.text(vocab.label(u.role)),
                          safe.text(fmt_datetime(u.last_login_at) if u.last_login_at else _("never")),
                          safe.text(_("yes") if u.totp_enrolled else _("no")), safe.text(state),
                          safe.text(str(u.active_sessions)), key=str(u.id))
        if users:
            table.move_cursor(row=min(keep, len(users) - 1), animate=False)
        self.query_one("#admin-status", Static).update(
            _("{n} users. Select one and use the keys below.").format(n=len(users)))

    def selected(self):
        table = self.query_one("#users", DataTable)
        index = table.cursor_row
        if index is None or not (0 <= index < len(self.users)):
            return None
        return self.users[index]

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("user") or message.touches("session"):
            self.load()

    def check_action(self, action: str, parameters) -> bool | None:
        scope = self.app.scope
        return action == "back" or (scope is not None and scope.can("user.admin"))

    def action_back(self) -> None:
        self.app.pop_screen()

    async def _run(self, fn, *args, done: str | None = None, **kwargs):
        """One administration call as this session; refused, it is said once and the
        asking action stops there (call_store)."""
        result = await self.call_store(fn, *args, **kwargs)
        if done:
            self.app.tell(done)
        self.load()
        return result if result is not None else True

    @work(group="admin-action")
    async def action_add_user(self) -> None:
        from store import accounts

        result = await self.app.push_screen_wait(AddUserModal())
        if not result:
            return
        account = await self._run(accounts.add_user, result["username"], result["role"],
                                  full_name=result["full_name"])
        if account:
            await self.app.push_screen_wait(SecretModal(
                _("User {name} created").format(name=safe.clean(account.username)),
                _("Give this one-time password to the user in person. It is shown only now; "
                  "they choose their own password and set up 2FA at first login."),
                account.one_time_password))

    @work(group="admin-action")
    async def action_change_role(self) -> None:
        from store import accounts
        from store.accounts import ROLES  # the role names only

        user = self.selected()
        if user is None:
            return
        result = await self.app.push_screen_wait(ChoiceModal(
            _("Change role: {name}").format(name=safe.clean(user.username)), _("Role"),
            vocab.options(ROLES), value=user.role,
            explanation=_("Their open sessions end; they log in again with the new role.")))
        if result and result["value"] != user.role:
            await self._run(accounts.set_role, user.username, result["value"],
                            done=_("Role changed."))

    @work(group="admin-action")
    async def action_revoke(self) -> None:
        from store import auth

        user = self.selected()
        if user is None:
            return
        holdings = await self.call_store(auth.holdings, user.username)
        heirs = [(safe.text(u.display_name), u.username) for u in self.users
                 if not u.revoked and u.id != user.id and u.role in ("admin", "manager", "sales")]
        result = await self.app.push_screen_wait(ChoiceModal(
            _("Revoke {name}").format(name=safe.clean(user.username)), _("Hand over to"), heirs,
            allow_blank=True,
            explanation=_("Their logins stop and every open session ends at once. They own {contacts} "
                          "contacts and {deals} deals: choose who takes them over (or nobody).").format(
                contacts=holdings.contacts, deals=holdings.deals)))
        if result is None:
            return
        moved = await self._run(auth.revoke, user.username, hand_over_to=result["value"])
        if moved is not None:
            self.app.tell(_("{name} is revoked; {n} records handed over.").format(
                name=safe.clean(user.username), n=0 if moved is True else moved))

    @work(group="admin-action")
    async def action_reinstate(self) -> None:
        from store import auth

        user = self.selected()
        if user is None:
            return
        if not user.revoked:
            self.app.tell(_("{name} is not revoked.").format(name=safe.clean(user.username)))
            return
        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Reinstate {name}").format(name=safe.clean(user.username)),
            _("Let {name} log in again? They get a new one-time password and choose their own "
              "password at next login; their 2FA stays.").format(name=safe.clean(user.username))))
        if not ok:
            return
        otp = await self._run(auth.reinstate, user.username)
        if isinstance(otp, str):
            await self.app.push_screen_wait(SecretModal(
                _("{name} is reinstated").format(name=safe.clean(user.username)),
                _("Give this one-time password to the user in person. It is shown only now."), otp))

    @work(group="admin-action")
    async def action_full_name(self) -> None:
        from store import accounts

        user = self.selected()
        if user is None:
            return
        result = await self.app.push_screen_wait(FullNameModal(user.username, user.full_name))
        if result is not None:
            await self._run(accounts.set_full_name, user.username, result["full_name"],
                            done=_("Full name saved."))

    @work(group="admin-action")
    async def action_reset_2fa(self) -> None:
        from store import auth

        user = self.selected()
        if user is None:
            return
        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Reset 2FA"), _("Reset two-factor login for {name}? Their sessions end and they set up "
                              "an authenticator app again at next login.").format(
                name=safe.clean(user.username))))
        if ok:
            await self._run(auth.reset_2fa, user.username, done=_("2FA reset."))

    @work(group="admin-action")
    async def action_reset_password(self) -> None:
        from store import auth

        user = self.selected()
        if user is None:
            return
        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Reset password"), _("Give {name} a new one-time password? Their sessions end.").format(
                name=safe.clean(user.username))))
        if not ok:
            return
        otp = await self._run(auth.reset_password, user.username)
        if isinstance(otp, str):
            await self.app.push_screen_wait(SecretModal(
                _("New one-time password for {name}").format(name=safe.clean(user.username)),
                _("Give it to the user in person. It is shown only now."), otp))

    def action_sessions(self) -> None:
        user = self.selected()
        if user is not None:
            self.app.push_screen(SessionsModal(user.id, user.username))

    def action_review(self) -> None:
        from .review import AccessReviewScreen

        self.app.push_screen(AccessReviewScreen())

    def action_hygiene(self) -> None:
        from .hygiene import HygieneScreen

        self.app.push_screen(HygieneScreen())


class AddUserModal(FormModal):
    def __init__(self):
        self.TITLE_TEXT = _("Add user")
        super().__init__()

    def fields(self):
        from store.accounts import ROLES

        yield self.row(_("User name"), Field(id="username", max_length=32,
                                             placeholder=_("lower case, e.g. mette.k")))
        yield self.row(_("Full name"), Field(id="full_name", max_length=100, placeholder=_("e.g. Mette Kjær")))
        yield self.row(_("Role"), Select(vocab.options(ROLES), value="sales", allow_blank=False, id="role"))

    def on_mount(self) -> None:
        self.query_one("#username").focus()

    def result(self):
        import re

        username = self.value("#username").strip()
        if not re.fullmatch(r"[a-z][a-z0-9._-]{1,31}", username):
            self.error(_("A user name is 2-32 characters: lower-case letters, digits, '.', '_' or '-', "
                         "starting with a letter."))
            return None
        return {"username": username, "role": self.value("#role"), "full_name": self.value("#full_name").strip()}


class FullNameModal(FormModal):
    """The name lists and owner pickers show for a user (empty: their user name)."""

    def __init__(self, username: str, full_name: str):
        self.TITLE_TEXT = _("Full name of {name}").format(name=safe.clean(username))
        self.initial = full_name
        super().__init__()

    def fields(self):
        yield self.row(_("Full name"), Field(self.initial, id="full_name", max_length=100,
                                             placeholder=_("e.g. Mette Kjær")))

    def on_mount(self) -> None:
        self.query_one("#full_name").focus()

    def result(self):
        return {"full_name": self.value("#full_name").strip()}


class SessionsModal(BaseModal):
    BINDING_GROUP = "sessions"
    BINDINGS = bindings.for_screen("sessions")
    CSS_PATH = "admin.tcss"

    def __init__(self, user_id: int, username: str):
        super().__init__()
        self.user_id = user_id
        self.username = username
        self.sessions = []

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="sessions-box"):
            yield Static(_("Active sessions of {name}").format(name=safe.clean(self.username)),
                         id="sessions-title", markup=False)
            yield DataTable(id="sessions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sessions", DataTable).add_columns(
            _("Session"), _("Started"), _("Last seen"), _("From"), _("This app"))
        self.load()
        self.query_one("#sessions").focus()

    @work(exclusive=True, group="sessions-load")
    async def load(self) -> None:
        from store import auth

        self.sessions = await self.call_store(auth.sessions_of, self.user_id)
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for s in self.sessions:
            table.add_row(safe.text(str(s.id)), safe.text(fmt_datetime(s.started_at)),
                          safe.text(fmt_datetime(s.last_seen_at)), safe.text(s.source_addr or _("console")),
                          safe.text(_("yes") if s.current else ""), key=str(s.id))
        self.refresh_bindings()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("session") or message.touches("user"):
            self.load()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "end_session":
            scope = self.app.scope
            return bool(scope and scope.can("user.admin")) and (True if self.sessions else None)
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    @work(group="sessions-end")
    async def action_end_session(self) -> None:
        from store import auth

        table = self.query_one("#sessions", DataTable)
        index = table.cursor_row
        if index is None or not (0 <= index < len(self.sessions)):
            return
        session = self.sessions[index]
        await self.call_store(auth.end_session, session.id, report=self._refused_then_load)
        self.app.tell(_("Session ended."))
        self.load()

    def _refused_then_load(self, text: str) -> None:
        """A refused end is said, and the sessions shown as they now are."""
        self.app.tell(text, severity="error")
        self.load()
