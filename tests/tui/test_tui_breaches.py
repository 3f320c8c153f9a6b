"""The breach register through Pilot: the privacy role records a breach (a refused value keeps the
form open with the reason), sees the 72-hour deadline count down, later records the notification;
the screen speaks Danish too (the role refusal itself: tests/paperwork/test_breaches.py)."""
from __future__ import annotations

import asyncio
import datetime as dt

from tui_pilot import login, screen_text, settle, type_text, wait_for


def _on(app, name):
    return lambda: type(app.screen).__name__ == name


def test_the_privacy_role_records_a_breach_and_its_notification(crm):
    async def scenario():
        from store.models import AuditEvent, Breach, utcnow

        app = crm.app()
        async with app.run_test(size=(130, 40)) as pilot:
            await login(pilot, crm, "privacy")
            await pilot.press("f2")
            await wait_for(pilot, _on(app, "RequestsScreen"))
            await pilot.press("b")
            await wait_for(pilot, _on(app, "BreachesScreen"))
            await settle(pilot)
            assert "0 breaches recorded" in screen_text(app)

            await pilot.press("n")
            await wait_for(pilot, _on(app, "BreachModal"))
            form = app.screen
            await type_text(pilot, "Laptop med kontakt 12 stjålet")  # the focus is on "What happened"
            assert form.query_one("#nature").text == "Laptop med kontakt 12 stjålet"
            form.query_one("#aware_at").value = "i morgen"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "YYYY-MM-DD HH:MM" in str(form.query_one("#form-error").render()),
                           what="the refused time named")
            assert app.screen is form and Breach.select().count() == 0

            aware = utcnow() - dt.timedelta(hours=60)
            form.query_one("#aware_at").value = f"{aware:%Y-%m-%d %H:%M}"
            form.query_one("#people_approx").value = "30"
            form.query_one("#data_categories").select("contact_details")
            await pilot.press("ctrl+s")
            await wait_for(pilot, _on(app, "BreachesScreen"))
            await wait_for(pilot, lambda: "1 breach recorded" in screen_text(app), what="the new breach listed")
            text = screen_text(app)
            assert "Laptop med kontakt 12" in text and " min left" in text and "11 h" in text
            breach = Breach.get()
            assert breach.people_approx == 30 and breach.data_categories == "contact_details"

            await pilot.press("enter")
            await wait_for(pilot, _on(app, "BreachModal"))
            app.screen.query_one("#notified_at").value = f"{utcnow():%Y-%m-%d %H:%M}"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: _on(app, "BreachesScreen")() and "notified " in screen_text(app),
                           what="the notification shown")
            assert Breach.get().notified_at is not None
            actions = [r.action for r in AuditEvent.select().where(AuditEvent.entity == "breach")]
            assert "breach.record" in actions and "breach.update" in actions

    asyncio.run(scenario())


def test_the_register_speaks_danish(crm):
    async def scenario():
        from store import breaches
        from store.models import utcnow
        from store.scope import Scope

        breaches.record_breach(Scope.console(), aware_at=utcnow() - dt.timedelta(hours=80), nature="Forkert modtager")
        app = crm.app(language="da")
        async with app.run_test(size=(130, 40)) as pilot:
            await login(pilot, crm, "admin")
            await pilot.press("f2")
            await wait_for(pilot, _on(app, "RequestsScreen"))
            await pilot.press("b")
            await wait_for(pilot, _on(app, "BreachesScreen"))
            await wait_for(pilot, lambda: "Forkert modtager" in screen_text(app), what="the breach listed")
            assert "overskredet med 8 t" in screen_text(app)
            assert app.screen.title == "Brudregister"

    asyncio.run(scenario())
