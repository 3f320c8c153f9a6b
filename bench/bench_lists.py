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


def bulk_keys(rows_n: int) -> dict:
    """What the sort keys cost a bulk insert of contact rows (no search index: the table alone),
    in one fresh store, one run: the key computed in Python (what store/bulk.py does), the key
    left to the insert trigger, and neither (the schema before m0017: its triggers and key indexes
    dropped, m0005's name indexes back).
    Plus `bulk.insert_contacts` whole (search index included), for scale."""
    import shutil
    import tempfile

    from bench.bench_store import demo_rows
    from store import bulk, sorting
    from store.config import load_config, write_config

    work = Path(tempfile.mkdtemp(prefix="keys-", dir=CACHE))
    cols = ", ".join(bulk.CONTACT_COLUMNS)
    now = "2026-01-01 00:00:00"
    try:
        config_path = work / "minicrm.toml"
        write_config(config_path, "crm.db", "crm.key")
        runtime.create_store(load_config(config_path))
        with database.atomic():
            owner = User.create(username="seller", role="sales").id
            database.execute_sql("INSERT INTO company (id, name, cvr, created_at, updated_at) "
                                 "VALUES (1, 'Bench Byg ApS', '35954716', '2026-01-01', '2026-01-01')")
        rows = demo_rows(rows_n, [owner], [1])
        marks = ",".join("?" * len(bulk.CONTACT_COLUMNS))

        def timed(sql, values) -> float:
            sorting.danish_key.cache_clear()
            t0 = time.perf_counter()
            with database.atomic():
                database.connection().executemany(sql, values() if callable(values) else values)
            rate = rows_n / (time.perf_counter() - t0)
            with database.atomic():
                database.execute_sql("DELETE FROM contact")
            return rate

        plain = f"INSERT INTO contact ({cols}, created_at, updated_at, last_activity_at, version) " \
                f"VALUES ({marks}, '{now}', '{now}', '{now}', 1)"
        keyed = f"INSERT INTO contact ({cols}, sort_name, created_at, updated_at, last_activity_at, version) " \
                f"VALUES ({marks}, ?, '{now}', '{now}', '{now}', 1)"
        out = {}
        t0 = time.perf_counter()
        with database.atomic():
            bulk.insert_contacts(rows, company_names={1: ("Bench Byg ApS", "35954716")})
        out["bulk.insert_contacts whole (+ search index)"] = rows_n / (time.perf_counter() - t0)
        with database.atomic():
            database.execute_sql("DELETE FROM contact_search")
            database.execute_sql("DELETE FROM contact")
        for _ in range(2):  # the second round is the one kept: the first warms the file
            out["key computed in Python (store/bulk.py)"] = timed(
                keyed, lambda: [(*r, sorting.person_key(r[0], r[1])) for r in rows])
            out["key left to the insert trigger"] = timed(plain, rows)
        with database.atomic():
            for name in ("contact_sort_name_insert", "contact_sort_name_update"):
                database.execute_sql(f'DROP TRIGGER "{name}"')
            for name in ("contact_sort_name", "contact_owner_id_sort_name"):
                database.execute_sql(f'DROP INDEX "{name}"')
            database.execute_sql('CREATE INDEX "contact_last_name_first_name" ON "contact" ("last_name", "first_name")')
            database.execute_sql('CREATE INDEX "contact_owner_id_last_name_first_name" '
                                 'ON "contact" ("owner_id", "last_name", "first_name")')  # m0005's, as before
        timed(plain, rows)
        out["no key (before m0017: baseline)"] = timed(plain, rows)
        runtime.close_store()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_LIST_SIZE", "100000")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "7")))
    parser.add_argument("--bulk-rows", type=int, default=int(os.environ.get("BENCH_BULK_ROWS", "50000")))
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
    keys = bulk_keys(args.bulk_rows) if args.bulk_rows else {}
    if keys:
        base_rate = keys["no key (before m0017: baseline)"]
        print()
        print(f"Bulk insert of {args.bulk_rows:,} contact rows (rows/s; x = baseline / path)")
        print(table(("path", "rows/s", "x"), [(k, f"{v:,.0f}", f"{base_rate / v:.2f}") for k, v in keys.items()]))
    out = RESULTS / "bench_lists.json"
    out.write_text(json.dumps({"size": args.size, "rounds": args.rounds, "ms": result, "bulk_rows_per_s": keys},
                              indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
