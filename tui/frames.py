"""A screen's frames, at most one per frame period, and the first one at once.

Textual paints a screen from a paused timer that a change resumes.  After a frame its timer
sleeps to a grid point, and its catch-up step after a pause skips one grid point too many: a
change made just after a frame (a search's results landing right after the count's caption
was painted, a save right after a letter was typed) waited one to two frame periods, 8 to 17 ms
at TEXTUAL_FPS=120, for no work at all (traced on a terminal: ready at 8 ms, painted at 19).
Here the only rule is the rate: a frame comes as soon as something changed, unless the last
one was less than a period ago, and then when that period ends.
"""
from __future__ import annotations

from textual import _time
from textual.timer import EventTargetGone, Timer


def next_frame_at(last: float, now: float, period: float) -> float:
    """When a change seen at `now` may be painted: at once, or a period after the last frame."""
    return max(now, last + period)


class FrameTimer(Timer):
    """Timer whose ticks are rate-limited, not on a grid (see the module)."""

    async def _run(self) -> None:
        last = float("-inf")
        while True:
            await self._active.wait()  # paused between frames: resumed by a change
            now = _time.get_time()
            due = next_frame_at(last, now, self._interval)
            if due > now:
                await _time.sleep(due - now)
                await self._active.wait()
            self._reset = False  # (no grid to start again)
            last = _time.get_time()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


class PacedFrames:
    """For a Screen: its update timer is a FrameTimer (replaces Screen._update_timer)."""

    @property
    def _update_timer(self) -> Timer:
        timer = self._Screen__update_timer  # type: ignore[attr-defined]
        if timer is None:
            from textual.screen import UPDATE_PERIOD

            timer = FrameTimer(self, UPDATE_PERIOD, name="screen_update",
                               callback=self._on_timer_update, pause=True)  # type: ignore[attr-defined]
            timer._start()
            self._timers.add(timer)  # type: ignore[attr-defined]
            self._Screen__update_timer = timer
        return timer
