"""Two threads that talk to the store, so the event loop never waits on the disk.

Peewee keeps one connection per thread: the calls the person waits for run on one
long-lived thread, which keeps one warm connection (and its page cache) for the whole
session and serialises them; the calls nobody waits for run on a second thread with
a connection of its own (WAL readers do not block each other; writers queue on the
file's lock as every process's do).

Guarantee: `run_as` never runs a store call after the session it was made
for has ended.  The scope is taken when the call is made, and checked again on
the store thread just before the call starts (a call queued behind a slow one
may start after the session ended): a call for an ended session raises
`SessionEnded` instead of querying.  Screens go through `BaseScreen.call_store`.

Calls the person is waiting for never wait behind the others: a `background` call (a
list reloaded because another session changed something, the filters, the session
check, a checkpoint) and an `aside` one (a count) run on the second thread, which
starts none of them while a call someone waits for is under way, nor until the app
has painted its answer (at most HOLD_S): run beside it they took the interpreter from
its paint.  Traced under load (bench_terminal with 19 sessions and an import), the
contact asked for with Enter waited behind a count and two reloads (0.4 to 1.5 s)
before its own 0.3 s; on one thread, later, behind a reload already under way (a
whole second at 100,000 contacts, loaded).  Calls on one thread keep their order;
a background call can be overtaken by any call someone waits for, so none may be
one that a later call depends on.

A read can be made ahead (`read_ahead`): the highlighted result's record, read as a
background call while the person looks at the list, is taken by the Enter that asks for
it (`take_ahead`) instead of read again.  What was read ahead is good until the next call
someone waits for (a save, a bulk action, another search) or the next change another
session is seen to make (`changed`), and only for the session it was read for.

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

    def hold(self) -> None:
        """An answer was given without a call (read ahead): background calls wait for its paint."""
        with self._cond:
            self._held_until = time.monotonic() + self.HOLD_S

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
        self._executor = StoreThread()  # the calls someone waits for
        # the calls nobody waits for, on a connection of their own: a count of every match took
        # the store thread for up to 0.8 s under load, a reload of the list after an import's
        # chunk up to a second, and the contact asked for meanwhile waited behind them
        self._aside = StoreThread()
        # called on the event loop as an answer someone waited for comes back: the app lets
        # the background calls go once it has painted it (StoreThread.release)
        self.after_answer: Callable[[], None] | None = None
        self._scope = None
        # Bumped by each call someone waits for and each change seen from elsewhere: what was
        # read ahead before it may be out of date.
        self.generation = 0
        self._ahead: dict[object, tuple[int, object, Future]] = {}  # key -> (generation, scope, read)

    @property
    def scope(self):
        """The logged-in session's Scope, or None: set by the app when a session starts and
        cleared (on the event loop) the moment it ends; what was read ahead goes with it."""
        return self._scope

    @scope.setter
    def scope(self, scope) -> None:
        self._scope = scope
        self.changed()

    async def run(self, fn, /, *args, background: bool = False, aside: bool = False, **kwargs):
        """fn(*args, **kwargs) on the store thread (calls that need no session: login, start-up);
        `background` (nobody waits for it) or `aside` (a long read nobody waits for: a count):
        on the second thread, after the calls someone waits for (see the module)."""
        waited_for = not (background or aside)
        thread = self._executor if waited_for else self._aside
        if waited_for:
            self.generation += 1  # it may write: what was read ahead is not taken after it
            self._aside.hold()  # nothing nobody waits for starts beside it
        try:
            result = await asyncio.wrap_future(
                thread.submit(functools.partial(fn, *args, **kwargs), background=not waited_for))
            if waited_for:
                self._aside.hold()  # ... nor until its answer is painted (after_answer releases)
                if self.after_answer is not None:
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

    def read_ahead(self, key, scope, fn, /, *args, **kwargs) -> None:
        """fn(scope, *args, **kwargs) as a background call now, kept under `key` for
        `take_ahead` (one read kept: a new key drops the last).  Only reads belong here."""
        if scope is None or scope is not self._scope:
            return
        kept = self._ahead.get(key)
        if kept is not None and kept[0] == self.generation and kept[1] is scope \
                and not kept[2].cancelled():
            return  # read already, or on its way
        self._drop_ahead()

        def call():
            if self._scope is not scope:
                raise SessionEnded(EndReason.ENDED)
            return fn(scope, *args, **kwargs)

        self._ahead[key] = (self.generation, scope, self._aside.submit(call, background=True))

    def take_ahead(self, key, scope) -> Future | None:
        """What was read ahead under `key` for `scope` if it is still good and done or under
        way (to be awaited); else None, and the caller reads now (a read still queued behind
        background calls is dropped: the call someone waits for goes first)."""
        kept = self._ahead.pop(key, None)
        if kept is None:
            return None
        generation, owner, future = kept
        if generation != self.generation or owner is not scope or not (future.done() or future.running()):
            future.cancel()
            return None
        if future.done() and (future.cancelled() or future.exception() is not None):
            return None
        self._aside.hold()  # its answer is painted next: background calls wait for that
        if self.after_answer is not None:
            self.after_answer()
        return future

    def changed(self) -> None:
        """Something changed (seen from elsewhere, or the session): nothing read ahead is taken."""
        self.generation += 1
        self._drop_ahead()

    def _drop_ahead(self) -> None:
        for _generation, _scope, future in self._ahead.values():
            future.cancel()  # (one still queued is not run)
        self._ahead.clear()

    def release_background(self) -> None:
        self._aside.release()

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
