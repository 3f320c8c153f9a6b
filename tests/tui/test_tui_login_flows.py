"""Login messages: wrong code, lockout, revoked account; first login with QR and recovery codes;
the demo panel (demo only)."""
from __future__ import annotations

import asyncio

from tui_pilot import screen_text, settle, showing, type_text, wait_for

from store.scope import Scope


async def attempt(pilot, username, password, code):
    screen = pilot.app.screen
    screen.query_one("#username").value = username
    screen.query_one("#password").value = password
    screen.query_one("#code").value = code
    screen.set_focus(screen.query_one("#code"))
    screen.action_submit()
    await settle(pilot)
    return str(screen.query_one("#login-message").render())


def test_wrong_code_then_lockout_then_revoked(crm):
    async def scenario():
        from store import auth
        from tui.demo import PASSWORD

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#username"))
            message = await attempt(pilot, "manager", PASSWORD, "000000")
            assert message == "Wrong user name, password or code."
            assert app.screen.query_one("#password").value == ""  # cleared
            message = await attempt(pilot, "nobody", PASSWORD, "123456")
            assert message == "Wrong user name, password or code."  # same words: no user probing
            for _ in range(5):
                await attempt(pilot, "manager", "wrong password!", "000000")
            message = await attempt(pilot, "manager", PASSWORD, crm.code("manager"))
            assert "locked" in message
            auth.revoke(Scope.console(), "sales")
            message = await attempt(pilot, "sales", PASSWORD, crm.code("sales"))
            assert "closed" in message
    asyncio.run(scenario())


def test_first_login_password_qr_and_recovery_codes(crm):
    async def scenario():
        import pyotp

        from store import auth

        otp = auth.reset_password(Scope.console(), "sales")
        auth.reset_2fa(Scope.console(), "sales")
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#username"))
            await attempt(pilot, "sales", otp, "")
            await wait_for(pilot, lambda: showing(app, "FirstLoginScreen"), what="first login")
            screen = app.screen
            await type_text(pilot, "kort")
            await pilot.press("enter")
            await type_text(pilot, "kort")
            await pilot.press("enter")
            await settle(pilot)
            assert "too short" in str(screen.query_one("#password-message").render())
            await type_text(pilot, "Rugbrød med leverpostej og rødbeder")
            await pilot.press("enter")
            await type_text(pilot, "Rugbrød med leverpostej og rødbeder")
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one("#steps").current == "step-totp", what="QR step")
            qr = str(screen.query_one("#qr").render())
            assert "█" in qr or "▀" in qr
            key = str(screen.query_one("#manual-key").render()).split(": ", 1)[1].replace(" ", "")
            await type_text(pilot, pyotp.TOTP(key).now())
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one("#steps").current == "step-codes", what="codes")
            codes = str(screen.query_one("#recovery-codes").render()).split()
            assert len(codes) == 10
            await pilot.press("enter")
            await wait_for(pilot, lambda: showing(app, "SearchScreen"), what="home")
            assert app.session.username == "sales"
    asyncio.run(scenario())


def test_demo_panel_only_in_demo_mode_and_logs_in(crm):
    async def scenario():
        app = crm.app(demo=True)
        app.demo_accounts = __import__("tui.demo", fromlist=["accounts"]).accounts()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#demo-table").row_count == 5)
            text = screen_text(app)
            assert "DEMO" in text and "demo-kaffe-2026" in text
            assert crm.code("privacy") in text or crm.code("privacy", __import__("time").time() - 1) in text
            table = app.screen.query_one("#demo-table")
            table.focus()
            table.move_cursor(row=4)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.session is not None and app.session.username == "privacy")
        plain = crm.app(demo=False)
        async with plain.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: plain.screen.query_one("#username"))
            assert not plain.screen.query("#demo-accounts")
            assert "demo-kaffe" not in screen_text(plain)
    asyncio.run(scenario())


def test_the_home_screen_built_ahead_holds_nothing_until_a_login(crm):
    """The home screen is built while the login screen waits (MiniCRMApp.prepare_home): on no
    screen stack and empty, and a failed login leaves it so; the role's columns and the requests
    line come with the login; a logout drops the screen that showed the data, and the next
    login gets a new one, for its own role."""
    async def scenario():
        from tui.demo import PASSWORD
        from tui.widgets.results import Caption, ResultsTable

        def labels(screen) -> list[str]:
            return [c[0].split(" ")[0] for c in screen.query_one("#results", ResultsTable).columns]

        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#username"))
            message = await attempt(pilot, "admin", PASSWORD, "000000")
            assert message == "Wrong user name, password or code."
            await wait_for(pilot, lambda: app._home_ahead is not None and app._home_ahead.is_mounted,
                           what="the home screen built ahead")
            ahead = app._home_ahead
            assert type(app.screen).__name__ == "LoginScreen" and ahead not in app.screen_stack
            assert not ahead.rows and ahead.query_one("#results", ResultsTable).row_count == 0
            assert not ahead._filters_loaded and not ahead.query_one("#today").follow_ups
            assert "Id" not in labels(ahead) and not ahead.query_one("#desk", Caption).display

            await attempt(pilot, "admin", PASSWORD, crm.code("admin"))
            await wait_for(pilot, lambda: app.screen is ahead and ahead.rows, what="admin's home")
            assert "Id" in labels(ahead) and ahead.query_one("#desk", Caption).display
            assert "admin" in str(ahead.sub_title)

            await app.action_logout()
            await wait_for(pilot, lambda: showing(app, "LoginScreen"), what="logged out")
            await wait_for(pilot, lambda: not ahead.is_attached, what="admin's home screen gone")
            await wait_for(pilot, lambda: app._home_ahead is not None and app._home_ahead.is_mounted,
                           what="a new home screen built ahead")
            fresh = app._home_ahead
            assert fresh is not ahead and not fresh.rows
            await attempt(pilot, "sales", PASSWORD, crm.code("sales"))
            await wait_for(pilot, lambda: app.screen is fresh and fresh.rows, what="sales's home")
            assert "Id" not in labels(fresh) and not fresh.query_one("#desk", Caption).display
    asyncio.run(scenario())
