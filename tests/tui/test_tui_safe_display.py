"""Stored text is shown literally everywhere: no markup, no escape byte reaches the terminal."""
from __future__ import annotations

import asyncio

import pytest
from injection import EVERYTHING, FORBIDDEN, plant
from tui_pilot import login, settle, show_tab, showing, wait_for


def test_safe_clean_makes_controls_visible():
    from rich.text import Text

    from tui import safe

    cleaned = safe.clean(EVERYTHING)
    assert not any(ch in cleaned for ch in FORBIDDEN)
    assert "\u241b]52;c;" in cleaned and "\u241b[2J" in cleaned and "\ufffd31m" in cleaned
    assert "[bold]x" in cleaned  # markup characters are kept, as characters
    assert isinstance(safe.text("[bold]x"), Text) and safe.text("[bold]x").plain == "[bold]x"
    assert safe.content("[@click=app.quit]x[/]").plain == "[@click=app.quit]x[/]"
    assert safe.clean("a\nb", multiline=True) == "a\nb" and safe.clean("a\nb") == "a\u240ab"
    assert safe.clean("\u202egnp.exe") == "\ufffdgnp.exe"  # bidi override shown, not obeyed
    assert safe.template("Hello [b]$name[/b]", name="[red]x\x1b").plain == "Hello [red]x\u241b"


def _rendered_text(app) -> str:
    """Every visible character the app would paint right now (its own rendering)."""
    return app.export_screenshot()


def _check(app, what: str) -> str:
    svg = _rendered_text(app)
    for ch in FORBIDDEN:
        assert ch not in svg, f"{what}: a control character from data reached the screen"
    for escaped in ("&#27;", "&#x1b;", "&#155;", "&#x9b;", "&#7;", "&#x7;"):
        assert escaped not in svg.lower(), f"{what}: a control character from data reached the screen"
    from tui_pilot import screen_text

    text = screen_text(app)
    for ch in FORBIDDEN:
        assert ch not in text, f"{what}: a widget holds a raw control character"
    return svg


@pytest.mark.parametrize("language", ["en", "da"])
def test_injection_strings_show_literally_on_every_screen(crm, language):
    async def scenario():
        from store.models import User

        admin_id = User.get(User.username == "admin").id
        contact_id = 1
        plant(contact_id, admin_id)
        app = crm.app(language=language)
        async with app.run_test(size=(120, 40)) as pilot:
            await login(pilot, crm, "admin")
            search = app.screen
            search.query_one("#search").value = "evil"
            await settle(pilot)
            tag_labels = [label for label, _value in search.query_one("#tag")._options]
            planted = [label for label in tag_labels if "tag" in str(label) and "[bold]" in str(label)]
            assert planted and str(planted[0]) == "[bold]tag\u241b[2J"  # literal, never markup
            assert [r.id for r in search.rows] == [contact_id]
            svg = _check(app, "search")
            today = search.query_one("#today")  # the planted follow-up, due long ago, is admin's
            assert any(f.body.startswith("[bold]x [link=") for f in today.follow_ups)
            assert "[bold]x" in svg.replace("&#160;", " ") or "[bold]x" in svg
            cells = [str(c) for c in search.query_one("#results").get_row_at(0)]
            if not cells[0].strip():  # the mark column (a row marked for a bulk action shows it)
                cells = cells[1:]
            if cells[0] == str(contact_id):  # the id column, shown to roles that handle requests
                cells = cells[1:]
            assert cells[0].startswith("[bold]x\u241b]52;c;")
            assert cells[1] == "[/]\ufffd31m"
            # detail
            search.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            await settle(pilot)
            screen = app.screen
            card = screen.query_one("#card")
            assert card.fields["title"] == "[@click=app.quit]x[/]"
            assert card.fields["email"].startswith("evil\u241b[2J@evil.example")
            assert "[bold]x" in str(screen.title)
            _check(app, "detail")
            for tab in ("tab-deals", "tab-notes", "tab-follow-ups", "tab-invoices", "tab-consent", "tab-history"):
                await show_tab(pilot, screen, tab)
                await settle(pilot)
                _check(app, tab)
            # the planted invoice, opened from the contact's invoices
            await show_tab(pilot, screen, "tab-invoices")
            screen.query_one("#invoices").focus()
            screen.query_one("#invoices").move_cursor(row=[i.number for i in screen.bundle.invoices].index("X-1"))
            await settle(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "InvoiceScreen") and app.screen.invoice)
            await settle(pilot)
            _check(app, "invoice")
            assert "[bold]x" in str(app.screen.query_one("#i-billed").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            await settle(pilot)
            notes = screen.query_one("#note-body").render()
            assert "[link=https://evil.example]c[/link]" in str(notes)
            deal_cell = str(screen.query_one("#deals").get_row_at(0)[0])
            assert deal_cell == EVERYTHING.replace("\x1b", "\u241b").replace("\x07", "\u2407").replace("\x9b", "\ufffd")
            # consent screen and its history
            await show_tab(pilot, screen, "tab-consent")
            screen.query_one("#consents").focus()
            await settle(pilot)
            await pilot.press("c")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
            await settle(pilot)
            app.screen.query_one("#purposes").move_cursor(row=2)
            await settle(pilot)
            svg = _check(app, "consent")
            evidence = str(app.screen.query_one("#events").get_row_at(0)[5])
            assert evidence.startswith("[bold]x [link=")
            # a notification carrying stored text
            app.tell(EVERYTHING)
            await pilot.pause()
            _check(app, "notification")
            # the title's [@click=app.quit] did nothing: the app still runs
            assert app.is_running
    asyncio.run(scenario())


def test_the_store_refuses_control_characters_on_the_way_in(crm):
    from store import contacts
    from store.errors import Invalid

    scope = crm.session("manager").scope()
    with pytest.raises(Invalid):
        contacts.create_contact(scope, first_name="x\x1b[2J")
