"""The MiniCRM terminal app: screens, global keys, live refresh, session checks.

Start-up paints the login screen first and opens the encrypted store right
after, on the store thread (tui/backend.py), so the first paint does not wait
for SQLCipher, Peewee or the validators to import.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from weakref import WeakKeyDictionary

from textual.app import App, SystemCommand
from textual.screen import Screen

from store.errors import EndReason, SessionEnded

from . import bindings, heap, vocab
from .ahead import WorkAhead
from .backend import Backend
from .errors import describe, session_ended_message
from .i18n import _, choose, set_language
from .messages import StoreChanged

# At most one reload of everything shown per this many seconds, while an import writes
# (see _poll_changes); changes to single records are told at every poll.
EVERYTHING_EVERY_S = 2.0


class MiniCRMApp(WorkAhead, App):
    """`config`: path to the TOML config (else $MINICRM_CONFIG / /etc/minicrm)."""

    # The login screen's styles load with the app's: as the first screen (get_default_screen)
    # Textual does not load a screen's own CSS_PATH, and its rows ran together.
    CSS_PATH = [Path(__file__).parent / "app.tcss", Path(__file__).parent / "screens" / "login.tcss"]
    TITLE = "MiniCRM"
    BINDINGS = bindings.for_screen("app")
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"

    def __init__(self, config=None, *, language: str | None = None, demo_accounts=None,
                 poll_interval: float = 0.5, check_interval: float = 1.0, clock=time.time,
                 source_addr: str | None = None):
        from store.config import load_config

        self.config = config if hasattr(config, "db_path") else load_config(config)
        set_language(choose(language or self.config["ui.language"]))
        super().__init__()
        # No animations: they cost repaints over a slow SSH link and gain nothing here.
        self.animation_level = "none"
        bindings.localise(self)
        self.demo = bool(self.config["ui.demo"])
        self.demo_accounts = demo_accounts if self.demo else None
        if self.demo and self.demo_accounts is None:
            self.demo_accounts = _read_demo_accounts(self.config)
        self.poll_interval = poll_interval
        self.check_interval = check_interval
        self.clock = clock
        self.source_addr = source_addr if source_addr is not None else _ssh_source()
        self.backend = Backend(on_session_ended=self._store_refused_session)
        # an answer someone waited for: the background store calls wait until it is painted
        self.backend.after_answer = lambda: self.call_after_refresh(self.backend.release_background)
        self.store_ready = asyncio.Event()
        self._store_opening = False
        self.store_error: str | None = None
        self.session = None
        self._watcher = None
        self._home_ahead = None  # the home screen built ahead, empty (prepare_home)
        # Hidden screen -> what changed while it was hidden, told when it is shown again.
        self._missed: WeakKeyDictionary[Screen, StoreChanged] = WeakKeyDictionary()
        self._last_everything = 0.0  # when a change of everything was last told (_poll_changes)
        self._held_everything: StoreChanged | None = None
        self._everything_timer = None  # tells what is held, at the end of the window
        self._session_timers = []
        self._last_touch = 0.0
        self.idle_lock_seconds = 60 * int(self.config["auth.idle_lock_minutes"])
        self.last_activity = time.monotonic()
        self.locked = False
        from .keygate import KeyGate

        self.key_gate = KeyGate(self, super().on_event)

    # -- start-up ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        """The login screen is the first screen itself: one screen to build before the first paint."""
        from .screens.login import LoginScreen

        return LoginScreen()

    def on_mount(self) -> None:
        # The terminal went away (tmux killed, window closed): end the session and
        # leave, instead of spinning on a dead terminal.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)
        # The store opens at the first key (the person is typing their name, which
        # takes longer than opening it), not before: the login screen paints sooner and
        # an unattended login screen holds no database.  The demo opens it at once.
        if self.demo:
            self.call_after_refresh(self._open_store)
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)
        self._watch_for_pauses()

    # -- sessions ----------------------------------------------------------------

    @property
    def scope(self):
        """The logged-in session's Scope, or None.  Held by the backend, which refuses a
        call for a scope that is no longer this one (tui/backend.py)."""
        return self.backend.scope

    @scope.setter
    def scope(self, scope) -> None:
        self.backend.scope = scope

    def begin_session(self, session) -> None:
        """Called by the login screens: the switch runs as the app's own worker
        (a screen's worker cannot wait for its own screen to be replaced)."""
        self.run_worker(self.start_session(session), group="session", exclusive=True)

    async def start_session(self, session) -> None:
        """Logged in: build the scope, start watching, show the home screen."""
        from store import changes

        self.session = session
        heap.interactive()  # (at the login, not at start: the first paint is not held up by it)
        self.scope = await self.backend.run(session.scope)
        self._watcher = await self.backend.run(changes.Watcher, session.id)  # not told its own writes
        self.last_activity = time.monotonic()
        self.locked = False
        self._stop_timers()
        self._session_timers = [self.set_interval(self.poll_interval, self._poll_changes, name="poll"),
                        self.set_interval(self.check_interval, self._check_session, name="check")]
        # Set without Textual's repaint of the login screen (it is about to go): the home
        # screen's header reads it as it is shown.
        self.set_reactive(MiniCRMApp.sub_title, f"{session.username} ({vocab.label(session.role)})")
        home = self.home_screen()
        if home is self._home_ahead:
            self._home_ahead = None  # this session's now: the next login gets a new one
            if home.is_mounted:  # else its on_mount begins it, for this session
                # the first page before the first paint: the screen shows with its results
                first_page = await home.fetch_first_page()
                if self.session is not session:  # ended meanwhile: nothing is shown
                    await home.remove()
                    return
                home.begin(first_page)
        self._pop_to_base()
        await self.push_screen(home)
        # the contact screen built ahead once the home screen is painted (prepare_contact)
        self.call_after_refresh(self.set_timer, 0.2, partial(self._prepare_contact, session))

    def home_screen(self) -> Screen:
        if self.scope is not None and not self.scope.can("contact.read") and self.scope.can("invoice.read"):
            from .screens.invoices import InvoicesScreen

            return InvoicesScreen()
        if self._home_ahead is not None and self._home_ahead.is_attached:
            return self._home_ahead
        from .screens.search import SearchScreen

        return SearchScreen()

    async def _reset_to(self, screen: Screen) -> None:
        """Show only `screen` (over the login screen at the bottom of the stack)."""
        self._pop_to_base()
        await self.push_screen(screen)

    def _pop_to_base(self) -> None:
        """Everything off the stack but the login screen at its bottom."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    async def end_session(self, message: str | None = None,
                          reason: EndReason = EndReason.LOGOUT) -> None:
        """Back to the login screen.  The scope goes first, on the event loop: from here
        on the backend refuses every call still queued or in flight for it."""
        from .screens.login import LoginScreen

        self._stop_timers()
        session, self.session, self.scope, self._watcher = self.session, None, None, None
        self.workers.cancel_group(self, "touch")
        if session is not None and reason == EndReason.LOGOUT:
            await self._end_in_store(session, reason)
        self._pop_to_base()
        from .screens.contact import drop_kept_contact

        removed = drop_kept_contact(self)
        heap.release()  # its screens can go now; the next login's are kept when built
        if isinstance(self.screen, LoginScreen):
            self.screen.reset(message)
        else:
            await self.push_screen(LoginScreen(message=message))
        if removed is not None:
            await removed
        # (the login screen has no header) after the kept contact screen is gone: its header
        # watches the title, and a change while it was being removed reached a header without
        # its parts (NoMatches, the session-end test)
        self.sub_title = ""
        self.call_after_refresh(self.prepare_home)  # for the next login (the last one's went with it)

    async def _end_in_store(self, session, reason: EndReason) -> None:
        """Record the end; a store that cannot (it is gone, the row is) does not stop the leaving."""
        with contextlib.suppress(Exception):  # leaving: nothing may keep the person in (the row ends with its age)
            await self.backend.run(session.end, reason)

    def session_ended(self, reason: object = EndReason.ENDED) -> None:
        """The one path for a session that ended elsewhere (revoked, ended by an administrator,
        refused by the store): the login screen says why.  Runs in a worker of its own: it may
        be called from the session-check timer, and ending stops that timer, which would
        cancel this very callback at its next await."""
        if self.session is None:
            return  # already ended: the login screen says so
        self.scope = None  # at once: nothing more runs for this session while the worker starts
        # (a partial, not a coroutine: one cancelled before it starts is never left unawaited)
        self.run_worker(partial(self.end_session, session_ended_message(reason), reason=EndReason.ENDED),
                        group="session-end", exclusive=True)

    def store_call_failed(self, exc: BaseException, report=None, scope=None, wording=None) -> None:
        """The one handler for a failed store call (BaseScreen.call_store and the app's own).

        A SessionEnded for the session of the call (`scope`) ends it; for an older one it
        is old news.  Anything else is one translated message (`wording`, else describe),
        shown by `report` if given, else as a notification.
        """
        if isinstance(exc, SessionEnded):
            if scope is not None and scope is self.scope:
                self.session_ended(exc.reason)
            return
        text = (wording or describe)(exc)
        if report is not None:
            report(text)
        else:
            self.tell(text, severity="error")

    def _hang_up(self) -> None:
        signal.alarm(5)  # the terminal is gone: should the exit stall on it, end anyway
        session = self.session
        self._stop_timers()
        if session is not None:
            with contextlib.suppress(Exception):  # leaving a dead terminal: nothing may stop the exit
                session.end(EndReason.HANGUP)  # one small write; the loop is leaving anyway
        self.exit(return_code=129)

    def _stop_timers(self) -> None:
        for timer in self._session_timers:
            timer.stop()
        self._session_timers = []
        if self._everything_timer is not None:
            self._everything_timer.stop()
        self._everything_timer = self._held_everything = None  # (the session's: the next starts afresh)

    async def action_logout(self) -> None:
        if self.session is not None:
            await self.end_session(_("You have logged out."))

    def _store_refused_session(self, exc: SessionEnded) -> bool:
        """The store refused a call because this session ended (a call made outside
        BaseScreen.call_store): the same one path; the asking worker is cancelled, not failed."""
        if self.session is None:
            return False  # no session yet (a first login): the screen shows the refusal
        self.session_ended(exc.reason)
        return True

    async def _check_session(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            await self._repeated_call(session.check)
        except SessionEnded as exc:
            if self.session is session:
                self.session_ended(exc.reason)
            return
        if (not self.locked and self.idle_lock_seconds
                and time.monotonic() - self.last_activity > self.idle_lock_seconds):
            from .screens.lock import LockScreen

            self.locked = True
            self.push_screen(LockScreen())

    async def _poll_changes(self) -> None:
        watcher = self._watcher
        if watcher is None:
            return
        found = await self._repeated_call(watcher.poll)
        if not found or watcher is not self._watcher:
            return
        self.backend.changed()  # a record read ahead may be one of them
        ids: dict[str, set[int]] = {}
        everything = False
        for change in found:
            ids.setdefault(change.entity, set()).add(change.entity_id)
            if change.op == "bulk":
                everything = True
        message = StoreChanged(ids, everything)
        if everything:
            # A change of everything (an import's chunk, a merge) reloads whatever is shown; an
            # import writes one every few tenths of a second, and every session on the server
            # re-ran its search and repainted each time (bench_terminal with 19 sessions and a
            # 50,000-row import: the CPU went there).  The first is told at once, the next at
            # most once in EVERYTHING_EVERY_S, with all that came meanwhile.
            wait = self._last_everything + EVERYTHING_EVERY_S - time.monotonic()
            if wait > 0:
                held = self._held_everything
                self._held_everything = message if held is None else held.merged(message)
                if held is None:
                    self._everything_timer = self.set_timer(wait, self._tell_held_everything)
                return
            self._last_everything = time.monotonic()
        self._tell_changes(message)

    def _tell_held_everything(self) -> None:
        message, self._held_everything = self._held_everything, None
        if message is not None and self._watcher is not None:
            self._last_everything = time.monotonic()
            self._tell_changes(message)

    def _tell_changes(self, message: StoreChanged) -> None:
        """The active screen now; a hidden one when it is shown again (one reload, not one a change)."""
        if not self.screen_stack:
            return  # the app is closing (its screens went while the poll waited for the store)
        active = self.screen
        for screen in self.screen_stack:
            if screen is not active:
                missed = self._missed.get(screen)
                self._missed[screen] = (missed or StoreChanged()).merged(message)  # its own copy
        active.post_message(message)

    def _screen_changed(self, screen: Screen) -> None:
        self._tell_missed_changes(screen)
        self.key_gate.wake()  # keys held for a screen that closed go to the one now shown

    def _tell_missed_changes(self, screen: Screen) -> None:
        missed = self._missed.pop(screen, None)
        if missed is not None:
            screen.post_message(missed)

    async def _repeated_call(self, fn):
        """A store call the app repeats by itself (the session check, the change poll);
        None when it failed for a moment.  SessionEnded is raised: that is what a check is for."""
        try:
            return await self.backend.run(fn, background=True)  # after what someone waits for
        except SessionEnded:
            raise
        # deliberately broad: busy or locked for a moment, whatever the driver raises: the next round asks again
        except Exception:  # noqa: BLE001
            return None

    async def on_event(self, event) -> None:
        """Every key passes here before any widget sees it: activity for the idle lock."""
        from textual import events

        if isinstance(event, (events.Key, events.MouseDown)) and not event.is_forwarded:
            self._activity()
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_gate.key(event)  # in order, to a screen that is ready (tui/keygate.py)
            return
        await super().on_event(event)

    def release_keys(self) -> None:
        """A screen became ready for keys (BaseScreen.keys_ready): hand over what was held."""
        self.key_gate.wake()

    def _activity(self) -> None:
        self._open_store()
        self.last_activity = time.monotonic()
        session = self.session
        if session is not None and time.monotonic() - self._last_touch > 30:
            self._last_touch = time.monotonic()
            self.run_worker(self._touch(session), group="touch")

    async def _touch(self, session) -> None:
        try:
            await self._repeated_call(session.touch)
        except SessionEnded as exc:
            if self.session is session:
                self.session_ended(exc.reason)

    # -- help, palette, messages -----------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "BINDING_GROUP", "app")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only what this role may do on this screen, and the global actions."""
        group = getattr(screen, "BINDING_GROUP", None)
        keys = list(bindings.TABLE["app"])
        if group:
            keys += list(bindings.TABLE[group])
        for key in keys:
            if not key.palette or not bindings.allowed(key, self.scope):
                continue
            target = self if key.action.startswith("app.") else screen
            action = key.action.removeprefix("app.")
            if key.id == "app.logout" and self.session is None:
                continue
            if target is screen:
                may = getattr(screen, "may", None)
                allowed = may(action) if may else screen.check_action(action, ()) is True
                if not allowed:
                    continue
            # the help line says which key does it, in words a user reads (never the binding id)
            yield SystemCommand(_(key.description), _("Key: {key}").format(key=bindings.display(key)),
                                partial(target.run_action, action))

    def format_title(self, title: str, sub_title: str):
        from .safe import content

        return content(f"{title} — {sub_title}" if sub_title else title)

    def tell(self, message: str, *, severity: str = "information", timeout: float | None = None) -> None:
        """A notification; the text may hold stored data, so it is never markup."""
        from .safe import clean

        self.notify(clean(message), severity=severity, timeout=timeout, markup=False)

    async def action_quit(self) -> None:
        session = self.session
        if session is not None:
            self.session = None
            self.scope = None
            await self._end_in_store(session, EndReason.LOGOUT)
        self.exit()

    def on_unmount(self) -> None:
        self.backend.shutdown()

    def _fatal_error(self) -> None:
        """One line instead of Textual's traceback, whose local variables could hold
        personal data or secrets."""
        self.crashed = type(self._exception).__name__
        self._close_messages_no_wait()


def _ssh_source() -> str | None:
    conn = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
    return conn.split()[0] if conn.split() else None


def _read_demo_accounts(config):
    """The demo's accounts file beside the config (written by tui.demo)."""
    import json

    path = Path(config.source).parent / "demo-accounts.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run(config=None, language: str | None = None) -> int:
    import sys

    app = MiniCRMApp(config, language=language)
    app.run()
    if getattr(app, "crashed", None):
        # the app has left the terminal by now: this line on stderr is what the shell shows
        print(  # noqa: T201
            f"minicrm: unexpected error ({app.crashed}); the session has ended", file=sys.stderr)
        return 70
    return app.return_code or 0
