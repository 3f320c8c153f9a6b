"""`minicrm mailing send|export` and `minicrm consent texts|publish` at the server console.

People appear by contact id only (a dry run lists ids); the report gives counts.
"""
from __future__ import annotations

import sys
from pathlib import Path

from store.errors import CommandFailed

from .common import console_scope, open_store


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandFailed(f"{path}: cannot read the {what} ({getattr(exc, 'strerror', None) or exc})") from None


def cmd_send(args) -> int:
    from store.campaigns import send_campaign

    open_store(args)
    body = _read(args.body, "mail body")
    shown = [0]

    def progress(report) -> None:
        done = report.sent + report.failed
        if done - shown[0] >= 100:
            shown[0] = done
            print(f"  ... {done} sent or failed", file=sys.stderr, flush=True)

    report = send_campaign(console_scope(), args.list, args.subject, body, dry_run=args.dry_run,
                           progress=progress)
    skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(report.skipped.items())) or "none"
    if args.dry_run:
        print(f"Dry run: {len(report.would_send)} would get it; nothing was sent.")
        print("contact ids: " + (" ".join(str(i) for i in report.would_send) or "(none)"))
        print(f"left out: {skipped}")
        return 0
    print(f"Campaign {report.campaign_id} ({report.list_name}){' resumed' if report.resumed else ''}: "
          f"sent {report.sent}, failed {report.failed}, skipped {sum(report.skipped.values())} ({skipped}).")
    if report.uncertain:
        print(f"{report.uncertain} were being sent when an earlier run stopped: not sent again.")
    if report.remaining:
        print(f"{report.remaining} not sent yet (the SMTP server went away): run the same command to resume.")
        return 1
    return 0


def cmd_export(args) -> int:
    from store.mailing import write_list_csv

    open_store(args)
    if args.output == "-":
        n = write_list_csv(console_scope(), args.list, sys.stdout.buffer)
    else:
        with open(args.output, "xb") as out:
            n = write_list_csv(console_scope(), args.list, out)
    print(f"{n} people on the {args.list} list.", file=sys.stderr)
    return 0


def cmd_texts(args) -> int:
    from tabulate import tabulate

    from store.consent_texts import published

    open_store(args)
    rows = [(t.id, t.label, t.published_at.strftime("%Y-%m-%d %H:%M"), t.published_by or "-", t.sha256[:16])
            for t in published(console_scope(), args.purpose)]
    print(tabulate(rows, headers=("id", "version", "published", "by", "sha256"), disable_numparse=True))
    return 0


def cmd_publish(args) -> int:
    from store.consent_texts import publish_text

    open_store(args)
    text = publish_text(console_scope(), args.purpose, args.language, _read(args.file, "consent text"))
    print(f"Published {text.label} (id {text.id}, sha256 {text.sha256[:16]}...). "
          "Earlier consents keep the text they were given under.")
    return 0


def cmd_withdrawals(args) -> int:
    from store.withdrawals import apply_withdrawals

    open_store(args)
    report = apply_withdrawals(console_scope(), Path(args.file), args.list)
    print(f"{Path(args.file).name} ({report.kind}): withdrew {report.withdrawn}, no given consent "
          f"{report.not_given}, unknown address {report.unknown}, unusable lines {len(report.problems)}.")
    for problem in report.problems[:20]:
        print(f"  {problem}")
    return 0


def add_mailing_parsers(sub) -> None:
    mailing = sub.add_parser("mailing", help="mailing lists: send a campaign, export a list")
    msub = mailing.add_subparsers(dest="mailing_command", required=True)
    s = msub.add_parser("send", help="send a mail to everyone on a list who may get it (resumable)")
    s.add_argument("list", help="the list: a consent purpose (consent.purposes)")
    s.add_argument("--subject", required=True)
    s.add_argument("--body", required=True, help="a UTF-8 text file with the mail's body")
    s.add_argument("--dry-run", action="store_true", help="list who would get it; send nothing")
    s.set_defaults(func=cmd_send)
    e = msub.add_parser("export", help="the list as CSV, each row with its unsubscribe link")
    e.add_argument("list")
    e.add_argument("--output", default="-", help="file to create (default: standard output)")
    e.set_defaults(func=cmd_export)

    consent = sub.add_parser("consent", help="consent texts: list and publish versions")
    csub = consent.add_subparsers(dest="consent_command", required=True)
    t = csub.add_parser("texts", help="every published consent text version")
    t.add_argument("--purpose")
    t.set_defaults(func=cmd_texts)
    p = csub.add_parser("publish", help="publish a new version of a purpose's consent text")
    p.add_argument("purpose")
    p.add_argument("--language", choices=("da", "en"), required=True)
    p.add_argument("--file", required=True, help="a UTF-8 text file with the exact wording")
    p.set_defaults(func=cmd_publish)
    w = csub.add_parser("withdrawals", help="apply a mail tool's unsubscribed or cleaned export (Mailchimp)")
    w.add_argument("file", help="the CSV export (UNSUB_TIME or CLEAN_TIME column)")
    w.add_argument("--list", default="newsletter", help="the list it was exported from (default: newsletter)")
    w.set_defaults(func=cmd_withdrawals)
