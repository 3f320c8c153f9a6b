"""What holding keys in order costs (tui/keygate.py), beside the same app without the gate.

Two fields; a burst of keys sent at once, as a paste or a fast typist over SSH delivers
them: 200 characters, Tab, 200 characters.  Timed from the first key sent to the last
character shown in the second field (the app without the gate is timed to the same
count of characters handled; it puts them in the wrong fields, which is why the gate
exists).  Run: python -m bench keys
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input

ROUNDS = 15
BURST = 200


class TwoFields(App):
    BINDINGS = [Binding("tab", "app.focus_next", priority=True, show=False)]

    def __init__(self, gated: bool):
        super().__init__()
        self.gated = gated
        if gated:
            from tui.keygate import KeyGate

            self.key_gate = KeyGate(self, super().on_event)

    def compose(self):
        yield Input(id="one")
        yield Input(id="two")

    async def on_event(self, event) -> None:
        if self.gated and isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_gate.key(event)
            return
        await super().on_event(event)


async def one_round(gated: bool) -> float:
    app = TwoFields(gated)
    async with app.run_test() as pilot:
        await pilot.pause()
        one, two = app.query_one("#one", Input), app.query_one("#two", Input)
        keys = [("a", "a")] * BURST + [("tab", None)] + [("b", "b")] * BURST
        started = time.perf_counter()
        for key, char in keys:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        # polled: the fields' values have no event to await that would not change what is timed
        while len(one.value) + len(two.value) < 2 * BURST:  # noqa: ASYNC110
            await asyncio.sleep(0.0005)
        elapsed = time.perf_counter() - started
        if gated:
            assert one.value == "a" * BURST and two.value == "b" * BURST, "the gate reordered keys"
        return elapsed


async def main() -> int:
    plain, gated = [], []
    for _ in range(ROUNDS):  # interleaved: both see the same machine load
        plain.append(await one_round(False))
        gated.append(await one_round(True))
    p50_plain, p50_gated = statistics.median(plain), statistics.median(gated)
    print(f"{'burst of ' + str(2 * BURST + 1) + ' keys':<28}{'p50 ms':>10}{'ratio':>8}")
    print(f"{'without the gate (baseline)':<28}{p50_plain * 1000:>10.1f}{1.0:>8.2f}")
    print(f"{'with the gate':<28}{p50_gated * 1000:>10.1f}{p50_gated / p50_plain:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
