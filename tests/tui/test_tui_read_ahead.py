"""The highlighted result's record is read while the person looks at the list, and Enter
shows it without a wait for the store (tui/backend.py read_ahead; issue 17, Enter to the
contact painted).  What Enter shows is never older than what it would have read itself:
a read made ahead is dropped by the next call someone waits for (a save), by a change
another session is seen to make, and at the end of the session.  Reading ahead is not a
view: the audit row is written when the contact is opened, once."""
from __future__ import annotations

import asyncio

from tui_pilot import login, settle, showing, wait_for


def test_a_read_made_ahead_is_taken_while_good_and_never_after_a_save_a_change_or_another_session(crm):
    from store import contacts
    from store.contact_record import load_record
    from tui.backend import Backend

    async def scenario():
        backend = Backend()
        try:
            scope = crm.session("manager").scope()
            backend.scope = scope
            first = contacts.search_contacts(scope, "", limit=1)[0].id
            key = ("contact", first)

            async def read_ahead(scope):
                """Read ahead, and done: background calls keep their order, so once a later
                one has run, so has the read (a read still queued is never taken)."""
                backend.read_ahead(key, scope, load_record, first, audit_view=False)
                await asyncio.wait_for(backend.run(lambda: None, background=True), 60)

            await read_ahead(scope)
            taken = backend.take_ahead(key, scope)
            assert taken is not None
            record = await asyncio.wait_for(asyncio.wrap_future(taken), 60)
            assert record.detail.id == first
            assert backend.take_ahead(key, scope) is None  # taken once: a second Enter reads again

            # a save made after it: what was read ahead is not taken
            await read_ahead(scope)
            version = contacts.get_contact(scope, first, audit_view=False).version
            await backend.run_as(scope, contacts.update_contact, first, version, title="Indkøbschef")
            assert backend.take_ahead(key, scope) is None

            # a change seen from another session (the app's change poll)
            await read_ahead(scope)
            backend.changed()
            assert backend.take_ahead(key, scope) is None

            # the session ends, another logs in: nothing read for the first is handed over
            await read_ahead(scope)
            other = crm.session("admin").scope()
            backend.scope = other
            assert backend.take_ahead(key, other) is None
        finally:
            backend.shutdown()

    asyncio.run(scenario())


def test_enter_shows_what_is_saved_now_even_when_another_session_changed_it_after_it_was_highlighted(crm):
    async def scenario():
        from store import contacts
        from store.models import AuditEvent

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            search = app.screen
            contact_id = search.current_id()
            key = ("contact", contact_id)
            # read while highlighted (the store thread is free: it is done in a moment)
            await wait_for(pilot, lambda: key in app.backend._ahead and app.backend._ahead[key][2].done(),
                           what="the highlighted contact read ahead")

            def viewed() -> int:
                return AuditEvent.select().where(
                    (AuditEvent.action == "contact.view") & (AuditEvent.entity_id == contact_id)
                    & (AuditEvent.actor_id == app.scope.user_id)).count()

            assert viewed() == 0  # looked at in the list, not opened: not a view

            other = crm.session("admin").scope()
            version = contacts.get_contact(other, contact_id, audit_view=False).version
            contacts.update_contact(other, contact_id, version, first_name="Rettet")
            # the list follows the change (within a second): the person sees it there first
            await wait_for(pilot, lambda: any(row.id == contact_id and row.name.startswith("Rettet")
                                              for row in search.rows), what="the list showing the change")
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded
                           and app.screen.contact_id == contact_id, what="the contact")
            await settle(pilot)
            assert app.screen.bundle.detail.first_name == "Rettet"
            assert app.screen.version == version + 1
            await wait_for(pilot, lambda: viewed() == 1, what="the view's audit row")
            await settle(pilot)
            assert viewed() == 1  # once: on opening
    asyncio.run(scenario())
