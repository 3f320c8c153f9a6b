"""`minicrm requests|export|erase|restrict`: data-subject rights (store/rights) at the console
(the retention jobs are `minicrm hygiene`, console/hygiene.py).

People appear by contact id only: names belong in the TUI, not in console output
that scripts may log.
"""
from __future__ import annotations

import sys

from store.errors import CommandFailed

from .common import console_scope, date_arg, int_id, open_store
from .exit_codes import Exit


def cmd_requests_list(args) -> int:
    from tabulate import tabulate

    from store.rights import requests

    open_store(args)
    scope = console_scope()
    views = requests.list_requests(scope, status=None if args.all else "open", audited=True)
    rows = [(v.id, v.contact_id if v.contact_id is not None else "-", v.kind, v.received_on, v.due_on,
             "yes" if v.extended else "", v.status, v.handler or "-", _deadline(v)) for v in views]
    print(tabulate(rows, headers=("id", "contact", "kind", "received", "due", "extended", "status",
                                  "handler", "deadline"), disable_numparse=True))
    return 0


def _deadline(view) -> str:
    if view.urgency == "closed":
        return ""
    if view.urgency == "overdue":
        return f"OVERDUE by {-view.days_left}d"
    return f"due in {view.days_left}d" if view.urgency == "due_soon" else f"{view.days_left}d left"


def cmd_requests_add(args) -> int:
    from store import accounts
    from store.rights import requests

    open_store(args)
    handler = accounts.find_user(args.handler).id if args.handler else None
    contact_id = None if args.contact == "none" else int_id(args.contact, "contact")
    request_id = requests.add_request(console_scope(), contact_id, args.kind,
                                      received_on=args.received, handler_id=handler,
                                      requester=args.requester, channel=args.channel)
    view = requests.get_request(console_scope(), request_id)
    print(f"Registered request {request_id} ({view.kind}) for contact "
          f"{contact_id if contact_id is not None else '(none)'}; answer by {view.due_on}.")
    return 0


def cmd_requests_verify(args) -> int:
    from store import accounts
    from store.rights import requests

    open_store(args)
    checker = accounts.find_user(args.by).id
    requests.verify_identity(console_scope(), args.id, args.method, verified_by=checker)
    print(f"Recorded the identity check of request {args.id} ({args.method}, by user {checker}).")
    return 0


def cmd_requests_extend(args) -> int:
    from store.rights import requests

    open_store(args)
    due = requests.extend_request(console_scope(), args.id, args.reason)
    print(f"Extended request {args.id}: answer by {due}. Tell the person, with the reason, now.")
    return 0


def cmd_requests_close(args) -> int:
    from store.rights import requests

    open_store(args)
    requests.close_request(console_scope(), args.id, args.outcome)
    print(f"Closed request {args.id} ({args.outcome}).")
    return 0


def cmd_export_person(args) -> int:
    from store.rights import export

    open_store(args)
    if args.stdout:
        if sys.stdout.isatty():
            raise CommandFailed("refusing to write a zip to a terminal; redirect standard output")
        export.write_export_zip(console_scope(), args.id, sys.stdout.buffer, language=args.language,
                                request_id=args.request)
        return 0
    path = export.export_person(console_scope(), args.id, language=args.language, out_dir=args.out,
                                as_zip=not args.folder, request_id=args.request)
    print(path)
    return 0


def cmd_export_purge(args) -> int:
    import datetime as dt

    from store import retention
    from store.rights import export

    open_store(args)
    days = args.days if args.days is not None else retention.rules().export_bundle_days
    count = export.purge_exports(dt.timedelta(days=days))
    print(f"Deleted {count} export bundles older than {days} days.")
    return 0


def _plan_lines(plan) -> list[str]:
    goes = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan.goes.items() if n)
    lines = [f"Erasing contact {plan.contact_id} removes: {goes}."]
    for kind, n in plan.stays.items():
        if n:
            lines.append(f"  stays: {n} {kind.replace('_', ' ')} - {plan.reasons[kind]}")
    if plan.invoices_kept_until:
        lines.append(f"  kept invoices may be deleted from {plan.invoices_kept_until}")
    if plan.proof_kept_until:
        lines.append(f"  the ledger entry and consent proof are deleted from {plan.proof_kept_until}")
    if plan.open_requests:
        lines.append(f"  open requests about this person: {', '.join(map(str, plan.open_requests))}"
                     f" (close them once the person is told)")
    return lines


