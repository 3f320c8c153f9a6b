"""The `minicrm` command line for the server console.

Every command returns non-zero with one line on stderr when it fails; no
traceback ever reaches the console (it could hold personal data or secrets).
Imports are lazy: `minicrm --help` must not pay for Textual or the store.
"""
from __future__ import annotations

import argparse
import sys


class CliError(Exception):
    """A failure to report in one line."""


def _open(args):
    from store.runtime import open_store

    return open_store(args.config)


def cmd_init(args) -> int:
    from store import accounts
    from store.config import load_config
    from store.runtime import create_store

    cfg = load_config(args.config)
    accounts.check_username(args.admin)  # before anything is created: no half-made store
    rt = create_store(cfg)
    account = accounts.add_user(_console_scope(), args.admin, "admin")
    print(f"Created the encrypted database {cfg.db_path}")
    print(f"Created the key file {cfg.key_path} (mode 0600)")
    print()
    print("RECOVERY COPY OF THE DATABASE KEY - shown this once. Store it offline (paper, a safe);")
    print("without the key file or this copy the data cannot be read by anyone:")
    print(f"    {rt.key.hex()}")
    print()
    print(f"First administrator: {account.username}")
    print(f"One-time password (shown once; change it at first login): {account.one_time_password}")
    return 0


def cmd_user_add(args) -> int:
    from store import accounts

    _open(args)
    account = accounts.add_user(_console_scope(), args.name, args.role)
    print(f"Created user {account.username} ({args.role}).")
    print(f"One-time password (shown once; change it at first login): {account.one_time_password}")
    return 0


def cmd_user_list(args) -> int:
    from tabulate import tabulate

    from store import accounts, audit

    _open(args)
    views = accounts.list_users(_console_scope())
    audit.record(None, "user.list", count=len(views))
    rows = [(u.username, u.role, _when(u.last_login_at), "yes" if u.totp_enrolled else "no",
             "revoked" if u.revoked else "locked" if u.locked else "active", u.active_sessions)
            for u in views]
    print(tabulate(rows, headers=("user", "role", "last login", "2FA", "state", "sessions")))
    return 0


def cmd_user_revoke(args) -> int:
    from store import auth

    _open(args)
    moved = auth.revoke(_console_scope(), args.name, hand_over_to=args.hand_over_to)
    print(f"Revoked user {args.name}: new logins are refused and live sessions end within seconds.")
    if args.hand_over_to:
        print(f"Handed over {moved} contacts and deals to {args.hand_over_to}.")
    else:
        left = auth.holdings(_console_scope(), args.name)
        if left.contacts or left.deals:
            print(f"{args.name} still owns {left.contacts} contacts and {left.deals} deals; hand them over with:")
            print(f"    minicrm user revoke {args.name} --hand-over-to NAME")
    return 0


def cmd_user_reset_2fa(args) -> int:
    from store import auth

    _open(args)
    auth.reset_2fa(_console_scope(), args.name)
    print(f"Reset two-factor login for {args.name}: their sessions end; they enrol again at next login.")
    return 0


def cmd_user_reset_password(args) -> int:
    from store import auth

    _open(args)
    otp = auth.reset_password(_console_scope(), args.name)
    print(f"Reset the password of {args.name}: their sessions end.")
    print(f"One-time password (shown once; change it at next login): {otp}")
    return 0


def cmd_user_sessions(args) -> int:
    from tabulate import tabulate

    from store import accounts, audit, auth

    _open(args)
    user_id = accounts.find_user(args.name).id if args.name else None
    views = auth.sessions_of(_console_scope(), user_id, active_only=not args.all)
    audit.record(None, "session.list", "user", user_id, count=len(views))
    rows = [(v.id, v.username, _when(v.started_at), _when(v.last_seen_at), v.source_addr or "local",
             v.pid, v.end_reason or ("active" if v.ended_at is None and v.alive else
                                      "active (process gone)" if v.ended_at is None else "ended"))
            for v in views]
    print(tabulate(rows, headers=("id", "user", "started", "last seen", "from", "pid", "state")))
    return 0


def cmd_user_end_session(args) -> int:
    from store import auth

    _open(args)
    auth.end_session(_console_scope(), args.id)
    print(f"Ended session {args.id}; its screen closes within seconds.")
    return 0


