"""Contact detail: edit with validation, conflicts, deals, notes, invoices, history, per role."""
from __future__ import annotations

import asyncio

import pytest
from tui_pilot import login, screen_text, settle, show_tab, showing, type_text, wait_for


async def open_first(pilot, app, edit=True):
    """Open the first result; `edit`: press e, as a user does to change it (it opens read-only)."""
    app.screen.action_open()
    await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded,
                   what="contact screen")
    await settle(pilot)
    if edit and app.screen.may_edit():
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.editing, what="editing")
    return app.screen


def set_field(screen, name, value):
    screen.query_one(f"#f-{name}").value = value


def test_edit_and_save_with_validation(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            contact_id, version = screen.contact_id, screen.version
            set_field(screen, "email", "not-an-email")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "Email: is not a valid email address" in str(screen.query_one("#form-message").render())
            set_field(screen, "email", "ny.mail@firma.dk")
            set_field(screen, "phone", "20 12 34 56")
            set_field(screen, "title", "Indkøbschef")
            set_field(screen, "tags", "vip, messe-2026")
            await pilot.press("ctrl+s")
            await settle(pilot)
            scope = crm.session("admin").scope()
            saved = contacts.get_contact(scope, contact_id, audit_view=False)
            assert (saved.email, saved.phone, saved.title) == ("ny.mail@firma.dk", "+4520123456", "Indkøbschef")
            assert set(saved.tags) == {"vip", "messe-2026"}
            assert saved.version > version
            await wait_for(pilot, lambda: screen.version == saved.version, what="reload after save")
            assert not screen.editing  # saved: back to reading it, the card shows what was stored
            assert "+4520123456" in screen.query_one("#card").fields["phone"].replace(" ", "")
            await pilot.press("e")  # editing again starts from the saved version
            await wait_for(pilot, lambda: screen.editing, what="editing")
            assert screen.query_one("#f-phone").value == "+4520123456"
    asyncio.run(scenario())


def test_bad_phone_is_refused_and_named(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            set_field(screen, "phone", "12")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "Phone:" in str(screen.query_one("#form-message").render())
            assert app.focused is screen.query_one("#f-phone")
    asyncio.run(scenario())


def test_conflict_says_who_and_keeps_what_was_typed(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            contact_id = screen.contact_id
            set_field(screen, "title", "Min titel")
            # Another user saves first (another session, another connection).
            other = crm.session("admin").scope()
            current = contacts.get_contact(other, contact_id, audit_view=False)
            contacts.update_contact(other, contact_id, current.version, last_name="Andetnavn")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ConflictModal"), what="conflict")
            text = screen_text(app)
            assert "admin saved changes at" in text
            await pilot.press("ctrl+s")  # OK: reload, keep typing
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            await settle(pilot)
            assert screen.query_one("#f-last_name").value == "Andetnavn"  # their change
            assert screen.query_one("#f-title").value == "Min titel"  # my typing kept
            await pilot.press("ctrl+s")
            await settle(pilot)
            saved = contacts.get_contact(other, contact_id, audit_view=False)
            assert (saved.last_name, saved.title) == ("Andetnavn", "Min titel")
    asyncio.run(scenario())


def test_create_contact(crm):
    async def scenario():
        from store import contacts

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            await pilot.press("down", "n")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            screen = app.screen
            await settle(pilot)
            await type_text(pilot, "Åse")
            set_field(screen, "last_name", "Ærø")
            set_field(screen, "email", "aase@aeroe.dk")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.contact_id is not None, what="created")
            found = contacts.search_contacts(crm.session("manager").scope(), "aase aero")
            assert [c.name for c in found] == ["Åse Ærø"]
            assert found[0].owner == "sales"
    asyncio.run(scenario())


def test_deal_and_note_and_stage(crm):
    async def scenario():
        from store import deals, notes

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            await show_tab(pilot, screen, "tab-deals")
            screen.query_one("#deals").focus()
            await settle(pilot)
            await pilot.press("d")
            await wait_for(pilot, lambda: showing(app, "DealModal"))
            await type_text(pilot, "Serviceaftale 2027")
            app.screen.query_one("#amount").value = "12500,50"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            await settle(pilot)
            scope = crm.session("admin").scope()
            mine = [d for d in deals.deals_of(scope, screen.contact_id) if d.title == "Serviceaftale 2027"]
            assert mine and mine[0].amount_minor == 1250050
            assert "DKK 12,500.50" in screen_text(app)
            # stage
            row = [d.id for d in screen.bundle.deals].index(mine[0].id)
            screen.query_one("#deals").move_cursor(row=row)
            await pilot.press("s")
            await wait_for(pilot, lambda: showing(app, "ChoiceModal"))
            app.screen.query_one("#choice").value = "won"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            await settle(pilot)
            assert [d.stage for d in deals.deals_of(scope, screen.contact_id) if d.id == mine[0].id] == ["won"]
            # note
            await pilot.press("n")
            await wait_for(pilot, lambda: showing(app, "NoteModal"))
            app.screen.query_one("#body").text = "Ringede: vil have tilbud."
            app.screen.query_one("#visibility").value = "private"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"))
            await settle(pilot)
            manager_notes = notes.notes_of(app.scope, screen.contact_id)
            assert any(n.body == "Ringede: vil have tilbud." and n.visibility == "private" for n in manager_notes)
            # private: another user does not see it
            assert not any(n.body == "Ringede: vil have tilbud." for n in notes.notes_of(scope, screen.contact_id))
    asyncio.run(scenario())


@pytest.mark.parametrize("role, tabs", [
    ("admin", {"tab-details", "tab-deals", "tab-notes", "tab-follow-ups", "tab-invoices", "tab-consent",
               "tab-history"}),
    ("manager", {"tab-details", "tab-deals", "tab-notes", "tab-follow-ups", "tab-consent"}),
    ("sales", {"tab-details", "tab-deals", "tab-notes", "tab-follow-ups", "tab-consent"}),
    ("privacy", {"tab-details", "tab-deals", "tab-notes", "tab-invoices", "tab-consent", "tab-history"}),
])
def test_tabs_and_keys_follow_the_role(crm, role, tabs):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, role)
            screen = await open_first(pilot, app)
            shown = {pane.id for pane in screen.query("TabPane")}
            assert shown == tabs
            await show_tab(pilot, screen, "tab-consent")
            screen.query_one("#consents").focus()
            await settle(pilot)
            may_write = role in ("admin", "manager", "sales")
            assert screen.check_action("new_deal", ()) is may_write
            assert screen.check_action("new_note", ()) is may_write
            assert screen.check_action("new_follow_up", ()) is may_write
            assert screen.may("save") is True  # privacy may rectify
            if role == "privacy":
                assert screen.query_one("#f-lifecycle").disabled
                assert not screen.query_one("#f-email").disabled
                assert screen.query_one("#f-tags").disabled
            # the view is audited (written just after the contact is painted, never on its way)
            from store.models import AuditEvent
            await wait_for(pilot, lambda: AuditEvent.select().where(
                (AuditEvent.action == "contact.view") & (AuditEvent.entity_id == screen.contact_id)
                & (AuditEvent.actor_id == app.scope.user_id)).exists(), what="the view's audit row")
            if "tab-history" in tabs:  # and is in the history the next time the record is read
                from store.contact_record import load_record
                history = load_record(app.scope, screen.contact_id, audit_view=False).history
                assert history[0].action == "contact.view"
    asyncio.run(scenario())


def test_store_refuses_what_the_ui_hides(crm):
    """Role-aware UI is a convenience; the store is the guard."""
    from store import deals, notes
    from store.scope import Forbidden

    privacy = crm.session("privacy").scope()
    with pytest.raises(Forbidden):
        notes.add_note(privacy, 1, body="x")
    with pytest.raises(Forbidden):
        deals.create_deal(privacy, 1, title="x", amount_minor=1)
    finance = crm.session("finance").scope()
    from store import contacts

    assert contacts.search_contacts(finance, "") == []


def test_company_and_cvr_are_edited_with_the_cvr_check(crm):
    async def scenario():
        from store import contacts, search

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            contact_id = screen.contact_id
            set_field(screen, "company", "Århus VVS ApS")
            set_field(screen, "company_cvr", "12345678")  # fails modulus 11
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "CVR: is not a valid CVR number" in str(screen.query_one("#form-message").render())
            set_field(screen, "company_cvr", "12345674")
            await pilot.press("ctrl+s")
            await settle(pilot)
            scope = crm.session("admin").scope()
            saved = contacts.get_contact(scope, contact_id, audit_view=False)
            assert (saved.company, saved.company_cvr) == ("Århus VVS ApS", "12345674")
            assert contact_id in [r.id for r in contacts.search_contacts(scope, "arhus vvs")]
            await wait_for(pilot, lambda: screen.query_one("#f-company_cvr").value == "12345674",
                           what="reload after save")
            assert search.fold("Århus") == "arhus"
    asyncio.run(scenario())


def test_roles_without_company_editing_see_the_company_read_only(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "privacy")
            screen = await open_first(pilot, app)
            assert not screen.query("#f-company") and screen.query("#company")
    asyncio.run(scenario())


def test_the_next_contact_opened_shows_only_its_own_record(crm):
    """The contact screen is kept and refilled (issue 17: Enter to the contact): the second
    contact opened shows its own fields, tabs and title, nothing typed into the first, and
    keys typed the moment Enter is sent land on the second; a new login gets a new screen."""
    async def scenario():
        from textual.widgets import Input

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            search = app.screen
            first_id, second_id = search.rows[0].id, search.rows[1].id
            first = await open_first(pilot, app)          # edits the first, then leaves unsaved
            set_field(first, "title", "Skrevet i den første")
            await pilot.press("escape")                  # asks: discard? OK
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"), what="the question")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is first and not first.editing, what="browsing")
            await show_tab(pilot, first, "tab-notes")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is search, what="back on the search")
            search.query_one("#results").move_cursor(row=1)
            await settle(pilot)
            search.query_one("#results").focus()
            await type_text(pilot, "\rn")                # Enter and at once n: a note on the second
            await wait_for(pilot, lambda: showing(app, "NoteModal"), what="the note form")
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "ContactScreen"), what="the contact")
            second = app.screen
            assert second is first                      # the same screen, refilled
            detail = second.bundle.detail
            assert second.contact_id == second_id != first_id and detail.id == second_id
            card = second.query_one("#card")
            assert card.fields["first_name"] == detail.first_name and "Skrevet" not in card.plain
            assert str(second.title).startswith(detail.first_name)
            assert second.query_one("#tabs").active == "tab-details" and not second.editing
            assert not isinstance(app.focused, Input)
            await pilot.press("e")
            await wait_for(pilot, lambda: second.editing, what="editing")
            assert second.query_one("#f-first_name").value == detail.first_name
            assert second.query_one("#f-title").value == detail.title  # not the first one's typing
            await pilot.press("escape")
            await wait_for(pilot, lambda: not second.editing, what="browsing")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is search, what="back on the search")
            await app.end_session()
            await login(pilot, crm, "admin")
            app.screen.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded,
                           what="the contact, as admin")
            assert app.screen is not first and not first.is_attached  # a login gets its own screen
            assert app.screen.query("#tab-history") and not first.query("#tab-history")  # by role
    asyncio.run(scenario())


