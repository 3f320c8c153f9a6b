"""Keys are never lost or reordered, however fast they come (typed ahead, pasted, over SSH).

Textual hands a key to the focused widget through message queues: a key that is not
typed into a field (Enter, Escape, a letter command) takes effect a few messages later,
and a screen that was just pushed has no focus until it has mounted.  Keys that arrive
in between went to the old field, to nothing, or ran as commands on the wrong screen
(`MetteFrederiksen` in First name; `n` typing into a name; `i` opening the import).

The gate holds keys instead, in order, and hands them over when their target is there:
- a character typed into a text field goes through at once (typing is never slowed);
- any other key goes through, then the gate closes until the key has travelled up from
  its widget to the app (a marker chases it through each queue on the way, so every
  handler, binding included, has run) and a worker it started (a modal form opening)
  has begun: what it does, a new focus or a new screen, is in place by then;
- a screen that is not ready (just pushed and not yet focused, or still filling its
  fields from the store: `ready_for_keys`) gets its keys when it is.
"""
from __future__ import annotations

from collections import deque
from weakref import WeakSet

from textual import events
from textual.screen import Screen

from .screens.base import is_text_field


class KeyGate:
    """`dispatch(event)`: what the app does with a key it lets through (Textual's own handling)."""

    def __init__(self, app, dispatch) -> None:
        self.app = app
        self.dispatch = dispatch
        self.held: deque[events.Key] = deque()
        self.closed = False  # a command key is still on its way
        self._workers_before: set[int] = set()
        self._extra_rounds = 0
        self._round = 0  # which key the chase in flight belongs to
        self._chasing = None  # the node whose queue holds the chase now
        self.ready: WeakSet = WeakSet()  # screens that have mounted and taken their focus
        self._checking: WeakSet = WeakSet()
        self.paused = 0  # screens being prepared before they are shown (pause/resume)
        self._origin = None  # the widget the key in flight went to
        self._passes = 0  # chases still to run for it (_chase)
        self._waits = 0  # waits for a refresh asked for (_after_refresh), numbered
        self._answered = 0  # the waits answered: the first of those in flight to come answers all
        self._steps = 0  # each step of the chase and of the waits: the rescue sees one stall
        self.trace: deque[str] = deque(maxlen=24)  # the gate's last steps, for a failure message

    def pause(self) -> None:
        """Hold every key until `resume`: a screen is being filled before it is shown
        (tui/screens/contact/screen.py, open_contact), and what is typed meanwhile is for it."""
        self.paused += 1

    def resume(self) -> None:
        self.paused -= 1
        self.wake()

    async def key(self, event: events.Key) -> None:
        """A key from the terminal: handled now, or later in its turn."""
        if self.held or self.closed or not self._screen_ready():
            self.held.append(event)
            self.wake()
            return
        await self._dispatch(event)

    async def _dispatch(self, event: events.Key) -> None:
        target = self.app.focused or self.app.screen
        typed = event.is_printable and is_text_field(target)
        before = {id(w) for w in self.app.workers}
        await self.dispatch(event)
        if not typed:
            self.closed = True
            self._workers_before = before
            self._extra_rounds = 2
            self._round += 1
            self._origin, self._passes = target, 2
            self._chase(target, self._round)
            self.app.set_timer(self.LOST_CHASE, lambda r=self._round: self._rescue(r, -1))

    # A key that closes its own screen (ctrl+s saving a modal) removes the widgets its chase
    # is queued at (or the screen a callback after refresh waits on), and a closed widget
    # drops its queue: the chase would never arrive and the gate would hold every later key.
    # The rescue timer notices and goes on from the screen now shown.  A wait for a refresh
    # can be lost without a widget gone (Textual keeps the callback on whichever screen is
    # current when its message is read: one dismissed a moment later, as the next modal comes
    # up): the rescue watches until the gate opens, and a wait with no step since its last
    # look is asked for again (the first answer counts; the others find it answered).
    LOST_CHASE = 0.1

    def _chase(self, node, round_: int) -> None:
        """Follow the key up the DOM: a callback queued behind it at each node on its way."""
        if round_ != self._round:
            return
        self._step(f"chase {type(node).__name__}")
        self._chasing = node
        if (node is self.app or node is None or not node.is_attached
                or not node.call_later(self._chased, node, round_)):
            # A second pass from the widget: a message its handler posted on the way (Enter on
            # the results posts RowSelected, which then bubbles up behind the first pass) is
            # handled, and what it starts (the contact opening) is under way, before the next key.
            origin, self._passes = self._origin, self._passes - 1
            if (self._passes > 0 and origin is not None and origin is not node and origin.is_attached
                    and origin.screen is self._current()):  # (not on a screen the key closed)
                self._chase(origin, round_)
            else:
                self._after_refresh(round_)

    def _after_refresh(self, round_: int) -> None:
        # the app runs it from the current screen's queue: that screen is what could vanish
        self._chasing = self._current()
        self._waits += 1
        self._step(f"wait {self._waits} on {type(self._chasing).__name__}")
        self.app.call_after_refresh(self._settled, round_, self._waits)

    def _step(self, what: str) -> None:
        self._steps += 1
        self.trace.append(what)  # (names of widgets and steps only: never a key's text)

    def _chased(self, node, round_: int) -> None:
        self._chase(node._parent, round_)

    def _rescue(self, round_: int, steps_seen: int) -> None:
        if round_ != self._round or not self.closed:
            return
        node = self._chasing
        lost = node is not None and (not node.is_attached or (isinstance(node, Screen)
                                                              and node not in self.app.screen_stack))
        stalled = self._steps == steps_seen and self._answered < self._waits
        if lost or stalled:
            self._step("rescued " + ("lost" if lost else "stalled"))
            self._after_refresh(round_)
        self.app.set_timer(self.LOST_CHASE, lambda s=self._steps: self._rescue(round_, s))

    def _settled(self, round_: int, wait: int) -> None:
        from textual.worker import WorkerState

        if round_ != self._round or wait <= self._answered:
            return  # an earlier key's, or a wait asked for again and answered already
        self._answered = self._waits
        self._step(f"settled {wait}")
        if any(w.state == WorkerState.PENDING for w in self.app.workers):
            self._after_refresh(round_)  # a worker the key started has not begun
            return
        started = [w for w in self.app.workers if id(w) not in self._workers_before
                   and w.state == WorkerState.RUNNING]
        if started and self._extra_rounds:
            # a worker the key started (a modal form opening): let it get its screen up
            self._extra_rounds -= 1
            self._after_refresh(round_)
            return
        self.closed = False
        self._chasing = None
        self.wake()

    def _current(self):
        try:
            return self.app.screen
        except Exception:  # noqa: BLE001  (no screen yet: keys typed as the app starts)
            return None

    def _screen_ready(self) -> bool:
        if self.paused:
            return False
        screen = self._current()
        if screen is None or screen not in self.ready:
            return False
        return bool(getattr(screen, "ready_for_keys", True))

    def wake(self) -> None:
        """Check the current screen's readiness (after it refreshed), then hand over."""
        screen = self._current()
        if screen is None:
            self.app.call_after_refresh(self.wake)
            return
        if screen in self.ready:
            if self.held and not self.closed and self._screen_ready():
                self.app.call_next(self.release)
            return
        if screen in self._checking:
            return
        self._checking.add(screen)
        screen.call_after_refresh(self._check_mounted, screen)

    def _check_mounted(self, screen) -> None:
        self._checking.discard(screen)
        if screen is not self._current():
            self.wake()
            return
        # mounted and refreshed; the focus it asked for on mount is set (or it wants none)
        if screen.focused is None and screen.focus_chain and not getattr(screen, "_gate_waited", False):
            screen._gate_waited = True  # one more refresh for a focus set with call_later
            self._checking.add(screen)
            screen.call_after_refresh(self._check_mounted, screen)
            return
        self.ready.add(screen)
        self.wake()

    async def release(self) -> None:
        """Hand the held keys over, in order, while the screen takes them."""
        while self.held and not self.closed and self._screen_ready():
            await self._dispatch(self.held.popleft())
        if self.held:
            self.wake()
