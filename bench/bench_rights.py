"""Export and erasure of one person with many related records, each beside its baseline.

    .venv/bin/python bench/bench_rights.py [--contacts 20000] [--related 10000] [--repeat 5]

A fresh encrypted store is filled with demo contacts (neighbours on every
page, a realistic FTS index), then a few people with `--related` records each
(notes, deals, invoices, consent events).  Measured, medians of `--repeat`:

* export:  `export_person` (zip on disk: collect, JSON, CSVs, text and HTML report,
           audit row), against a raw SELECT of the same rows (the floor: no export
           can read less);
* erasure: `erase_person` (one transaction, then the scrub: the FTS index merged in
           short transactions and the WAL truncated), against a raw DELETE/UPDATE of
           the same rows in one transaction.  Also the longest single write-lock hold
           of the scrub (what other sessions may have to wait for);
* the desk (what the privacy role waits for in the app, store/rights/handling.py):
           from the export key to the bundle written and attached to its request
           (`export_for_request`), and from the confirmed erasure to the request
           closed with its ledger entry (`erase_for_request`, scrub included), each
           beside the same raw SQL floor measured in this run.

`make bench` runs it at 100,000 contacts (`--contacts 100000`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RAW_READ = [
    "SELECT * FROM contact WHERE id = ?",
    "SELECT * FROM note WHERE contact_id = ?",
    "SELECT * FROM deal WHERE contact_id = ?",
    "SELECT * FROM invoice WHERE contact_id = ?",
    "SELECT * FROM consent WHERE contact_id = ?",
    "SELECT e.* FROM consent_event e JOIN consent c ON c.id = e.consent_id WHERE c.contact_id = ?",
    "SELECT * FROM contact_tag WHERE contact_id = ?",
    "SELECT * FROM audit_event WHERE entity = 'contact' AND entity_id = ?",
]
RAW_ERASE = [
    "UPDATE invoice SET contact_id = NULL, retained_after_erasure = 1 WHERE contact_id = ?",
    "UPDATE deal SET contact_id = NULL WHERE contact_id = ?",
    "DELETE FROM consent_event WHERE consent_id IN (SELECT id FROM consent WHERE contact_id = ?)",
    "DELETE FROM consent WHERE contact_id = ?",
    "DELETE FROM note WHERE contact_id = ?",
    "DELETE FROM contact_tag WHERE contact_id = ?",
    "DELETE FROM contact_search WHERE rowid = ?",
    "DELETE FROM contact WHERE id = ?",
]


def make_person(n: int, related: int, owner: int) -> tuple[int, dict[str, int]]:
    """One contact with `related` records, inserted raw (the bench measures export, not filling)."""
    from store import search
    from store.db import database

    now = dt.datetime(2026, 1, 5, 12).isoformat(sep=" ")
    notes, deals, invoices = related // 2, related // 5, related // 5
    events = related - notes - deals - invoices
    with database.atomic():
        conn = database.connection()
        conn.execute(
            "INSERT INTO contact (first_name, last_name, title, email, phone, owner_id, lifecycle, source, "
            "lawful_basis, created_at, updated_at, last_activity_at, version) "
            "VALUES (?, ?, 'Indkøber', ?, ?, ?, 'customer', 'manual', 'contract', ?, ?, ?, 1)",
            (f"Bænch{n}", f"Persøn{n}", f"bench.person{n}@example.dk", f"+452{n:07d}", owner, now, now, now))
        cid = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        search.index_contacts(database, [cid])
        conn.executemany("INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
                         "VALUES (?, ?, 'call', ?, ?, ?)",
                         [(cid, owner, f"Samtale nr. {i}: =tilbud på service, ringer igen", "team" if i % 4
                           else "private", now) for i in range(notes)])
        conn.executemany("INSERT INTO deal (title, amount_minor, currency, stage, owner_id, contact_id, "
                         "created_at, updated_at, version) VALUES (?, ?, 'DKK', 'proposal', ?, ?, ?, ?, 1)",
                         [(f"Serviceaftale {i}", 100_000 + i, owner, cid, now, now) for i in range(deals)])
        conn.executemany("INSERT INTO invoice (number, issued_on, due_on, amount_minor, currency, contact_id, "
                         "billing_name, billing_address, billing_email, retain_until, retained_after_erasure) "
                         "VALUES (?, ?, ?, ?, 'DKK', ?, ?, 'Østergade 1', ?, ?, 0)",
                         [(f"B{n}-{i}", "2025-03-10", "2025-04-10", 50_000 + i, cid, f"Bænch{n} Persøn{n}",
                           f"bench.person{n}@example.dk", "2031-01-01") for i in range(invoices)])
        purposes = [(p, ch) for p in ("newsletter", "offers", "events") for ch in ("email", "sms", "phone", "post")]
        for purpose, channel in purposes:
            conn.execute("INSERT INTO consent (contact_id, purpose, channel, status, given_at, method, "
                         "text_version, updated_at) VALUES (?, ?, ?, 'given', ?, 'phone', 'v1', ?)",
                         (cid, purpose, channel, now, now))
        consent_ids = [r[0] for r in conn.execute("SELECT id FROM consent WHERE contact_id = ?", (cid,))]
        conn.executemany("INSERT INTO consent_event (consent_id, at, event, method, text_version, evidence, "
                         "actor_id) VALUES (?, ?, 'given', 'phone', 'v1', ?, ?)",
                         [(consent_ids[i % len(consent_ids)], now, f"Bekræftet i telefonen ({i})", owner)
                          for i in range(events)])
    return cid, {"notes": notes, "deals": deals, "invoices": invoices, "consent_events": events}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000, help="demo contacts around the person")
    parser.add_argument("--related", type=int, default=10_000, help="records related to the person")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from store import demo, runtime
    from store.config import load_config, write_config
    from store.db import database
    from store.models import User
    from store.rights import (
        add_request,
        erase_for_request,
        erase_person,
        export_for_request,
        export_person,
        verify_identity,
    )
    from store.rights.export import collect_person
    from store.scope import Scope

    with tempfile.TemporaryDirectory() as tmp:
        cfg_path = Path(tmp) / "minicrm.toml"
        write_config(cfg_path, "crm.db", "crm.key")
        runtime.create_store(load_config(cfg_path))
        with database.atomic():
            owner = User.create(username="bench-sales", role="sales", must_change_password=False).id
            privacy_user = User.create(username="bench-privacy", role="privacy", must_change_password=False)
        t = timed(lambda: demo.generate(args.contacts))
        print(f"store: {args.contacts} demo contacts in {t:.1f} s")
        console = Scope.console()
        privacy = Scope(privacy_user)

        def verified_request(cid: int, kind: str = "access") -> int:
            rid = add_request(privacy, cid, kind)
            verify_identity(privacy, rid, "id_document")
            return rid

        person, counts = make_person(0, args.related, owner)
        verified_request(person)
        total = sum(counts.values()) + 12
        print(f"person: {total} related records ({', '.join(f'{v} {k}' for k, v in counts.items())}, 12 consents)")

        def raw_select():
            with database.atomic():
                for sql in RAW_READ:
                    database.execute_sql(sql, (person,)).fetchall()

        raw_select()  # warm the page cache for both sides alike
        base = [timed(raw_select) for _ in range(args.repeat)]
        collect = [timed(lambda: collect_person(console, person)) for _ in range(args.repeat)]
        full = [timed(lambda: export_person(console, person, out_dir=tmp)) for _ in range(args.repeat)]
        m_base, m_collect, m_full = statistics.median(base), statistics.median(collect), statistics.median(full)
        print(f"export   baseline raw SELECT of the same rows   {m_base * 1000:8.1f} ms")
        print(f"export   collect_person (scoped reads)          {m_collect * 1000:8.1f} ms  "
              f"({m_collect / m_base:.1f}x baseline)")
        print(f"export   export_person (zip: json, csv, report) {m_full * 1000:8.1f} ms  "
              f"({m_full / m_base:.1f}x baseline)")
        desk_request = verified_request(person)
        desk = statistics.median([timed(lambda: export_for_request(privacy, desk_request))
                                  for _ in range(args.repeat)])
        print(f"desk     export key -> bundle attached          {desk * 1000:8.1f} ms  "
              f"({desk / m_base:.1f}x baseline)")

        # Erasure: fresh people for each run; the baseline deletes an identical person raw.
        from store.rights.erasure import MERGE_PAGES, checkpoint, scrub

        def merge_steps() -> list[float]:
            """erasure.merge_index, timing each of its transactions."""
            conn, out = database.connection(), []
            while True:
                start = time.perf_counter()
                with database.atomic():
                    before = conn.total_changes
                    database.execute_sql("INSERT INTO contact_search(contact_search, rank) VALUES('merge', ?)",
                                         (-MERGE_PAGES,))
                    worked = conn.total_changes - before >= 2
                out.append(time.perf_counter() - start)
                if not worked:
                    return out

        erase_t, raw_t, core_t, scrub_t, longest, desk_t = [], [], [], [], [], []
        for i in range(args.repeat):
            a, _ = make_person(3 * i + 1, args.related, owner)
            b, _ = make_person(3 * i + 2, args.related, owner)
            c, _ = make_person(3 * i + 3, args.related, owner)
            d, _ = make_person(3 * i + 1_000_003, args.related, owner)
            d_request = verified_request(d, "erasure")
            scrub()

            def raw_erase(cid=b):
                with database.atomic():
                    for sql in RAW_ERASE:
                        database.execute_sql(sql, (cid,))

            raw_t.append(timed(raw_erase))
            scrub()
            erase_t.append(timed(lambda cid=a: erase_person(console, cid, legal_basis="art17_1a")))
            core_t.append(timed(lambda cid=c: erase_person(console, cid, legal_basis="art17_1a", _scrub=False)))
            steps: list[float] = []
            scrub_t.append(timed(lambda steps=steps: (steps.extend(merge_steps()), checkpoint())))
            longest.append(max(steps))
            desk_t.append(timed(lambda cid=d, rid=d_request: erase_for_request(privacy, rid, str(cid))))
        m_raw, m_erase, m_core = (statistics.median(x) for x in (raw_t, erase_t, core_t))
        print(f"erasure  baseline raw DELETE/UPDATE, one tx     {m_raw * 1000:8.1f} ms")
        print(f"erasure  erase_person (transaction + scrub)     {m_erase * 1000:8.1f} ms  "
              f"({m_erase / m_raw:.1f}x baseline)")
        print(f"erasure    the transaction alone               {m_core * 1000:8.1f} ms  "
              f"({m_core / m_raw:.1f}x baseline)")
        print(f"erasure    the scrub alone (FTS merge + ckpt)  {statistics.median(scrub_t) * 1000:8.1f} ms  "
              f"(index of {args.contacts + 3 * args.repeat + 1} contacts; longest lock hold "
              f"{statistics.median(longest) * 1000:.1f} ms)")
        m_desk = statistics.median(desk_t)
        print(f"desk     confirmed erasure -> request closed    {m_desk * 1000:8.1f} ms  "
              f"({m_desk / m_raw:.1f}x baseline)")
        runtime.close_store()
    return 0


if __name__ == "__main__":
    sys.exit(main())
