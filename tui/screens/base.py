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
from typing import Any, Callable

from textual.screen import ModalScreen, Screen

from .. import bindings


class StoreCalls:
    """The store-calling half of a screen (mixed into BaseScreen and BaseModal)."""

    async def call_store(self, fn: Callable[..., Any], /, *args: Any,
                         report: Callable[[str], object] | None = None, **kwargs: Any) -> Any:
        """fn(scope, *args, **kwargs) on the store thread, as the logged-in session.

        `report`: where the message of a failed call goes (default: a notification).
        """
        scope = self.app.backend.scope  # taken now: a call never runs for a later session
        return await self._guarded(self.app.backend.run_as(scope, fn, *args, **kwargs), report, scope)

    async def call_unscoped(self, fn: Callable[..., Any], /, *args: Any,
                            report: Callable[[str], object] | None = None, **kwargs: Any) -> Any:
        """fn(*args, **kwargs) on the store thread, for calls made before there is a session
        (login, first login, unlock)."""
        scope = self.app.backend.scope
        return await self._guarded(self.app.backend.run(fn, *args, **kwargs), report, scope)

    async def _guarded(self, call, report, scope) -> Any:
        try:
            return await call
        except asyncio.CancelledError:
            raise
        # The one place a screen's failed store call is caught: whatever it was, it is
        # reported once, and the worker stops here as cancelled (Textual then neither
        # crashes nor reports it again; `finally` blocks still run).
        except Exception as exc:
            self.app.store_call_failed(exc, report, scope)
            raise asyncio.CancelledError() from exc


class BaseScreen(StoreCalls, Screen):
    """A full screen with its `BINDING_GROUP`'s keys, localised."""

    BINDING_GROUP = "app"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)


class BaseModal(StoreCalls, ModalScreen):
    """A modal screen with its `BINDING_GROUP`'s keys, localised."""

    BINDING_GROUP = "modal"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)
