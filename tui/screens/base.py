"""What every screen shares: its keys from the bindings table, and one way to call the store.

`call_store(fn, *args)` runs `fn(scope, *args)` on the store thread with this
session's scope (tui/backend.py).  A failed call is handled in one place, the
app's `store_call_failed`: a `StoreError` becomes one translated message (a
notification, or the text a screen asks for with `report=`), a `SessionEnded`
takes the app's end-of-session path, and the worker that made the call stops
there as cancelled, so a screen never wraps a call in `try/except` to tell the
user and never goes on with a result it did not get.  An answer that comes while
the screen is being removed stops the worker the same way: code after the call
may take the screen's widgets to be there.

A screen adopts this by deriving from `BaseScreen` (or `BaseModal`) instead of
`Screen` (or `ModalScreen`) and replacing `await self.app.backend.run(fn,
self.app.scope, ...)` with `await self.call_store(fn, ...)`.

The keyboard model lives here too (`TypingFirst`), once for every screen: while a text
field has focus every key types, and no single-letter binding fires, whatever a screen's
own `check_action` says; the header says which mode the screen is in (browsing: letters
are commands, shown in the footer; editing: every key types).  A screen tells the app
when it is ready for keys (`ready_for_keys`, `keys_ready()`): until then the app holds
what is typed and hands it over in order (tui/keygate.py).
"""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from store.errors import SessionEnded, StoreError

from .. import bindings
from ..frames import PacedFrames
from ..i18n import _

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
                         wording: Wording | None = None, expect: Expected = (), background: bool = False,
                         aside: bool = False, **kwargs: Any) -> Any:
        """fn(scope, *args, **kwargs) on the store thread, as the logged-in session;
        `background`: nobody waits for it (a reload after another session's change): it waits
        while the calls someone does wait for go first; `aside`: a long read nobody waits for
        (a count), on a thread of its own (tui/backend.py)."""
        backend = self.app.backend
        scope = backend.scope  # taken now: a call never runs for a later session
        return await self._guarded(backend.run_as(scope, fn, *args, background=background, aside=aside,
                                                  **kwargs), report, wording, scope, expect)

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

    @property
    def still_here(self) -> bool:
        """Whether an answer that arrives now may be shown: the screen is attached and not being
        removed (a logout, the app's exit: its widgets go first, while it is still attached)."""
        return self.is_attached and not self._pruning  # type: ignore[attr-defined]

    async def _guarded(self, call, report: Report | None, wording: Wording | None, scope,
                       expect: Expected) -> Any:
        try:
            result = await call
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
        if not self.still_here:
            # The answer came while the screen was taken apart (the app closing, a logout): its
            # widgets may be gone already, the screen not yet (NoMatches from a contact's reload
            # after a save, as the app closed).  The worker stops as Textual's own removal
            # would have stopped it a moment later.
            raise asyncio.CancelledError()
        return result

    def _report_failed_call(self, exc: Exception, report: Report | None, wording: Wording | None,
                            scope) -> None:
        handler = getattr(self.app, "store_call_failed", None)
        if handler is not None:
            handler(exc, report, scope, wording)
        else:
            from ..errors import describe

            (report or self.app.notify)((wording or describe)(exc))


def is_text_field(widget) -> bool:
    """A widget where every key types (an enabled Input, an editable TextArea)."""
    if isinstance(widget, Input):
        return not widget.disabled
    # TextArea's module only if some screen has loaded it (the note forms): a widget cannot be
    # one otherwise, and importing it here cost every start ~8 ms before the login screen
    text_area = sys.modules.get("textual.widgets._text_area")
    return (text_area is not None and isinstance(widget, text_area.TextArea)
            and not widget.read_only and not widget.disabled)


def letter_key(key: str) -> bool:
    """A key that types a character (`n`, `slash`, `question_mark`), not ctrl+s or enter."""
    character = key_to_character(key)
    return character is not None and character.isprintable()


