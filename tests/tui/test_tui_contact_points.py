"""The contact form edits every e-mail and phone (add, remove, label, primary) and the
address, typed the way people type, saved through the store in one transaction."""
from __future__ import annotations

import asyncio

from test_tui_contact import open_first
from tui_pilot import login, settle, type_text, wait_for


def test_add_label_make_primary_remove_and_address_in_one_save(crm):
    async def scenario():
        from store import contacts
        from store.views import ContactPoint

        app = crm.app()
        async with app.run_test(size=(100, 40)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            contact_id, version = screen.contact_id, screen.version
            scope = crm.session("admin").scope()
            before = contacts.get_contact(scope, contact_id, audit_view=False)

            # a second e-mail: the button, then typing lands in the new row
            screen.query_one("#add-email").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query("#f-email_1") and app.focused is screen.query_one(
                "#f-email_1"), what="the new e-mail row has focus")
            await type_text(pilot, "Privat.Person@Gmail.com")
            screen.query_one("#f-email_1_label").value = "private"
            # make it the primary one: it moves to the first row, the old one below it
            screen.query_one("#f-email_1_primary").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one("#f-email").value == "Privat.Person@Gmail.com",
                           what="the chosen address moved up")
            # a mobile number beside the existing one, then the existing one removed (emptied)
            screen.query_one("#add-phone").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.focused is screen.query_one("#f-phone_1"), what="new phone row")
            await type_text(pilot, "20 30 40 50")
            screen.query_one("#f-phone_1_label").value = "mobile"
            screen.query_one("#f-phone").value = ""
            for name, value in (("address", "Vestergade 12"), ("postcode", "8000"), ("city", "Aarhus C"),
                                ("country", "Danmark")):
                screen.query_one(f"#f-{name}").focus()
                await type_text(pilot, value)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: contacts.get_contact(scope, contact_id, audit_view=False).version
                           > version, what="saved")
            saved = contacts.get_contact(scope, contact_id, audit_view=False)
            assert saved.version == version + 1  # one transaction, one version
            assert saved.emails == (ContactPoint("privat.person@gmail.com", "private", True),
                                    ContactPoint(before.email, before.emails[0].label, False))
            assert saved.phones == (ContactPoint("+4520304050", "mobile", True),)
            assert (saved.address, saved.postcode, saved.city, saved.country) == (
                "Vestergade 12", "8000", "Aarhus C", "Danmark")
            await wait_for(pilot, lambda: screen.version == saved.version, what="the form shows the saved version")
            await settle(pilot)
            assert not screen.editing
            assert "privat.person@gmail.com" in screen.query_one("#card").fields["email"]
            await pilot.press("e")  # editing again starts from the saved version
            await wait_for(pilot, lambda: screen.editing, what="editing")
            assert screen.query_one("#f-email").value == "privat.person@gmail.com"
            assert screen.query_one("#f-phone").value == "+4520304050"
            assert not screen.query("#f-phone_1") or not screen.query_one("#f-phone_1").value
            assert not screen.dirty
    asyncio.run(scenario())


def test_a_bad_second_address_is_named_and_gets_the_focus(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(100, 40)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            screen.query_one("#add-email").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.focused is screen.query_one("#f-email_1"), what="new row")
            await type_text(pilot, "ikke en adresse")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "Email 2" in str(screen.query_one("#form-message").render()),
                           what="the message names the second e-mail")
            assert app.focused is screen.query_one("#f-email_1")
    asyncio.run(scenario())


def test_the_danish_form_speaks_danish(crm):
    async def scenario():
        app = crm.app(language="da")
        async with app.run_test(size=(100, 40)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            assert str(screen.query_one("#add-email").label) == "Tilføj e-mail"
            labels = [str(label) for label, _value in screen.query_one("#f-email_label")._options]
            assert {"Arbejde", "Privat", "Mobil"} <= set(labels)
    asyncio.run(scenario())
