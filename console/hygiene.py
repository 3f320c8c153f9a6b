"""`minicrm hygiene [--apply] [--today DATE]`: the retention jobs and the hygiene report.

Without `--apply` it prints what is due (one table, the figures from `[retention]`) and the
checks (duplicates, access review, consent, free text, requests); with `--apply` it does
every job, audited and idempotent, and prints one summary line: what a cron job or a
systemd timer logs.  `--today` is the clock: the jobs run as of that date.
`minicrm hygiene review-done` records the access review (dated, audited).
`run` and `report` are the older names of `--apply` and the report.

People appear by contact id, staff by user name (console output may be logged).
"""
from __future__ import annotations

import argparse

from .common import console_scope, date_arg, open_store, printable

SHOWN = 50  # rows per list; the app's hygiene screen pages through the rest


def _more(rows: list, total: int) -> str:
    return f"... and {total - len(rows)} more (the hygiene screen lists them all)" if total > len(rows) else ""


def _table(rows, headers) -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=headers, disable_numparse=True)


def print_report(report) -> None:
    print(f"Retention, as of {report.now:%Y-%m-%d} ([retention] in the config; `minicrm hygiene --apply` does it):")
    print(_table([(d.job, d.count, d.rule) for d in report.due], ("job", "due", "rule")))

    pairs = list(report.duplicates)
    print(f"\nPossible duplicates: {len(pairs)} (merge them in the app: Admin > hygiene)")
    if pairs:
        print(_table([(p.first_id, p.second_id, p.reason, p.score) for p in pairs[:SHOWN]],
                     ("contact", "contact", "same", "score")))
        if len(pairs) > SHOWN:
            print(_more(pairs[:SHOWN], len(pairs)))

    a = report.access
    last = (f"last recorded {a.last_reviewed_at:%Y-%m-%d} by {printable(a.last_reviewed_by or 'the console')}"
            if a.last_reviewed_at else "never recorded")
    print(f"\nAccess review: {last} (`minicrm hygiene review-done` records one)")
    for label, names in (("not logged in for 90 days", a.inactive), ("admins", a.admins),
                         ("can see invoices", a.invoice_readers)):
        print(f"  {label}: {', '.join(printable(n) for n in names) or '-'}")
    owning = ", ".join(f"{printable(n)} ({count} records)" for n, count in a.revoked_owning)
    print(f"  revoked, still owning records: {owning or '-'}")

    issues = list(report.consents)
    unproven = sum(1 for i in issues if i.reason == "unproven")
    print(f"\nConsent: {unproven} given without valid proof, {len(issues) - unproven} due for re-permission "
          f"(left off the lists)")
    if issues:
        print(_table([(i.contact_id, i.purpose, i.reason) for i in issues[:SHOWN]], ("contact", "purpose", "why")))
        if len(issues) > SHOWN:
            print(_more(issues[:SHOWN], len(issues)))

    texts = list(report.free_text)
    flagged = sum(1 for f in texts if f.saved_anyway)
    print(f"\nFree text with special-category words or CPR numbers: {len(texts)} "
          f"({flagged} saved despite special-category words; review and edit them)")
    if texts:
        print(_table([(f.entity, f.entity_id, f.field, ", ".join(f.kinds),
                       f.contact_id if f.contact_id is not None else "-", "yes" if f.saved_anyway else "")
                      for f in texts[:SHOWN]], ("record", "id", "field", "kinds", "contact", "saved anyway")))
        if len(texts) > SHOWN:
            print(_more(texts[:SHOWN], len(texts)))

    requests = list(report.requests)
    print(f"\nRequests due within 7 days or overdue: {len(requests)}")
    if requests:
        print(_table([(r.id, r.contact_id if r.contact_id is not None else "-", r.kind, r.due_on,
                       f"OVERDUE by {-r.days_left}d" if r.urgency == "overdue" else f"due in {r.days_left}d")
                      for r in requests[:SHOWN]], ("request", "contact", "kind", "due", "deadline")))


def cmd_hygiene(args) -> int:
    if getattr(args, "apply", False):
        return cmd_hygiene_apply(args)
    from store import hygiene_checks

    open_store(args)
    print_report(hygiene_checks.report(console_scope(), args.today))
    return 0


def cmd_hygiene_apply(args) -> int:
    from store import hygiene

    open_store(args)
    done = hygiene.apply(console_scope(), now=args.today)
    counts = done.counts()
    print(f"hygiene applied: archived {counts['archive']}, erased {counts['erase']}, deleted "
          f"{counts['withdrawn_consents']} withdrawn consents, {counts['opt_ins']} expired sign-ups, "
          f"{counts['invoices']} invoices, {counts['erasure_proof']} erasure ledger entries, "
          f"{counts['export_bundles']} export bundles, {counts['audit_rows']} audit rows")
    return 0


def cmd_hygiene_review_done(args) -> int:
    from store import staff

    open_store(args)
    review_id = staff.record_access_review(console_scope())
    print(f"Access review {review_id} recorded.")
    return 0


def add_hygiene_parser(sub) -> None:
    hyg = sub.add_parser("hygiene", help="retention jobs ([retention] settings) and the hygiene report")
    hyg.add_argument("--apply", action="store_true", help="do what is due (audited; safe from cron or a timer)")
    hyg.add_argument("--today", type=date_arg, default=None, help="as of this date (YYYY-MM-DD)")
    hyg.set_defaults(func=cmd_hygiene)
    more = hyg.add_subparsers(dest="hygiene_command", required=False)
    s = more.add_parser("run", help="the same as --apply")
    s.add_argument("--today", type=date_arg, default=argparse.SUPPRESS, help="run as of this date (YYYY-MM-DD)")
    s.set_defaults(func=cmd_hygiene_apply)
    s = more.add_parser("report", help="the same as no option: what is due, and the checks")
    s.add_argument("--today", type=date_arg, default=argparse.SUPPRESS, help="as of this date (YYYY-MM-DD)")
    s.set_defaults(func=cmd_hygiene)
    s = more.add_parser("review-done", help="record that the access review was done (dated, audited)")
    s.set_defaults(func=cmd_hygiene_review_done)
