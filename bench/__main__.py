"""Run every bench/bench_*.py and print a summary table.

    python -m bench                 # all of them (what `make bench` runs)
    python -m bench store auth      # only bench_store.py and bench_auth.py
    BENCH_SIZES=100000 python -m bench store

Each bench runs in its own interpreter (the store is one per process), prints
its own table with each figure beside its baseline, and may write JSON to
bench/results/.  Settings reach the benches through environment variables.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def discover(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
    unknown = wanted - {p.stem.removeprefix("bench_") for p in found}
    if unknown:
        raise SystemExit(f"bench: no bench named {', '.join(sorted(unknown))} in {HERE}")
    return [p for p in found if p.stem.removeprefix("bench_") in wanted]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    benches = discover(argv)
    RESULTS.mkdir(exist_ok=True)
    summary = []
    for path in benches:
        print(f"\n=== {path.stem} ===", flush=True)
        before = {p: p.stat().st_mtime for p in RESULTS.glob("*.json")}
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{path.stem}"], cwd=ROOT)
        seconds = time.monotonic() - started
        written = [p.name for p in RESULTS.glob("*.json") if before.get(p) != p.stat().st_mtime]
        summary.append((path.stem, f"{seconds:.1f}", "ok" if code == 0 else f"exit {code}",
                        ", ".join(sorted(written)) or "-"))
    print("\n=== summary ===")
    widths = [max(len(str(r[i])) for r in [*summary, ("bench", "seconds", "status", "results")])
              for i in range(4)]
    for row in [("bench", "seconds", "status", "results"), *summary]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0 if all(r[2] == "ok" for r in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
