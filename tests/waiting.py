"""Waiting for a condition, never for a time: the one helper the tests share.

A test that sleeps a fixed time and then checks fails on a busy machine and wastes
time on a quiet one.  These poll the condition and give up only after a generous
timeout (the timeout is a safety net, never the thing tested: latencies go to bench/).
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

GENEROUS = 30.0  # seconds: on 2 busy cores a step that takes 50 ms alone can take seconds


def wait_for(condition: Callable[[], object], timeout: float = GENEROUS, *, interval: float = 0.05,
             what: str = "condition"):
    """Poll `condition()` until it is true (and return its value); an exception counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # not there yet (a widget not mounted, a file not written)
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


# polls app state, which has no event to await; the timeout is what the failure message names
async def wait_for_async(condition: Callable[[], object], pause: Callable[[], Awaitable[object]],
                         timeout: float = GENEROUS, *, what: str = "condition"):  # noqa: ASYNC109
    """The same inside an event loop: `pause()` lets the app run between polls."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await pause()


def accepts(path) -> bool:
    """Whether a Unix socket at `path` takes a connection now (a server listening): a condition."""
    import socket

    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True
