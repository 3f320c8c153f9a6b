"""Password checks on hostile input, each beside a baseline measured in the same run.

    .venv/bin/python -m bench.bench_passwords [--rounds N]

The tests check what these calls answer; how long they take is measured here:

* the policy check refusing a 1 MB password (ASCII, and 1M combining characters)
  vs the check of an ordinary good password: the length is refused before any
  other work, so the huge input should cost about the same (the tests once
  asserted < 50 ms);
* verify_password with a 1 MB password vs a wrong ordinary password, at the
  same (fast) bcrypt cost: refused up front, so no slower (once < 0.5 s);
* dummy_verify (an unknown user name) vs a real failed verify at the production
  cost 12: the same work, so the ratio is near 1 and timing does not tell an
  unknown user from a wrong password (once asserted within 0.3-3.5).
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store import passwords  # noqa: E402
from store.errors import PasswordRejected  # noqa: E402

GOOD = "violet Orbit kettle 47"
HUGE_ASCII = "a" * (1024 * 1024)
HUGE_COMBINING = "\u00e9\u0301" * 500_000
FAST_COST = 4


def _median(func, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _policy(password: str):
    def check():
        with contextlib.suppress(PasswordRejected):  # a rejection costs the same work
            passwords.check_password_policy(password, username="bob", company_name=None)
    return check


def bench_policy(rounds: int) -> None:
    good = _median(_policy(GOOD), rounds)
    for label, huge in (("1 MB ASCII", HUGE_ASCII), ("1M combining chars", HUGE_COMBINING)):
        spent = _median(_policy(huge), rounds)
        print(f"policy check, {label}: {spent * 1e6:.0f} µs   "
              f"| baseline: an ordinary good password: {good * 1e6:.0f} µs")


def bench_verify(rounds: int) -> None:
    passwords.MIN_COST = FAST_COST  # the bench's own process: the fast cost, as in the test
    stored = passwords.hash_password(GOOD, cost=FAST_COST)
    huge = _median(lambda: passwords.verify_password(HUGE_ASCII, stored), rounds)
    wrong = _median(lambda: passwords.verify_password("wrong password", stored), rounds)
    print(f"verify, 1 MB password at cost {FAST_COST}: {huge * 1e3:.2f} ms   "
          f"| baseline: a wrong ordinary password at the same cost: {wrong * 1e3:.2f} ms")


def bench_dummy(rounds: int) -> None:
    stored = passwords.hash_password(GOOD)  # the production cost
    # alternate the two, so a change in machine load hits both alike
    dummy, real = [], []
    for _ in range(rounds):
        dummy.append(_median(passwords.dummy_verify, 1))
        real.append(_median(lambda: passwords.verify_password("wrong password", stored), 1))
    d, r = statistics.median(dummy), statistics.median(real)
    print(f"dummy_verify (unknown user): {d * 1e3:.0f} ms   "
          f"| baseline: a failed verify at cost {passwords.DEFAULT_COST}: {r * 1e3:.0f} ms "
          f"(ratio {d / r:.2f}, expected near 1)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    bench_policy(args.rounds)
    bench_dummy(max(3, args.rounds))
    bench_verify(args.rounds)


if __name__ == "__main__":
    main()