def cmd_erase_person(args) -> int:
    from store.rights import erasure, handling, requests

    open_store(args)
    scope = console_scope()
    plan = erasure.erasure_plan(scope, args.id)
    # Like the app: an erasure answers the person's open request, whose identity check is recorded
    # (Art. 12(6)); the request is closed with the ledger entry as its outcome.
    request_id = args.request or handling.open_request_for(scope, args.id)
    if request_id is None:
        raise CommandFailed(f"contact {args.id} has no open request: register it (`minicrm requests add`) and "
                            f"record the identity check (`minicrm requests verify`) first; nothing was erased")
    requests.verified_request(scope, request_id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandFailed("refusing to erase without --yes when standard input is not a terminal")
        print("\n".join(_plan_lines(plan)))
        print(f"Legal basis: {args.basis} ({erasure.LEGAL_BASES[args.basis][0]}). This cannot be undone.")
        answer = input(f"Type the contact id ({args.id}) to erase, anything else to cancel: ").strip()
        if answer != str(args.id):
            print("Cancelled; nothing was erased.")
            return Exit.FAILED
    result = handling.erase_for_request(scope, request_id, str(args.id), legal_basis=args.basis)
    removed = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan.goes.items() if n)
    print(f"Erased contact {args.id}: {removed}; {plan.stays.get('invoices', 0)} invoices kept "
          f"(bookkeeping act). Ledger entry {result.ledger_entry} written; request {request_id} closed.")
    if not result.wal_cleared:
        print("Note: another session kept the write-ahead log busy; run `minicrm erase scrub` later.")
    return 0


def cmd_erase_scrub(args) -> int:
    from store.rights import erasure

    open_store(args)
    if not erasure.scrub():
        raise CommandFailed("the write-ahead log is still in use by another session; try again later")
    print("Search index merged and write-ahead log truncated.")
    return 0


def cmd_erase_purge_invoices(args) -> int:
    from store.rights import erasure

    open_store(args)
    count = erasure.purge_expired_invoices()
    print(f"Deleted {count} invoices whose retention period has ended.")
    return 0


def cmd_erase_purge_proof(args) -> int:
    from store.rights import erasure

    open_store(args)
    count = erasure.purge_expired_proof()
    print(f"Deleted {count} erasure ledger entries (and their consent proof) whose retention period has ended.")
    return 0


def cmd_erase_reapply_ledger(args) -> int:
    from store.rights import ledger

    open_store(args)
    erased = ledger.reapply_ledger(console_scope())
    print(f"Re-applied the erasure ledger: erased {len(erased)} contacts"
          + (f" ({', '.join(map(str, erased))})." if erased else "."))
    return 0


def cmd_restrict_person(args) -> int:
    from store.rights import restriction

    open_store(args)
    scope = console_scope()
    if args.lift:
        changed = restriction.lift_restriction(scope, args.id)
        print(f"Lifted the restriction on contact {args.id}." if changed
              else f"Contact {args.id} was not restricted.")
    else:
        changed = restriction.restrict_person(scope, args.id, ground=args.ground)
        print(f"Restricted processing of contact {args.id} (Art. 18)." if changed
              else f"Contact {args.id} was already restricted.")
    return 0


