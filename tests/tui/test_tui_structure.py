"""Layering and start-up: the store never loads the UI; the login screen paints before the store loads."""
from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return set(out.split())


def test_store_services_do_not_import_the_ui():
    loaded = _modules_after("import store.consent, store.deals, store.notes, store.invoices, store.staff")
    assert not any(m == "textual" or m.startswith(("textual.", "tui")) for m in loaded)


def test_the_login_screen_needs_neither_the_database_nor_the_validators():
    loaded = _modules_after("import tui.app, tui.screens.login")
    heavy = {"peewee", "sqlcipher3", "playhouse", "bcrypt", "phonenumbers", "email_validator", "segno",
             "pyotp", "store.db", "store.models"}
    assert not (heavy & loaded)


def test_idle_lock_then_unlock(crm):
    import asyncio

    from tui_pilot import login, showing, type_text, wait_for

    async def scenario():
        from tui.demo import PASSWORD

        app = crm.app(check_interval=0.2)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "manager")
            app.idle_lock_seconds = 0.5
            await wait_for(pilot, lambda: showing(app, "LockScreen"))
            await type_text(pilot, "not it")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "not right" in str(app.screen.query_one("#lock-message").render()))
            app.idle_lock_seconds = 3600
            await type_text(pilot, PASSWORD)
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SearchScreen"))
    asyncio.run(scenario())
