"""Invoices and follow-ups (issue 17), each beside a baseline measured in the same run.

    .venv/bin/python -m bench.bench_finance [--contacts 100000] [--rounds 30]

A fresh encrypted store of N demo contacts (`store.demo.generate`: a follow-up for about
one contact in three, an invoice for one in four plus recent ones).  Measured, p50 and p95:

* the home screen's today list (`followups.due_follow_ups`) for a seller and a manager,
  and a contact's follow-ups (`follow_ups_of`), beside one search keystroke
  (`contacts.search_contacts` for "søren", the query the home screen runs per key);
* finance's overdue page (`invoices.list_invoices`) and its totals per currency
  (`invoices.invoice_totals`, over every invoice the filter finds), beside the same
  search keystroke;
* marking an invoice paid and a follow-up done (one BEGIN IMMEDIATE transaction each,
  audited), beside a contact save (`contacts.update_contact` of the title).
"""
from __future__ import annotations

import argparse
import datetime as dt
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


def _samples(fn, rounds: int) -> list[float]:
    fn()  # warm the page cache for each side alike
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _p(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)

    from store import contacts, demo, followups, invoices, runtime
    from store.config import load_config, write_config
    from store.db import database
    from store.models import Contact, FollowUp, Invoice, User
    from store.scope import Scope

    with tempfile.TemporaryDirectory() as tmp:
        cfg_path = Path(tmp) / "minicrm.toml"
        write_config(cfg_path, "crm.db", "crm.key")
        runtime.create_store(load_config(cfg_path))
        with database.atomic():
            made = {role: User.create(username=f"bench-{role}", role=role, must_change_password=False)
                    for role in ("sales", "manager", "finance")}
        started = time.perf_counter()
        counts = demo.generate(args.contacts)
        print(f"store: {args.contacts} contacts, {counts['follow_ups']} follow-ups, "
              f"{counts['invoices'] + counts['recent_invoices']} invoices in {time.perf_counter() - started:.1f} s")
        sales, manager, finance = (Scope(made[r]) for r in ("sales", "manager", "finance"))
        rounds = args.rounds
        keystroke = _samples(lambda: contacts.search_contacts(manager, "søren", limit=50), rounds)
        contact_id = FollowUp.select(FollowUp.contact).where(FollowUp.owner == made["sales"].id).scalar()
        rows = [
            ("search keystroke 'søren' (baseline)", keystroke),
            ("today list, seller", _samples(lambda: followups.due_follow_ups(sales), rounds)),
            ("today list, manager", _samples(lambda: followups.due_follow_ups(manager), rounds)),
            ("a contact's follow-ups", _samples(lambda: followups.follow_ups_of(sales, contact_id), rounds)),
            ("overdue invoices, first 100", _samples(
                lambda: invoices.list_invoices(finance, status="overdue"), rounds)),
            ("unpaid totals per currency", _samples(
                lambda: invoices.invoice_totals(finance, status="unpaid"), rounds)),
        ]
        base = _p(keystroke, 95)
        print(table(("read", "p50 ms", "p95 ms", "p95 / baseline"),
                    [(name, f"{_p(s, 50) * 1000:.2f}", f"{_p(s, 95) * 1000:.2f}", f"{_p(s, 95) / base:.2f}x")
                     for name, s in rows]))

        # writes: one transaction each, beside a contact save
        target = Contact.select(Contact.id).where(Contact.owner == made["sales"].id).first().id
        titles = iter(f"Indkøber {n}" for n in range(10 * rounds))

        def save_contact():
            version = Contact.get_by_id(target).version
            contacts.update_contact(sales, target, version, title=next(titles))

        unpaid = iter([i.id for i in Invoice.select(Invoice.id).where(Invoice.paid_on.is_null())
                       .order_by(Invoice.id).limit(rounds + 1)])

        def pay():
            inv = Invoice.get_by_id(next(unpaid))
            invoices.mark_paid(finance, inv.id, inv.version, dt.date.today())

        mine = FollowUp.select().where(FollowUp.owner == made["sales"].id).first()

        def toggle():
            row = FollowUp.get_by_id(mine.id)
            followups.set_done(sales, row.id, row.version, row.done_at is None)

        saves = _samples(save_contact, rounds)
        writes = [("contact save (baseline)", saves), ("mark an invoice paid", _samples(pay, rounds)),
                  ("follow-up done/undone", _samples(toggle, rounds))]
        base = _p(saves, 95)
        print(table(("write", "p50 ms", "p95 ms", "p95 / baseline"),
                    [(name, f"{_p(s, 50) * 1000:.2f}", f"{_p(s, 95) * 1000:.2f}", f"{_p(s, 95) / base:.2f}x")
                     for name, s in writes]))
        runtime.close_store()
    print(f"({statistics.median(keystroke) * 1000:.2f} ms median keystroke; {rounds} rounds each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
