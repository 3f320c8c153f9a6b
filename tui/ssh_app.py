"""The app as it runs behind sshd: the key names the user, the login asks for the rest,
and leaving the app closes the connection.

Imported only by tui/sshsession.py once a key is known to be good: nothing else
pays for these classes (or for Textual) on the console's side.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

from textual.screen import Screen
from textual.widgets import Input

from console.exit_codes import Exit

from . import app as app_module
from .app import MiniCRMApp, session_ended_message
from .screens import login as login_module
from .screens.login import LoginScreen

MAX_LOGIN_FAILURES = 3


def _beside(module, css_path):
    # Textual resolves a relative CSS_PATH next to the subclass's file: pin the original.
    return str(Path(module.__file__).with_name(css_path)) if isinstance(css_path, str) else css_path


class SshLoginScreen(LoginScreen):
    """The login form with the key's user name filled in and fixed."""

    CSS_PATH = _beside(login_module, LoginScreen.CSS_PATH)
    AUTO_FOCUS = "#password"
    failures = 0

    def on_mount(self, event) -> None:
        event.prevent_default()  # Textual would call LoginScreen.on_mount again after this
        super().on_mount()
        name = self.query_one("#username", Input)
        name.value = self.app.ssh_username
        name.disabled = True
        self.query_one("#password", Input).focus()

    def action_submit(self) -> None:
        self.query_one("#username", Input).value = self.app.ssh_username
        super().action_submit()

    def _failed(self, text: str) -> None:
        super()._failed(text)
        SshLoginScreen.failures += 1
        if SshLoginScreen.failures >= MAX_LOGIN_FAILURES:
            self.app.leave(text)


class SshApp(MiniCRMApp):
    CSS_PATH = _beside(app_module, MiniCRMApp.CSS_PATH)

    def __init__(self, config, *, key_id: int, username: str, user_id: int, **kwargs):
        super().__init__(config, **kwargs)
        self.key_id, self.ssh_username, self.ssh_user_id = key_id, username, user_id
        self.farewell: str | None = None
        self.hung_up = False

    def on_mount(self, event) -> None:
        event.prevent_default()  # instead of MiniCRMApp.on_mount, which pushes a blank login
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(signum, self.hang_up)
        self.push_screen(SshLoginScreen())
        # tui/sshsession.py opened the store before the app (it had to, to know the key): a
        # second opening on the store thread would only repeat it; its connection opens at
        # its first call.  What the login needs loads while the password is typed.
        self._store_opening = True
        self.store_ready.set()
        self.call_after_refresh(self.warm_up)

    async def start_session(self, session) -> None:
        if session.user_id != self.ssh_user_id:  # cannot happen: the name is fixed
            await self.backend.run(session.end, "wrong_user")
            self.leave("This key belongs to another user.")
            return
        from store import sshaccess  # the login (store.auth) is loaded by now: nothing to wait for

        await super().start_session(sshaccess.bind_to_key(session, self.key_id))

    async def end_session(self, message: str | None = None, reason: str = "logout") -> None:
        """Over SSH a session that ends closes the connection: the key names one user.

        This runs in a worker of its own: it is called from the session-check timer,
        and stopping that timer would cancel its callback at the first await.
        """
        if reason != "logout":
            message = message or session_ended_message(reason)
        self.run_worker(self._close_and_leave(message, reason), group="leave", exclusive=True)

    async def _close_and_leave(self, message: str | None, reason: str) -> None:
        self._stop_timers()
        # An empty screen first: the data screens and their workers go before the scope does.
        await self._reset_to(Screen())
        session, self.session, self.scope, self._watcher = self.session, None, None, None
        if session is not None:
            with contextlib.suppress(Exception):  # leaving: a store that cannot record the end must not stop it
                await self.backend.run(session.end, reason)
        if reason == "hangup":
            self.exit(return_code=Exit.HANGUP)
        else:
            self.leave(message)

    def leave(self, message: str | None) -> None:
        self.farewell = message
        self.exit()

    def _fatal_error(self) -> None:
        """One line instead of Textual's traceback with local variables (secrets)."""
        error = self._exception
        self.farewell = (f"minicrm: unexpected error ({type(error).__name__}); "
                         "the session has ended")
        self._close_messages_no_wait()

    async def action_quit(self) -> None:
        await self.end_session(None, "logout")

    def hang_up(self) -> None:
        """SIGHUP/SIGTERM, on the loop's thread: close the row, then leave."""
        if self.hung_up:
            return
        self.hung_up = True
        signal.alarm(5)  # the terminal is gone: should the exit stall on it, end anyway
        self.run_worker(self._close_and_leave(None, "hangup"), group="leave", exclusive=True)
