"""Login messages: wrong code, lockout, revoked account; first login with QR and recovery codes;
the demo panel (demo only)."""
from __future__ import annotations

import asyncio

from tui_pilot import screen_text, settle, type_text, wait_for

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
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FirstLoginScreen", what="first login")
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
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SearchScreen", what="home")
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
