"""Live behaviour: other sessions' edits show up by themselves; revocation ends the session."""
from __future__ import annotations

import asyncio

from tui_pilot import login, wait_for


def test_search_and_detail_follow_another_sessions_edit(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            first = app.screen.rows[0]
            other = crm.session("admin").scope()  # another session, another connection
            detail = contacts.get_contact(other, first.id, audit_view=False)
            contacts.update_contact(other, first.id, detail.version, first_name="Zacharias")
            await wait_for(pilot, lambda: any(r.first_name == "Zacharias" for r in app.screen.rows),
                           timeout=3, what="search results to refresh")
            app.screen.action_open()
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ContactScreen" and app.screen._loaded)
            screen = app.screen
            detail = contacts.get_contact(other, first.id, audit_view=False)
            contacts.update_contact(other, first.id, detail.version, title="Direktør for alt")
            await wait_for(pilot, lambda: screen.query_one("#f-title").value == "Direktør for alt",
                           timeout=3, what="detail to refresh")
            # While the user is typing, a change elsewhere does not overwrite the form.
            screen.query_one("#f-last_name").value = "Mit forslag"
            detail = contacts.get_contact(other, first.id, audit_view=False)
            contacts.update_contact(other, first.id, detail.version, title="Igen en anden")
            await wait_for(pilot, lambda: screen.stale, timeout=3, what="stale notice")
            assert screen.query_one("#f-last_name").value == "Mit forslag"
            assert "ctrl+r" in str(screen.query_one("#form-message").render())
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen.query_one("#f-title").value == "Igen en anden")
            assert screen.query_one("#f-last_name").value == "Mit forslag"
    asyncio.run(scenario())


def test_revoked_user_is_logged_out_within_two_seconds(crm):
    async def scenario():
        import time

        from store import auth

        app = crm.app(check_interval=1.0)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            admin = crm.session("admin")
            started = time.monotonic()
            auth.revoke(admin.scope(), "sales", hand_over_to="manager")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", timeout=2.5,
                           what="the login screen")
            assert time.monotonic() - started < 2.5
            assert app.session is None
            assert "revoked" in str(app.screen.query_one("#login-message").render())
    asyncio.run(scenario())


def test_logout_and_quit(crm):
    async def scenario():
        from store import auth

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            session = app.session
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen")
            import pytest

            with pytest.raises(auth.SessionEnded):
                session.check()
            await pilot.press("ctrl+q")
    asyncio.run(scenario())
