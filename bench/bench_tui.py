"""The terminal app: cold start, memory, and keystroke-to-results, each beside a baseline.

    .venv/bin/python -m bench.bench_tui [--rounds N] [--sizes 100000,1000000]

* first paint: process start to the first painted login screen (its title on the
  terminal, read through a pseudo-terminal), next to a minimal Textual app (an Input
  and a DataTable) that paints one screen, measured alternately in the same run;
  target: within 1.2x the minimal app;
* login to home: in the app on a pseudo-terminal, from the Enter on the code to the
  home screen painted (its count of contacts on the terminal), typed at a person's pace
  (the store opens while the name is typed), next to one bcrypt verification of the
  same user's stored hash in this process, alternately; target: within 1.5x;
* peak memory (VmHWM) of the same two processes, 2 s after their first paint (the
  app has opened the encrypted store by then); target: within 1.3x;
* keystroke-to-results: in the running app on the search screen, from a key event
  to the results for the new text painted (after the next screen refresh), on
  100,000 and 1,000,000 contacts (the databases come from bench_store's cache
  under bench/.cache/, built on first use: 1M takes minutes); target: p95 < 33 ms;
* revocation to logout: in the running app, from a session's row being ended elsewhere
  (what revoking the user does) to the login screen painted, next to the person's own
  logout key to the login screen painted, alternately in the same run; target: p95 within
  the session-check interval (1 s) plus 0.5 s;
* hostile-text round trip: a search whose one result holds markup, escape and bidi
  characters (tests/tui/injection.py) to its results painted, next to a search with one
  plain result, alternately; target: within 1.5x the plain search.
(The tests only wait for these to happen: how fast is measured here.)

Prints a table and writes bench/results/bench_tui.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
RESULTS = HERE / "results"
CACHE = HERE / ".cache"

MINIMAL_APP = """
from textual.app import App
from textual.widgets import DataTable, Input, Static
class Minimal(App):
    def compose(self):
        yield Static("MiniCRM minimal")
        yield Input()
        yield DataTable()
