"""The hygiene report and `hygiene --apply` at 100,000 contacts, each beside a raw SQL scan of the
same rows measured in the same run.

    .venv/bin/python -m bench.bench_hygiene [--contacts 100000] [--archive 10000] [--erase 200] [--repeat 3]

A fresh encrypted store is filled with demo contacts (companies, deals, invoices, consents,
notes), then `--archive` of them are made inactive for 30 months and `--erase` archived 14
months ago, so the jobs have work.  Measured:

* due:    `hygiene.due` (every job counted), against the same COUNT queries run raw;
* report: `hygiene_checks.report` (due, duplicates with rapidfuzz, access, consent check, the
          free-text scan of every note, title, deal and company, requests), against a raw
          SELECT of the rows it reads (the floor: no report can read less), medians of --repeat;
* apply:  `hygiene.apply` once (archive in one UPDATE, each erasure its own transaction through
          `erase_person` with ledger, index merge and WAL truncation), against raw UPDATE/DELETE
          statements over the same rows in one transaction, rolled back (so both see the same rows).

`make bench` runs it at 100,000 contacts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2027, 6, 15, 3, 30)

RAW_SCAN = [  # the rows the report reads, without any of its work
    "SELECT id, email FROM contact WHERE email IS NOT NULL",
    "SELECT id, phone FROM contact WHERE phone IS NOT NULL",
    "SELECT company_id, id, first_name, last_name FROM contact WHERE company_id IS NOT NULL",
    "SELECT contact_id, purpose, given_at, proof_missing FROM consent WHERE status = 'given'",
    "SELECT id, body, contact_id FROM note",
    "SELECT id, title FROM contact WHERE title != ''",
    "SELECT id, title, contact_id FROM deal",
    "SELECT id, name FROM company",
    "SELECT entity, entity_id, detail FROM audit_event WHERE action = 'text.special_allowed'",
    "SELECT * FROM data_subject_request WHERE status = 'open'",
    "SELECT * FROM \"user\"",
]


def raw_counts(conn, inactive_before: str, archived_before: str) -> None:
    for sql, args in (
        ("SELECT count(*) FROM contact WHERE archived_at IS NULL AND last_activity_at <= ?", (inactive_before,)),
        ("SELECT count(*) FROM contact WHERE archived_at IS NOT NULL AND archived_at <= ? AND restricted_at IS NULL",
         (archived_before,)),
        ("SELECT count(*) FROM consent WHERE status = 'withdrawn' AND withdrawn_at <= ?", ("2025-06-15",)),
        ("SELECT count(*) FROM opt_in WHERE expires_at <= ?", (NOW.isoformat(sep=" "),)),
        ("SELECT count(*) FROM invoice WHERE retained_after_erasure = 1 AND contact_id IS NULL AND retain_until <= ?",
         (NOW.date().isoformat(),)),
        ("SELECT count(*) FROM erasure_ledger WHERE keep_until <= ?", (NOW.date().isoformat(),)),
        ("SELECT count(*) FROM audit_event WHERE at < ?", ("2022-06-15",)),
    ):
        conn.execute(sql, args).fetchone()


def raw_apply(conn, inactive_before: str, erase_ids: list[int]) -> None:
    """The same rows changed by plain statements in one transaction (no ledger, proof, audit or scrub)."""
    conn.execute("UPDATE contact SET archived_at = ?, version = version + 1 WHERE archived_at IS NULL "
                 "AND last_activity_at <= ?", (NOW.isoformat(sep=" "), inactive_before))
    for cid in erase_ids:
        for sql in ("UPDATE invoice SET contact_id = NULL, retained_after_erasure = 1 WHERE contact_id = ?",
                    "DELETE FROM deal WHERE contact_id = ? AND company_id IS NULL",
                    "UPDATE deal SET contact_id = NULL WHERE contact_id = ?",
                    "DELETE FROM consent_event WHERE consent_id IN (SELECT id FROM consent WHERE contact_id = ?)",
                    "DELETE FROM consent WHERE contact_id = ?", "DELETE FROM note WHERE contact_id = ?",
                    "DELETE FROM contact_tag WHERE contact_id = ?", "DELETE FROM contact_search WHERE rowid = ?",
                    "DELETE FROM contact WHERE id = ?"):
            conn.execute(sql, (cid,))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(fn, repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--archive", type=int, default=10_000, help="contacts inactive long enough to archive")
    parser.add_argument("--erase", type=int, default=200, help="contacts archived long enough to erase")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from store import demo, hygiene, hygiene_checks, retention, runtime
    from store.config import load_config, write_config
    from store.db import database
    from store.scope import Scope

    with tempfile.TemporaryDirectory() as tmp:
        cfg_path = Path(tmp) / "minicrm.toml"
        write_config(cfg_path, "crm.db", "crm.key")
        runtime.create_store(load_config(cfg_path))
        t = timed(lambda: demo.generate(args.contacts))
        print(f"store: {args.contacts} demo contacts in {t:.1f} s")
        conn = database.connection()
        ids = [i for (i,) in conn.execute("SELECT id FROM contact ORDER BY id")]
        quiet, old = ids[:args.archive], ids[args.archive:args.archive + args.erase]
        with database.atomic():
            conn.execute("UPDATE contact SET last_activity_at = ?", ("2027-01-01 00:00:00",))
            conn.executemany("UPDATE contact SET last_activity_at = '2024-12-01 00:00:00' WHERE id = ?",
                             [(i,) for i in quiet])
            conn.executemany("UPDATE contact SET last_activity_at = '2023-01-01 00:00:00', "
                             "archived_at = '2026-04-01 00:00:00' WHERE id = ?", [(i,) for i in old])
        rules = retention.rules()
        inactive_before = retention.months_before(NOW, rules.inactive_archive_months).isoformat(sep=" ")
        archived_before = retention.months_before(NOW, rules.archived_erase_months).isoformat(sep=" ")
        console = Scope.console()

        due = hygiene.due(NOW)
        print(f"due: {due['archive']} to archive, {due['erase']} to erase")
        m_due = median(lambda: hygiene.due(NOW), args.repeat)
        m_due_raw = median(lambda: raw_counts(conn, inactive_before, archived_before), args.repeat)

        def scan():
            for sql in RAW_SCAN:
                conn.execute(sql).fetchall()

        report = hygiene_checks.report(console, NOW)
        m_report = median(lambda: hygiene_checks.report(console, NOW), args.repeat)
        m_scan = median(scan, args.repeat)

        def raw_then_rollback():
            with database.atomic() as tx:
                raw_apply(conn, inactive_before, old)
                tx.rollback()

        m_apply_raw = timed(raw_then_rollback)
        done_holder = []
        m_apply = timed(lambda: done_holder.append(hygiene.apply(console, NOW)))
        done = done_holder[0]
        assert done.archived == len(quiet) and len(done.erased) == len(old), done
        m_again = median(lambda: hygiene.apply(console, NOW), args.repeat)  # nothing left: the idle timer run

        rows = [
            ("due      hygiene.due (8 jobs counted)", m_due, "raw COUNT of the same rows", m_due_raw),
            (f"report   hygiene_checks.report ({len(report.duplicates)} pairs, {len(report.consents)} consents, "
             f"{len(report.free_text)} texts)", m_report, "raw SELECT of the rows it reads", m_scan),
            (f"apply    hygiene.apply ({done.archived} archived, {len(done.erased)} erased)", m_apply,
             "raw UPDATE/DELETE, same rows, one tx", m_apply_raw),
            ("again    hygiene.apply with nothing due", m_again, "raw COUNT of the same rows", m_due_raw),
        ]
        print(f"\n{'measured':70} {'ms':>9}   {'baseline':38} {'ms':>9}  ratio")
        for what, value, base_what, base in rows:
            print(f"{what:70} {value * 1000:9.1f}   {base_what:38} {base * 1000:9.1f}  {value / base:5.1f}x")
        results = {"contacts": args.contacts, "archive": len(quiet), "erase": len(old),
                   **{r[0].split()[0]: {"ms": round(r[1] * 1000, 1), "baseline_ms": round(r[3] * 1000, 1),
                                        "ratio": round(r[1] / r[3], 2)} for r in rows}}
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "hygiene.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        runtime.close_store()
    return 0


if __name__ == "__main__":
    sys.exit(main())
