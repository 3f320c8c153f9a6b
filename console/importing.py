"""`minicrm import FILE`, `minicrm import resume BATCH [FILE]` and `minicrm import undo [BATCH]`:
contact files in, as one import batch written in short transactions.

Progress goes to stderr (a live line on a terminal); the report goes to stdout,
people by contact id only and field values only on request (--show-values).
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, cast

from store.errors import CommandFailed

from .common import int_id, open_store, printable, when

if TYPE_CHECKING:
    from store.importing import Mapping


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


def report_lines(report, *, show_values: bool = False) -> list[str]:
    """The import report as console lines, control characters made visible."""
    from store.importing.report_text import Reader
    from store.importing.report_text import report_lines as worded

    return [printable(line) for line in worded(report, Reader.CONSOLE, show_values=show_values)]


def cmd_import(args) -> int:
    from store.importing import ImportFileError, batch

    open_store(args)
    scope = batch.import_scope(args.as_user)
    if args.file == "undo":
        return _import_undo(args, scope)
    if args.file == "resume":
        if args.batch is None:
            raise CommandFailed("give the batch to resume: minicrm import resume BATCH [FILE]")
        batch_id = int_id(args.batch, "batch")
    elif args.batch is not None:
        raise CommandFailed("give one file to import (or: minicrm import undo BATCH)")
    progress = _Progress(args.quiet)
    try:
        if args.file == "resume":
            report = batch.resume_import(scope, batch_id, args.path, progress=progress)
        else:
            report = batch.import_file(
                scope, args.file, dry_run=args.dry_run, policy=args.policy, lawful_basis=args.lawful_basis,
                owner=args.owner, mapping=args.mapping, fmt=args.format, encoding=args.encoding,
                sheet=args.sheet, progress=progress)
    except ImportFileError as exc:
        progress.done()
        raise CommandFailed(printable(str(exc))) from None
    except BaseException:
        progress.done()
        raise
    progress.done()
    print("\n".join(report_lines(report, show_values=args.show_values)))
    if args.save_mapping:
        if report.mapping is None:
            raise CommandFailed(f"{report.fmt} files have no column mapping to save")
        cast("Mapping", report.mapping).save(args.save_mapping)  # CSV/XLSX: the Mapping in use
        print(printable(f"Saved the column mapping to {args.save_mapping}"))
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
            if not b["undone"] and b["state"] == "interrupted":
                state += f"; interrupted: minicrm import resume {b['id']} (or undo it)"
            print(printable(f"  {b['id']:>5}  {when(b['at'])}  {b['file']}  ({state})"))
        return 0
    result = batch.undo_import(scope, int_id(args.batch, "batch"))
    print(f"Undid import batch {result.batch_id}: removed {result.removed:,} contacts, restored "
          f"{result.restored:,}, removed {result.companies:,} companies only that import had created.")
    return 0


def add_import_parser(sub) -> None:
    s = sub.add_parser(
        "import", help="import contacts from a CSV, XLSX or vCard file (or: import resume|undo BATCH)",
        description="Import contacts from a file as one import batch, written a thousand rows at a time "
                    "(the others keep working meanwhile; a file broken half-way leaves nothing). An "
                    "interrupted import is finished with `minicrm import resume BATCH [FILE]`; a batch is "
                    "taken back with `minicrm import undo BATCH` (`minicrm import undo` lists recent batches).")
    s.add_argument("file", metavar="FILE", help="the file to import, or 'resume' or 'undo'")
    s.add_argument("batch", nargs="?", metavar="BATCH", help=argparse.SUPPRESS)
    s.add_argument("path", nargs="?", metavar="PATH", help=argparse.SUPPRESS)
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
