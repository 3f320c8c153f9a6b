"""The app's forms ask "Save anyway?" for special-category words and keep the text when the
store refuses a CPR number (store/screening.py does the screening; the forms only ask)."""
from __future__ import annotations

import asyncio

from tui_pilot import login, settle, show_tab, showing, type_text, wait_for


async def open_first(pilot, app):
    """The first result, in editing (it opens read-only: e edits)."""
    app.screen.action_open()
    await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded,
                   what="contact screen")
    await settle(pilot)
    await pilot.press("e")
    await wait_for(pilot, lambda: app.screen.editing, what="editing")
    return app.screen


def _name(app) -> str:
    return type(app.screen).__name__


def test_note_with_a_health_term_asks_save_anyway_and_is_flagged(crm):
    async def scenario():
        from store import notes, screening

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            await show_tab(pilot, screen, "tab-deals")
            screen.query_one("#deals").focus()
            await settle(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: _name(app) == "NoteModal")
            app.screen.query_one("#body").text = "allergi: jordnødder"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: _name(app) == "SaveAnywayModal", what="save anyway?")
            assert "health" in str(app.screen.question)
            await pilot.click("#cancel")  # no: back to the note, the text kept
            await wait_for(pilot, lambda: _name(app) == "NoteModal", what="note reopened")
            assert app.screen.query_one("#body").text == "allergi: jordnødder"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: _name(app) == "SaveAnywayModal")
            await pilot.click("#ok")
            await wait_for(pilot, lambda: _name(app) == "ContactScreen", what="back on the contact")
            scope = crm.session("admin").scope()
            await wait_for(pilot, lambda: any(n.body == "allergi: jordnødder"
                                              for n in notes.notes_of(scope, screen.contact_id)),
                           what="the note saved")
            assert [(f.entity, f.kinds) for f in screening.flagged(scope)] == [("note", ("health",))]
    asyncio.run(scenario())


def test_deal_title_with_a_cpr_number_is_refused_naming_the_field(crm):
    async def scenario():
        from store import deals

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            admin = crm.session("admin").scope()  # once: a TOTP code is accepted only once
            before = len(deals.deals_of(admin, screen.contact_id))
            await show_tab(pilot, screen, "tab-deals")
            screen.query_one("#deals").focus()
            await settle(pilot)
            await pilot.press("d")
            await wait_for(pilot, lambda: _name(app) == "DealModal")
            await type_text(pilot, "Tilbud til Ida (CPR 010190-1234)")
            app.screen.query_one("#amount").value = "1000"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: _name(app) == "DealModal"
                           and "CPR" in str(app.screen.query_one("#form-error").render()),
                           what="the deal form again, with the refusal")
            assert "Deal title" in str(app.screen.query_one("#form-error").render())
            assert app.screen.query_one("#title").value == "Tilbud til Ida (CPR 010190-1234)"
            await pilot.press("escape")
            await wait_for(pilot, lambda: _name(app) == "ContactScreen")
            assert len(deals.deals_of(admin, screen.contact_id)) == before
    asyncio.run(scenario())


def test_contact_job_title_with_a_union_term_asks_save_anyway(crm):
    async def scenario():
        from store import contacts, screening

        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            screen = await open_first(pilot, app)
            screen.query_one("#f-title").value = "Tillidsrepræsentant"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: _name(app) == "SaveAnywayModal", what="save anyway?")
            assert "Job title" in str(app.screen.question) and "trade-union" in str(app.screen.question)
            await pilot.click("#ok")
            await wait_for(pilot, lambda: _name(app) == "ContactScreen")
            admin = crm.session("admin").scope()
            await wait_for(pilot, lambda: contacts.get_contact(admin, screen.contact_id,
                                                               audit_view=False).title == "Tillidsrepræsentant",
                           what="the title saved")
            assert [(f.entity, f.entity_id, f.field) for f in screening.flagged(admin)] == [
                ("contact", screen.contact_id, "title")]
    asyncio.run(scenario())
