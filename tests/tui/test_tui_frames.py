"""A screen's frames: a change is painted at once, or one frame period after the last frame,
never later (tui/frames.py)."""
from __future__ import annotations

import asyncio

import pytest
from tui_pilot import login, settle, wait_for

from tui.frames import FrameTimer, next_frame_at

PERIOD = 1 / 120


@pytest.mark.parametrize("since_last, wait", [(10.0, 0.0), (PERIOD, 0.0), (PERIOD / 4, PERIOD * 3 / 4),
                                              (0.0, PERIOD)])
def test_a_change_waits_at_most_what_is_left_of_one_period(since_last, wait):
    now = 1000.0
    assert next_frame_at(now - since_last, now, PERIOD) - now == pytest.approx(wait)


def test_every_screen_of_the_app_paints_through_the_paced_timer(crm):
    """The search screen and the contact screen (a modal too) update through a FrameTimer, and
    what is typed is painted: the rule holds on the screens people use."""
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            assert isinstance(app.screen._update_timer, FrameTimer)
            await pilot.press("s", "o")
            await wait_for(pilot, lambda: any("so" in s.text for s in app.screen._compositor.render_strips()),
                           what="the typed letters painted")
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen._update_timer, FrameTimer)
    asyncio.run(scenario())
