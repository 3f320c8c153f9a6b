"""What the login path loads: the login screen paints before the store's libraries load, and a
login to the home screen loads no validator or QR library (the QR library waits for a first
login that needs it; the validators load once the home screen is shown, on the store thread,
so that the session's first save does not wait for them).  Checked in a fresh interpreter,
whose modules are its own; how long any of it takes is measured in bench/, never here."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

CHILD = """
import asyncio, sys
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import pyotp
from tui.app import MiniCRMApp
from tui.demo import totp_secret
from tui_pilot import login, wait_for


class Codes:
    @staticmethod
    def code(username):
        return pyotp.TOTP(totp_secret(username)).now()


async def main():
    app = MiniCRMApp(sys.argv[1], language="en")
    app.demo_accounts = None
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#username"), what="login screen")
        before = set(sys.modules)
        typed = asyncio.ensure_future(login(pilot, Codes, "sales"))
        while type(app.screen).__name__ != "SearchScreen" and not typed.done():
            await asyncio.sleep(0.005)  # (on the app's loop: before anything the home screen starts)
        at_home = set(sys.modules)
        await typed
        home = type(app.screen).__name__
        await wait_for(pilot, lambda: {"phonenumbers", "email_validator"} <= set(sys.modules),
                       what="the validators loaded after the home screen")
    print(" ".join(sorted(m.split(".")[0] for m in before)))
    print(home, " ".join(sorted(m.split(".")[0] for m in at_home)))

asyncio.run(main())
"""


def test_login_screen_first_then_a_login_loads_no_validator_or_qr_library(crm):
    out = subprocess.run([sys.executable, "-c", CHILD, str(crm.config_path), str(HERE), str(HERE.parent)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    at_login_screen, after_login = out.stdout.splitlines()[-2:]
    assert not {"peewee", "sqlcipher3", "bcrypt", "phonenumbers"} & set(at_login_screen.split())
    home, *loaded = after_login.split()
    assert home == "SearchScreen"
    assert {"bcrypt", "sqlcipher3"} <= set(loaded)  # it did log in, through the store
    assert not {"phonenumbers", "email_validator", "segno"} & set(loaded)  # not on the login's way
