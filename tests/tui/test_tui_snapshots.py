"""SVG snapshots of the main screens in both languages (80x24).

Time-dependent text is frozen: sample-data dates are fixed in the template
store, the demo codes come from a fixed clock, and the cursor does not blink.
Update after an intended change with: pytest tests/tui/test_tui_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest
from tui_pilot import login, settle, showing, wait_for

FIXED_TIME = 1_790_000_000.0  # the demo panel's TOTP codes are computed at this instant


async def _still(pilot) -> None:
    from textual.widgets import Input

    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("language", ["en", "da"])
def test_login_screen(crm, snap_compare, language):
    async def before(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#username"))
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_demo_login_screen(crm, snap_compare, language):
    from tui.demo import accounts

    app = crm.app(demo=True, language=language, clock=lambda: FIXED_TIME)
    app.demo_accounts = accounts()

    async def before(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#demo-table").row_count == 5)
        await _still(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_search_screen(crm, snap_compare, language):
    async def before(pilot):
        await login(pilot, crm, "manager")
        pilot.app.screen.query_one("#search").value = "soren"
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_contact_screen(crm, snap_compare, language):
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "admin")
        app.screen.query_one("#search").value = "soren"
        await settle(pilot)
        app.screen.action_open()
        await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_contact_screen_editing(crm, snap_compare, language):
    """The same contact after `e`: the fields editable, the header says EDITING."""
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "admin")
        app.screen.query_one("#search").value = "soren"
        await settle(pilot)
        app.screen.action_open()
        await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.editing)
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_import_wizard(crm, snap_compare, language):
    """Before any preview: the Import key greyed in the footer, the button disabled."""
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "manager")
        app.screen.action_import_file()
        await wait_for(pilot, lambda: showing(app, "ImportWizard"))
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_consent_screen(crm, snap_compare, language):
    async def before(pilot):
        app = pilot.app
        await login(pilot, crm, "manager")
        app.screen.query_one("#search").value = "soren"
        await settle(pilot)
        app.screen.action_open()
        await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
        app.screen.action_consent()
        await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


def test_help_screen(crm, snap_compare):
    async def before(pilot):
        await login(pilot, crm, "sales")
        await pilot.press("down", "question_mark")
        await wait_for(pilot, lambda: showing(pilot.app, "HelpScreen"))
        await _still(pilot)

    assert snap_compare(crm.app(), terminal_size=(80, 24), run_before=before)
