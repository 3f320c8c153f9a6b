"""SVG snapshots (80x24, both languages) of the long list's new states and dialogs:
marks and the bulk tag dialog, the archive question, a list sorted by a column.
The admin dialogs show login times and one-time passwords: their texts are checked
in both languages instead (tests/tui/test_tui_lists.py covers what they do).
Update after an intended change with: pytest tests/tui/test_tui_lists_snapshots.py --snapshot-update
"""
from __future__ import annotations

import asyncio

import pytest
from tui_pilot import login, screen_text, settle, showing, type_text, wait_for


async def _still(pilot) -> None:
    from textual.widgets import Input

    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot)


async def _soren_results(pilot, crm):
    app = pilot.app
    await login(pilot, crm, "manager")
    app.screen.query_one("#search").value = "soren"
    await wait_for(pilot, lambda: app.screen._shown_text == "soren")
    await pilot.press("down")
    await wait_for(pilot, lambda: app.focused is app.screen.query_one("#results"))


@pytest.mark.parametrize("language", ["en", "da"])
def test_marked_rows_and_the_tag_dialog(crm, snap_compare, language):
    async def before(pilot):
        await _soren_results(pilot, crm)
        await type_text(pilot, "  t")
        await wait_for(pilot, lambda: showing(pilot.app, "TagModal"))
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_archive_question(crm, snap_compare, language):
    async def before(pilot):
        await _soren_results(pilot, crm)
        await type_text(pilot, "   h")
        await wait_for(pilot, lambda: showing(pilot.app, "ConfirmModal"))
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_sorted_by_company_descending_with_marks(crm, snap_compare, language):
    async def before(pilot):
        await _soren_results(pilot, crm)
        screen = pilot.app.screen
        await type_text(pilot, "sd")
        await wait_for(pilot, lambda: screen._shown_order == ("company", True)
                       and screen._shown_text == "soren", what="the results re-sorted")
        await pilot.press("space")
        await _still(pilot)

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Full name", "Reinstate sales", "Let sales log in again?", "sales is reinstated", "OK")),
    ("da", ("Fulde navn", "Genåbn adgang for sales", "Må sales logge ind igen?", "sales har fået adgang igen",
            "OK")),
])
def test_the_admin_dialogs_speak_both_languages(crm, language, words):
    async def scenario():
        from store import auth
        from store.scope import Scope

        auth.revoke(Scope.console(), "sales")
        app = crm.app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            await pilot.press("down", "a")
            await wait_for(pilot, lambda: showing(app, "AdminScreen") and app.screen.users)
            screen = app.screen
            assert words[0] in [str(c.label) for c in screen.query_one("#users").columns.values()]
            screen.query_one("#users").move_cursor(row=[u.username for u in screen.users].index("sales"))
            await type_text(pilot, "u")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            text = screen_text(app)
            assert words[1] in text and words[2] in text
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SecretModal"))
            assert words[3] in screen_text(app)
            buttons = [str(b.label) for b in app.screen.query("Button")]
            assert buttons == [words[4]]  # it only informs: one button
    asyncio.run(scenario())
