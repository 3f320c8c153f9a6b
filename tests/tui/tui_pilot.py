"""Helpers that drive the app through Pilot and wait for conditions, never for time."""
from __future__ import annotations

import asyncio
import contextlib

from waiting import GENEROUS, wait_for_async


async def settle(pilot) -> None:
    """Let the workers of what is on top finish, and the screen catch up.

    A worker of a screen under a modal may be waiting for that modal
    (push_screen_wait): it is left alone.
    """
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(3):
        screen = app.screen
        mine = [w for w in app.workers if w.node is app or w.node is screen
                or (getattr(w.node, "screen", None) is screen)]
        if mine:
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(mine)
        await pilot.pause()


# polls app state, which has no event to await; the timeout is what the failure message names
async def wait_for(pilot, predicate, timeout: float = GENEROUS, what: str = "condition") -> None:  # noqa: ASYNC109
    """Poll `predicate()` while the app runs; fail after `timeout` seconds (a safety net only).

    The failure says what the app was doing (a flake seen once in CI is diagnosed from its log)."""
    try:
        await wait_for_async(predicate, lambda: pilot.pause(0.05), timeout, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{app_state(pilot.app)}") from None


def app_state(app) -> str:
    """The screens, the running workers and the last notifications of `app`, for a failure message."""
    try:
        screens = " > ".join(type(s).__name__ for s in app.screen_stack)
        workers = ", ".join(f"{w.name or w.group}:{w.state.name}" for w in app.workers) or "none"
        told = " | ".join(n.message for n in list(app._notifications)[-5:]) or "none"
        gate = getattr(app, "key_gate", None)
        keys = ("no gate" if gate is None else
                f"{len(gate.held)} held, closed {gate.closed}, paused {gate.paused}, "
                f"screen ready {gate._screen_ready()}, focused {type(app.focused).__name__}; "
                f"its last steps: {' > '.join(gate.trace)}")
    except Exception as exc:  # the app has gone: say so rather than hide the first failure
        return f"app state unavailable ({type(exc).__name__})"
    return f"screens: {screens}\nworkers: {workers}\nkeys: {keys}\nnotifications: {told}"


def showing(app, name: str) -> bool:
    """The screen named `name` is on top and mounted (composed, its mount handlers run): what a
    person sees, not a screen pushed a moment ago whose widgets are not there yet."""
    return type(app.screen).__name__ == name and app.screen.is_mounted


async def show_tab(pilot, screen, pane_id: str) -> None:
    """Shows a contact's tab, as a click on it would, and waits for what is on it: the
    related tabs are built the first time they are shown."""
    screen.query_one("#tabs").active = pane_id
    await wait_for(pilot, lambda: screen.pane_ready(pane_id), what=f"{pane_id} built")


async def type_text(pilot, text: str) -> None:
    """Type like a fast typist (or a paste): every key is queued at once, then we wait.

    Pilot.press waits for idle after each key (~80 ms a key); real keyboards do not.
    `\t` is Tab, `\r` Enter, `\x1b` Escape, `\x13` ctrl+s, as a terminal sends them.
    """
    from textual import events
    from textual.keys import _character_to_key

    driver = pilot.app._driver
    named = {"\r": "enter", "\t": "tab", "\x1b": "escape", "\x13": "ctrl+s"}
    for ch in text:
        key = named.get(ch) or (ch if ch.isalnum() else _character_to_key(ch))
        event = events.Key(key, None if ch in named and ch != "\t" else ch)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await pilot.pause()


async def login(pilot, crm, username: str, *, expect_home: bool = True) -> None:
    from tui.demo import PASSWORD

    app = pilot.app
    await wait_for(pilot, lambda: app.screen.query_one("#username"), what="login screen")
    await type_text(pilot, username)
    await pilot.press("enter")
    await type_text(pilot, PASSWORD)
    await pilot.press("enter")
    await type_text(pilot, crm.code(username))
    await pilot.press("enter")
    if expect_home:
        await wait_for(pilot, lambda: app.session is not None and type(app.screen).__name__ in (
            "SearchScreen", "InvoicesScreen"), what="home screen")
        # the search screen's footer comes a frame after its results, with the role's keys
        await wait_for(pilot, lambda: footer_keys_shown(app.screen), what="the home screen's footer")
        await settle(pilot)


def footer_keys_shown(screen) -> bool:
    from tui.widgets.footer import Footer

    return any(footer.keys_shown for footer in screen.query(Footer))


def screen_text(app) -> str:
    """Everything the current screen shows, as plain text (what a person reads)."""
    from textual.widgets import DataTable, Input, Static

    parts = []
    for widget in app.screen.query("*"):
        if isinstance(widget, DataTable) or type(widget).__name__ == "ResultsTable":
            for row in range(widget.row_count):
                parts.append(" | ".join(str(c) for c in widget.get_row_at(row)))
        elif isinstance(widget, Input):
            parts.append(widget.value)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
        elif type(widget).__name__ == "Caption":
            parts.append(widget.text)
    return "\n".join(parts)


def run(coro):
    return asyncio.run(coro)