def test_the_first_contact_after_login_opens_from_the_screen_built_ahead(crm):
    """The contact screen is built while the home screen waits (issue 17: the first Enter of
    a login was its slowest): the first contact opened is that screen, filled, with its own
    keys in the footer, edits with e, and says "Saved." under the record it saved.  After a
    logout the screens that showed the record are gone from memory, not kept frozen."""
    async def scenario():
        import gc
        import weakref

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            await wait_for(pilot, lambda: getattr(app, "_contact_reader", None) is not None,
                           what="the contact screen built ahead")
            ahead = app._contact_reader[1]
            search = app.screen
            expected = search.rows[0]
            search.query_one("#results").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is ahead and ahead._loaded, what="the contact")
            assert ahead.contact_id == expected.id and str(ahead.title).startswith(ahead.bundle.detail.first_name)
            from tui.widgets.footer import Footer

            footer = ahead.query_one(Footer).render().plain  # what the footer draws now
            assert "e Edit" in footer and "n New note" in footer
            await pilot.press("e")
            await wait_for(pilot, lambda: ahead.editing, what="editing")
            ahead.query_one("#f-title").value = "Indkøbschef"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not ahead.editing and "Saved." in screen_text(app), what="Saved.")
            assert "Indkøbschef" in ahead.query_one("#card").plain
            assert "BROWSING" in ahead.sub_title
            gone = weakref.ref(ahead)
            ahead = search = footer = None  # (the test lets go of them too)
            await pilot.press("escape")
            await app.end_session()
            await settle(pilot)
            # the logout's screens collected: what they showed is not kept (once the tasks that
            # finish their removal have run: under load a moment later)
            await wait_for(pilot, lambda: gc.collect() >= 0 and gone() is None,
                           what="the logged-out contact screen collected")
    asyncio.run(scenario())


