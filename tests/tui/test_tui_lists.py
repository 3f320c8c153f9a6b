"""Long lists in the app: the next page near the end, sorting by keys, marks, bulk
tag/reassign/archive, and reinstating a user, typed at full speed (Pilot, 80x24)."""
from __future__ import annotations

import asyncio

from tui_pilot import login, screen_text, settle, showing, type_text, wait_for


def _scope(username: str):
    """The user's scope with no login (a login here would spend the TOTP code the app needs)."""
    from store.models import User
    from store.scope import Scope

    return Scope(User.get(User.username == username))


def _store_order(crm, username: str, **kw) -> list[int]:
    from store import contacts

    return [r.id for r in contacts.search_contacts(_scope(username), "", limit=1000, **kw)]


async def _to_results(pilot, app):
    await pilot.press("down")
    await wait_for(pilot, lambda: app.focused is app.screen.query_one("#results"))


def test_the_list_goes_past_fifty_and_counts_every_contact(crm):
    async def scenario():
        expected = _store_order(crm, "manager")
        assert len(expected) > 50, "the template store has more than one page"
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            await wait_for(pilot, lambda: f"{len(expected)} contacts" in screen.query_one("#count").text)
            assert len(screen.rows) == 50
            await _to_results(pilot, app)
            await pilot.press("end")  # near the end of what is loaded: the next page comes
            await wait_for(pilot, lambda: len(screen.rows) == len(expected))
            assert [r.id for r in screen.rows] == expected
            assert screen.query_one("#results").row_count == len(expected)
            # another session changes a contact: the refresh keeps every loaded row and the cursor
            from store import contacts

            cursor = screen.query_one("#results").cursor_row
            contacts.set_tags(_scope("admin"), expected[0], ["opdateret"])
            await wait_for(pilot, lambda: "opdateret" in screen.rows[0].tags)
            assert len(screen.rows) == len(expected) and screen.query_one("#results").cursor_row == cursor
    asyncio.run(scenario())


def test_the_count_beside_new_results_is_never_the_last_searchs(crm):
    """A letter typed: its first page comes at once, its count a moment later; meanwhile the
    line under the results does not give the count of the search before."""
    async def scenario():
        from store import contacts

        everyone = len(_store_order(crm, "manager"))
        narrower = len(contacts.search_contacts(_scope("manager"), "a", limit=5000))
        assert 0 < narrower < everyone
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen

            def caption() -> str:
                return screen.query_one("#count").text

            await wait_for(pilot, lambda: f"{everyone} contacts" in caption(), what="everyone counted")
            await type_text(pilot, "a")
            await wait_for(pilot, lambda: screen._shown_text == "a", what="the results for 'a'")
            assert f"{everyone} contacts" not in caption()
            assert caption() == "At least 50 contacts" or f"{narrower} contacts" in caption()
            await wait_for(pilot, lambda: f"{narrower} contacts" in caption(), what="'a' counted")
    asyncio.run(scenario())