def _typing_first(own):
    def check_action(self, action: str, parameters) -> bool | None:
        if self.typing() and action in self.letter_actions():
            return False  # the key is a letter typed into the field
        return own(self, action, parameters)

    check_action.typing_first = True
    return check_action


class TypingFirst:
    """The keyboard model every screen shares (mixed into BaseScreen and BaseModal).

    A screen's own `check_action` is wrapped when its class is made, so the rule
    holds on every screen without each one repeating it.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("check_action")
        if own is not None and not getattr(own, "typing_first", False):
            cls.check_action = _typing_first(own)

    def check_action(self, action: str, parameters) -> bool | None:
        return not (self.typing() and action in self.letter_actions())

    def typing(self) -> bool:
        """Whether the focus is in a text field (every key types there)."""
        return is_text_field(self.focused)

    def letter_actions(self) -> frozenset[str]:
        """The actions this screen binds to a single letter (made once: keymaps are set at start)."""
        cached = self.__dict__.get("_letter_actions")
        if cached is None:
            cached = frozenset(b.action for key, found in self._bindings.key_to_bindings.items()
                               if letter_key(key) for b in found)
            self.__dict__["_letter_actions"] = cached
        return cached

    # -- the two modes ---------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """Editing (every key types) or browsing (letters are commands).  A screen with an
        explicit edit mode (the contact) says so itself; elsewhere the focus decides."""
        return self.typing()

    def show_mode(self) -> None:
        """The mode in the header, beside who is logged in; the footer follows."""
        user = self.app.sub_title
        mode = _("EDITING") if self.editing else _("BROWSING")
        self.set_header(sub_title=f"{user} · {mode}" if user else mode)
        self.refresh_bindings()

    def set_header(self, *, title: str | None = None, sub_title: str | None = None) -> None:
        """The screen's title or sub-title changed, and the header with it, in the frame
        being built.  Set as reactives they repainted the whole screen a second time, in a
        second frame, after the frame that showed the change (a save's "Saved." came ~6 ms
        before the header's BROWSING, bench_terminal): the header is all they show."""
        from textual.screen import Screen

        changed = False
        for reactive, value in ((Screen.title, title), (Screen.sub_title, sub_title)):
            if value is not None and getattr(self, reactive.name) != value:
                self.set_reactive(reactive, value)
                changed = True
        if changed:
            self.title_now()

    def title_now(self) -> None:
        """The header shows the screen's title in the frame being built: Textual's Header
        follows the title through an async watcher, queued behind the header's own messages,
        and drew it a frame after the rest (the contact's name ~30 ms after its record)."""
        from textual.widgets import Header

        # found once: a query walks the whole screen (~3 ms on the contact's, twice a save)
        found = self.__dict__.get("_header_title")
        if found is None or not found[1].is_attached:
            header = self.query_one_optional(Header)
            title = header.query_one_optional("HeaderTitle") if header is not None else None
            if header is None or title is None:
                return
            found = self.__dict__["_header_title"] = (header, title)
        header, title = found
        title.update(header.format_title())

    def _on_descendant_focus(self, _event) -> None:
        self.show_mode()

    def _on_descendant_blur(self, _event) -> None:
        self.show_mode()

    # -- keys typed before the screen was ready ---------------------------------------

    @property
    def ready_for_keys(self) -> bool:
        """Whether keys may be handed to this screen (the app holds them until then).
        A screen that fills its fields from the store says True once they are filled."""
        return True

    def keys_ready(self) -> None:
        """Tell the app this screen can take the keys held for it."""
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            release()


class BaseScreen(TypingFirst, StoreCalls, PacedFrames, Screen):
    """A full screen with its `BINDING_GROUP`'s keys, localised."""


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)


class BaseModal(TypingFirst, StoreCalls, PacedFrames, ModalScreen):
    """A modal screen with its `BINDING_GROUP`'s keys, localised."""

    BINDING_GROUP = "modal"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bindings.localise(self)
