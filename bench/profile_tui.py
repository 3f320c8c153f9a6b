"""Where the event loop's time goes when a contact opens, a search key is typed, or a login ends.

    .venv/bin/python -m bench.profile_tui [open|search|save|login] [--size 2000] [--rounds 12]

Runs the app under Pilot (headless, 100x30) on a copy of bench_store's cached
database, logs in, and profiles (cProfile, the event loop's thread only) each
Enter on a result until the contact is filled in, each last letter of a search, or
each ctrl+s on an edited contact until it is back in browsing with the saved version;
`login`: a fresh app per round, from Enter on the code to the home screen's first
page of results shown, profiled from the login's answer (start_session) on: the part
after bcrypt.
Prints the wall time of each round and the functions by cumulative time; the
profile is kept in bench/results/profile_<mode>.prof for pstats.  A tool for
finding the time, not a figure: bench_terminal measures what the user waits.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "tui")]

from bench.bench_terminal import PASSWORD, QUERIES, secret  # noqa: E402

LOGIN_USERS = [f"prof{n:02d}" for n in range(40)]  # a login each: a TOTP code is used once


def prepare(size: int, folder: Path) -> Path:
    from bench.bench_store import cached_store
    from store import accounts, runtime
    from store.auth.administration import enrol_for_demo
    from store.models import User
    from store.scope import Scope

    shutil.copytree(cached_store(size).parent, folder)
    config = folder / "minicrm.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n[ui]\ndemo = true\n", encoding="utf-8")  # demo enrolment needs it
    runtime.open_store(config)
    admin = Scope(User.get(User.username == "admin"))
    for name in ("prof", *LOGIN_USERS):
        accounts.add_user(admin, name, "manager")
        enrol_for_demo(admin, name, PASSWORD, secret(name))
    runtime.close_store()
    config.write_text(text + "\n[ui]\ndemo = false\n", encoding="utf-8")
    return config


def home_shown(app) -> bool:
    """The home screen with its first page of results in the table."""
    screen = app.screen
    return (type(screen).__name__ == "SearchScreen" and screen.is_mounted and bool(screen.rows)
            and screen.query_one("#results").row_count > 0)


async def run_logins(config: Path, rounds: int, profile: cProfile.Profile) -> list[float]:
    import pyotp
    from tui_pilot import type_text, wait_for

    from tui.app import MiniCRMApp

    times, after_auth = [], []
    answered: list[float] = []
    start_session = MiniCRMApp.start_session

    async def profiled_start(self, session):
        answered.append(time.perf_counter())
        profile.enable()  # from the login's answer: what comes after bcrypt
        await start_session(self, session)

    MiniCRMApp.start_session = profiled_start
    for username in LOGIN_USERS[:rounds]:
        app = MiniCRMApp(config, language="en")
        app.demo_accounts = None
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda app=app: app.screen.query_one("#username"), what="login")
            await type_text(pilot, username + "\r" + PASSWORD + "\r")
            await wait_for(pilot, lambda app=app: app.store_ready.is_set(), what="store open")
            await pilot.pause(0.5)  # the warm-up, as while a person types the code
            await type_text(pilot, pyotp.TOTP(secret(username)).now())
            started = time.perf_counter()
            await pilot.press("enter")
            await wait_for_quick(pilot, lambda app=app: home_shown(app))
            await pilot.pause()
            profile.disable()
            times.append(time.perf_counter() - started)
            after_auth.append(time.perf_counter() - answered[-1])
    MiniCRMApp.start_session = start_session
    print("login: ms after the login's answer (profiled)", [round(t * 1000) for t in after_auth])
    return times


async def wait_for_quick(pilot, predicate) -> None:
    """Polls often: the profile's wall time should not round up to a long poll."""
    for _ in range(20000):
        if predicate():
            return
        await asyncio.sleep(0.002)
    raise RuntimeError("the home screen did not come")


async def profiled(pilot, profile: cProfile.Profile, key: str, answered) -> float:
    """Seconds from `key` to `answered()` and the app idle, with the profiler on meanwhile."""
    from tui_pilot import wait_for

    started = time.perf_counter()
    profile.enable()
    await pilot.press(key)
    await wait_for(pilot, answered)
    await pilot.pause()
    profile.disable()
    return time.perf_counter() - started


async def run(config: Path, mode: str, rounds: int, profile: cProfile.Profile) -> list[float]:
    import pyotp
    from tui_pilot import settle, type_text, wait_for

    from tui.app import MiniCRMApp

    app = MiniCRMApp(config, language="en")
    app.demo_accounts = None
    times = []
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#username"), what="login")
        for text in ("prof", PASSWORD, pyotp.TOTP(secret("prof")).now()):
            await type_text(pilot, text)
            await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SearchScreen" and app.screen.rows,
                       what="home")
        await settle(pilot)
        for query in QUERIES[:rounds]:
            search = app.screen
            box = search.query_one("#search")
            box.value = query if mode == "open" else query[:-1]
            await settle(pilot)
            if mode == "search":
                started = time.perf_counter()
                profile.enable()
                await pilot.press(query[-1])
                await pilot.pause()
                profile.disable()
                times.append(time.perf_counter() - started)
                continue
            if not search.rows:
                continue
            if mode == "save":
                await pilot.press("enter")
                await wait_for(pilot, lambda: type(app.screen).__name__ == "ContactScreen" and app.screen._loaded)
                screen = app.screen
                await pilot.press("e")
                await wait_for(pilot, lambda s=screen: s.editing)
                screen.query_one("#f-title").value = f"Indkøber {len(times)}"
                await settle(pilot)
                version = screen.version
                times.append(await profiled(pilot, profile, "ctrl+s",
                                            lambda s=screen, v=version: not s.editing and s.version != v))
            else:
                times.append(await profiled(pilot, profile, "enter", lambda: type(app.screen).__name__
                                            == "ContactScreen" and app.screen._loaded))
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SearchScreen")
            await settle(pilot)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=("open", "search", "save", "login"), default="open")
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args(argv)
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="profile-tui-") as tmp:
        config = prepare(args.size, Path(tmp) / "crm")
        if args.mode == "login":
            times = asyncio.run(run_logins(config, args.rounds, profile))
        else:
            times = asyncio.run(run(config, args.mode, args.rounds, profile))
    print(f"{args.mode}: ms each (profiled)", [round(t * 1000) for t in times])
    out = HERE / "results" / f"profile_{args.mode}.prof"
    out.parent.mkdir(exist_ok=True)
    profile.dump_stats(out)
    pstats.Stats(str(out)).sort_stats("cumulative").print_stats(args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
