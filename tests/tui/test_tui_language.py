"""Every string translatable; Danish and English complete; formats follow the language."""
from __future__ import annotations

import asyncio
import datetime as dt

from tui_pilot import login, screen_text, settle, show_tab, showing, wait_for


def test_catalogues_are_complete_and_compiled():
    from tui import i18n_tool

    assert i18n_tool.problems() == []


def test_language_from_config_else_locale():
    from tui import i18n

    assert i18n.choose("da", {}) == "da"
    assert i18n.choose("", {"LANG": "da_DK.UTF-8"}) == "da"
    assert i18n.choose("", {"LC_ALL": "en_GB.UTF-8", "LANG": "da_DK.UTF-8"}) == "en"
    assert i18n.choose("", {}) == "en"


def test_formats_per_language():
    from tui import i18n

    try:
        i18n.set_language("da")
        assert i18n.fmt_money(123450) == "1.234,50 kr."
        assert i18n.fmt_date(dt.date(2026, 11, 29)) == "29.11.2026"
        assert i18n.parse_money("1.234,50") == 123450
        assert i18n.parse_date("29.11.2026") == dt.date(2026, 11, 29)
        i18n.set_language("en")
        assert i18n.fmt_money(123450) == "DKK 1,234.50"
        assert i18n.fmt_date(dt.date(2026, 11, 29)) == "2026-11-29"
        assert i18n.parse_money("1,234.50") == 123450
    finally:
        i18n.set_language("en")


def test_the_app_in_danish(crm):
    async def scenario():
        app = crm.app(language="da")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#username"))
            assert "Brugernavn" in screen_text(app) and "Adgangskode" in screen_text(app)
            await login(pilot, crm, "admin")
            text = screen_text(app)
            assert "kontakter" in text
            footer_descriptions = {b.description for b in app.screen._bindings.key_to_bindings.get("n", [])}
            assert footer_descriptions == {"Ny kontakt"}
            app.screen.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            await show_tab(pilot, app.screen, "tab-invoices")
            await settle(pilot)
            text = screen_text(app)
            assert "Oplysninger" in text
            invoices = app.screen.bundle.invoices
            if invoices:
                assert " kr." in text
    asyncio.run(scenario())
