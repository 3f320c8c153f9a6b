"""First login: choose a password, enrol an authenticator app, keep the recovery codes.

The QR code, the manual key and the recovery codes are shown here once and
never again (the store keeps only the sealed secret and hashed codes).
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, Input, Label, Static

from .. import bindings
from ..i18n import _
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen


class FirstLoginScreen(BaseScreen):
    BINDING_GROUP = "first_login"
    BINDINGS = bindings.for_screen("first_login")
    CSS_PATH = Path(__file__).parent / "first_login.tcss"

    def __init__(self, first_login):
        super().__init__()
        self.first = first_login
        self.codes: list[str] = []

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="step-password", id="steps"):
            with Vertical(id="step-password"):
                yield Static(_("Welcome. First choose your own password (at least 12 characters; "
                               "a short sentence is easy to remember)."), markup=False)
                with Horizontal(classes="row"):
                    yield Label(_("New password"), classes="label", markup=False)
                    yield Field(compact=True, id="new-password", password=True, max_length=512)
                with Horizontal(classes="row"):
                    yield Label(_("Repeat it"), classes="label", markup=False)
                    yield Field(compact=True, id="repeat-password", password=True, max_length=512)
                yield Static("", id="password-message", classes="message", markup=False)
            # The QR code beside what to do with it: at 80x24 the code and its field fit on
            # the screen (under each other the field was below the fold); smaller ones scroll.
            with VerticalScroll(id="step-totp"), Horizontal(id="totp-layout"):
                yield Static("", id="qr", markup=False)
                with Vertical(id="totp-side"):
                    yield Static(_("Scan this code with an authenticator app, then type the 6-digit "
                                   "code it shows."), markup=False)
                    yield Static("", id="manual-key", markup=False)
                    with Horizontal(classes="row"):
                        yield Label(_("Code"), classes="label", markup=False)
                        yield Field(compact=True, id="totp-code", max_length=6)
                    yield Static("", id="totp-message", classes="message", markup=False)
            with VerticalScroll(id="step-codes"):
                yield Static(_("Your recovery codes. Each works once if you lose your phone. "
                               "Write them down or print them now: they will not be shown again."),
                             markup=False)
                yield Static("", id="recovery-codes", markup=False)
                yield Static(_("Press enter when you have stored them."), markup=False)
        yield Footer()

    def on_mount(self) -> None:
        needs_password = getattr(self.first, "needs_password", True)
        if needs_password:
            self.query_one("#new-password", Input).focus()
        else:
            self._start_totp()

    # Enter moves on at once from the first password field (see LoginScreen);
    # in the other fields the Input handles it and its Submitted message acts.
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "next_field":
            step = self.query_one("#steps", ContentSwitcher).current
            return step == "step-codes" or (self.focused is not None and self.focused.id == "new-password")
        return True

    def action_next_field(self) -> None:
        if self.query_one("#steps", ContentSwitcher).current == "step-codes":
            self.action_next()
        else:
            self.set_focus(self.query_one("#repeat-password", Input))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def action_next(self) -> None:
        step = self.query_one("#steps", ContentSwitcher).current
        if step == "step-password":
            self._set_password()
        elif step == "step-totp":
            code = self.query_one("#totp-code", Input).value.strip()
            if code:
                self._confirm(code)
        else:
            self._finish()

    @work(exclusive=True, group="first-login")
    async def _set_password(self) -> None:
        new = self.query_one("#new-password", Input).value
        repeat = self.query_one("#repeat-password", Input).value
        message = self.query_one("#password-message", Static)
        if not new:
            return
        if new != repeat:
            message.update(_("The two passwords are not the same."))
            self.query_one("#repeat-password", Input).value = ""
            self.query_one("#repeat-password", Input).focus()
            return
        message.update(_("Saving…"))

        def refused(text: str) -> None:  # the policy's reason, and both fields to type again
            message.update(text)
            self.query_one("#new-password", Input).value = ""
            self.query_one("#repeat-password", Input).value = ""
            self.query_one("#new-password", Input).focus()

        await self.call_unscoped(self.first.set_password, new, report=refused)
        if getattr(self.first, "needs_totp", True):
            self._start_totp()
        else:
            await self._done()

    @work(exclusive=True, group="first-login")
    async def _start_totp(self) -> None:
        enrolment = await self.call_unscoped(self.first.start_totp)
        qr = enrolment.qr
        if not isinstance(qr, str):
            from store import totp

            qr = totp.qr_text(enrolment.uri)
        self.query_one("#qr", Static).update(qr)
        secret = parse_qs(urlparse(enrolment.uri).query).get("secret", [""])[0]
        grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        self.query_one("#manual-key", Static).update(
            _("Or type this key into the app: {key}").format(key=grouped))
        self.query_one("#steps", ContentSwitcher).current = "step-totp"
        self.query_one("#totp-code", Input).focus()

    @work(exclusive=True, group="first-login")
    async def _confirm(self, code: str) -> None:
        message = self.query_one("#totp-message", Static)

        def refused(text: str) -> None:
            message.update(text)
            self.query_one("#totp-code", Input).value = ""

        self.codes = await self.call_unscoped(self.first.confirm_totp, code, report=refused)
        self.query_one("#recovery-codes", Static).update("\n".join(f"  {c}" for c in self.codes))
        self.query_one("#steps", ContentSwitcher).current = "step-codes"
        self.query_one("#step-codes").focus()

    @work(exclusive=True, group="first-login")
    async def _finish(self) -> None:
        await self._done()

    async def _done(self) -> None:
        session = await self.call_unscoped(self.first.finish, source_addr=self.app.source_addr,
                                           pid=os.getpid())
        self.codes = []
        self.app.begin_session(session)
