"""The privacy desk through Pilot, as the privacy role: a person found by name, a request
registered, the identity check, export (bundle attached, fetch command shown), restriction and
lifting it, rectification through the contact form, erasure with the typed id, request closed."""
from __future__ import annotations

import asyncio
import zipfile

from tui_pilot import login, screen_text, settle, type_text, wait_for


def _person():
    """A contact with a private note by a sales user, and its search word."""
    from store.db import database
    from store.models import Contact, Note, User

    contact = Contact.select().order_by(Contact.id).first()
    with database.atomic():
        Note.create(contact=contact.id, author=User.get(User.username == "sales").id, category="other",
                    body="Privat: hemmeligxq", visibility="private")
    return contact.id, contact.first_name, contact.last_name


def _on(app, name):
    return lambda: type(app.screen).__name__ == name


def test_the_whole_desk_as_the_privacy_role(crm):
    async def scenario():
        from store.models import AuditEvent, Contact, DataSubjectRequest
        from store.runtime import current

        cid, _first, last = _person()
        app = crm.app()
        async with app.run_test(size=(120, 36)) as pilot:
            await login(pilot, crm, "privacy")
            await wait_for(pilot, lambda: "due within 7 days" in screen_text(app), what="desk line")
            await type_text(pilot, last[:4])
            await wait_for(pilot, lambda: str(cid) in screen_text(app) and last in screen_text(app))
            search = app.screen
            await pilot.press("down")
            while search.current_id() != cid:
                await pilot.press("j")
            await pilot.press("r")  # one key: a request for this person
            await wait_for(pilot, _on(app, "NewRequestModal"))
            assert f"contact id {cid}" in screen_text(app)
            app.screen.query_one("#kind").value = "erasure"
            app.screen.query_one("#channel").value = "letter"
            await pilot.press("ctrl+s")
            await wait_for(pilot, _on(app, "RequestScreen"))
            await settle(pilot)
            screen = app.screen
            rid = screen.request_id
            assert "not verified yet" in screen_text(app)
            assert screen.check_action("export", ()) is False and screen.check_action("erase", ()) is False
            await pilot.press("x")  # refused: no identity check yet
            await settle(pilot)
            assert DataSubjectRequest.get_by_id(rid).exported_at is None

            await pilot.press("i")
            await wait_for(pilot, _on(app, "ChoiceModal"))
            app.screen.query_one("#choice").value = "id_document"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "Identity document checked, checked by privacy" in screen_text(app))

            await pilot.press("x")
            await wait_for(pilot, lambda: "export fetch" in screen_text(app), what="fetch command")
            row = DataSubjectRequest.get_by_id(rid)
            assert (f"ssh crm@server export fetch {rid} --otp <code> > person.zip") in screen_text(app)
            bundle = current().config.export_dir / row.bundle_name
            with zipfile.ZipFile(bundle) as zipped:
                data = zipped.read(next(n for n in zipped.namelist() if n.endswith("/data.json"))).decode()
            assert "hemmeligxq" in data  # the private note is the person's data (Art. 15) ...
            assert "hemmeligxq" not in screen_text(app)  # ... but never on the handler's screen

            await pilot.press("t")
            await wait_for(pilot, lambda: "Processing: restricted" in screen_text(app))
            assert Contact.get_by_id(cid).restricted_at is not None
            await pilot.press("t")
            await wait_for(pilot, lambda: "Processing: not restricted" in screen_text(app))

            await pilot.press("r")  # rectification: the normal contact form
            await wait_for(pilot, _on(app, "ContactScreen"))
            await settle(pilot)
            assert f"Contact id: {cid}" in screen_text(app)
            assert "hemmeligxq" not in screen_text(app)
            app.screen.query_one("#f-title").value = "Rettet titel"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: AuditEvent.select().where(AuditEvent.action == "request.rectify").exists())
            await pilot.press("escape")
            await wait_for(pilot, _on(app, "RequestScreen"))

            await pilot.press("e")
            await wait_for(pilot, _on(app, "EraseModal"))
            plan = screen_text(app)
            assert "Deleted: 1 contact" in plan and "Kept:" in plan
            await type_text(pilot, "999")
            await pilot.press("enter")  # the wrong id: nothing happens
            await wait_for(pilot, lambda: "Type the contact id" in screen_text(app))
            assert Contact.select().where(Contact.id == cid).exists()
            app.screen.query_one("#confirm").value = ""
            await type_text(pilot, str(cid))
            await pilot.press("enter")
            await wait_for(pilot, lambda: "Status: Completed: erased: ledger entry" in screen_text(app))
            assert not Contact.select().where(Contact.id == cid).exists()
            await pilot.press("escape")
            await wait_for(pilot, _on(app, "SearchScreen"))
            await pilot.press("f2")
            await wait_for(pilot, _on(app, "RequestsScreen"))
            await wait_for(pilot, lambda: "erased: ledger entry" in screen_text(app))
            assert "Erasure" in screen_text(app) and "Letter" in screen_text(app)
    asyncio.run(scenario())


def test_request_keys_are_for_handlers_and_letters_type_in_fields(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            search = app.screen
            assert search.may("request") is False and search.may("requests") is False
            assert "Id" not in screen_text(app).splitlines()[0:3]
        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "admin")
            await type_text(pilot, "sor")  # 'r' typed into the search box, not a command
            await settle(pilot)
            assert app.screen.query_one("#search").value == "sor"
            assert type(app.screen).__name__ == "SearchScreen"
    asyncio.run(scenario())
