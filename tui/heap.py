"""Python's cycle collector kept off the path of a key.

A full collection walks every object the process holds; in a logged-in session (the
modules, Textual's screens, widgets and styles, the screens built ahead) that was 80 to
105 ms, every 10 s or so while someone worked: the slowest save, Enter or search
keystroke of a round (bench_terminal with a probe of the collector, 100,000 contacts).
What lives as long as the process or the login is moved out of its reach once built
(`gc.freeze`): collections then walk only what was made since.  A login's objects are
handed back at its end (`release`), so the screens of a logout can be collected.
"""
from __future__ import annotations

import gc
import sys

_released = False  # a login's objects were handed back: the next settle collects them first


def settle(login: bool = False) -> None:
    """What exists now is long-lived: collected, then frozen.  The young generations only (a
    few ms) while nothing was handed back.  After a logout all of it is collected, and frozen
    again only at the next login's (`login`): the screens that showed the last one's records
    may be referenced a moment longer (the tasks that finish their removal), and frozen then
    they were kept for as long as the next login lasted (a test saw one left after a logout)."""
    global _released
    if not _released:
        gc.collect(1)
    else:
        gc.collect()
        if not login:
            return  # (the login screen's home screen built ahead: frozen with the next login's)
        _released = False
    gc.freeze()


def release() -> None:
    """A login ended: what it froze can be collected again (with what the next one builds)."""
    global _released
    gc.unfreeze()
    _released = True


# Python runs a full collection after 10 young ones (about 70,000 objects made): in an app
# that is while a key is being answered, since answering is what makes objects.  Here it
# waits for ten times that, and the app runs one in the first pause of QUIET_S instead
# (QuietCollector): a key rarely meets it, and cycles never pile up for long.
FULL_AFTER = 100
QUIET_S = 1.0


def interactive() -> None:
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)
    # Textual writes each frame from its writer thread, and the store answers on its own:
    # each waited up to Python's switch interval (5 ms) for the event loop to let go of the
    # interpreter, while it drew the next frame (a frame reached the terminal ~12 ms after it
    # was made, probed).  1 ms: they run within a millisecond of being ready.
    sys.setswitchinterval(0.001)


class QuietCollector:
    """`tick(last_activity, now)` from a timer: one full collection per pause of the person."""

    def __init__(self) -> None:
        self._after: float | None = None  # the activity the last collection followed

    def tick(self, last_activity: float, now: float) -> bool:
        """Whether a pause began (and was used): other work for a pause can follow it."""
        if now - last_activity >= QUIET_S and self._after != last_activity:
            self._after = last_activity
            gc.collect()
            return True
        return False
