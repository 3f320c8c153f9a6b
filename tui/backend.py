"""One thread that talks to the store, so the event loop never waits on the disk.

Peewee keeps one connection per thread: running every store call on one
long-lived thread keeps one warm connection (and its page cache) for the
whole session, and serialises this session's reads and writes.
Screens call `await app.backend.run(fn, *args)` from inside `@work` workers.
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


class Backend:
    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minicrm-store")

    async def run(self, fn, /, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

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