def test_a_contact_opened_while_the_screen_built_ahead_is_still_mounting_saves(crm):
    """Over SSH the first Enter can come before the screen built ahead has mounted: the
    contact is shown with its version, and a save is saved, not refused as a conflict."""
    async def scenario():
        from tui.screens.contact import drop_kept_contact, open_contact, prepare_contact

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            expected = app.screen.rows[0]
            await settle(pilot)
            drop_kept_contact(app)          # (the one built after the login: built again, and ...)
            prepare_contact(app)            # ... in the same moment
            open_contact(app, expected.id)  # ... Enter on the first result
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded,
                           what="the contact")
            screen = app.screen
            await wait_for(pilot, lambda: screen.version is not None, what="its version")
            assert screen.version == screen.bundle.detail.version and screen.contact_id == expected.id
            await pilot.press("e")
            await wait_for(pilot, lambda: screen.editing, what="editing")
            screen.query_one("#f-title").value = "Indkøbschef"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "Saved." in screen_text(app), what="Saved.")
            assert type(app.screen).__name__ == "ContactScreen" and "Indkøbschef" in screen.query_one("#card").plain
    asyncio.run(scenario())


def test_a_session_revoked_while_the_contact_screen_is_built_ahead_says_so(crm):
    """A revocation can reach the app in the moment after the contact screen was built ahead
    and before it composed (the session's scope is gone by then): the person sees why the
    session ended, on the login screen, and the app keeps running (over SSH it crashed:
    "unexpected error (AttributeError)")."""
    async def scenario():
        from store import auth
        from store.errors import EndReason
        from tui.screens.contact import drop_kept_contact, prepare_contact

        app = crm.app(check_interval=3600)  # the test ends the session itself
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "sales")
            await settle(pilot)
            drop_kept_contact(app)  # (the one built after the login: built again, and ...)
            prepare_contact(app)
            auth.revoke(crm.session("admin").scope(), "sales", hand_over_to="manager")
            app.session_ended(EndReason.REVOKED)  # ... revoked in the same moment
            await wait_for(pilot, lambda: showing(app, "LoginScreen"), what="the login screen")
            await settle(pilot)
            assert app.is_running and app.session is None
            assert "revoked" in str(app.screen.query_one("#login-message").render())
    asyncio.run(scenario())


