"""Consent: record by phone/paper/in person with proof, withdraw, full history."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from tui_pilot import login, screen_text, settle, show_tab, showing, wait_for


async def open_consent(pilot, app):
    app.screen.action_open()
    await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
    screen = app.screen
    await show_tab(pilot, screen, "tab-consent")
    screen.query_one("#consents").focus()
    await settle(pilot)
    await pilot.press("c")
    await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
    await settle(pilot)
    return screen.contact_id, app.screen


@pytest.mark.parametrize("role", ["sales", "privacy"])
def test_record_and_withdraw_consent_with_history(crm, role):
    async def scenario():
        from store import consent

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, role)
            contact_id, screen = await open_consent(pilot, app)
            table = screen.query_one("#purposes")
            table.move_cursor(row=1)  # "offers"
            await settle(pilot)
            await pilot.press("r")
            await wait_for(pilot, lambda: showing(app, "RecordConsentModal"))
            modal = app.screen
            assert modal.query_one("#purpose").value == "offers"
            modal.query_one("#method").value = "paper"
            modal.query_one("#date").value = "2026-01-15"
            # staff pick a published version, never type one: the newest offers text is preselected
            assert str(modal.query_one("#text_version").value) == str(next(
                t.id for t in modal.texts if t.label == "offers-da-v1"))
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "evidence" in screen_text(app).lower()  # evidence is required
            modal.query_one("#evidence").value = "Underskrevet blanket, arkiv 2026/14"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
            await settle(pilot)
            views = {c.purpose: c for c in consent.consents_of(app.scope, contact_id)}
            given = views["offers"]
            assert (given.status, given.method, given.text_version) == ("given", "paper", "offers-da-v1")
            assert given.wording.startswith("Ja tak") and given.wording[:30] in screen_text(app)
            assert given.given_at.date() == dt.date(2026, 1, 15)
            assert given.events[0].evidence == "Underskrevet blanket, arkiv 2026/14"
            assert given.events[0].actor == role
            assert "Underskrevet blanket" in screen_text(app)
            if role == "privacy":  # privacy withdraws while handling the person's request (Art. 21)
                from store.rights import add_request

                add_request(app.scope, contact_id, "objection")
            await pilot.press("w")
            await wait_for(pilot, lambda: showing(app, "WithdrawConsentModal"))
            app.screen.query_one("#evidence").value = "Ringede og sagde nej tak"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
            await settle(pilot)
            withdrawn = {c.purpose: c for c in consent.consents_of(app.scope, contact_id)}["offers"]
            assert withdrawn.status == "withdrawn"
            assert [e.event for e in withdrawn.events] == ["withdrawn", "given"]
            text = screen_text(app)
            assert "Withdrawn" in text and "Given" in text
            # nothing left to withdraw: the key is shown disabled
            assert screen.check_action("withdraw", ()) is None
    asyncio.run(scenario())


def test_future_date_and_bad_date_are_refused(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            await open_consent(pilot, app)
            await pilot.press("r")
            await wait_for(pilot, lambda: showing(app, "RecordConsentModal"))
            modal = app.screen
            modal.query_one("#evidence").value = "x"
            modal.query_one("#date").value = "31.02.2026"
            await pilot.press("ctrl+s")
            assert "not valid" in str(modal.query_one("#form-error").render())
            modal.query_one("#date").value = (dt.date.today() + dt.timedelta(days=3)).isoformat()
            await pilot.press("ctrl+s")
            assert "future" in str(modal.query_one("#form-error").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
    asyncio.run(scenario())


def test_consent_store_rules(crm):
    from store import consent
    from store.errors import Invalid
    from store.scope import Forbidden

    finance = crm.session("finance").scope()
    with pytest.raises(Forbidden):
        consent.record_consent(finance, 1, "newsletter", method="phone", given_on=dt.date.today(),
                               text_id=1, evidence="x")
    manager = crm.session("manager").scope()
    with pytest.raises(Invalid):
        consent.record_consent(manager, 1, "newsletter", method="web_double_opt_in",
                               given_on=dt.date.today(), text_id=1, evidence="x")
    with pytest.raises(consent.NotGiven):
        consent.withdraw_consent(manager, 1, "events", method="phone")
