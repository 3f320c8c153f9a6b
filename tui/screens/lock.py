"""The idle lock: after a while without keys, ask for the password (or a code)."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ..i18n import _
from ..widgets.field import Field
from .base import BaseModal


class LockScreen(BaseModal):
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    #lock-box { width: 60; height: auto; border: round $warning; padding: 0 1; }
    #lock-message { color: $error; }
    """
    BINDINGS = []

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(_("Locked after inactivity. Enter your password or a code from your app."),
                         markup=False)
            yield Field(id="unlock", password=True, max_length=512, compact=True)
            yield Static("", id="lock-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#unlock").focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self._unlock(event.value)

    @work(exclusive=True)
    async def _unlock(self, secret: str) -> None:
        self.query_one("#unlock", Input).value = ""
        session = self.app.session
        if session is None:
            return
        # A session that ended meanwhile takes the app's end-of-session path (the login screen).
        ok = await self.call_unscoped(session.unlock, secret)
        if ok:
            self.app.locked = False
            import time

            self.app.last_activity = time.monotonic()
            self.dismiss(None)
        else:
            self.query_one("#lock-message", Static).update(_("That was not right."))
