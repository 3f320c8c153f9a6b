"""A withdrawal by the one-click unsubscribe link, made through the real `minicrm web`
process, shows at once on a staff member's open consent screen (another session)."""
from __future__ import annotations

import asyncio
import datetime as dt

from mailsink import free_port
from tui_pilot import login, screen_text, settle, show_tab, showing, wait_for
from webclient import Client
from webserver import start_web, stop_web


def test_an_unsubscribe_on_the_web_updates_an_open_consent_screen(crm):
    from store import consent
    from store.consent_texts import current_text
    from store.models import User
    from store.scope import Scope
    from store.unsubscribe import token_for

    port = free_port()
    web = start_web(crm.config(), port)

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            app.screen.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            contact = app.screen
            await show_tab(pilot, contact, "tab-consent")
            contact.query_one("#consents").focus()
            await settle(pilot)
            await pilot.press("c")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
            screen = app.screen
            await settle(pilot)
            # another member of staff records an events consent by phone: this screen follows
            other = Scope(User.get(User.username == "admin"))
            consent.record_consent(other, contact.contact_id, "events", method="phone",
                                   given_on=dt.date.today(), text_id=current_text("events", "da").id,
                                   evidence="Ringede ind og sagde ja")
            screen.query_one("#purposes").move_cursor(row=2)
            await wait_for(pilot, lambda: "Ringede ind" in screen_text(app), what="the new consent")
            # the person clicks one-click unsubscribe in a mail: the web process withdraws it
            reply = await asyncio.to_thread(Client("127.0.0.1", port).post,
                                            f"/unsubscribe/{token_for(contact.contact_id)}",
                                            raw=b"List-Unsubscribe=One-Click")
            assert reply.status == 200
            def events_row():
                return next(c for c in screen.consents if c.purpose == "events")

            await wait_for(pilot, lambda: events_row().status == "withdrawn" and "Unsubscribe link"
                           in screen_text(app), what="the withdrawal on the open screen")
            assert all(c.status != "given" for c in screen.consents if c.channel == "email")
    try:
        asyncio.run(scenario())
    finally:
        assert "Traceback" not in stop_web(web)


def test_a_manager_sends_a_campaign_from_the_consent_screen(crm):
    from mailsink import MailSink

    from store import mailing
    from store.models import User
    from store.scope import Scope

    sink = MailSink().start()
    with open(crm.config_path, "a", encoding="utf-8") as f:
        f.write(f'\n[mail]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
                f'from_address = "nyhed@demo.dk"\ncampaign_per_minute = 100000\n'
                f'\n[web]\nbase_url = "https://crm.demo.dk"\n')
    expected = {r.email for r in mailing.recipients(Scope(User.get(User.username == "admin")), "newsletter")}
    assert expected

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(100, 30)) as pilot:
            await login(pilot, crm, "manager")
            app.screen.action_open()
            await wait_for(pilot, lambda: showing(app, "ContactScreen") and app.screen._loaded)
            contact = app.screen
            await show_tab(pilot, contact, "tab-consent")
            contact.query_one("#consents").focus()
            await settle(pilot)
            await pilot.press("c")
            await wait_for(pilot, lambda: showing(app, "ConsentScreen"))
            await settle(pilot)
            await pilot.press("m")
            await wait_for(pilot, lambda: showing(app, "CampaignModal"))
            modal = app.screen
            modal.query_one("#subject").value = "Åbent hus"
            modal.query_one("#body").text = "Kom forbi på lørdag."
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            assert f"to {len(expected)} people" in screen_text(app)
            await pilot.press("ctrl+s")
            # the report comes once the last mail was accepted: it says what happened, should it differ
            await wait_for(pilot, lambda: any(n.message.startswith("Campaign ") for n in app._notifications),
                           what="the campaign's report")
            report = next(n.message for n in app._notifications if n.message.startswith("Campaign "))
            assert f"sent {len(expected)}, failed 0" in report
            assert len(sink.messages) == len(expected)
    try:
        asyncio.run(scenario())
    finally:
        sink.stop()
    got = {r for rcpts, _m in sink.messages for r in rcpts}
    assert got == expected
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for _r, m in sink.messages)
