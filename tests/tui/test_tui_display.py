"""What the screens show at 80x24, in both languages, as a person reads it (issue 17, Display):
the login screen styled as the first screen, the whole demo code, the first-login QR code
with its code field on screen, the footer's ^p once."""
from __future__ import annotations

import asyncio
import re

import pytest
from tui_pilot import login, settle, showing, type_text, wait_for

from store.scope import Scope

FIXED_TIME = 1_790_000_000.0


def rendered(app) -> list[str]:
    """The screen's lines as the terminal shows them."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("language, code, hint", [("en", "Code", "6 digits"), ("da", "Kode", "6 cifre")])
def test_login_screen_is_styled_as_the_first_screen(crm, language, code, hint):
    async def scenario():
        app = crm.app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#username"))
            await settle(pilot)
            lines = rendered(app)
            code_line = next(line for line in lines if hint in line)
            # the label has its column: it never runs into the field (was `Code6 digits from your app`)
            assert re.search(rf"{code} {{3,}}{hint}", code_line), code_line
            assert app.screen.query_one(".label").region.width == 12
    asyncio.run(scenario())


@pytest.mark.parametrize("language", ["en", "da"])
def test_demo_table_shows_every_whole_code(crm, language):
    from tui.demo import accounts

    async def scenario():
        app = crm.app(demo=True, language=language, clock=lambda: FIXED_TIME)
        app.demo_accounts = accounts()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#demo-table").row_count == 5)
            await settle(pilot)
            text = "\n".join(rendered(app))
            codes = app.screen.query_one("DemoAccounts").codes()
            for code in codes:
                assert code in text  # all 6 digits (was `Kod … 088` in Danish)
            assert ("Kode" if language == "da" else "Code") in text
    asyncio.run(scenario())


@pytest.mark.parametrize("language, label", [("en", "Code"), ("da", "Kode")])
def test_first_login_qr_and_its_code_field_fit_at_80x24(crm, language, label):
    async def scenario():
        from store import auth

        otp = auth.reset_password(Scope.console(), "sales")
        auth.reset_2fa(Scope.console(), "sales")
        app = crm.app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await type_text(pilot, f"sales\t{otp}\t\r")
            await wait_for(pilot, lambda: showing(app, "FirstLoginScreen"), what="first login")
            password = "Rugbrød med leverpostej og rødbeder"
            await type_text(pilot, f"{password}\t{password}\r")
            screen = app.screen
            await wait_for(pilot, lambda: screen.query_one("#steps").current == "step-totp", what="QR step")
            await settle(pilot)
            field = screen.query_one("#totp-code")
            assert app.focused is field
            assert field.region.bottom <= 23 and field.region.width >= 6  # on screen, above the footer
            qr = screen.query_one("#qr").region
            assert qr.bottom <= 23 and qr.right <= 80  # the whole QR code
            lines = rendered(app)
            assert any(line.rstrip().endswith(label) or f"{label} " in line[qr.right:] for line in lines)
    asyncio.run(scenario())


@pytest.mark.parametrize("language, commands", [("en", "Commands"), ("da", "Kommandoer")])
def test_footer_shows_the_palette_key_once(crm, language, commands):
    async def scenario():
        app = crm.app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            footer = rendered(app)[-1]
            assert footer.count("^p") == 1, footer
            assert commands in footer
    asyncio.run(scenario())


def test_footer_follows_the_contact_mode(crm):
    """The footer repaints when its keys change (tui/widgets/footer.py): browsing shows the
    letter commands, editing shows Save and not the letters, and back again after Escape."""
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(100, 24)) as pilot:
            await login(pilot, crm, "manager")
            await type_text(pilot, "soren\r")
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            await wait_for(pilot, lambda: "e Edit" in rendered(app)[-1] and "n New note" in rendered(app)[-1],
                           what="the browsing footer")
            await pilot.press("e")
            await wait_for(pilot, lambda: "^s Save" in rendered(app)[-1] and "n New note" not in rendered(app)[-1],
                           what="the editing footer")
            await pilot.press("escape")
            await wait_for(pilot, lambda: "e Edit" in rendered(app)[-1] and "^s Save" not in rendered(app)[-1],
                           what="the browsing footer again")
    asyncio.run(scenario())


def test_a_click_on_a_footer_key_presses_it_and_a_key_that_does_not_fit_is_left_out(crm):
    """One line of text, not a widget per key: a click on `e Edit` edits, as `e` does; at 80
    columns the keys that do not fit are left out whole, never cut (`? He`), ^p stays."""
    from tui.widgets.footer import Footer

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            await type_text(pilot, "soren\r")
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            await wait_for(pilot, lambda: "e Edit" in rendered(app)[-1], what="the browsing footer")
            line = rendered(app)[-1]
            descriptions = {b.description for _n, b, _e, _t in app.screen.active_bindings.values() if b.show}
            shown = line.split("▏")[0].rstrip()
            assert any(shown.endswith(" " + d) for d in descriptions), line  # the last key whole
            assert line.rstrip().endswith("^p Commands")
            await pilot.click(Footer, offset=(line.index("Edit"), 0))
            await wait_for(pilot, lambda: app.screen.editing, what="editing after the click")
    asyncio.run(scenario())
