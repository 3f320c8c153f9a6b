"""One thread that talks to the store, so the event loop never waits on the disk.

Peewee keeps one connection per thread: running every store call on one
long-lived thread keeps one warm connection (and its page cache) for the
whole session, and serialises this session's reads and writes.

Guarantee: `run_as` never runs a store call after the session it was made
for has ended.  The scope is taken when the call is made, and checked again on
the store thread just before the call starts (a call queued behind a slow one
may start after the session ended): a call for an ended session raises
`SessionEnded` instead of querying.  Screens go through `BaseScreen.call_store`.

Calls the person is waiting for go first: a `background` call (a list reloaded because
another session changed something, the filters, a checkpoint) waits while any other is
queued, and an `aside` call (a count) runs on a second thread and connection.  Traced
under load (bench_terminal with 19 sessions and an import), the contact asked for with
Enter waited behind a count and two reloads (0.4 to 1.5 s) before its own 0.3 s.  Calls
of one kind keep their order.

The store itself refuses every call of a session that has ended.  When the app
takes such a refusal over (`on_session_ended` returns True: it ends the session
and shows why), the worker that asked is cancelled quietly instead of failing,
so a screen loading at that moment cannot crash the app.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from store.errors import EndReason, SessionEnded

FIRST, BACKGROUND = 0, 1  # the order calls are taken in; within one, the order they came


class StoreThread:
    """One thread running the calls given to it, those the person waits for first.

    After such a call, background calls wait until the app has painted its answer
    (`release`), at most HOLD_S: run at once they held the GIL through the answer's layout
    and paint (traced under load: a contact painted 0.37 s after its record came, while a
    reload of the list and the filters ran beside it)."""

    HOLD_S = 0.5

    def __init__(self) -> None:
        self._calls: list[tuple] = []  # a heap of (kind, order, fn, future)
        self._cond = threading.Condition()
        self._order = itertools.count()
        self._held_until = 0.0
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="minicrm-store", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], object], *, background: bool = False) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the store thread has been shut down")
            heapq.heappush(self._calls, (BACKGROUND if background else FIRST, next(self._order), fn, future))
            self._cond.notify()
        return future

    def release(self) -> None:
        """The answer is painted: background calls may go."""
        with self._cond:
            self._held_until = 0.0
            self._cond.notify()

    def _next(self) -> tuple:
        with self._cond:
            while True:
                if self._calls:
                    wait = self._held_until - time.monotonic()
                    if self._calls[0][0] != BACKGROUND or wait <= 0:
                        return heapq.heappop(self._calls)
                    self._cond.wait(wait)
                else:
                    self._cond.wait()

    def _work(self) -> None:
        while True:
            kind, _n, fn, future = self._next()
            if fn is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:  # noqa: BLE001 -- handed to the caller, as an executor does
                future.set_exception(exc)
            else:
                future.set_result(result)
            if kind == FIRST:
                with self._cond:
                    self._held_until = time.monotonic() + self.HOLD_S

    def shutdown(self) -> None:
        """No more calls: those still queued are cancelled, the one running finishes."""
        with self._cond:
            self._closed = True
            for _kind, _n, _fn, future in self._calls:
                future.cancel()
            self._calls = [(-1, -1, None, None)]  # the thread stops
            self._held_until = 0.0
            self._cond.notify()


class Backend:
    def __init__(self, on_session_ended: Callable[[SessionEnded], bool] | None = None):
        self.on_session_ended = on_session_ended
        self._executor = StoreThread()
        # counts, on a connection of their own: a count of every match took the store thread
        # for up to 0.8 s under load, and the contact asked for meanwhile waited behind it
        # (WAL readers do not block each other; SQLite leaves the GIL while it counts)
        self._aside = StoreThread()
        # called on the event loop as an answer someone waited for comes back: the app lets
        # the background calls go once it has painted it (StoreThread.release)
        self.after_answer: Callable[[], None] | None = None
        # The logged-in session's Scope, or None: set by the app when a session starts and
        # cleared (on the event loop) the moment it ends.
        self.scope = None

    async def run(self, fn, /, *args, background: bool = False, aside: bool = False, **kwargs):
        """fn(*args, **kwargs) on the store thread (calls that need no session: login, start-up);
        `background`: after the calls someone waits for (see the module); `aside`: a long read
        nobody waits for (a count), on a thread and connection of its own."""
        thread = self._aside if aside else self._executor
        try:
            result = await asyncio.wrap_future(
                thread.submit(functools.partial(fn, *args, **kwargs), background=background or aside))
            if not (background or aside) and self.after_answer is not None:
                self.after_answer()
            return result
        except SessionEnded as exc:
            if self.on_session_ended is not None and self.on_session_ended(exc):
                raise asyncio.CancelledError() from None
            raise

    async def run_as(self, scope, fn, /, *args, background: bool = False, aside: bool = False, **kwargs):
        """fn(scope, *args, **kwargs) on the store thread, for the session `scope` belongs to.

        Raises SessionEnded, without calling fn, when `scope` is not the current session's
        (there is none, or it ended) by the time the store thread reaches the call.
        """
        if scope is None or scope is not self.scope:
            raise SessionEnded(EndReason.ENDED)

        def call():
            if self.scope is not scope:  # ended (or replaced) while this call waited its turn
                raise SessionEnded(EndReason.ENDED)
            return fn(scope, *args, **kwargs)

        return await self.run(call, background=background, aside=aside)

    def release_background(self) -> None:
        self._executor.release()

    def shutdown(self) -> None:
        def close():  # this thread's connection closes with the thread
            from store import audit

            audit.flush()

        # Leaving: a store that is not open (or a stuck disk) must not stop the exit,
        # and there is nobody left to tell.
        with contextlib.suppress(Exception):
            self._executor.submit(close).result(timeout=5)
        self._executor.shutdown()
        self._aside.shutdown()
