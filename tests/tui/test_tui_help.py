"""Help lists every key once; the command palette offers only what the role may do."""
from __future__ import annotations

import asyncio

import pytest
from tui_pilot import login, screen_text, settle, showing, wait_for


def test_binding_ids_are_unique_and_stable():
    from tui import bindings

    ids = [k.id for _screen, k in bindings.all_keys()]
    assert len(ids) == len(set(ids))
    assert all(i.split(".")[0] in bindings.TABLE or i.startswith("first.") for i in ids)


@pytest.mark.parametrize("role, offered, hidden", [
    ("admin", {"Admin", "New contact", "Help", "Quit", "Log out"}, set()),
    ("sales", {"New contact", "Help"}, {"Admin"}),
    ("privacy", {"Help"}, {"Admin", "New contact"}),
])
def test_palette_offers_what_the_role_allows(crm, role, offered, hidden):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, role)
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert offered <= titles
            assert not (hidden & titles)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: showing(app, "CommandPalette"))
            await pilot.press("escape")
    asyncio.run(scenario())


def test_help_screen_lists_keys_for_the_role(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            await pilot.press("down", "question_mark")
            await wait_for(pilot, lambda: showing(app, "HelpScreen"))
            await settle(pilot)
            text = screen_text(app)
            assert "New contact" in text and "Record consent" in text
            assert "Add user" not in text  # admin only
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "SearchScreen"))
    asyncio.run(scenario())
