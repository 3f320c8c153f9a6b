"""`minicrm audit verify|checkpoint|export`: the audit trail and its anchors outside the database.

`checkpoint` runs daily from a timer (`minicrm server install` sets it up);
`verify` holds the chain against every checkpoint it finds and names the first
row that disagrees; `export` gives an auditor the rows as they are.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .common import date_arg, open_store
from .exit_codes import Exit


def cmd_audit_verify(args) -> int:
    from store import checkpoints
    rt = open_store(args)
    report = checkpoints.verify_everything(rt.config, extra_files=args.checkpoints or (),
                                           manifest_dirs=args.manifests or ())
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if report.ok:
        print(f"audit trail intact: {report.rows} rows, head {report.head[:16]}")
        if report.checkpoints:
            found = ", ".join(f"{n} in the {kind}" for kind, n in report.sources.items() if n)
            print(f"agrees with {report.checkpoints} checkpoints (found: {found})")
        else:
            # The chain alone cannot show rows cut off its newest end or a recomputed chain.
            print("no checkpoints found: run `minicrm audit checkpoint` daily and keep a copy off the machine")
        return 0
    first, *more = report.problems
    # the first line is what a script reads; the rest say how far the damage goes
    print(f"minicrm: audit trail broken at row {first.row}: {first.message}", file=sys.stderr)
    for problem in more:
        print(f"also: {problem.message}", file=sys.stderr)
    return Exit.FAILED


def cmd_audit_checkpoint(args) -> int:
    from store import checkpoints

    rt = open_store(args)
    point = checkpoints.take(rt.config)
    where = checkpoints.checkpoint_file(rt.config)
    to_log = " and the system log" if rt.config["audit.syslog"] else ""
    print(f"audit checkpoint: row {point.seq}, head {point.head[:16]}, {point.rows} rows; "
          f"written to {where}{to_log}")
    return 0


def cmd_audit_export(args) -> int:
    from store import audit

    open_store(args)
    if args.output in (None, "-"):
        count = audit.export_csv(sys.stdout, args.since, args.until)
        print(f"{count} audit rows exported", file=sys.stderr)
        return 0
    target = Path(args.output)
    with open(target, "x", newline="", encoding="utf-8") as fh:  # never overwrite an earlier export
        count = audit.export_csv(fh, args.since, args.until)
    print(f"{count} audit rows exported to {target}")
    return 0


def add_audit_parsers(sub) -> None:
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    s = audit.add_parser("verify", help="check the hash chain against every checkpoint found")
    s.add_argument("--checkpoints", action="append", type=Path, metavar="FILE",
                   help="also a checkpoint file copied back from elsewhere (repeatable)")
    s.add_argument("--manifests", action="append", type=Path, metavar="DIR",
                   help="also the backup manifests (*.json) in this folder (repeatable)")
    s.set_defaults(func=cmd_audit_verify)
    s = audit.add_parser("checkpoint", help="note the audit head outside the database (daily, from a timer)")
    s.set_defaults(func=cmd_audit_checkpoint)
    s = audit.add_parser("export", help="the audit rows as CSV for an auditor (no personal data)")
    s.add_argument("--since", type=date_arg, required=True, metavar="DATE", help="first day (YYYY-MM-DD, UTC)")
    s.add_argument("--until", type=date_arg, metavar="DATE", help="the day after the last one")
    s.add_argument("--output", "-o", metavar="FILE", help="write here (default: standard output)")
    s.set_defaults(func=cmd_audit_export)
