"""Invoices finance can act on and follow-ups, through the real app (issue 17): the filters and
their totals, Enter opens an invoice, mark paid; a follow-up added on a contact shows on the
owner's home list, overdue ones first, and Enter there opens the contact.  Keys are sent the
way a fast typist sends them: all queued at once (tui_pilot.type_text, press_fast)."""
from __future__ import annotations

import asyncio
import datetime as dt

from tui_pilot import login, screen_text, settle, show_tab, type_text, wait_for


async def press_fast(pilot, *keys: str) -> None:
    """Named keys (enter, down, f3 ...) queued at once, like type_text's characters."""
    from textual import events

    driver = pilot.app._driver
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await pilot.pause()


def _is(app, name: str) -> bool:
    return type(app.screen).__name__ == name


def test_finance_filters_overdue_opens_an_invoice_and_marks_it_paid(crm):
    async def scenario():
        from store import invoices

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "finance")
            screen = app.screen
            assert _is(app, "InvoicesScreen") and screen.status == "unpaid"
            await wait_for(pilot, lambda: screen.rows, what="unpaid invoices")
            assert all(r.paid_on is None for r in screen.rows)
            # "f" typed in the search box is a letter of the search; from the list it is the filter
            await press_fast(pilot, "down", "f")
            await wait_for(pilot, lambda: screen.status == "overdue" and screen.rows, what="overdue filter")
            await settle(pilot)
            today = dt.date.today()
            assert {r.state(today) for r in screen.rows} == {"overdue"}
            count = screen.query_one("#count").text
            assert count.startswith(f"{sum(t.count for t in screen.totals)} invoices · Total: DKK ")
            scope = crm.session("admin").scope()
            expected = invoices.invoice_totals(scope, status="overdue", today=today)
            assert screen.totals == expected
            first = screen.rows[0]

            await press_fast(pilot, "enter")
            await wait_for(pilot, lambda: _is(app, "InvoiceScreen") and app.screen.invoice, what="invoice")
            text = screen_text(app)
            assert first.number in text and "Overdue" in text and "Kept until" in text

            await press_fast(pilot, "p")
            await wait_for(pilot, lambda: _is(app, "MarkPaidModal"), what="mark paid form")
            await press_fast(pilot, "enter")  # today, as offered
            await wait_for(pilot, lambda: _is(app, "InvoiceScreen") and app.screen.invoice.paid_on == today,
                           what="marked paid")
            assert invoices.get_invoice(scope, first.id).paid_on == today

            await press_fast(pilot, "escape")
            await wait_for(pilot, lambda: _is(app, "InvoicesScreen"), what="back to the list")
            await wait_for(pilot, lambda: first.id not in [r.id for r in screen.rows], what="left the overdue list")
            await settle(pilot)
            assert screen.totals == invoices.invoice_totals(scope, status="overdue", today=today)
    asyncio.run(scenario())


def test_search_letters_type_into_the_box_not_the_filter(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "finance")
            await type_text(pilot, "fpe")
            await settle(pilot)
            assert app.screen.query_one("#search").value == "fpe"
            assert app.screen.status == "unpaid" and _is(app, "InvoicesScreen")
    asyncio.run(scenario())


def test_sales_may_not_mark_paid_there_is_no_such_key(crm):
    """Sales has no invoice screen at all; admin's contact tab opens the invoice read from there."""
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            assert _is(app, "SearchScreen")
            assert not app.scope.can("invoice.edit")
    asyncio.run(scenario())


def test_enter_on_a_contacts_invoice_opens_it(crm):
    async def scenario():
        from store.models import Invoice

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            contact_id = Invoice.select(Invoice.contact).where(Invoice.contact.is_null(False)).scalar()
            from tui.screens.contact import ContactScreen

            app.push_screen(ContactScreen(contact_id))
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and app.screen._loaded, what="contact")
            screen = app.screen
            await show_tab(pilot, screen, "tab-invoices")
            screen.query_one("#invoices").focus()
            await settle(pilot)
            await press_fast(pilot, "enter")
            await wait_for(pilot, lambda: _is(app, "InvoiceScreen") and app.screen.invoice, what="invoice")
            assert app.screen.invoice.contact_id == contact_id
    asyncio.run(scenario())


