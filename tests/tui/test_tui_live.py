"""Live behaviour: other sessions' edits show up by themselves; revocation ends the session."""
from __future__ import annotations

import asyncio

from tui_pilot import login, settle, showing, wait_for


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
                           what="search results to refresh")
            app.screen.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            screen = app.screen
            detail = contacts.get_contact(other, first.id, audit_view=False)
            contacts.update_contact(other, first.id, detail.version, title="Direktør for alt")
            await wait_for(pilot, lambda: screen.query_one("#card").fields["title"] == "Direktør for alt",
                           what="detail to refresh")
            # While the user is typing, a change elsewhere does not overwrite the form.
            await pilot.press("e")  # it opened read-only: e edits
            await wait_for(pilot, lambda: screen.editing and screen.query("#f-last_name"), what="the form")
            screen.query_one("#f-last_name").value = "Mit forslag"
            detail = contacts.get_contact(other, first.id, audit_view=False)
            contacts.update_contact(other, first.id, detail.version, title="Igen en anden")
            await wait_for(pilot, lambda: screen.stale, what="stale notice")
            assert screen.query_one("#f-last_name").value == "Mit forslag"
            assert "ctrl+r" in str(screen.query_one("#form-message").render())
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: screen.query_one("#f-title").value == "Igen en anden")
            assert screen.query_one("#f-last_name").value == "Mit forslag"
    asyncio.run(scenario())


def test_revoked_user_is_logged_out_by_the_next_session_check(crm):
    """Revocation reaches a running app with no key pressed (how fast: bench/bench_tui.py)."""
    async def scenario():
        from store import auth

        app = crm.app(check_interval=1.0)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            admin = crm.session("admin")
            auth.revoke(admin.scope(), "sales", hand_over_to="manager")
            await wait_for(pilot, lambda: showing(app, "LoginScreen"),
                           what="the login screen")
            assert app.session is None
            assert "revoked" in str(app.screen.query_one("#login-message").render())
            # the next login's home screen is built now: the test ends once it is (an app that
            # exits while a screen is mounting fails inside Textual's widgets, Select's mount)
            await wait_for(pilot, lambda: app._home_ahead is not None and app._home_ahead.is_mounted,
                           what="the next login's home screen built")
            await settle(pilot)
    asyncio.run(scenario())


def test_logout_and_quit(crm):
    async def scenario():
        from store import auth

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            session = app.session
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: showing(app, "LoginScreen"))
            import pytest

            with pytest.raises(auth.SessionEnded):
                session.check()
            await pilot.press("ctrl+q")
    asyncio.run(scenario())


def _store_changes_received(into: list):
    """A Pilot message hook: (receiving screen's class name, message) for each StoreChanged.

    It sees the messages of screens pushed from within the app (by a key), not
    of those a test pushes by calling an action itself."""
    from textual._context import active_message_pump

    from tui.messages import StoreChanged

    def hook(message):
        if isinstance(message, StoreChanged):
            into.append((type(active_message_pump.get(None)).__name__, message))
    return hook


def test_the_session_that_saved_is_not_told_of_its_own_change(crm):
    async def scenario():
        from store import changes, contacts

        received: list = []
        app = crm.app()
        async with app.run_test(size=(80, 24), message_hook=_store_changes_received(received)) as pilot:
            await login(pilot, crm, "manager")
            rows = app.screen.rows
            await pilot.press("down", "enter")            # by key: the screen runs in the app's context
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            screen = app.screen
            mine = screen.contact_id
            elsewhere = next(r.id for r in rows if r.id != mine)
            other = crm.session("admin")                  # another session, another connection
            theirs = changes.Watcher(own_session=other.id)
            version = screen.version
            await pilot.press("e")
            screen.query_one("#f-title").value = "Min egen ændring"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.version == version + 1 and not screen.dirty, what="saved")
            told: list = []
            await wait_for(pilot, lambda: told.extend(theirs.poll()) or any(
                (c.entity, c.entity_id) == ("contact", mine) for c in told), what="the other session told")
            # Something else changes: once the app is told of that, it has read past its own change.
            detail = contacts.get_contact(other.scope(), elsewhere, audit_view=False)
            contacts.update_contact(other.scope(), elsewhere, detail.version, title="Noget andet")
            await wait_for(pilot, lambda: any(m.touches("contact", elsewhere) for _, m in received),
                           what="the app told of the other change")
            assert not any(m.touches("contact", mine) for _, m in received)
            assert screen.query_one("#card").fields["title"] == "Min egen ændring"
    asyncio.run(scenario())


def test_a_hidden_contact_screen_shows_what_changed_when_it_comes_back(crm):
    async def scenario():
        from store import contacts

        received: list = []
        app = crm.app()
        async with app.run_test(size=(80, 24), message_hook=_store_changes_received(received)) as pilot:
            await login(pilot, crm, "manager")
            await pilot.press("down", "enter")            # by key: the screen runs in the app's context
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            screen = app.screen
            contact_id = screen.contact_id
            await pilot.press("f1")                       # the help screen over the contact screen
            await wait_for(pilot, lambda: showing(app, "HelpScreen"), what="help")
            other = crm.session("admin").scope()
            detail = contacts.get_contact(other, contact_id, audit_view=False)
            contacts.update_contact(other, contact_id, detail.version, title="Ændret imens")
            await wait_for(pilot, lambda: any(m.touches("contact", contact_id) for _, m in received),
                           what="the change told to the active screen")
            assert [name for name, m in received if m.touches("contact", contact_id)] == ["HelpScreen"]
            assert screen.query_one("#card").fields["title"] != "Ændret imens"   # hidden: not reloaded yet
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen, what="back on the contact screen")
            await wait_for(pilot, lambda: screen.query_one("#card").fields["title"] == "Ændret imens",
                           what="the contact screen to show the change")
            assert "ContactScreen" in [name for name, m in received if m.touches("contact", contact_id)]
    asyncio.run(scenario())


def test_an_import_elsewhere_reloads_the_screen_once_a_window_and_misses_nothing(crm, monkeypatch):
    """An import tells every session "everything changed" at each chunk of its rows; each
    session re-ran its search and repainted every time (19 sessions beside a 50,000-row
    import: the server's CPU went there).  The first change is shown at once, the ones after
    it together at most every two seconds, and the last one always reaches the screen."""
    async def scenario():
        from store import changes
        from store.db import database
        from tui import app as app_module

        def chunk_written():  # what an import in another process writes with each chunk
            with database.atomic("IMMEDIATE"):
                changes.record("contact", 0, "bulk")

        # a wider window than the app's 2 s: the three chunks below fall in it on a loaded machine too
        monkeypatch.setattr(app_module, "EVERYTHING_EVERY_S", 8.0)
        app = crm.app()
        told: list[bool] = []
        real = app._tell_changes

        def noting(message):
            told.append(message.everything)
            real(message)

        app._tell_changes = noting
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            await settle(pilot)
            told.clear()
            chunk_written()
            await wait_for(pilot, lambda: told == [True], what="the first chunk told at once")
            chunk_written()  # the next chunks, within the two seconds
            await wait_for(pilot, lambda: app._held_everything is not None, what="the second chunk seen")
            chunk_written()
            last = changes.latest_seq()
            await wait_for(pilot, lambda: app._watcher.seq >= last, what="the third chunk seen")
            assert told == [True]  # the later two held, not yet told
            await wait_for(pilot, lambda: len(told) == 2, timeout=app_module.EVERYTHING_EVERY_S * 10,
                           what="the held chunks told")
            assert told == [True, True] and app._held_everything is None  # two tells for three chunks
    asyncio.run(scenario())