def add_rights_parsers(sub) -> None:
    from store.processing import REQUEST_KINDS
    from store.rights.vocab import CHANNELS, GROUNDS, IDENTITY_METHODS, LEGAL_BASES, OUTCOMES, REQUESTERS

    req = sub.add_parser("requests", help="data-subject requests and their deadlines").add_subparsers(
        dest="requests_command", required=True)
    s = req.add_parser("list", help="open requests, overdue and due soon first")
    s.add_argument("--all", action="store_true", help="closed requests too")
    s.set_defaults(func=cmd_requests_list)
    s = req.add_parser("add", help="register a request (answer within one month)")
    s.add_argument("contact", help="the contact id, or 'none' for someone not in the register")
    s.add_argument("kind", choices=REQUEST_KINDS)
    s.add_argument("--received", type=date_arg, help="date received (YYYY-MM-DD; default today)")
    s.add_argument("--handler", metavar="NAME", help="the admin or privacy user handling it")
    s.add_argument("--requester", choices=REQUESTERS, default="person", help="who asked (default: the person)")
    s.add_argument("--channel", choices=CHANNELS, default="email", help="how the request came (default: email)")
    s.set_defaults(func=cmd_requests_add)
    s = req.add_parser("verify", help="record how the person's identity was verified (Art. 12(6))")
    s.add_argument("id", type=int)
    s.add_argument("--method", choices=tuple(IDENTITY_METHODS), required=True)
    s.add_argument("--by", metavar="NAME", required=True, help="the admin or privacy user who checked it")
    s.set_defaults(func=cmd_requests_verify)
    s = req.add_parser("extend", help="extend by two months, with the reason told to the person")
    s.add_argument("id", type=int)
    s.add_argument("--reason", required=True)
    s.set_defaults(func=cmd_requests_extend)
    s = req.add_parser("close", help="close a request")
    s.add_argument("id", type=int)
    s.add_argument("--outcome", choices=OUTCOMES, default="completed")
    s.set_defaults(func=cmd_requests_close)

    exp = sub.add_parser("export", help="a person's own copy of their data (Art. 15/20)").add_subparsers(
        dest="export_command", required=True)
    s = exp.add_parser("person", help="write the bundle (zip, mode 0600) and print its path")
    s.add_argument("id", type=int)
    s.add_argument("--out", metavar="DIR", help="an existing folder (default: export.folder)")
    s.add_argument("--language", choices=("da", "en"), help="report language (default: ui.language, else da)")
    s.add_argument("--folder", action="store_true", help="a folder of files instead of a zip")
    s.add_argument("--stdout", action="store_true", help="write the zip to standard output")
    s.add_argument("--request", type=int, metavar="ID",
                   help="the request it answers (default: the person's newest open, verified one)")
    s.set_defaults(func=cmd_export_person)
    s = exp.add_parser("purge", help="delete export bundles older than --days (they hold personal data)")
    s.add_argument("--days", type=int, default=None, help="default: retention.export_bundle_days")
    s.set_defaults(func=cmd_export_purge)

    era = sub.add_parser("erase", help="erasure (Art. 17) and its hygiene").add_subparsers(
        dest="erase_command", required=True)
    s = era.add_parser("person", help="erase a person; invoices stay under the bookkeeping act")
    s.add_argument("id", type=int)
    s.add_argument("--basis", choices=[b for b in LEGAL_BASES if b != "ledger_reapplied"],
                   default="art17_1a", help="legal basis (default art17_1a: no longer necessary)")
    s.add_argument("--request", type=int, help="the request it answers (default: the person's open one)")
    s.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    s.set_defaults(func=cmd_erase_person)
    s = era.add_parser("purge-invoices", help="delete kept invoices whose retention has ended")
    s.set_defaults(func=cmd_erase_purge_invoices)
    s = era.add_parser("purge-proof", help="delete ledger entries and consent proof whose retention has ended")
    s.set_defaults(func=cmd_erase_purge_proof)
    s = era.add_parser("reapply-ledger", help="after a backup restore: erase again who was erased")
    s.set_defaults(func=cmd_erase_reapply_ledger)
    s = era.add_parser("scrub", help="merge the search index and truncate the write-ahead log")
    s.set_defaults(func=cmd_erase_scrub)

    res = sub.add_parser("restrict", help="restriction of processing (Art. 18)").add_subparsers(
        dest="restrict_command", required=True)
    s = res.add_parser("person", help="restrict (or --lift) processing of a person")
    s.add_argument("id", type=int)
    s.add_argument("--lift", action="store_true", help="lift the restriction (tell the person first)")
    s.add_argument("--ground", choices=tuple(GROUNDS), default="accuracy_contested")
    s.set_defaults(func=cmd_restrict_person)
