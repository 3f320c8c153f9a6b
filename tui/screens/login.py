"""Log in with user name, password and a TOTP (or recovery) code.

Failed logins say the same thing whatever was wrong, so the screen never
reveals which accounts exist.  In demo mode (and only then) the demo accounts
and their current codes are listed below the form.
"""
from __future__ import annotations

import os
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from .. import bindings
from ..i18n import _
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen


class LoginScreen(BaseScreen):
    BINDING_GROUP = "login"
    BINDINGS = bindings.for_screen("login")
    CSS_PATH = Path(__file__).parent / "login.tcss"  # also loaded with the app's (the first screen)
    AUTO_FOCUS = "#username"

    def __init__(self, message: str | None = None):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(_("MiniCRM — log in"), id="login-title", markup=False)
            with Horizontal(classes="row"):
                yield Label(_("User name"), classes="label", markup=False)
                yield Field(compact=True, id="username", max_length=32)
            with Horizontal(classes="row"):
                yield Label(_("Password"), classes="label", markup=False)
                yield Field(compact=True, id="password", password=True, max_length=512)
            with Horizontal(classes="row"):
                yield Label(_("Code"), classes="label", markup=False)
                yield Field(compact=True, id="code", max_length=20,
                            placeholder=_("6 digits from your app, or a recovery code"))
            yield Static(self.message or "", id="login-message", markup=False)
        if self.app.demo_accounts:
            from ..widgets.demo_accounts import DemoAccounts

            yield DemoAccounts(self.app.demo_accounts)

    def on_mount(self) -> None:
        # The footer comes a frame after the form: the form is what a person needs first.
        self.call_after_refresh(lambda: self.mount(Footer()))
        if self.message:
            self.query_one("#login-message").add_class("error")

    def reset(self, message: str | None = None) -> None:
        """Back to an empty form (after a logout or a session that ended)."""
        for widget_id in ("#password", "#code"):
            self.query_one(widget_id, Input).value = ""
        self.say(message or "", error=bool(message))
        username = self.query_one("#username", Input)
        self.set_focus(self.query_one("#password", Input) if username.disabled else username)

    def say(self, text: str, error: bool = True) -> None:
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(error, "error")

    # Enter is a priority binding so that focus moves at once: keys typed fast
    # (or pasted) right after Enter then land in the next field.  It never reads
    # a field's value: the field may not have processed its keys yet.  On the
    # code field (and the demo table) Enter goes to the widget itself, which has
    # its whole value by then, and its Submitted message logs in.
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "next_field":
            return self.focused is not None and self.focused.id in ("username", "password")
        return True

    def action_next_field(self) -> None:
        following = {"username": "#password", "password": "#code"}[self.focused.id]
        self.set_focus(self.query_one(following, Input))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        """Log in with what is in the form (an empty code is for a first login only)."""
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        code = self.query_one("#code", Input)
        if not username.value.strip():
            self.set_focus(username)
            return
        if not password.value:
            self.set_focus(password)
            return
        self.say(_("Checking…"), error=False)
        self._login(username.value.strip(), password.value, code.value.strip())

    def fill(self, username: str, password: str, code: str) -> None:
        """Used by the demo panel: fill the form and log in."""
        self.query_one("#username", Input).value = username
        self.query_one("#password", Input).value = password
        self.query_one("#code", Input).value = code
        self.say(_("Checking…"), error=False)
        self._login(username, password, code)

    @work(exclusive=True, group="login")
    async def _login(self, username: str, password: str, code: str) -> None:
        app = self.app
        if not await app.wait_for_store():
            self.say(app.store_error or _("The database could not be opened."))
            return
        from store import auth

        # A failed login (locked, closed, wrong) is worded by tui/errors.py and shown here.
        result = await self.call_unscoped(auth.login, username, password, code, report=self._failed,
                                          source_addr=app.source_addr, pid=os.getpid())
        if isinstance(result, auth.FirstLogin):
            from .first_login import FirstLoginScreen

            await app.push_screen(FirstLoginScreen(result))
            return
        app.begin_session(result)

    def _failed(self, text: str) -> None:
        self.say(text)
        self.query_one("#password", Input).value = ""
        self.query_one("#code", Input).value = ""
        self.query_one("#password", Input).focus()
