"""The encrypted store: scoped search and bulk insert, each beside its raw floor.

    .venv/bin/python -m bench.bench_store [--sizes 100000,1000000] [--rounds 5] [--bulk-rows 100000]
    BENCH_SIZES=100000 make bench

* search: `contacts.search_contacts` for a seller (sees ~1/5 of the contacts)
  and for a manager (sees all), over a fixed list of prefixes and Danish names,
  next to the same FTS5 query run directly on the SQLCipher connection
  (`SELECT rowid FROM contact_search WHERE contact_search MATCH ? LIMIT 50`).
  Target: scoped p95 within 2x the raw p95.
* bulk insert: `bulk.insert_contacts` (contact rows + search index) next to a
  raw `executemany` of the same rows into a plain table in a SQLCipher file
  with the same key handling and pragmas.

Databases of N demo contacts are built once with `store.demo.generate` and
cached under bench/.cache/ (1,000,000 contacts take about 5 minutes), rebuilt
when search.py, demo.py, bulk.py or a migration changes.  Results
are printed and written to bench/results/bench_store.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import table  # noqa: E402
from store import audit, bulk, contacts, demo, runtime, search  # noqa: E402
from store.config import load_config, write_config  # noqa: E402
from store.db import checkpoint, database, new_key_file, open_database  # noqa: E402
from store.models import User  # noqa: E402
from store.scope import Scope  # noqa: E402

CACHE = HERE / ".cache"
RESULTS = HERE / "results"
SELLERS = 4
TARGET_RATIO = 2.0

# What people type: 2-6 letter prefixes and whole Danish names, some in ASCII spelling.
QUERIES = (
    "so", "sø", "sør", "søre", "søren", "soren", "soeren", "me", "met", "mette", "jø", "jør", "jørg",
    "jorgen", "ni", "niel", "niels", "ha", "han", "hans", "hansen", "pe", "ped", "peder", "pedersen",
    "an", "and", "ander", "andersen", "kj", "kjæ", "kjær", "kjaer", "øs", "øst", "øster", "ostergaard",
    "la", "lar", "lars", "larsen", "ki", "kirs", "kirsten", "mø", "møl", "møller", "moller", "ra",
    "ras", "rasmus", "ch", "chr", "chris", "christensen", "fr", "fre", "freja", "ma", "mad", "mads",
    "madsen", "bj", "bjø", "bjørn", "aa", "aag", "aagaard", "åse", "ase", "æ", "ær", "ærling", "erling",
    "th", "tho", "thomsen", "ol", "ols", "olsen", "da", "dah", "dahl", "ho", "hol", "holm", "bø", "bøg",
    "bøgh", "jose", "josé", "zoe", "zoë", "no", "noe", "noémie", "li", "lin", "lindahl", "sk", "sko",
    "skovgaard", "ve", "ves", "vestergård", "fj", "fjeld", "fjeldsø", "ida", "emma", "signe", "troels",
)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


# --- the cached databases ----------------------------------------------------------------

def build_fingerprint() -> str:
    """Changes when the code that shapes a built database does: then it is built anew."""
    digest = hashlib.sha256()
    store_dir = Path(search.__file__).parent
    for path in sorted([store_dir / "search.py", store_dir / "demo.py", store_dir / "bulk.py",
                        *(store_dir / "migrations").glob("m*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def cached_store(size: int) -> Path:
    """A config for a store of `size` demo contacts, built once and kept."""
    folder = CACHE / f"store-{size}-{build_fingerprint()}"
    config_path = folder / "minicrm.toml"
    if (folder / "complete").exists():
        return config_path
    for stale in CACHE.glob(f"store-{size}-*"):  # built by older code: no longer comparable
        shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True)
    write_config(config_path, "crm.db", "crm.key")
    print(f"building {size:,} demo contacts in {folder} (cached for next time) ...", flush=True)
    started = time.monotonic()
    runtime.create_store(load_config(config_path))
    with database.atomic():
        User.create(username="admin", role="admin", must_change_password=False)
        User.create(username="manager", role="manager", must_change_password=False)
        for n in range(SELLERS):
            User.create(username=f"seller{n}", role="sales", must_change_password=False)
    owners = [u.id for u in User.select().where(User.role.in_(["sales", "manager"]))]
    step = 100_000  # several transactions: bounded memory, like a real bulk load
    for start in range(0, size, step):
        demo.generate(min(step, size - start), seed=2026 + start, owners=owners)
        print(f"  {min(start + step, size):,} contacts, {time.monotonic() - started:.0f} s", flush=True)
    checkpoint()
    runtime.close_store()
    (folder / "complete").write_text(f"{time.monotonic() - started:.1f}\n")
    print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    return config_path


# --- search --------------------------------------------------------------------------------

def bench_search(size: int, rounds: int) -> dict:
    config_path = cached_store(size)
    runtime.open_store(config_path)
    try:
        seller = Scope(User.get(User.username == "seller0"))
        manager = Scope(User.get(User.username == "manager"))
        raw_conn = database.connection()
        raw_sql = "SELECT rowid FROM contact_search WHERE contact_search MATCH ? LIMIT 50"
        expressions = {q: search.match_expression(q) for q in QUERIES}

        def raw(q):
            return raw_conn.execute(raw_sql, (expressions[q],)).fetchall()

        def raw_rows(q):
            return raw_conn.execute(ROWS_SQL, (expressions[q],)).fetchall()

        paths = {"raw FTS5": raw,
                 "raw SQL, same columns": raw_rows,
                 "scoped, sales": lambda q: contacts.search_contacts(seller, q),
                 "scoped, manager": lambda q: contacts.search_contacts(manager, q)}
        for fn in paths.values():  # warm the page cache: every path reads the same pages
            for q in QUERIES:
                fn(q)
        per_query = {name: {q: [] for q in QUERIES} for name in paths}
        hits = {name: 0 for name in paths}
        order = list(QUERIES)
        for r in range(rounds):
            random.Random(r).shuffle(order)
            for q in order:
                for name, fn in paths.items():  # interleaved: the same noise for each path
                    t0 = time.perf_counter()
                    rows = fn(q)
                    per_query[name][q].append(time.perf_counter() - t0)
                    hits[name] += len(rows)
        # The first page with nothing typed (what a list screen shows before any key):
        # ORDER BY last_name, first_name over every visible contact.
        listing = {}
        for name, scope in (("sales", seller), ("manager", manager)):
            times = []
            for _ in range(max(3, rounds)):
                t0 = time.perf_counter()
                contacts.search_contacts(scope, "")
                times.append(time.perf_counter() - t0)
            listing[name] = statistics.median(times) * 1000
        audit._pending_searches.clear()  # keep the cached database as it was
    finally:
        runtime.close_store()
    # Each query's median over the rounds, then p50/p95 over the queries: a shared,
    # noisy machine adds spikes to single samples, not to a query's typical time.
    typical = {name: [statistics.median(t) for t in by_q.values()] for name, by_q in per_query.items()}
    out = {}
    floor = typical["raw FTS5"]
    for name, s in typical.items():
        every = [t for ts in per_query[name].values() for t in ts]
        out[name] = {
            "p50_ms": percentile(s, 50) * 1000, "p95_ms": percentile(s, 95) * 1000,
            "all_samples_p50_ms": percentile(every, 50) * 1000,
            "all_samples_p95_ms": percentile(every, 95) * 1000,
            "mean_rows": hits[name] / len(every), "queries": len(s), "rounds": rounds,
            "ratio_p50": percentile(s, 50) / percentile(floor, 50),
            "ratio_p95": percentile(s, 95) / percentile(floor, 95),
        }
    out["list, no text"] = {"sales_median_ms": listing["sales"], "manager_median_ms": listing["manager"]}
    return out


# What the scoped search returns, written by hand with no scope: the cost of the rows themselves.
ROWS_SQL = """
SELECT c.id, c.first_name, c.last_name, c.email, c.phone, u.username, c.lifecycle, c.archived_at,
       c.restricted_at, co.name,
       (SELECT group_concat(t.name, char(31)) FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
         WHERE ct.contact_id = c.id)