def cmd_demo_data(args) -> int:
    from store import demo

    _open(args)
    counts = demo.generate(args.contacts, seed=args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def cmd_audit_verify(args) -> int:
    from store import audit

    _open(args)
    report = audit.verify()
    if report.ok:
        # The chain cannot show rows cut off its newest end: the head, noted elsewhere, can.
        print(f"audit trail intact: {report.rows} rows, head {report.head[:16]}")
        return 0
    raise CliError(f"audit trail broken at row {report.first_broken}")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


# --- data-subject rights: requests, export, erase, restrict (store/rights) ----------------

def _console_scope():
    from store.scope import Scope

    return Scope.console()


def _date_arg(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_requests_list(args) -> int:
    from tabulate import tabulate

    from store import audit
    from store.rights import requests

    _open(args)
    scope = _console_scope()
    views = requests.list_requests(scope, status=None if args.all else "open")
    audit.record(None, "request.list", count=len(views))
    # People by id only: names belong in the TUI, not in console output that scripts may log.
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

    _open(args)
    handler = accounts.find_user(args.handler).id if args.handler else None
    contact_id = None if args.contact == "none" else _int_id(args.contact, "contact")
    request_id = requests.add_request(_console_scope(), contact_id, args.kind,
                                      received_on=args.received, handler_id=handler)
    view = requests.get_request(_console_scope(), request_id)
    print(f"Registered request {request_id} ({view.kind}) for contact "
          f"{contact_id if contact_id is not None else '(none)'}; answer by {view.due_on}.")
    return 0


def cmd_requests_extend(args) -> int:
    from store.rights import requests

    _open(args)
    due = requests.extend_request(_console_scope(), args.id, args.reason)
    print(f"Extended request {args.id}: answer by {due}. Tell the person, with the reason, now.")
    return 0


def cmd_requests_close(args) -> int:
    from store.rights import requests

    _open(args)
    requests.close_request(_console_scope(), args.id, args.outcome)
    print(f"Closed request {args.id} ({args.outcome}).")
    return 0


def _int_id(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f"{what} id must be a number, not {text!r}") from None


def cmd_export_person(args) -> int:
    from store.rights import export

    _open(args)
    if args.stdout:
        if sys.stdout.isatty():
            raise CliError("refusing to write a zip to a terminal; redirect standard output")
        export.write_export_zip(_console_scope(), args.id, sys.stdout.buffer, language=args.language)
        return 0
    path = export.export_person(_console_scope(), args.id, language=args.language, out_dir=args.out,
                                as_zip=not args.folder)
    print(path)
    return 0


def cmd_export_purge(args) -> int:
    import datetime as dt

    from store.rights import export

    _open(args)
    count = export.purge_exports(dt.timedelta(days=args.days))
    print(f"Deleted {count} export bundles older than {args.days} days.")
    return 0


def _plan_lines(plan) -> list[str]:
    goes = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in plan.goes.items() if n)
    lines = [f"Erasing contact {plan.contact_id} removes: {goes}."]
    for kind, n in plan.stays.items():
        if n:
            lines.append(f"  stays: {n} {kind.replace('_', ' ')} - {plan.reasons[kind]}")
    if plan.invoices_kept_until:
        lines.append(f"  kept invoices may be deleted from {plan.invoices_kept_until}")
    if plan.open_requests:
        lines.append(f"  open requests about this person: {', '.join(map(str, plan.open_requests))}"
                     f" (close them once the person is told)")
    return lines


def cmd_erase_person(args) -> int:
    from store.rights import erasure

    _open(args)
    scope = _console_scope()
    plan = erasure.erasure_plan(scope, args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("refusing to erase without --yes when standard input is not a terminal")
        print("\n".join(_plan_lines(plan)))
        print(f"Legal basis: {args.basis} ({erasure.LEGAL_BASES[args.basis][0]}). This cannot be undone.")
        answer = input(f"Type the contact id ({args.id}) to erase, anything else to cancel: ").strip()
        if answer != str(args.id):
            print("Cancelled; nothing was erased.")
            return 1
    result = erasure.erase_person(scope, args.id, legal_basis=args.basis)
    removed = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in result.removed.items() if n)
    print(f"Erased contact {args.id}: {removed}; {result.kept.get('invoices', 0)} invoices kept "
          f"(bookkeeping act). Ledger entry {result.ledger_entry} written.")
    if not result.wal_cleared:
        print("Note: another session kept the write-ahead log busy; run `minicrm erase scrub` later.")
    return 0


def cmd_erase_scrub(args) -> int:
    from store.rights import erasure

    _open(args)
    if not erasure.scrub():
        raise CliError("the write-ahead log is still in use by another session; try again later")
    print("Search index merged and write-ahead log truncated.")
    return 0


def cmd_erase_purge_invoices(args) -> int:
    from store.rights import erasure

    _open(args)
    count = erasure.purge_expired_invoices()
    print(f"Deleted {count} invoices whose retention period has ended.")
    return 0


def cmd_erase_reapply_ledger(args) -> int:
    from store.rights import ledger

    _open(args)
    erased = ledger.reapply_ledger(_console_scope())
    print(f"Re-applied the erasure ledger: erased {len(erased)} contacts"
          + (f" ({', '.join(map(str, erased))})." if erased else "."))
    return 0


def cmd_restrict_person(args) -> int:
    from store.rights import restriction

    _open(args)
    scope = _console_scope()
    if args.lift:
        changed = restriction.lift_restriction(scope, args.id)
        print(f"Lifted the restriction on contact {args.id}." if changed
              else f"Contact {args.id} was not restricted.")
    else:
        changed = restriction.restrict_person(scope, args.id, ground=args.ground)
        print(f"Restricted processing of contact {args.id} (Art. 18)." if changed
              else f"Contact {args.id} was already restricted.")
    return 0


def _add_rights_parsers(sub) -> None:
    from store.processing import REQUEST_KINDS
    from store.rights.vocab import GROUNDS, LEGAL_BASES, OUTCOMES

    req = sub.add_parser("requests", help="data-subject requests and their deadlines").add_subparsers(
        dest="requests_command", required=True)
    s = req.add_parser("list", help="open requests, overdue and due soon first")
    s.add_argument("--all", action="store_true", help="closed requests too")
    s.set_defaults(func=cmd_requests_list)
    s = req.add_parser("add", help="register a request (answer within one month)")
    s.add_argument("contact", help="the contact id, or 'none' for someone not in the register")
    s.add_argument("kind", choices=REQUEST_KINDS)
    s.add_argument("--received", type=_date_arg, help="date received (YYYY-MM-DD; default today)")
    s.add_argument("--handler", metavar="NAME", help="the admin or privacy user handling it")
    s.set_defaults(func=cmd_requests_add)
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
    s.set_defaults(func=cmd_export_person)
    s = exp.add_parser("purge", help="delete export bundles older than --days (they hold personal data)")
    s.add_argument("--days", type=int, default=7)
    s.set_defaults(func=cmd_export_purge)

    era = sub.add_parser("erase", help="erasure (Art. 17) and its hygiene").add_subparsers(
        dest="erase_command", required=True)
    s = era.add_parser("person", help="erase a person; invoices stay under the bookkeeping act")
    s.add_argument("id", type=int)
    s.add_argument("--basis", choices=[b for b in LEGAL_BASES if b != "ledger_reapplied"],
                   default="art17_1a", help="legal basis (default art17_1a: no longer necessary)")
    s.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    s.set_defaults(func=cmd_erase_person)
    s = era.add_parser("purge-invoices", help="delete kept invoices whose retention has ended")
    s.set_defaults(func=cmd_erase_purge_invoices)
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


# --- import (store/importing) ----------------------------------------------------------------

def _printable(text) -> str:
    """File-derived text for the console: control characters become visible, never act."""
    from tui.safe import clean

    return clean(text)


class _Progress:
    """Rows read so far, on standard error: a live line on a terminal, else a line a second."""

    def __init__(self, quiet: bool):
        import time

        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = time.monotonic()  # small files finish before the first line is due
        self.shown = False

    def __call__(self, done: int, expected: int | None) -> None:
        import time

        if self.quiet:
            return
        now = time.monotonic()
        if now - self.last < (0.3 if self.tty or not self.shown else 1.0):
            return
        self.last, self.shown = now, True
        of = f" of about {max(expected, done):,}" if expected else ""
        if self.tty:
            print(f"\r  {done:,}{of} rows read ...", end="", file=sys.stderr, flush=True)
        else:
            print(f"minicrm: import: {done:,}{of} rows read", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty and self.shown and not self.quiet:
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)


_NOTE_TITLES = {
    "invalid": "Invalid rows (not imported)",
    "suppressed": "Suppressed (erased earlier; never re-imported)",
    "flagged": "Flagged rows (special-category data or CPR; the values were not imported)",
    "warning": "Values left out (the rest of the row was imported)",
    "duplicate": "Duplicates",
}


def report_lines(report, *, show_values: bool = False) -> list[str]:
    """The import report as console lines (people by contact id; values only on request)."""
    how = ", ".join(x for x in (report.fmt, report.encoding, report.delimiter and repr(report.delimiter),
                                report.layout and f"layout {report.layout}") if x)
    lines = [f"{'Dry run of' if report.dry_run else 'Imported'} {report.file} ({how}); "
             f"duplicates: {report.policy}; lawful basis: {report.lawful_basis}"
             + (" - nothing was written." if report.dry_run else ".")]
    merged = f"  ({report.merged:,} repeated in the file, merged)" if report.merged else ""
    for label, value, extra in (("rows", report.rows, ""), ("new", report.new, ""),
                                ("updated", report.updated, ""), ("duplicate", report.duplicates, merged),
                                ("suppressed", report.suppressed, ""), ("flagged", report.flagged, ""),
                                ("invalid", report.invalid, "")):
        lines.append(f"  {label:<11}{value:>9,}{extra}")
    for kind in ("invalid", "suppressed", "flagged", "warning", "duplicate"):
        notes = report.reasons(kind)
        if notes:
            lines.append(f"{_NOTE_TITLES[kind]}, first {len(notes)} by line:")
            lines.extend(f"  {n}" for n in notes)
    if report.changes:
        verb = "would change" if report.dry_run else "changed"
        lines.append(f"Field changes ({report.changes_total:,} in {report.updated:,} contacts; "
                     f"the first {len(report.changes)}) - what the update {verb}:")
        by_contact: dict[tuple[int, int], list] = {}
        for ch in report.changes:
            by_contact.setdefault((ch.contact_id, ch.line), []).append(ch)
        for (contact_id, line), chs in by_contact.items():
            if show_values:
                for ch in chs:
                    lines.append(f"  line {line}, contact {contact_id}: {ch.field}: {ch.old!r} -> {ch.new!r}")
            else:
                lines.append(f"  line {line}, contact {contact_id}: {', '.join(ch.field for ch in chs)}")
    if report.extra_values:
        lines.append(f"Not stored: {report.extra_values:,} further e-mail addresses or phone numbers "
                     "(a contact keeps one of each).")
    if report.unstored_addresses:
        lines.append(f"Not stored: the addresses of {report.unstored_addresses:,} contacts without a "
                     "company (addresses are kept on companies).")
    if report.rows == 0:
        lines.append("The file has no data rows.")
    if report.dropped_columns:
        lines.append(f"Columns not imported ({len(report.dropped_columns)}): "
                     + ", ".join(report.dropped_columns))
    if report.sensitive_columns:
        lines.append("Columns naming special-category data (never imported): "
                     + ", ".join(f"{c} ({k})" for c, k in report.sensitive_columns))
    if report.batch_id is not None:
        lines.append(f"Import batch {report.batch_id}. Undo it with: minicrm import undo {report.batch_id}")
    elif not report.dry_run:
        lines.append("Nothing new to import: no batch was recorded.")
    return [_printable(line) for line in lines]


def cmd_import(args) -> int:
    from store.importing import ImportFileError
    from store.importing import batch

    _open(args)
    scope = batch.import_scope(args.as_user)
    if args.file == "undo":
        return _import_undo(args, scope)
    if args.batch is not None:
        raise CliError("give one file to import (or: minicrm import undo BATCH)")
    progress = _Progress(args.quiet)
    try:
        report = batch.import_file(
            scope, args.file, dry_run=args.dry_run, policy=args.policy, lawful_basis=args.lawful_basis,
            owner=args.owner, mapping=args.mapping, fmt=args.format, encoding=args.encoding,
            sheet=args.sheet, progress=progress)
    except ImportFileError as exc:
        progress.done()
        raise CliError(_printable(str(exc))) from None
    except BaseException:
        progress.done()
        raise
    progress.done()
    print("\n".join(report_lines(report, show_values=args.show_values)))
    if args.save_mapping:
        if report.mapping is None:
            raise CliError(f"{report.fmt} files have no column mapping to save")
        report.mapping.save(args.save_mapping)
        print(_printable(f"Saved the column mapping to {args.save_mapping}"))
    return 0


def _import_undo(args, scope) -> int:
    from store.importing import batch

    if args.batch is None:
        rows = batch.list_batches(scope)
        if not rows:
            print("No import batches.")
            return 0
        print("Recent import batches (undo one with: minicrm import undo BATCH):")
        for b in rows:
            state = "undone" if b["undone"] else f"{b['contacts']:,} contacts"
            print(_printable(f"  {b['id']:>5}  {_when(b['at'])}  {b['file']}  ({state})"))
        return 0
    result = batch.undo_import(scope, _int_id(args.batch, "batch"))
    print(f"Undid import batch {result.batch_id}: removed {result.removed:,} contacts, restored "
          f"{result.restored:,}, removed {result.companies:,} companies only that import had created.")
    return 0


def _add_import_parser(sub) -> None:
    s = sub.add_parser(
        "import", help="import contacts from a CSV, XLSX or vCard file (or: import undo BATCH)",
        description="Import contacts from a file as one batch (all or nothing), or undo a batch "
                    "with `minicrm import undo BATCH` (`minicrm import undo` lists recent batches).")
    s.add_argument("file", metavar="FILE", help="the file to import, or 'undo'")
    s.add_argument("batch", nargs="?", metavar="BATCH", help=argparse.SUPPRESS)
    s.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    s.add_argument("--mapping", metavar="FILE", help="a saved column mapping (.json or .toml)")
    s.add_argument("--save-mapping", metavar="FILE", help="save the column mapping used (.json or .toml)")
    s.add_argument("--owner", metavar="NAME", help="who owns the new contacts (default: you; "
                                                   "an owner column wins)")
    s.add_argument("--policy", choices=("skip", "update"), default="skip",
                   help="contacts already in MiniCRM: leave them (skip) or change what differs (update)")
    s.add_argument("--lawful-basis", choices=("contract", "legitimate_interest", "consent"),
                   default="legitimate_interest",
                   help="why you may process these people (consent needs consent evidence in the file)")
    s.add_argument("--format", choices=("csv", "xlsx", "vcard"), help="the file's format (default: detected)")
    s.add_argument("--encoding", metavar="CODEC", help="the text encoding (default: detected)")
    s.add_argument("--sheet", metavar="NAME", help="the XLSX sheet (default: the first)")
    s.add_argument("--as", dest="as_user", metavar="USERNAME",
                   help="import as this user, in their scope (default: the console administrator)")
    s.add_argument("--show-values", action="store_true", help="print old and new values of field changes")
    s.add_argument("--quiet", action="store_true", help="no progress on standard error")
    s.set_defaults(func=cmd_import)


def cmd_run(args) -> int:
    """The terminal app (tui/app.py); Textual is imported only here."""
    from .app import run

    return run(args.config, language=args.language)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="minicrm", description="MiniCRM: a GDPR-first customer register")
    p.add_argument("--config", help="config file (else $MINICRM_CONFIG, else /etc/minicrm/config.toml)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("run", help="start the terminal app (log in with password and 2FA code)")
    s.add_argument("--language", choices=("da", "en"), help="override ui.language and the locale")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("init", help="create the key, the encrypted database and the first admin")
    s.add_argument("--admin", default="admin", help="the first administrator's username")
    s.set_defaults(func=cmd_init)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    s = user.add_parser("add", help="create a user with a one-time password")
    s.add_argument("name")
    s.add_argument("--role", required=True)
    s.set_defaults(func=cmd_user_add)
    s = user.add_parser("list", help="list users")
    s.set_defaults(func=cmd_user_list)
    s = user.add_parser("revoke", help="refuse a user's logins and end their sessions now")
    s.add_argument("name")
    s.add_argument("--hand-over-to", metavar="NAME", help="give their contacts and deals to this user")
    s.set_defaults(func=cmd_user_revoke)
    s = user.add_parser("reset-2fa", help="forget a user's TOTP and recovery codes (enrol again)")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_reset_2fa)
    s = user.add_parser("reset-password", help="give a user a new one-time password")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_reset_password)
    s = user.add_parser("sessions", help="list live sessions (of one user, or everybody's)")
    s.add_argument("name", nargs="?")
    s.add_argument("--all", action="store_true", help="include ended sessions")
    s.set_defaults(func=cmd_user_sessions)
    s = user.add_parser("end-session", help="end one session by id")
    s.add_argument("id", type=int)
    s.set_defaults(func=cmd_user_end_session)
    from tui import ssh as _ssh  # SSH keys, `minicrm ssh ...` and `minicrm session` live there

    _ssh.add_user_key_parsers(user)

    s = sub.add_parser("demo-data", help="add realistic Danish sample data")
    s.add_argument("--contacts", type=int, default=300)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=cmd_demo_data)

    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    s = audit.add_parser("verify", help="check the hash chain")
    s.set_defaults(func=cmd_audit_verify)
    _add_rights_parsers(sub)
    _add_import_parser(sub)
    _ssh.add_ssh_parsers(sub)
    return p




def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"minicrm: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("minicrm: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback (it could hold personal data)
        from store.config import ConfigError
        from store.runtime import StoreError
        from store.errors import Invalid

        if isinstance(exc, (ConfigError, StoreError, Invalid)):
            print(f"minicrm: {exc}", file=sys.stderr)
            return 1
        print(f"minicrm: unexpected error ({type(exc).__name__})", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
