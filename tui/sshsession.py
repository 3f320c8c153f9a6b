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

This module is imported only when sshd runs an interactive session; the app
itself (tui/ssh_app.py, and Textual with it) only once the key is known.
"""
from __future__ import annotations

import contextlib
import os
import sys

# Everything a TUI may have switched on, switched off: mouse modes, bracketed
# paste, focus events, alternate screen; then cursor on and attributes reset.
TERMINAL_RESET = ("\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l"
                  "\x1b[?2004l\x1b[?1004l\x1b[?1049l\x1b[?25h\x1b[0m")


def run(args) -> int:
    from console.exit_codes import Exit
    from store import sshkeys
    from store.runtime import open_store

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("minicrm: an interactive session needs a terminal (ssh -t); for files use a batch "
              "command: import, export person, mailing export", file=sys.stderr)
        return Exit.REFUSED
    rt = open_store(args.config)
    try:
        user = sshkeys.user_of_key(args.key_id)
    except sshkeys.UnknownKey as exc:
        from store import sshaccess  # the login's modules (store.auth) only when there is a login

        sshaccess.refused(args.key_id, "key", "session")
        print(f"minicrm: {exc}", file=sys.stderr)
        return Exit.REFUSED
    sshkeys.note_used(args.key_id)
    from .ssh_app import SshApp  # Textual loads here, once the key is known to be good

    app = SshApp(rt.config, key_id=args.key_id, username=user.username, user_id=user.id)
    try:
        app.run()
    finally:
        _restore_terminal()
        if app.session is not None:  # the app crashed with a session open: close the row
            with contextlib.suppress(Exception):  # after a crash: nothing left to tell, the exit goes on
                app.session.end("error")
    if app.farewell and not app.hung_up:
        print(app.farewell, flush=True)
    return app.return_code or 0


def _restore_terminal() -> None:
    """Belt and braces after Textual's own clean-up; a dead terminal is ignored."""
    with contextlib.suppress(OSError):
        os.write(sys.stdout.fileno(), TERMINAL_RESET.encode())
