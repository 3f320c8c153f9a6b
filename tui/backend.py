"""One thread that talks to the store, so the event loop never waits on the disk.

Peewee keeps one connection per thread: running every store call on one
long-lived thread keeps one warm connection (and its page cache) for the
whole session, and serialises this session's reads and writes.

Guarantee: `run_as` never runs a store call after the session it was made
for has ended.  The scope is taken when the call is made, and checked again on
the store thread just before the call starts (a call queued behind a slow one
may start after the session ended): a call for an ended session raises
`SessionEnded` instead of querying.  Screens go through `BaseScreen.call_store`.

The store itself refuses every call of a session that has ended.  When the app
takes such a refusal over (`on_session_ended` returns True: it ends the session
and shows why), the worker that asked is cancelled quietly instead of failing,
so a screen loading at that moment cannot crash the app.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from store.errors import EndReason, SessionEnded


class Backend:
    def __init__(self, on_session_ended: Callable[[SessionEnded], bool] | None = None):
        self.on_session_ended = on_session_ended
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minicrm-store")
        # The logged-in session's Scope, or None: set by the app when a session starts and
        # cleared (on the event loop) the moment it ends.
        self.scope = None

    async def run(self, fn, /, *args, **kwargs):
        """fn(*args, **kwargs) on the store thread (calls that need no session: login, start-up)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        except SessionEnded as exc:
            if self.on_session_ended is not None and self.on_session_ended(exc):
                raise asyncio.CancelledError() from None
            raise

    async def run_as(self, scope, fn, /, *args, **kwargs):
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

        return await self.run(call)

    def shutdown(self) -> None:
        def close():  # this thread's connection closes with the thread
            from store import audit

            audit.flush()

        # Leaving: a store that is not open (or a stuck disk) must not stop the exit,
        # and there is nobody left to tell.
        with contextlib.suppress(Exception):
            self._executor.submit(close).result(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
