"""Admin: users, add, role, revoke with hand-over, reset 2FA/password, sessions, access review."""
from __future__ import annotations

import asyncio

from tui_pilot import login, screen_text, settle, showing, type_text, wait_for

from store.scope import Scope


async def open_admin(pilot, app):
    await pilot.press("down", "a")
    await wait_for(pilot, lambda: showing(app, "AdminScreen"))
    await settle(pilot)
    return app.screen


def select_user(screen, username):
    row = [u.username for u in screen.users].index(username)
    screen.query_one("#users").move_cursor(row=row)


def test_admin_screen_lists_users_and_adds_one(crm):
    async def scenario():
        from store import accounts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            await open_admin(pilot, app)
            text = screen_text(app)
            for role in ("admin", "manager", "sales", "finance", "privacy"):
                assert role in text
            await pilot.press("a")
            await wait_for(pilot, lambda: showing(app, "AddUserModal"))
            await type_text(pilot, "mette.k")
            app.screen.query_one("#role").value = "sales"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "SecretModal"))
            secret = app.screen.secret
            assert len(secret) > 10 and secret in screen_text(app)  # shown this once
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await settle(pilot)
            assert "mette.k" in screen_text(app)
            assert secret not in screen_text(app)
            assert [u.role for u in accounts.list_users(Scope.console()) if u.username == "mette.k"] == ["sales"]
    asyncio.run(scenario())


def test_change_role_reset_2fa_and_password(crm):
    async def scenario():
        from store import accounts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_admin(pilot, app)
            select_user(screen, "sales")
            await pilot.press("r")
            await wait_for(pilot, lambda: showing(app, "ChoiceModal"))
            app.screen.query_one("#choice").value = "manager"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await settle(pilot)
            assert {u.username: u.role for u in accounts.list_users(Scope.console())}["sales"] == "manager"
            select_user(screen, "finance")
            await pilot.press("t")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await settle(pilot)
            assert not {u.username: u for u in accounts.list_users(Scope.console())}["finance"].totp_enrolled
            select_user(screen, "privacy")
            await pilot.press("p")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SecretModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
    asyncio.run(scenario())


def test_revoke_with_hand_over_ends_their_session(crm):
    async def scenario():
        from store import contacts

        victim = crm.session("sales")  # sales is logged in elsewhere
        owned_before = len(contacts.search_contacts(victim.scope(), "", limit=1000))
        assert owned_before
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_admin(pilot, app)
            select_user(screen, "sales")
            await pilot.press("s")  # sessions of sales: one
            await wait_for(pilot, lambda: showing(app, "SessionsModal") and app.screen.sessions)
            assert [s.id for s in app.screen.sessions] == [victim.id]
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await pilot.press("x")
            await wait_for(pilot, lambda: showing(app, "ChoiceModal"))
            assert "contacts" in screen_text(app)
            app.screen.query_one("#choice").value = "manager"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "AdminScreen"))
            await settle(pilot)
            import pytest

            from store import auth

            with pytest.raises(auth.SessionEnded):
                victim.check()
            manager = crm.session("manager").scope()
            handed = [c for c in contacts.search_contacts(manager, "", limit=1000, owner_id=None)
                      if c.owner == "manager"]
            assert len(handed) >= owned_before
            assert "revoked" in screen_text(app)
    asyncio.run(scenario())


def test_end_a_session(crm):
    async def scenario():
        other = crm.session("manager")
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_admin(pilot, app)
            select_user(screen, "manager")
            await pilot.press("s")
            await wait_for(pilot, lambda: showing(app, "SessionsModal") and app.screen.sessions)
            await pilot.press("e")
            await settle(pilot)
            import pytest

            from store import auth

            with pytest.raises(auth.SessionEnded):
                other.check()
    asyncio.run(scenario())


def test_access_review_records_that_it_was_done(crm):
    async def scenario():
        from store import staff

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            await open_admin(pilot, app)
            await pilot.press("v")
            await wait_for(pilot, lambda: showing(app, "AccessReviewScreen") and app.screen.view)
            text = screen_text(app)
            assert "No access review has been recorded yet" in text
            assert "administer users" in text  # who can do what
            await pilot.press("m")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "AccessReviewScreen"))
            await settle(pilot)
            view = staff.access_review(app.scope)
            assert view.last_reviewed_by == "admin"
            assert "Last review:" in screen_text(app)
    asyncio.run(scenario())


def test_non_admins_get_no_admin_screen_and_store_refuses(crm):
    import pytest

    from store import auth, staff
    from store.scope import Forbidden

    manager = crm.session("manager")
    with pytest.raises(Forbidden):
        staff.access_review(manager.scope())
    with pytest.raises(Forbidden):
        auth.reset_password(manager.scope(), "sales")
    from store import accounts

    with pytest.raises(Forbidden):
        accounts.add_user(manager.scope(), "eve", "admin")