def test_a_follow_up_added_on_a_contact_shows_on_the_home_list_and_opens_it(crm):
    async def scenario():
        from store import followups

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            home = app.screen
            panel = home.query_one("#today")
            await wait_for(pilot, lambda: panel.follow_ups, what="the today list")
            before = len(panel.follow_ups)
            assert home.focused is home.query_one("#search")  # the list never takes the search box's focus

            await press_fast(pilot, "down", "enter")
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and app.screen._loaded, what="contact")
            contact = app.screen
            # the contact form has the focus until the browsing mode lands (issue 17, branch keys)
            contact.set_focus(None)
            await press_fast(pilot, "f")
            await type_text(pilot, "Ring om tilbuddet på varmepumpen")
            await press_fast(pilot, "enter")
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and any(
                f.body == "Ring om tilbuddet på varmepumpen" for f in contact.bundle.follow_ups), what="added")
            assert contact.query_one("#tabs").active == "tab-follow-ups"
            assert "Ring om tilbuddet på varmepumpen" in screen_text(app)

            await press_fast(pilot, "escape")
            await wait_for(pilot, lambda: _is(app, "SearchScreen") and len(panel.follow_ups) == before + 1,
                           what="on the home list")
            today = dt.date.today()
            states = [f.state(today) for f in panel.follow_ups]
            assert states == sorted(states, key=["overdue", "today"].index)  # overdue ones first
            assert panel.follow_ups[-1].body == "Ring om tilbuddet på varmepumpen"
            scope = crm.session("admin").scope()
            assert [f.id for f in panel.follow_ups] == [
                f.id for f in followups.due_follow_ups(scope, owner_id=app.scope.user_id)]

            await press_fast(pilot, "f3")
            await wait_for(pilot, lambda: home.focused is home.query_one("#today-table"), what="into the list")
            await press_fast(pilot, *["down"] * (len(panel.follow_ups) - 1), "enter")
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and app.screen._loaded, what="opened")
            assert app.screen.contact_id == contact.contact_id
    asyncio.run(scenario())


def test_done_from_the_contact_takes_it_off_the_home_list(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            home = app.screen
            panel = home.query_one("#today")
            await wait_for(pilot, lambda: panel.follow_ups, what="the today list")
            first = panel.follow_ups[0]
            await press_fast(pilot, "f3", "enter")
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and app.screen._loaded, what="contact")
            contact = app.screen
            assert contact.contact_id == first.contact_id
            contact.set_focus(None)  # see above: until the browsing mode lands
            index = [f.id for f in contact.bundle.follow_ups].index(first.id)
            await press_fast(pilot, "x")  # shows the Follow-ups tab first
            await wait_for(pilot, lambda: contact.query_one("#tabs").active == "tab-follow-ups", what="tab")
            contact.query_one("#follow-ups").move_cursor(row=index)
            await press_fast(pilot, "x")
            await wait_for(pilot, lambda: any(f.id == first.id and f.done_at for f in contact.bundle.follow_ups),
                           what="done")
            await press_fast(pilot, "escape")
            await wait_for(pilot, lambda: _is(app, "SearchScreen") and first.id not in [
                f.id for f in panel.follow_ups], what="off the home list")
    asyncio.run(scenario())


