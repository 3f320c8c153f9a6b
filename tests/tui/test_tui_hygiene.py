"""The hygiene screen (admin): the report the console prints, items applied one by one;
the merge screen: two contacts side by side, a value chosen per field, one confirmed merge."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from tui_pilot import login, screen_text, settle, showing, wait_for

from store.db import database
from store.models import AuditEvent, Contact


async def open_hygiene(pilot, app):
    await pilot.press("down", "a")
    await wait_for(pilot, lambda: showing(app, "AdminScreen"))
    await settle(pilot)
    await pilot.press("h")
    await wait_for(pilot, lambda: showing(app, "HygieneScreen") and app.screen.report is not None)
    await settle(pilot)
    return app.screen


def _select(screen, key: str) -> None:
    table = screen.query_one("#hygiene-items")
    keys = [k.value for k in table.rows]
    table.move_cursor(row=keys.index(key))


def test_an_admin_applies_one_retention_item(crm):
    quiet = Contact.select().order_by(Contact.id).first().id
    with database.atomic():
        Contact.update(last_activity_at=dt.datetime(2020, 1, 1)).where(Contact.id == quiet).execute()

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_hygiene(pilot, app)
            assert "Archive inactive | 1 | no activity for 24 months" in screen_text(app)
            _select(screen, "job:archive")
            await pilot.press("a")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: Contact.get_by_id(quiet).archived_at is not None, what="archived")
            await wait_for(pilot, lambda: "Archive inactive | 0 |" in screen_text(app), what="reloaded")
            # one item only: the other jobs were not run
            assert not AuditEvent.select().where(AuditEvent.action == "hygiene.apply").exists()
    asyncio.run(scenario())


def test_an_admin_merges_a_duplicate_choosing_a_value(crm):
    from store import contacts
    from store.scope import Scope

    console = Scope.console()
    first = contacts.create_contact(console, first_name="Søren", last_name="Ærbøl", email="soren@aerbol.dk")
    second = contacts.create_contact(console, first_name="Soeren", last_name="Aerboel", email="soren@aerbol.dk",
                                     title="Indkøber")

    async def scenario():
        app = crm.app(language="da")
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_hygiene(pilot, app)
            assert f"kontakt {first} og {second}: samme e-mail" in screen_text(app)
            _select(screen, f"dup:{first}:{second}")
            await pilot.press("m")
            await wait_for(pilot, lambda: showing(app, "MergeScreen") and app.screen.plan)
            await settle(pilot)
            text = screen_text(app)
            assert "Søren" in text and "Soeren" in text and "Indkøber" in text
            table = app.screen.query_one("#merge-fields")
            table.move_cursor(row=[k.value for k in table.rows].index("title"))
            await pilot.press("space")
            await wait_for(pilot, lambda: app.screen.choices.get("title") == "merged")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: showing(app, "ConfirmModal"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: not Contact.select().where(Contact.id == second).exists(), what="merged")
            kept = Contact.get_by_id(first)
            assert (kept.first_name, kept.title) == ("Søren", "Indkøber")
            await wait_for(pilot, lambda: showing(app, "HygieneScreen"))
            await wait_for(pilot, lambda: f"kontakt {first} og {second}" not in screen_text(app), what="reloaded")
    asyncio.run(scenario())


def test_enter_opens_the_contact_whose_free_text_needs_cleaning(crm):
    from store import notes
    from store.scope import Scope

    cid = Contact.select().order_by(Contact.id).first().id
    notes.add_note(Scope.console(), cid, body="Allergi over for nødder", allow_special=True)

    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "admin")
            screen = await open_hygiene(pilot, app)
            key = next(k for k, (kind, f) in screen.rows.items() if kind == "text" and f.contact_id == cid)
            assert "health (saved anyway)" in screen_text(app)
            _select(screen, key)
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "ContactScreen")
                           and app.screen.contact_id == cid, what="the contact")
    asyncio.run(scenario())


def test_a_manager_has_no_hygiene_key(crm):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            await pilot.press("down", "a")
            await settle(pilot)
            assert type(app.screen).__name__ != "AdminScreen"
    asyncio.run(scenario())


# --- snapshots at 80x24 in both languages (update: pytest tests/tui/test_tui_hygiene.py --snapshot-update)

FIXED_NOW = dt.datetime(2026, 3, 2, 9, 30)  # the template store's frozen dates


async def _table_laid_out(pilot, screen: str, table: str) -> None:
    """The screen's table filled and its columns sized to the rows (a snapshot taken between
    the rows arriving and the next layout shows the header alone at its narrow width)."""
    def ready() -> bool:
        app = pilot.app
        if type(app.screen).__name__ != screen:
            return False
        widget = app.screen.query_one(table)
        return widget.row_count > 0 and widget.virtual_size.width >= sum(c.get_render_width(widget)
                                                                            for c in widget.columns.values())
    await wait_for(pilot, ready, what=f"{screen} laid out")
    await settle(pilot)
    await wait_for(pilot, ready, what=f"{screen} laid out")


@pytest.mark.parametrize("language", ["en", "da"])
def test_hygiene_screen_snapshot(crm, snap_compare, language):
    from tui.screens.hygiene import HygieneScreen

    async def before(pilot):
        await login(pilot, crm, "admin")
        pilot.app.push_screen(HygieneScreen(now=FIXED_NOW))
        await _table_laid_out(pilot, "HygieneScreen", "#hygiene-items")

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("language", ["en", "da"])
def test_merge_screen_snapshot(crm, snap_compare, language):
    from store import contacts
    from store.scope import Scope
    from tui.screens.merge import MergeScreen

    console = Scope.console()
    first = contacts.create_contact(console, first_name="Søren", last_name="Ærbøl", email="soren@aerbol.dk")
    second = contacts.create_contact(console, first_name="Soeren", last_name="Aerboel", email="soren@aerbol.dk",
                                     title="Indkøber")
    with database.atomic():
        Contact.update(created_at=dt.datetime(2026, 3, 2), updated_at=dt.datetime(2026, 3, 2),
                       last_activity_at=dt.datetime(2026, 3, 2)).where(Contact.id.in_([first, second])).execute()

    async def before(pilot):
        await login(pilot, crm, "admin")
        pilot.app.push_screen(MergeScreen(first, second))
        await _table_laid_out(pilot, "MergeScreen", "#merge-fields")

    assert snap_compare(crm.app(language=language), terminal_size=(80, 24), run_before=before)