def test_a_click_on_a_header_sorts_by_it_and_a_second_click_reverses(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            table = screen.query_one("#results")
            widths = table._widths(table.size.width)
            email = screen._sorts.index("email")
            x = sum(1 + w for w in widths[:email]) + 2
            await pilot.click("#results", offset=(x, 0))
            await wait_for(pilot, lambda: screen.sort == "email" and not screen.descending)
            await wait_for(pilot, lambda: [r.id for r in screen.rows] == _store_order(crm, "manager",
                                                                                        sort="email")[:50])
            await pilot.click("#results", offset=(x, 0))
            await wait_for(pilot, lambda: screen.descending)
            await wait_for(pilot, lambda: [r.id for r in screen.rows] == _store_order(
                crm, "manager", sort="email", descending=True)[:50])
    asyncio.run(scenario())


def test_s_sorts_by_the_next_column_and_d_reverses_in_danish_order(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            await _to_results(pilot, app)
            await type_text(pilot, "s")
            await wait_for(pilot, lambda: screen.sort == "company")
            by_company = _store_order(crm, "manager", sort="company")[:50]
            await wait_for(pilot, lambda: [r.id for r in screen.rows] == by_company)
            await type_text(pilot, "d")
            backwards = _store_order(crm, "manager", sort="company", descending=True)[:50]
            await wait_for(pilot, lambda: [r.id for r in screen.rows] == backwards)
            assert "Company ▼" in screen.query_one("#results").columns[2][0]
            # typed into the search box, s and d are letters
            await pilot.press("slash")
            await type_text(pilot, "sd")
            assert screen.query_one("#search").value == "sd" and screen.sort == "company"
    asyncio.run(scenario())


def test_space_marks_rows_and_t_tags_them_in_one_go(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            await _to_results(pilot, app)
            first_two = [r.id for r in screen.rows[:2]]
            await type_text(pilot, "  t")  # mark, mark, tag: as fast as a person types
            await wait_for(pilot, lambda: showing(app, "TagModal"))
            assert "Tag 2 contacts" in screen_text(app)
            await type_text(pilot, "efteraar-bulk")
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SearchScreen") and not screen.marked)
            scope = _scope("manager")
            assert {r.id for r in contacts.search_contacts(scope, "", tag="efteraar-bulk")} == set(first_two)
    asyncio.run(scenario())


def test_h_archives_the_marked_rows_and_unarchives_them(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            await _to_results(pilot, app)
            chosen = {r.id for r in screen.rows[:3]}
            await type_text(pilot, "   h")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            assert "Archive 3 contacts?" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SearchScreen")
                           and not chosen & {r.id for r in screen.rows})
            assert set(_store_order(crm, "manager", status="archived")) >= chosen
            screen.query_one("#status").value = "archived"
            await wait_for(pilot, lambda: chosen <= {r.id for r in screen.rows})
            await _to_results(pilot, app)
            await pilot.press("asterisk", "h")  # mark all shown (all archived): unarchive
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            assert "Unarchive" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SearchScreen") and not screen.rows)
            assert not _store_order(crm, "manager", status="archived")
    asyncio.run(scenario())


def test_o_reassigns_the_highlighted_contact(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = app.screen
            await _to_results(pilot, app)
            target = screen.rows[0].id
            await type_text(pilot, "o")
            await wait_for(pilot, lambda: showing(app, "ChoiceModal"))
            owners = {str(label): v for label, v in app.screen.query_one("#choice")._options if isinstance(v, int)}
            app.screen.query_one("#choice").value = owners["sales"]
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "SearchScreen"))
            await settle(pilot)
            sales = _scope("sales")
            assert target in {r.id for r in contacts.search_contacts(sales, "", limit=1000)}
    asyncio.run(scenario())


def test_sales_may_not_archive_and_h_in_the_box_types(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            screen = app.screen
            await type_text(pilot, "h")
            assert screen.query_one("#search").value == "h"
            await _to_results(pilot, app)
            await type_text(pilot, " h")
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen"
            assert screen.check_action("archive", ()) is False
    asyncio.run(scenario())


def test_reinstating_a_revoked_user_shows_the_password_with_one_button(crm):
    async def scenario():
        from store import auth
        from store.models import User
        from store.scope import Scope

        auth.revoke(Scope.console(), "sales")
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            await pilot.press("down", "a")
            await wait_for(pilot, lambda: showing(app, "AdminScreen") and app.screen.users)
            screen = app.screen
            screen.query_one("#users").move_cursor(row=[u.username for u in screen.users].index("sales"))
            await type_text(pilot, "u")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SecretModal"))
            assert not app.screen.query("#cancel") and app.screen.query("#ok")  # it informs: one button
            assert User.get(User.username == "sales").revoked_at is None
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await type_text(pilot, "n")
            await wait_for(pilot, lambda: showing(app, "FullNameModal"))
            await type_text(pilot, "Sofie Ærø")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "Sofie Ærø" in screen_text(app))
            assert User.get(User.username == "sales").full_name == "Sofie Ærø"
    asyncio.run(scenario())


def test_typed_text_lists_best_match_first_until_a_column_is_chosen(crm):
    """No sort asked for: typed text comes best match first (the store's order, no column
    marked); `s` sorts by the next column, and round the columns comes back to best first."""
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = app.screen
            table = screen.query_one("#results")
            name = screen._sorts.index("name")
            await wait_for(pilot, lambda: screen.rows and "▲" in table.columns[name][0])  # the whole list: by name
            await type_text(pilot, "a")
            best = [r.id for r in contacts.search_contacts(_scope("manager"), "a")]
            await wait_for(pilot, lambda: [r.id for r in screen.rows] == best)
            assert screen.sort is None and not any("▲" in c[0] or "▼" in c[0] for c in table.columns)
            await _to_results(pilot, app)
            await type_text(pilot, "s")
            await wait_for(pilot, lambda: screen.sort == "company" and "Company ▲" in table.columns[2][0])
            for _ in range(len([s for s in screen._sorts if s]) - 1):  # on round to Name, then best first
                await type_text(pilot, "s")
            await wait_for(pilot, lambda: screen.sort == "name")
            await type_text(pilot, "s")
            await wait_for(pilot, lambda: screen.sort is None and [r.id for r in screen.rows] == best)
    asyncio.run(scenario())
