"""What every screen shares: its keys from the bindings table, and one way to call the store.

`call_store(fn, *args)` runs `fn(scope, *args)` on the store thread with this
session's scope (tui/backend.py).  A failed call is handled in one place, the
app's `store_call_failed`: a `StoreError` becomes one translated message (a
notification, or the text a screen asks for with `report=`), a `SessionEnded`
takes the app's end-of-session path, and the worker that made the call stops
there as cancelled, so a screen never wraps a call in `try/except` to tell the
user and never goes on with a result it did not get.

A screen adopts this by deriving from `BaseScreen` (or `BaseModal`) instead of
`Screen` (or `ModalScreen`) and replacing `await self.app.backend.run(fn,
self.app.scope, ...)` with `await self.call_store(fn, ...)`.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.screen import ModalScreen, Screen

from store.errors import SessionEnded, StoreError

from .. import bindings

Report = Callable[[str], object]
Wording = Callable[[BaseException], str]
Expected = tuple[type[StoreError], ...]


class StoreCalls:
    """The store-calling half of a screen (mixed into BaseScreen and BaseModal).

    `report`: where the message of a failed call goes (default: a notification);
    `wording`: how the failure is put into words (default: tui.errors.describe);
    `expect`: store errors the screen reacts to itself (a save's Conflict opens the
    conflict dialog): these reach the caller as raised, never a SessionEnded.
    """

    async def call_store(self, fn: Callable[..., Any], /, *args: Any, report: Report | None = None,
                         wording: Wording | None = None, expect: Expected = (), **kwargs: Any) -> Any:
        """fn(scope, *args, **kwargs) on the store thread, as the logged-in session."""
        backend = self.app.backend
        scope = backend.scope  # taken now: a call never runs for a later session
        return await self._guarded(backend.run_as(scope, fn, *args, **kwargs), report, wording,
                                   scope, expect)

    async def call_unscoped(self, fn: Callable[..., Any], /, *args: Any, report: Report | None = None,
                            wording: Wording | None = None, expect: Expected = (),
                            **kwargs: Any) -> Any:
        """fn(*args, **kwargs) on the store thread, for calls that carry no session scope
        (login, first login, unlock) or their own (the import wizard's)."""
        backend = getattr(self.app, "backend", None)
        if backend is None:  # hosted by a plain App (the import wizard's tests): a thread of its own
            return await self._guarded(asyncio.to_thread(fn, *args, **kwargs), report, wording,
                                       None, expect)
        return await self._guarded(backend.run(fn, *args, **kwargs), report, wording,
                                   backend.scope, expect)

    async def _guarded(self, call, report: Report | None, wording: Wording | None, scope,
                       expect: Expected) -> Any:
        try:
            return await call
        except asyncio.CancelledError:
            raise
        # The one place a screen's failed store call is caught: whatever it was (but what
        # the screen said it expects), it is reported once, and the worker stops here as
        # cancelled (Textual then neither crashes nor reports it again; `finally` blocks run).
        except Exception as exc:
            if isinstance(exc, expect) and not isinstance(exc, SessionEnded):
                raise  # the screen reacts to this one itself
            self._report_failed_call(exc, report, wording, scope)
            raise asyncio.CancelledError() from exc

    def _report_failed_call(self, exc: Exception, report: Report | None, wording: Wording | None,
                            scope) -> None:
        handler = getattr(self.app, "store_call_failed", None)
        if handler is not None:
            handler(exc, report, scope, wording)
        else:
            from ..errors import describe

            (report or self.app.notify)((wording or describe)(exc))


class BaseScreen(StoreCalls, Screen):
    """A full screen with its `BINDING_GROUP`'s keys, localised."""


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)


class BaseModal(StoreCalls, ModalScreen):
    """A modal screen with its `BINDING_GROUP`'s keys, localised."""

    BINDING_GROUP = "modal"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)
