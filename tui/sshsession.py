"""The interactive SSH session: the key names the user, the TUI asks for the rest.

The key alone is never enough: the login screen opens with the key's user
name filled in and fixed, and asks for the password and the TOTP code as
usual.  The session then lives as long as two things hold, checked every
second: the session row is open (auth.Session.check: revoked, reset, ended by
an admin, too old), and the key is still registered to an active user.

Leaving, for whatever reason, goes through the app's own exit: the session row
is closed, the terminal is put back (mouse reporting off, main screen,
cursor shown) and the process ends, which closes the SSH connection.  A
hang-up (SIGHUP from sshd when the connection drops, or SIGTERM) does the same
minus the terminal, which is gone; SQLite's transactions mean nothing is ever
half-written whatever moment the process dies at.
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

# Everything a TUI may have switched on, switched off: mouse modes, bracketed
# paste, focus events, alternate screen; then cursor on and attributes reset.
TERMINAL_RESET = ("\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l"
                  "\x1b[?2004l\x1b[?1004l\x1b[?1049l\x1b[?25h\x1b[0m")
MAX_LOGIN_FAILURES = 3


def run(args) -> int:
    from store import sshkeys
    from store.runtime import open_store

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("minicrm: an interactive session needs a terminal (ssh -t); for files use a batch "
              "command: import, export person, mailing export", file=sys.stderr)
        return 2
    rt = open_store(args.config)
    try:
        user = sshkeys.user_of_key(args.key_id)
    except sshkeys.UnknownKey as exc:
        from store import audit

        audit.record(None, "ssh.refused", "ssh_key", args.key_id, reason="key", command="session")
        print(f"minicrm: {exc}", file=sys.stderr)
        return 2
    sshkeys.note_used(args.key_id)
    app = ssh_app_class()(rt.config, key_id=args.key_id, username=user.username, user_id=user.id)
    try:
        app.run()
    finally:
        _restore_terminal()
        if app.session is not None:  # the app crashed with a session open: close the row
            try:
                app.session.end("error")
            except Exception:
                pass
    if app.farewell and not app.hung_up:
        print(app.farewell, flush=True)
    return app.return_code or 0


def _restore_terminal() -> None:
    """Belt and braces after Textual's own clean-up; a dead terminal is ignored."""
    try:
        os.write(sys.stdout.fileno(), TERMINAL_RESET.encode())
    except OSError:
        pass


_APP_CLASS = None


def ssh_app_class():
    """The SSH variant of the app (built on first use: Textual loads only here)."""
    global _APP_CLASS
    if _APP_CLASS is not None:
        return _APP_CLASS

    from textual.screen import Screen
    from textual.widgets import Input

    from store import auth, sshkeys
    from tui import app as app_module
    from tui.app import MiniCRMApp, session_ended_message
    from tui.screens import login as login_module
    from tui.screens.login import LoginScreen

    def beside(module, css_path):
        # Textual resolves a relative CSS_PATH next to the subclass's file: pin the original.
        return str(Path(module.__file__).with_name(css_path)) if isinstance(css_path, str) else css_path

    class KeyBoundSession(auth.Session):
        """A Session that also ends when the SSH key it came in with is removed."""

        key_id: int

        def check(self, now=None) -> None:
            super().check(now)
            if not sshkeys.key_in_use(self.key_id):
                self.end("key_removed")
                raise auth.SessionEnded("revoked")

    class SshLoginScreen(LoginScreen):
        """The login form with the key's user name filled in and fixed."""

        CSS_PATH = beside(login_module, LoginScreen.CSS_PATH)
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
        CSS_PATH = beside(app_module, MiniCRMApp.CSS_PATH)

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
            self.call_after_refresh(self._open_store)

        async def start_session(self, session) -> None:
            if session.user_id != self.ssh_user_id:  # cannot happen: the name is fixed
                await self.backend.run(session.end, "wrong_user")
                self.leave("This key belongs to another user.")
                return
            session.__class__ = KeyBoundSession
            session.key_id = self.key_id
            await super().start_session(session)

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
                try:
                    await self.backend.run(session.end, reason)
                except Exception:
                    pass
            if reason == "hangup":
                self.exit(return_code=129)
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

    _APP_CLASS = SshApp
    return SshApp
