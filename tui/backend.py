"""One thread that talks to the store, so the event loop never waits on the disk.

Peewee keeps one connection per thread: running every store call on one
long-lived thread keeps one warm connection (and its page cache) for the
whole session, and serialises this session's reads and writes.
Screens call `await app.backend.run(fn, *args)` from inside `@work` workers.

The store refuses every call of a session that has ended (SessionEnded).  When
the app takes that refusal over (`on_session_ended` returns True: it ends the
session and shows why), the worker that asked is cancelled quietly instead of
failing, so a screen loading at that moment cannot crash the app.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from store.errors import SessionEnded


class Backend:
    def __init__(self, on_session_ended: Callable[[SessionEnded], bool] | None = None):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minicrm-store")
        self.on_session_ended = on_session_ended

    async def run(self, fn, /, *args, **kwargs):
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        except SessionEnded as exc:
            if self.on_session_ended is not None and self.on_session_ended(exc):
                raise asyncio.CancelledError() from None
            raise

    def call(self, fn, /, *args, **kwargs):
        """Blocking call (start-up and shutdown only)."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        def close():  # this thread's connection closes with the thread
            from store import audit

            try:
                audit.flush()
            except Exception:  # the store may not be open
                pass

        try:
            self._executor.submit(close).result(timeout=5)
        except Exception:
            pass
        self._executor.shutdown(wait=False, cancel_futures=True)