FROM contact_search s JOIN contact c ON c.id = s.rowid
LEFT JOIN company co ON co.id = c.company_id LEFT JOIN user u ON u.id = c.owner_id
WHERE contact_search MATCH ? AND c.archived_at IS NULL AND c.restricted_at IS NULL LIMIT 50
"""


# --- bulk insert -------------------------------------------------------------------------------

def demo_rows(n: int, owners: list[int | None], company_ids: list[int]) -> list[tuple]:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        first, last = rng.choice(demo.FIRST), rng.choice(demo.LAST)
        rows.append((first, last, rng.choice(demo.TITLES), f"{demo._ascii(first)}.{demo._ascii(last)}{i}@firma.dk",
                     demo.phone_number(rng), rng.choice(company_ids), rng.choice(owners),
                     rng.choice(demo.LIFECYCLES), "bench", None, "contract"))
    return rows


def bench_bulk(rows_n: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bulk-", dir=CACHE))
    try:
        # the store's path: contact table (indexes, foreign keys) + search index
        config_path = work / "minicrm.toml"
        write_config(config_path, "crm.db", "crm.key")
        runtime.create_store(load_config(config_path))
        with database.atomic():
            owner = User.create(username="seller", role="sales").id
            database.execute_sql("INSERT INTO company (id, name, cvr, created_at, updated_at) "
                                 "VALUES (1, 'Bench Byg ApS', '35954716', '2026-01-01', '2026-01-01')")
        rows = demo_rows(rows_n, [owner], [1])
        names = {1: ("Bench Byg ApS", "35954716")}
        t0 = time.perf_counter()
        with database.atomic():
            bulk.insert_contacts(rows, company_names=names)
        store_s = time.perf_counter() - t0

        # the same rows without the search index: what the contact table alone costs
        with database.atomic():
            database.execute_sql("DELETE FROM contact")
            database.execute_sql("DELETE FROM contact_search")
        checkpoint()
        t0 = time.perf_counter()
        with database.atomic():
            conn = database.connection()
            now = "2026-01-01 00:00:00"
            conn.executemany(
                f"INSERT INTO contact (id, {', '.join(bulk.CONTACT_COLUMNS)}, created_at, updated_at, "
                f"last_activity_at, version) VALUES ({','.join('?' * (len(bulk.CONTACT_COLUMNS) + 5))})",
                [(i + 1, *row, now, now, now, 1) for i, row in enumerate(rows)])
        table_s = time.perf_counter() - t0
        runtime.close_store()

        # the raw floor: a plain table in a SQLCipher file, same key handling and pragmas
        key = new_key_file(work / "raw.key")
        open_database(work / "raw.db", key, create=True)
        database.execute_sql(f"CREATE TABLE plain (id INTEGER PRIMARY KEY, "
                             f"{', '.join(c + ' TEXT' for c in bulk.CONTACT_COLUMNS)})")
        t0 = time.perf_counter()
        with database.atomic():
            database.connection().executemany(
                f"INSERT INTO plain VALUES ({','.join('?' * (len(bulk.CONTACT_COLUMNS) + 1))})",
                [(i + 1, *row) for i, row in enumerate(rows)])
        raw_s = time.perf_counter() - t0
        database.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "rows": rows_n,
        "bulk_rows_per_s": rows_n / store_s,
        "contact_table_only_rows_per_s": rows_n / table_s,
        "raw_rows_per_s": rows_n / raw_s,
        "ratio": (rows_n / raw_s) / (rows_n / store_s),
    }


# --- report ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "100000,1000000"))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--bulk-rows", type=int, default=int(os.environ.get("BENCH_BULK_ROWS", "100000")))
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    CACHE.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)

    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "target_ratio_p95": TARGET_RATIO, "search": {}, "bulk": None}
    rows = []
    for size in sizes:
        result = bench_search(size, args.rounds)
        report["search"][str(size)] = result
        for name, r in result.items():
            if name == "list, no text":
                continue
            verdict = "" if name.startswith("raw") else ("ok" if r["ratio_p95"] <= TARGET_RATIO else "MISSED")
            rows.append((f"{size:,}", name, f"{r['p50_ms']:.2f}", f"{r['p95_ms']:.2f}",
                         f"{r['ratio_p50']:.2f}", f"{r['ratio_p95']:.2f}", f"{r['mean_rows']:.0f}", verdict))
    print()
    print(f"Search latency over {len(QUERIES)} queries, each the median of {args.rounds} rounds "
          f"(ms; x = path / raw FTS5; target: scoped p95 <= {TARGET_RATIO} x raw p95)")
    print(table(("contacts", "path", "p50", "p95", "x p50", "x p95", "rows", "target"), rows))
    print()
    print("First page with nothing typed (ms, median; sorted by name over every visible contact)")
    print(table(("contacts", "sales", "manager"),
                [(f"{size:,}", f"{report['search'][str(size)]['list, no text']['sales_median_ms']:.1f}",
                  f"{report['search'][str(size)]['list, no text']['manager_median_ms']:.1f}") for size in sizes]))

    if args.bulk_rows:
        b = bench_bulk(args.bulk_rows)
        report["bulk"] = b
        print()
        print(f"Bulk insert of {b['rows']:,} contacts (rows/s; ratio = raw / path)")
        print(table(("path", "rows/s", "x raw"), [
            ("raw executemany, plain table", f"{b['raw_rows_per_s']:,.0f}", "1.00"),
            ("contact table only (indexes, FKs)", f"{b['contact_table_only_rows_per_s']:,.0f}",
             f"{b['raw_rows_per_s'] / b['contact_table_only_rows_per_s']:.2f}"),
            ("bulk.insert_contacts (+ search index)", f"{b['bulk_rows_per_s']:,.0f}", f"{b['ratio']:.2f}"),
        ]))
    out = RESULTS / "bench_store.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
