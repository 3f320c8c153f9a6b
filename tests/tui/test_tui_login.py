"""Every role logs in with password and TOTP through the login screen and lands on its home screen."""
from __future__ import annotations

import asyncio

import pytest
from tui_pilot import login


@pytest.mark.parametrize("role", ["admin", "manager", "sales", "finance", "privacy"])
def test_every_role_logs_in_to_its_home_screen(crm, role):
    async def scenario():
        app = crm.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, role)
            assert app.session.role == role
            expected = "InvoicesScreen" if role == "finance" else "SearchScreen"
            assert type(app.screen).__name__ == expected
            assert role in str(app.sub_title)

    asyncio.run(scenario())
