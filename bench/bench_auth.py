"""Login time and revocation delay, each beside a baseline measured in the same run.

    .venv/bin/python -m bench.bench_auth [--rounds N]

* login (password + TOTP) vs one raw bcrypt verification at the configured cost:
  the difference is what the store adds (lockout, replay guard, session row, audit);
* failed logins (unknown user, wrong password, wrong code) vs a good login:
  they should cost about the same, so timing does not tell them apart;
* Session.check() vs a bare `SELECT 1` on the same connection;
* the store's revocation check on a session's Scope: a write through
  `scope.transaction()` vs the same write in a plain `database.atomic()`, and a
  scoped read (`scope.contacts()`) vs the console's scope, which has no session;
* revocation delay: a separate process polls Session.check() once a second (as the
  TUI does) and reports when its session ends, vs that 1 s poll interval.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402

from store import accounts, auth, passwords, runtime, totp  # noqa: E402
from store.config import load_config, write_config  # noqa: E402
from store.db import database  # noqa: E402
from store.models import User  # noqa: E402
from store.scope import Scope  # noqa: E402

PASSWORD = "Grøn hest på taget 7"
POLL_SECONDS = 1.0

WATCHER = """
import sys, time
from store import auth, runtime
runtime.open_store()
name, password, code, poll = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
session = auth.login(name, password, code)
print("ready", flush=True)
while True:
    started = time.monotonic()
    try:
        session.check()
    except auth.SessionEnded:
        print(repr(time.time()), flush=True)
        break
    time.sleep(max(0.0, poll - (time.monotonic() - started)))
"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _timed(func, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        func(i)
        times.append(time.perf_counter() - t0)
    return times


def _user(name: str) -> str:
    accounts.add_user(Scope.console(), name, "sales")
    secret = totp.new_secret()
    auth.enrol_for_demo(Scope.console(), name, PASSWORD, secret)
    return secret


def bench_login(rounds: int) -> None:
    secret = _user("anna")
    cost = runtime.current().config["auth.bcrypt_cost"]
    stored = User.get(User.username == "anna").password_hash
    base = _timed(lambda i: passwords.verify_password(PASSWORD, stored), rounds)

    t0 = time.time()

    def good(i):
        at = t0 + 30 * (i + 1)  # a fresh step each round (the replay guard)
        auth.login("anna", PASSWORD, pyotp.TOTP(secret).at(at), now=at).end()

    logins = _timed(good, rounds)
    print(f"login, password + TOTP (median of {rounds}): {_ms(statistics.median(logins))}, "
          f"max {_ms(max(logins))}   | baseline: one raw bcrypt verify at cost {cost}: "
          f"{_ms(statistics.median(base))}")

    def failing(name, password, code):
        def attempt(i):
            with contextlib.suppress(auth.LoginFailed):
                auth.login(name, password, code, now=t0)
        return statistics.median(_timed(attempt, rounds))

    wrong_code = next(c for c in ("123456", "654321") if c not in {
        pyotp.TOTP(secret).at(t0 + d) for d in (-30, 0, 30)})
    unknown = failing("nobody", PASSWORD, wrong_code)
    wrong_pw = failing("anna", PASSWORD + "x", pyotp.TOTP(secret).at(t0))
    bad_code = failing("anna", PASSWORD, wrong_code)
    print(f"failed login (median of {rounds}): unknown user {_ms(unknown)}, wrong password "
          f"{_ms(wrong_pw)}, wrong code {_ms(bad_code)}   | baseline: good login "
          f"{_ms(statistics.median(logins))}")

    at = t0 + 30 * (rounds + 2)
    session = auth.login("anna", PASSWORD, pyotp.TOTP(secret).at(at), now=at)
    n = 2000
    check = _timed(lambda i: session.check(), n)
    select = _timed(lambda i: database.execute_sql("SELECT 1").fetchone(), n)
    print(f"Session.check() (median of {n}): {statistics.median(check) * 1e6:.0f} µs   "
          f"| baseline: SELECT 1 on the same connection: {statistics.median(select) * 1e6:.0f} µs")
    bench_scope_check(session)
    session.end()


def bench_scope_check(session) -> None:
    """What refusing an ended session on every call costs (not cached: revocation is immediate).

    The two sides alternate round by round, so drift on a busy machine hits both alike.
    """
    from store.models import LoginSession

    scope = session.scope()
    unchecked = Scope(scope.user)  # the same user and role, no session behind it

    def write(opener):
        with opener():
            LoginSession.update(pid=os.getpid()).where(LoginSession.id == session.id).execute()

    def alternate(first, second, n: int) -> tuple[float, float]:
        a, b = [], []
        for _ in range(n):
            a += _timed(lambda _: first(), 1)
            b += _timed(lambda _: second(), 1)
        return statistics.median(a) * 1e6, statistics.median(b) * 1e6

    n = 300
    checked, plain = alternate(lambda: write(scope.transaction), lambda: write(database.atomic), n)
    print(f"write through scope.transaction() (median of {n}): {checked:.0f} µs   "
          f"| baseline: the same write in database.atomic(): {plain:.0f} µs")
    n = 2000
    read, bare = alternate(lambda: scope.contacts().count(), lambda: unchecked.contacts().count(), n)
    print(f"scoped read with the session check (median of {n}): {read:.0f} µs   "
          f"| baseline: the same read by a scope without a session: {bare:.0f} µs")


def bench_revocation(rounds: int, config_path: Path) -> None:
    env = dict(os.environ, MINICRM_CONFIG=str(config_path), PYTHONPATH=str(ROOT))
    delays = []
    for i in range(rounds):
        name = f"seller{i}"
        secret = _user(name)
        child = subprocess.Popen(
            [sys.executable, "-c", WATCHER, name, PASSWORD, pyotp.TOTP(secret).now(), str(POLL_SECONDS)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            if child.stdout.readline().strip() != "ready":
                raise SystemExit(f"watcher failed: {child.stderr.read()}")
            time.sleep(random.uniform(0.2, 1.2))  # any phase of the child's poll
            auth.revoke(Scope.console(), name)
            revoked = time.time()
            ended = float(child.stdout.readline())
            delays.append(ended - revoked)
        finally:
            child.kill()
            child.wait()
    print(f"revocation delay, other process polling every {POLL_SECONDS:.0f} s (median of {rounds}): "
          f"{statistics.median(delays):.2f} s, max {max(delays):.2f} s   "
          f"| baseline: the poll interval {POLL_SECONDS:.1f} s (expected median {POLL_SECONDS / 2:.1f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "minicrm.toml"
        # A high lockout threshold: the failed-login rounds must not lock the account.
        write_config(config_path, "crm.db", "crm.key", ui={"demo": True},
                     auth={"lockout_threshold": 1000})
        runtime.create_store(load_config(config_path))
        try:
            bench_login(args.rounds)
            bench_revocation(max(3, args.rounds // 2 + 1), config_path)
        finally:
            runtime.close_store()


if __name__ == "__main__":
    main()