Minimal().run()
"""
APP = "from console.main import main; import sys; sys.exit(main(['--config', sys.argv[1], 'run']))"
MARKER = {"minimal": b"MiniCRM minimal", "app": b"log in"}


def demo_config() -> Path:
    """A small demo store for the start-up measurements (built once)."""
    folder = CACHE / "tui-demo"
    config = folder / "config.toml"
    if not (folder / "complete").exists():
        subprocess.run([sys.executable, "-m", "tui.demo", "--dir", str(folder), "--contacts", "300",
                        "--build-only"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        # Measure the production login screen: no demo panel.
        text = config.read_text(encoding="utf-8").replace("demo = true", "demo = false")
        config.write_text(text, encoding="utf-8")
        (folder / "complete").write_text("ok\n")
    return config


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def start_and_paint(kind: str, config: Path, settle: float = 2.0) -> tuple[float, int]:
    """Seconds from spawn to the marker on the terminal, and peak memory (KiB) after `settle`."""
    argv = [sys.executable, "-c", MINIMAL_APP] if kind == "minimal" else [sys.executable, "-c", APP,
                                                                           str(config)]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24", LANG="en_US.UTF-8")
    env.pop("TEXTUAL", None)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program on a fresh terminal
        os.chdir(ROOT)
        os.execve(argv[0], argv, env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    painted = None
    deadline = started + 30
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                seen += chunk
                if painted is None and MARKER[kind] in seen:
                    painted = time.perf_counter() - started
                    settle_until = time.perf_counter() + settle
            if painted is not None and time.perf_counter() >= settle_until:
                break
        memory = peak_kib(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if painted is None:
        raise RuntimeError(f"{kind}: nothing painted within 30 s")
    return painted, memory


def bench_start(rounds: int) -> dict:
    config = demo_config()
    start_and_paint("minimal", config, 0.1)  # warm the OS file cache for both
    start_and_paint("app", config, 0.1)
    samples = {"minimal": [], "app": []}
    memory = {"minimal": [], "app": []}
    for _ in range(rounds):
        for kind in ("minimal", "app"):  # alternately: the same noise for both
            t, kib = start_and_paint(kind, config)
            samples[kind].append(t)
            memory[kind].append(kib)
    out = {}
    for kind in samples:
        out[kind] = {"first_paint_ms": statistics.median(samples[kind]) * 1000,
                     "peak_mib": statistics.median(memory[kind]) / 1024}
    out["ratio_first_paint"] = out["app"]["first_paint_ms"] / out["minimal"]["first_paint_ms"]
    out["ratio_peak_memory"] = out["app"]["peak_mib"] / out["minimal"]["peak_mib"]
    return out


# --- login to the home screen ----------------------------------------------------------------

def _spawn_app(config: Path) -> tuple[int, int]:
    """The app (`minicrm run`) on a fresh 80x24 pseudo-terminal: (pid, the terminal's fd)."""
    import fcntl
    import struct
    import termios

    argv = [sys.executable, "-c", APP, str(config)]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24", LANG="en_US.UTF-8")
    env.pop("TEXTUAL", None)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return pid, fd


def _until_seen(fd: int, marker: bytes, timeout: float = 60) -> float:
    """Read the terminal until `marker` appears; the perf_counter time it did."""
    seen = b""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            seen += os.read(fd, 65536)
            if marker in seen:
                return time.perf_counter()
    raise RuntimeError(f"no {marker!r} on the terminal within {timeout:.0f} s")


def _drain(fd: int, seconds: float) -> None:
    """Read (and drop) what the app paints for `seconds`: a person's pause between fields."""
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            os.read(fd, 65536)


class _Codes:
    """A fresh TOTP code per login: the store accepts each 30 s step once, and one step either side."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def code(self, username: str) -> str:
        import pyotp

        from tui.demo import totp_secret

        while True:
            now = int(time.time() // 30)
            step = max(now - 1, self.last.get(username, 0) + 1)
            if step <= now + 1:
                self.last[username] = step
                return pyotp.TOTP(totp_secret(username)).at(step * 30)
            time.sleep((now + 1) * 30 - time.time() + 0.05)


def bench_login(rounds: int) -> dict:
    """Enter on the code to the home screen painted, beside one bcrypt verification (see the module text)."""
    import shutil
    import tempfile

    from tui.demo import PASSWORD, ROLES

    source = demo_config().parent
    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        folder = Path(tmp) / "crm"
        shutil.copytree(source, folder)  # logins write sessions and audit rows: not into the cache
        config = folder / "config.toml"
        hashes = _password_hashes(config)
        users = [u for u in ROLES if u in ("admin", "manager", "sales")]  # each has a search home screen
        codes = _Codes()
        logins: list[float] = []
        verifications: list[float] = []
        from store import passwords

        retried = 0
        r = 0
        while len(logins) < rounds:
            user = users[r % len(users)]
            r += 1
            pid, fd = _spawn_app(config)
            try:
                _until_seen(fd, MARKER["app"])
                os.write(fd, user.encode() + b"\r")
                _drain(fd, 1.5)  # the store opens at the first key, while the name is typed
                os.write(fd, PASSWORD.encode() + b"\r")
                _drain(fd, 1.0)
                os.write(fd, codes.code(user).encode())
                _drain(fd, 1.0)
                started = time.perf_counter()
                os.write(fd, b"\r")
                logins.append(_until_seen(fd, b" contacts", timeout=20) - started)
            except RuntimeError:
                # On a loaded machine a key typed while the form moves focus can still land in
                # the wrong field (issue 17's keyboard work): that login failed, try another.
                retried += 1
                if retried > rounds:
                    raise
            finally:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(fd)
            t = time.perf_counter()
            assert passwords.verify_password(PASSWORD, hashes[user])
            verifications.append(time.perf_counter() - t)
    out = {"login_to_home_ms": statistics.median(logins) * 1000,
           "bcrypt_verify_ms": statistics.median(verifications) * 1000, "rounds": rounds,
           "failed_logins_retried": retried}
    out["ratio"] = out["login_to_home_ms"] / out["bcrypt_verify_ms"]
    return out


def _password_hashes(config: Path) -> dict[str, str]:
    """The demo users' stored hashes, read in a child (this process keeps no store open).
    It opens the copy as the app does, migrating a cached demo from an older schema first."""
    code = ("import json, sys; from store.runtime import open_store; from store.models import User; "
            "open_store(sys.argv[1]); "
            "print(json.dumps({u.username: u.password_hash for u in User.select()}))")
    out = subprocess.run([sys.executable, "-c", code, str(config)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


# --- keystroke to results ---------------------------------------------------------------------

QUERIES = ("sor", "soren", "mette", "jorg", "hansen", "ped", "andersen", "kjaer", "ostergaard", "lars",
           "moller", "chris", "freja", "mads", "bjorn", "aagaard", "ase", "thomsen", "olsen", "dahl",
           "holm", "bogh", "jose", "noemie", "lindahl", "skov", "vester", "fjeld", "ida", "emma")


def bench_keystroke(size: int, rounds: int) -> dict:
    from bench.bench_store import cached_store

    config_path = cached_store(size)
    return asyncio.run(_keystroke(config_path, rounds))


async def _keystroke(config_path: Path, rounds: int) -> dict:
    from textual import events

    from store.models import User
    from store.runtime import close_store, open_store
    from store.scope import Scope
    from tui.app import MiniCRMApp
    from tui.screens.search import SearchScreen

    open_store(config_path)
    manager = User.get(User.username == "manager")
    app = MiniCRMApp(config_path, language="en")
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_store()
        app.scope = Scope(User.get_by_id(manager.id))  # the search screen of a logged-in manager
        await app.push_screen(SearchScreen())
        screen = app.screen
        box = screen.query_one("#search")
        box.focus()
        await pilot.pause()

        arrived: dict[str, asyncio.Event] = {}
        show = screen.show

        def show_and_tell(rows):  # the screen's own show(), then a signal (no busy waiting)
            show(rows)
            event = arrived.get(box.value)
            if event is not None:
                event.set()

        screen.show = show_and_tell

        async def shown(text: str) -> None:
            if screen._shown_text == text:
                return
            event = arrived.setdefault(text, asyncio.Event())
            await event.wait()

        for r in range(rounds + 1):  # the first round warms the page cache
            for q in QUERIES:
                arrived.clear()
                box.value = q[:-1]
                box.cursor_position = len(box.value)
                await asyncio.wait_for(shown(q[:-1]), 30)
                await pilot.pause()
                arrived[q] = asyncio.Event()
                painted = asyncio.get_running_loop().create_future()
                started = time.perf_counter()
                key = events.Key(q[-1], q[-1])
                key.set_sender(app)
                app._driver.send_message(key)
                await asyncio.wait_for(arrived[q].wait(), 30)
                screen.call_after_refresh(
                    lambda painted=painted: painted.done() or painted.set_result(time.perf_counter()))
                done = await asyncio.wait_for(painted, 30)
                if r:
                    samples.append(done - started)
    close_store()
    samples.sort()
    return {"p50_ms": statistics.median(samples) * 1000,
            "p95_ms": samples[int(0.95 * (len(samples) - 1))] * 1000,
            "max_ms": samples[-1] * 1000, "keystrokes": len(samples)}


# --- revocation to logout, and hostile text on the screen -----------------------------------

def bench_live(rounds: int) -> dict:
    """Both measures on a copy of the demo store (revocation changes it)."""
    import shutil
    import tempfile

    source = demo_config().parent
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
        folder = Path(tmp) / "crm"
        shutil.copytree(source, folder)
        return asyncio.run(_live(folder / "config.toml", rounds))


def _percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"p50_ms": statistics.median(samples) * 1000,
            "p95_ms": samples[int(0.95 * (len(samples) - 1))] * 1000, "max_ms": samples[-1] * 1000}


async def _live(config_path: Path, rounds: int) -> dict:
    from store.runtime import close_store, open_store
    from tui.app import MiniCRMApp

    open_store(config_path)
    app = MiniCRMApp(config_path, language="en", check_interval=1.0)
    app.demo_accounts = None
    ended: list[float] = []
    logged_out: list[float] = []
    hostile: list[float] = []
    plain: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_for_store()
        hostile_text = _plant_hostile_contact()
        for r in range(rounds):
            for way, samples in (("ended", ended), ("logout", logged_out)):  # alternately
                await _log_in(app, pilot, r * 2 + (way == "logout"))
                if way == "ended" and r == 0:  # once per run, on the first session's screen
                    plain_text = next(row.email for row in app.screen.rows if row.id != 1 and row.email)
                    for _ in range(rounds):
                        hostile.append(await _search_painted(app, hostile_text))
                        plain.append(await _search_painted(app, plain_text))
                samples.append(await _to_login_painted(app, way))
    close_store()
    return {"revocation": _percentiles(ended), "logout_key": _percentiles(logged_out),
            "check_interval_ms": app.check_interval * 1000,
            "hostile": _percentiles(hostile), "plain": _percentiles(plain)}


def _plant_hostile_contact() -> str:
    """Contact 1 gets the hostile strings; returns a search that finds it alone."""
    from store.models import User

    sys.path.insert(0, str(ROOT / "tests" / "tui"))
    from injection import plant  # the strings the tests check, planted the same way

    plant(1, User.get(User.username == "admin").id)
    return "evil"


async def _log_in(app, pilot, step: int) -> None:
    """A real login as sales (each at its own 30 s TOTP step: a code is never replayed)."""
    import pyotp

    from store import auth
    from tui.demo import PASSWORD, totp_secret

    when = time.time() + 30 * (step + 1)
    code = pyotp.TOTP(totp_secret("sales")).at(when)
    session = await app.backend.run(auth.login, "sales", PASSWORD, code, now=when)
    app.begin_session(session)
    await _until(pilot, lambda: app.session is session and type(app.screen).__name__ == "SearchScreen")
    await pilot.pause()


# polls app state, which has no event to await; the timeout is what the failure message names
async def _until(pilot, condition, timeout: float = 60) -> None:  # noqa: ASYNC109
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the app did not get there within 60 s")
        await pilot.pause(0.005)


async def _painted(app) -> float:
    painted = asyncio.get_running_loop().create_future()
    app.screen.call_after_refresh(lambda: painted.done() or painted.set_result(time.perf_counter()))
    return await asyncio.wait_for(painted, 30)


async def _to_login_painted(app, way: str) -> float:
    """Seconds from the session's end (elsewhere, or by the logout key) to the login screen."""
    from store.errors import EndReason

    session = app.session
    started = time.perf_counter()
    if way == "ended":
        session.end(EndReason.REVOKED)  # this thread's own connection: as another process would
    else:
        app.run_worker(app.action_logout())
    # polling is the measurement: the screen and the shown text have no event to await
    while type(app.screen).__name__ != "LoginScreen":  # noqa: ASYNC110
        await asyncio.sleep(0.002)
    return await _painted(app) - started


async def _search_painted(app, text: str) -> float:
    """Seconds from the search text set to its one result painted."""
    screen = app.screen
    box = screen.query_one("#search")
    box.value = ""
    while screen._shown_text != "":  # noqa: ASYNC110 -- polled, as above
        await asyncio.sleep(0.002)
    started = time.perf_counter()
    box.value = text
    while screen._shown_text != text:  # noqa: ASYNC110 -- polled, as above
        await asyncio.sleep(0.001)
    assert len(screen.rows) == 1, f"{text!r}: {len(screen.rows)} results"
    return await _painted(app) - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "100000,1000000"))
    parser.add_argument("--only-live", action="store_true",
                        help="only revocation-to-logout and the hostile-text round trip")
    parser.add_argument("--only-start", action="store_true", help="only first paint, memory and login to home")
    args = parser.parse_args(argv)
    if args.only_live:
        return print_live({}, args.rounds)
    report = {"start": bench_start(args.rounds)}
    s = report["start"]
    print(f"{'measure':46} {'MiniCRM':>10} {'minimal app':>12} {'ratio':>7} {'target':>8}")
    print(f"{'first paint of the login screen (ms)':46} {s['app']['first_paint_ms']:10.0f} "
          f"{s['minimal']['first_paint_ms']:12.0f} {s['ratio_first_paint']:7.2f} {'<= 1.20':>8}")
    print(f"{'peak memory, 2 s after first paint (MiB)':46} {s['app']['peak_mib']:10.1f} "
          f"{s['minimal']['peak_mib']:12.1f} {s['ratio_peak_memory']:7.2f} {'<= 1.30':>8}")
    login = report["login"] = bench_login(max(3, args.rounds))
    print(f"{'login: Enter on the code to home painted (ms)':46} {login['login_to_home_ms']:10.0f} "
          f"{login['bcrypt_verify_ms']:12.0f} {login['ratio']:7.2f} {'<= 1.50':>8}   (baseline: one bcrypt "
          "verification of the same hash)")
    if args.only_start:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "bench_tui_start.json").write_text(json.dumps(report, indent=2) + "\n")
        return 0
    for size in [int(x) for x in args.sizes.split(",") if x]:
        k = bench_keystroke(size, max(1, args.rounds // 2))
        report[f"keystroke_{size}"] = k
        print(f"{f'keystroke to results, {size:,} contacts (ms)':46} p50 {k['p50_ms']:5.1f}  "
              f"p95 {k['p95_ms']:5.1f}  max {k['max_ms']:5.1f}  (target p95 < 33)")
    return print_live(report, args.rounds)


def print_live(report: dict, rounds: int) -> int:
    live = report["live"] = bench_live(max(3, rounds))
    rev, key, bad, ok = live["revocation"], live["logout_key"], live["hostile"], live["plain"]
    print(f"{'measure (ms)':46} {'p50':>7} {'p95':>7} {'baseline p50':>13} {'p95':>7}  target")
    print(f"{'revocation to login screen / logout key':46} {rev['p50_ms']:7.0f} {rev['p95_ms']:7.0f} "
          f"{key['p50_ms']:13.0f} {key['p95_ms']:7.0f}  p95 <= {live['check_interval_ms'] + 500:.0f}")
    print(f"{'hostile-text search / plain search':46} {bad['p50_ms']:7.1f} {bad['p95_ms']:7.1f} "
          f"{ok['p50_ms']:13.1f} {ok['p95_ms']:7.1f}  p50 <= 1.5x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_tui.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
