"""Work done before the person needs it, and in their pauses (mixed into MiniCRMApp).

- the store opened at the first key of the login, and the modules a login imports loaded
  while the password is typed;
- the home screen built while the login screen waits, the contact screen once the home
  screen is shown (`build_hidden`): the first login and the first Enter then show a screen
  that exists, instead of building one (issue 17, bench/profile_tui);
- in each pause of the person (1 s without a key): the cycle collector's full pass and the
  WAL checkpoint this process's saves leave for then (tui/heap.py, store.runtime.defer_checkpoints);
- the validators a session's first save would load, once the home screen is shown.
"""
from __future__ import annotations

import contextlib
import time

from . import heap
from .errors import describe


def build_hidden(app, screen) -> None:
    """`screen` composed, mounted and styled, its frame timer running, not shown.  Textual's own
    steps of push_screen without the showing: the screen's CSS into the stylesheet (a re-parse
    of every source and a restyle: once, here), then the screen registered, which composes and
    mounts it.  On no screen stack, nothing draws it.  (Private Textual methods and attributes:
    check them on an upgrade.)"""
    app._load_screen_css(screen)
    app._register(app, screen)
    # Its frame timer started now, not at its first show: a screen's timer, started paused,
    # sleeps a whole frame (1/60 s) on its first resume before its first frame, and a screen
    # shown for the first time painted ~17 ms after everything else was ready (traced: the
    # first Enter of a session, the p95 of Enter to the contact painted).  Started while the
    # screen is hidden, it ticks once (a hidden screen's tick draws nothing) and waits: shown,
    # its first frame comes at once.
    screen._update_timer.resume()


def drop_hidden(app, screen):
    """An installed screen that is not shown removed, and uninstalled.  One still mounting (built
    ahead a moment ago) goes once it has mounted: removed in the middle, its widgets' mount
    handlers found their children gone (Textual's Header: NoMatches, the session-end test).
    Returns what to await for the removal, or None when it comes later."""
    if screen.is_attached and not screen.is_mounted:
        app.call_after_refresh(drop_hidden, app, screen)
        return None
    app.uninstall_screen(screen)
    return screen.remove()


class WorkAhead:
    """The app's store opening, warm-up, screens built ahead and pause work (see the module)."""

    def _watch_for_pauses(self) -> None:
        self._pause = heap.QuietCollector()
        self.set_interval(heap.QUIET_S / 2, self._in_a_pause, name="pause")

    def _in_a_pause(self) -> None:
        """The person paused: the collector's full pass, and the WAL checkpoint this process's
        saves leave for now (store.runtime.defer_checkpoints), on the store thread."""
        if self._pause.tick(self.last_activity, time.monotonic()) and self.store_ready.is_set() \
                and self.store_error is None:
            from store.runtime import checkpoint_passive

            self.run_worker(self.backend.run(checkpoint_passive, background=True), group="checkpoint",
                            exclusive=True, exit_on_error=False)

    # -- the store, and what a login imports --------------------------------------------

    def _open_store(self) -> None:
        if self._store_opening:
            return
        self._store_opening = True
        self.run_worker(self._open_store_worker(), name="open-store", group="store", exclusive=True)

    async def _open_store_worker(self) -> None:
        try:
            await self.backend.run(_open_store_here, self.config)
        # deliberately broad: whatever stops the store opening (config, key, disk) is shown once, on login
        except Exception as exc:  # noqa: BLE001
            self.store_error = describe(exc)
            self.tell(self.store_error, severity="error", timeout=30)
        finally:
            self.store_ready.set()
        if self.store_error is None:
            self.warm_up()

    async def wait_for_store(self) -> bool:
        self._open_store()
        await self.store_ready.wait()
        return self.store_error is None

    def warm_up(self) -> None:
        """Load what the login and the home screen need, after the login screen is painted."""
        self.run_worker(self._warm_up(), name="warm-up", group="warm-up", exclusive=True)

    async def _warm_up(self) -> None:
        # The store's modules on the store thread, where its calls import them anyway (so no
        # two threads import the same modules at once); the home screens' on the loop (~10 ms).
        with contextlib.suppress(Exception):  # a module that fails to load fails again where it is used
            await self.backend.run(_import_all, STORE_WARM_UP)
            _import_all(SCREEN_WARM_UP)
        self.prepare_home()

    # -- screens built ahead ------------------------------------------------------------

    def prepare_home(self) -> None:
        """The home screen built ahead, while the login screen waits for the password and the
        code: composed, mounted and styled, not shown, and empty.  Building it (its styles
        parsed, ~100 widgets made and styled) was most of the time from the login to the home
        screen painted (bench/profile_tui login).  Nothing in it depends on who logs in; the
        role's columns and the data come after the login (start_session).  A failed login
        leaves it as it is: empty, hidden."""
        if self._home_ahead is not None or self.session is not None or not self.is_running:
            return
        from .screens.search import SearchScreen

        screen = SearchScreen()
        build_hidden(self, screen)
        self._home_ahead = screen
        self.call_after_refresh(heap.settle)  # the modules, the login and home screens: kept

    def _prepare_contact(self, session) -> None:
        from .screens.contact import prepare_contact

        if self.session is session:
            prepare_contact(self)
            self.call_after_refresh(heap.settle, True)  # this login's screens, built: kept while it lasts
            from store.contact_points import warm_up

            # on the store thread, behind what the person asks for (a background call)
            self.run_worker(self.backend.run(warm_up, background=True), group="warm-up", exit_on_error=False)


def _open_store_here(config) -> None:
    """On the store thread: the store's modules (Peewee, SQLCipher) import there, not on the loop."""
    from store.runtime import defer_checkpoints, open_store

    open_store(config)
    defer_checkpoints()  # not inside a person's save: in their pause (WorkAhead._in_a_pause)


# What a login and the home screen import (measured: about 0.25 s of CPU), loaded while the
# person types the password instead of after Enter, where it held up the home screen.
STORE_WARM_UP = ("store.auth", "store.contacts", "store.staff", "store.rights.requests", "store.changes")
SCREEN_WARM_UP = ("tui.screens.search", "tui.screens.invoices")


def _import_all(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        importlib.import_module(name)
