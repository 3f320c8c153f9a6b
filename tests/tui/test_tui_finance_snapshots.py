"""SVG snapshots at 80x24 in both languages of the screens issue 17 adds: finance's invoice list
with its totals, one invoice, the home screen's today list, and the follow-up form.

Dates are frozen as in test_tui_snapshots.py (the template store moves the demo's follow-ups
and recent invoices back to around its fixed date; the form's date field is set here).
Update after an intended change: pytest tests/tui/test_tui_finance_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest
from tui_pilot import login, settle, showing, wait_for


async def _still(pilot) -> None:
    from textual.widgets import Input

    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("language", ["en", "da"])
def test_invoice_list(crm, snap_compare, language):
    async def before(pilot):
        await login(pilot, crm, "finance")
        await wait_for(pilot, lambda: pilot.app.screen.rows)
        pilot.app.screen.action_to_results()
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_invoice_screen(crm, snap_compare, language):
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "finance")
        await wait_for(pilot, lambda: app.screen.rows)
        app.screen.action_to_results()
        app.screen.action_open()
        await wait_for(pilot, lambda: showing(app, "InvoiceScreen") and app.screen.invoice)
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_home_with_todays_follow_ups(crm, snap_compare, language):
    async def before(pilot):
        await login(pilot, crm, "sales")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#today").follow_ups)
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_follow_up_form(crm, snap_compare, language):
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "sales")
        app.screen.action_open()
        await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
        app.screen.action_new_follow_up()
        await wait_for(pilot, lambda: showing(app, "FollowUpModal"))
        app.screen.query_one("#due_on").value = "02.03.2026" if language == "da" else "2026-03-02"
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)