def test_letters_typed_while_a_reload_is_under_way_are_kept(crm):
    """A change elsewhere (an import's every chunk tells every screen) reloads the contact
    from a clean form; the letters typed while that reload waited for the store stayed only
    until it came back and refilled the form (seen under load: "Lars" + x saved as "Lars",
    and ctrl+s then had nothing to save).  They are kept and saved."""
    async def scenario():
        import threading

        from store import contacts

        app = crm.app(check_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            original = screen.bundle.detail.first_name
            screen.query_one("#f-first_name").focus()
            busy = threading.Event()  # the store thread busy (another query): the reload waits its turn
            slow_query = asyncio.ensure_future(app.backend.run(busy.wait, 60))
            screen.reload()  # what a change elsewhere starts, from a clean form
            await pilot.pause()
            await pilot.press("end", "x")  # typed while the reload waits
            await wait_for(pilot, lambda: screen.query_one("#f-first_name").value == original + "x",
                           what="the letter in the field")
            busy.set()
            await slow_query
            await settle(pilot)
            assert screen.query_one("#f-first_name").value == original + "x"  # not overwritten
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "Saved." in screen_text(app), what="Saved.")
            saved = contacts.get_contact(app.scope, screen.contact_id, audit_view=False)
            assert saved.first_name == original + "x"
    asyncio.run(scenario())