def test_finance_corrects_the_amount_and_due_date_in_danish(crm):
    async def scenario():
        from store import invoices

        app = crm.app(language="da")
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "finance")
            screen = app.screen
            await wait_for(pilot, lambda: screen.rows, what="unpaid invoices")
            first = screen.rows[0]
            await press_fast(pilot, "down", "e")
            await wait_for(pilot, lambda: _is(app, "InvoiceEditModal") and app.screen.query_one("#amount"),
                           what="the correction form")
            form = app.screen
            assert form.query_one("#amount").value == f"{first.amount_minor // 100:,}".replace(",", ".") + ",00"
            form.query_one("#amount").value = ""
            form.query_one("#due_on").value = ""
            form.query_one("#amount").focus()
            await type_text(pilot, "12.345,50")
            form.query_one("#due_on").focus()
            await type_text(pilot, "31.12.2030")
            await press_fast(pilot, "ctrl+s")
            await wait_for(pilot, lambda: _is(app, "InvoicesScreen"), what="saved")
            scope = crm.session("admin").scope()
            saved = invoices.get_invoice(scope, first.id)
            assert (saved.amount_minor, saved.due_on) == (1_234_550, dt.date(2030, 12, 31))
            assert saved.version == first.version + 1
            await wait_for(pilot, lambda: any(r.id == first.id and r.amount_minor == 1_234_550
                                              for r in screen.rows), what="the list shows it")
    asyncio.run(scenario())


def test_privacy_reads_an_invoice_but_has_no_keys_to_change_it(crm):
    """Privacy reads the invoices of a person whose request it handles; the store would refuse
    an edit (tests/store/test_invoices.py), and the screen offers none."""
    async def scenario():
        from store.db import database
        from store.models import DataSubjectRequest, Invoice, User

        invoice = Invoice.select().where(Invoice.contact.is_null(False)).first()
        with database.atomic():
            DataSubjectRequest.create(contact=invoice.contact_id, kind="access", received_on=dt.date.today(),
                                      due_on=dt.date.today() + dt.timedelta(days=30), status="open",
                                      handler=User.get(User.username == "privacy").id)
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "privacy")
            from tui.screens.invoice import InvoiceScreen

            app.push_screen(InvoiceScreen(invoice.id))
            await wait_for(pilot, lambda: _is(app, "InvoiceScreen") and app.screen.invoice, what="the invoice")
            await settle(pilot)
            screen = app.screen
            assert screen.invoice.number == invoice.number
            assert not any(screen.check_action(a, ()) for a in ("mark_paid", "mark_unpaid", "edit"))
            await press_fast(pilot, "p", "e")
            await settle(pilot)
            assert app.screen is screen and Invoice.get_by_id(invoice.id).version == invoice.version
    asyncio.run(scenario())


def test_f_on_the_deals_tab_puts_the_follow_up_on_the_highlighted_deal(crm):
    async def scenario():
        from store.models import Deal, FollowUp, User

        sales_id = User.get(User.username == "sales").id
        deal = Deal.select().where((Deal.owner == sales_id) & Deal.contact.is_null(False)).first()
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            from tui.screens.contact import ContactScreen

            app.push_screen(ContactScreen(deal.contact_id))
            await wait_for(pilot, lambda: _is(app, "ContactScreen") and app.screen._loaded, what="contact")
            contact = app.screen
            await show_tab(pilot, contact, "tab-deals")
            table = contact.query_one("#deals")
            contact.set_focus(table)
            table.move_cursor(row=[d.id for d in contact.bundle.deals].index(deal.id))
            await settle(pilot)
            await press_fast(pilot, "f")
            text = "Send kontrakten til Aarhus-kontoret"
            await type_text(pilot, text)
            await press_fast(pilot, "enter")
            await wait_for(pilot, lambda: FollowUp.select().where(FollowUp.body == text).exists(), what="saved")
            saved = FollowUp.get(FollowUp.body == text)
            assert (saved.deal_id, saved.contact_id, saved.owner_id) == (deal.id, deal.contact_id, sales_id)
            await wait_for(pilot, lambda: any(f.deal_title == deal.title for f in contact.bundle.follow_ups
                                              if f.id == saved.id), what="shown with its deal")
    asyncio.run(scenario())
