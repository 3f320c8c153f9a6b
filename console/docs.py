"""`minicrm docs KIND --lang da|en [--format md|html|pdf] [--out FILE]`: the generated paperwork.

Markdown and HTML go to standard output unless --out names a file; a PDF needs --out (or a pipe).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .common import open_store, printable


def _write(path: Path, data: bytes) -> None:
    """All or nothing: a half-written document never replaces the last good one."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def cmd_docs(args) -> int:
    from store import paperwork
    from store.errors import CommandFailed

    if args.format == "pdf" and not args.out and sys.stdout.isatty():
        raise CommandFailed("a PDF is not for the terminal: pass --out FILE.pdf (or pipe it)")
    open_store(args)
    result = paperwork.render(args.kind, args.lang, args.format, processor=args.processor)
    data = result if isinstance(result, bytes) else result.encode("utf-8")
    if args.out:
        out = Path(args.out)
        try:
            _write(out, data)
        except OSError as exc:
            raise CommandFailed(f"{printable(out)}: cannot write ({exc.strerror})") from None
        print(f"wrote {printable(out)} ({args.kind}, {args.lang}, {args.format})")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


# store.paperwork's KINDS and FORMATS, written out so `minicrm --help` loads no store module
# (tests/test_paperwork.py checks they agree).
KINDS = ("privacy-notice", "dpa", "ropa", "staff-policy", "processors")
FORMATS = ("md", "html", "pdf")


def add_docs_parser(sub) -> None:
    s = sub.add_parser("docs", help="generate the privacy notice, DPA, record of processing, staff policy "
                                    "or processors list from the config and the running system")
    s.add_argument("kind", choices=KINDS)
    s.add_argument("--lang", choices=("da", "en"), required=True)
    s.add_argument("--format", choices=FORMATS, default="md",
                   help="md (default), html, or pdf (WeasyPrint; needs the Pango library)")
    s.add_argument("--out", help="write to this file instead of standard output")
    s.add_argument("--processor", help="dpa: fill in one of recipients.processors by name")
    s.set_defaults(func=cmd_docs)
