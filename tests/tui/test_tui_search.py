"""The search screen: type to search at once, filters, keys, scope."""
from __future__ import annotations

import asyncio

from tui_pilot import login, screen_text, settle, showing, type_text, wait_for


def _names(app):
    return [r.name for r in app.screen.rows]


def test_typing_searches_at_once_with_danish_folding(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            everyone = list(app.screen.rows)
            assert everyone, "the demo data has contacts"
            await type_text(pilot, "soren")
            await settle(pilot)
            from store.search import fold

            found = app.screen.rows
            assert found and len(found) < len(everyone)
            assert all("soren" in fold(f"{r.name} {r.company} {r.email}") for r in found)
            assert any("Søren" in r.name for r in found)
            # the table shows the same rows, each cell as literal text
            table = app.screen.query_one("#results")
            assert table.row_count == len(found)
            assert "contacts" in str(app.screen.query_one("#count").render()) or table.row_count == 1
    asyncio.run(scenario())


def test_keys_slash_j_k_enter_and_n(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            table = app.screen.query_one("#results")
            await pilot.press("down")  # from the search box into the results
            assert app.focused is table
            await pilot.press("j", "j", "k")
            assert table.cursor_row == 1
            expected = app.screen.rows[1]
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            await settle(pilot)
            assert app.screen.contact_id == expected.id
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "SearchScreen"))
            await pilot.press("slash")
            assert app.focused is app.screen.query_one("#search")
            await pilot.press("down", "n")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            assert app.screen.contact_id is None
    asyncio.run(scenario())


def test_filters_by_tag_owner_status_and_lifecycle(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = app.screen
            screen.query_one("#lifecycle").value = "customer"
            await settle(pilot)
            assert screen.rows and all(r.lifecycle == "customer" for r in screen.rows)
            screen.query_one("#lifecycle").clear()
            screen.query_one("#tag").value = "vip"
            await settle(pilot)
            assert screen.rows and all("vip" in r.tags for r in screen.rows)
            screen.query_one("#tag").clear()
            owner = screen.query_one("#owner")
            owners = {str(label): v for label, v in owner._options if isinstance(v, int)}
            owner.value = owners["sales"]
            await settle(pilot)
            assert screen.rows and {r.owner for r in screen.rows} == {"sales"}
            screen.query_one("#status").value = "archived"
            await settle(pilot)
            assert screen.rows == [] and "No contacts" in str(screen.query_one("#count").render())
            await pilot.press("escape")  # nothing bound: stays
    asyncio.run(scenario())


def test_sales_sees_only_their_own_contacts_and_no_admin(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            assert app.screen.rows
            assert {r.owner for r in app.screen.rows} == {"sales"}
            assert app.screen.may("admin") is False
            assert app.screen.may("new_contact") is True
            owner_options = [v for _l, v in app.screen.query_one("#owner")._options if isinstance(v, int)]
            assert owner_options == [app.session.user_id]
    asyncio.run(scenario())


def test_privacy_may_search_but_not_create(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "privacy")
            assert app.screen.rows
            assert app.screen.may("new_contact") is False
            await pilot.press("down", "n")
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen"
    asyncio.run(scenario())


def test_finance_gets_invoices_not_contacts(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "finance")
            assert type(app.screen).__name__ == "InvoicesScreen"
            assert app.screen.rows
            first = app.screen.rows[0].number
            await type_text(pilot, first)
            await settle(pilot)
            assert [r.number for r in app.screen.rows] == [first]
            assert "kr." not in screen_text(app)  # English formatting
            assert "DKK" in screen_text(app)
    asyncio.run(scenario())


def test_i_opens_the_import_wizard_for_roles_that_may_import(crm):
    async def scenario(role, expected):
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, role)
            await pilot.press("down", "i")  # from the search box into the results, then `i`
            await settle(pilot)
            assert (type(app.screen).__name__ == "ImportWizard") is expected
            if expected:
                await pilot.press("escape")
                await wait_for(pilot, lambda: showing(app, "SearchScreen"))
    asyncio.run(scenario("sales", True))
    asyncio.run(scenario("privacy", False))


def test_each_result_says_in_plain_words_which_field_the_text_matched(crm):
    """Issue 12: a job title or a company's city found shows where it was found."""
    async def scenario():
        app = crm.app(language="da")
        async with app.run_test(size=(120, 24)) as pilot:
            await login(pilot, crm, "manager")
            table = app.screen.query_one("#results")
            await type_text(pilot, "økonomi")
            await wait_for(pilot, lambda: app.screen.rows and all(
                "okonomi" in r.name.lower() or any(f.name == "title" for f in r.matched) for r in app.screen.rows))
            found_in = [table.get_row_at(i)[-1].plain for i in range(table.row_count)]
            assert found_in and all(cell.startswith("Stilling") and ": Økonomichef" in cell for cell in found_in)
            app.screen.query_one("#search").value = "aarhus"
            await wait_for(pilot, lambda: app.screen.rows and all(
                any(f.name == "city" for f in r.matched) for r in app.screen.rows))
            cell = table.get_row_at(0)[-1].plain
            assert cell == "By (virksomhed): Århus C", cell
    asyncio.run(scenario())


def test_a_search_longer_than_the_box_keeps_the_cursor_in_sight(crm):
    """The box scrolls sideways as it fills, and back as it empties, with no layout of the
    screen behind it (tui/widgets/field.py): the end of what is typed is always painted."""
    def painted(app) -> list[str]:
        return [strip.text for strip in app.screen._compositor.render_strips()]

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            long = "mette frederiksen " * 6 + "slut"  # 112 characters in a box of 76
            await type_text(pilot, long)
            await wait_for(pilot, lambda: app.screen.query_one("#search").value == long, what="all typed")
            await settle(pilot)
            box = next(line for line in painted(app) if "frederiksen" in line)
            assert "slut" in box and not box.strip("▊▎▏▕ ").startswith("mette frederiksen mette")
            for _ in long[8:]:
                await pilot.press("backspace")
            await settle(pilot)
            box = next(line for line in painted(app) if "mette" in line)
            assert box.strip("▊▎▏▕ ").startswith("mette fr") and "slut" not in box
    asyncio.run(scenario())
