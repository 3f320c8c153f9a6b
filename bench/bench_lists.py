"""Long contact lists: sorted pages and the count of matches, beside the plain unsorted query.

    .venv/bin/python -m bench.bench_lists [--size 100000] [--rounds 7]
    python -m bench lists

Baseline: the plain unsorted first page, written by hand on the same connection
(`SELECT ... FROM contact WHERE <active> LIMIT 51`: no order, no joins).  Each
path is `contacts.search_page` / `count_contacts` for the manager (sees every
contact) and one seller (about a fifth), at the first page, 50,000 rows down
(keyset: one index seek) and the last page, for each sort column; and the same
deep page by OFFSET, which is what keyset paging saves.  Medians of `--rounds`
interleaved runs.  Uses bench_store's cached demo database (built once).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import table  # noqa: E402
from bench.bench_store import CACHE, RESULTS, cached_store  # noqa: E402
from store import audit, contacts, runtime  # noqa: E402
from store.db import database  # noqa: E402
from store.models import User  # noqa: E402
from store.scope import Scope  # noqa: E402

ACTIVE = "archived_at IS NULL AND restricted_at IS NULL"
PLAIN = f"SELECT id, first_name, last_name, email, phone FROM contact WHERE {ACTIVE} LIMIT 51"
FTS_PLAIN = "SELECT rowid FROM contact_search WHERE contact_search MATCH ? LIMIT 51"  # unsorted matches
OLD_ORDER = (f"SELECT id FROM contact WHERE {ACTIVE} ORDER BY last_name, first_name LIMIT 51")  # binary order
OFFSET = (f"SELECT c.id FROM contact c WHERE {ACTIVE} ORDER BY c.sort_name, c.id LIMIT 51 OFFSET ?")


def median_ms(fn, rounds: int) -> float:
    fn()  # warm: every path reads pages the others read too
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _position(scope: Scope, sort: str, depth: int):
    """The `after` of the page `depth` rows down, found by walking pages of 5,000."""
    after = None
    walked = 0
    while walked < depth:
        page = contacts.search_page(scope, "", limit=min(5000, depth - walked), sort=sort, after=after)
        if page.after is None:
            break
        after, walked = page.after, walked + len(page.rows)
    return after


def run(size: int, rounds: int) -> dict:
    runtime.open_store(cached_store(size))
    try:
        manager = Scope(User.get(User.username == "manager"))
        seller = Scope(User.get(User.username == "seller0"))
        conn = database.connection()
        visible = contacts.count_contacts(manager, "")
        out: dict = {"visible": visible}
        out["plain unsorted first page (baseline)"] = median_ms(lambda: conn.execute(PLAIN).fetchall(), rounds)
        out["OFFSET page 50,000 rows down, by name"] = median_ms(
            lambda: conn.execute(OFFSET, (visible // 2,)).fetchall(), rounds)
        for who, scope in (("manager", manager), ("sales", seller)):
            for sort in ("name", "company", "email", "owner", "status", "tags"):
                out[f"{who}: first page by {sort}"] = median_ms(
                    lambda s=sort, sc=scope: contacts.search_page(sc, "", sort=s), rounds)
            deep = _position(scope, "name", min(50_000, contacts.count_contacts(scope, "") // 2))
            out[f"{who}: page half-way down by name (keyset)"] = median_ms(
                lambda d=deep, sc=scope: contacts.search_page(sc, "", after=d), rounds)
            out[f"{who}: first page by name, descending"] = median_ms(
                lambda sc=scope: contacts.search_page(sc, "", descending=True), rounds)
        out["before: first page by last_name, first_name (binary order)"] = median_ms(
            lambda: conn.execute(OLD_ORDER).fetchall(), rounds)
        for text in ("h", "han", "hansen"):
            out[f"baseline: FTS matches of '{text}', unsorted"] = median_ms(
                lambda t=text: conn.execute(FTS_PLAIN, (f'"{t}"*',)).fetchall(), rounds)
            out[f"manager: search '{text}' by name"] = median_ms(
                lambda t=text: contacts.search_page(manager, t), rounds)
            out[f"manager: count '{text}'"] = median_ms(lambda t=text: contacts.count_contacts(manager, t), rounds)
        out["manager: count, nothing typed"] = median_ms(lambda: contacts.count_contacts(manager, ""), rounds)
        out["sales: count, nothing typed"] = median_ms(lambda: contacts.count_contacts(seller, ""), rounds)
        audit._pending_searches.clear()  # keep the cached database as it was
    finally:
        runtime.close_store()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_LIST_SIZE", "100000")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "7")))
    args = parser.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    result = run(args.size, args.rounds)
    base = result["plain unsorted first page (baseline)"]
    print()
    print(f"Contact lists at {args.size:,} contacts ({result['visible']:,} active; ms, median of "
          f"{args.rounds}; x = path / plain unsorted first page)")
    print(table(("path", "ms", "x plain"),
                [(name, f"{v:.2f}", f"{v / base:.1f}") for name, v in result.items() if name != "visible"]))
    out = RESULTS / "bench_lists.json"
    out.write_text(json.dumps({"size": args.size, "rounds": args.rounds, "ms": result}, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
