"""Batch commands through the SSH channel: files in on stdin, files out on stdout.

sshd runs `minicrm session --key ID` whatever the client asked for; the
client's words arrive in SSH_ORIGINAL_COMMAND.  They are split with shlex
(never a shell) and must be one of:

    import [--dry-run] [--format csv|xlsx|vcard] [--name FILE] --otp CODE   < file
    export person ID --otp CODE                                              > bundle.zip
    export fetch REQUEST --otp CODE                                          > person.zip
    mailing export LIST --otp CODE                                           > list.csv

`export person` writes a fresh bundle (it answers the person's open request with
a verified identity); `export fetch` hands out the bundle the app wrote on the
server and attached to the request (store/rights/handling.py).

Each is allowed by role (the same permissions as in the TUI), audited, and needs
a fresh TOTP code: there is no password prompt in batch mode, so the SSH key
and the code are the two factors.  Anything else is refused in one line on
stderr and audited (without the command's text, which could name a person).
"""
from __future__ import annotations

import io
import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass, field

from store.errors import CommandRefused

from .common import printable
from .exit_codes import Exit

USAGE = ("allowed over SSH: import [--dry-run] --otp CODE < file | "
         "export person ID --otp CODE > bundle.zip | export fetch REQUEST --otp CODE > person.zip | "
         "mailing export LIST --otp CODE > list.csv")
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_COMMAND_CHARS = 1000
_FILE_NAME = re.compile(r"^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå ._()-]{0,99}$")


@dataclass
class Command:
    name: str  # "import", "export person", "export fetch", "mailing export"
    permission: str
    otp: str | None = None
    dry_run: bool = False
    fmt: str | None = None
    file_name: str = "ssh-upload"
    target: str | None = None  # person id, request id or list name
    extra: dict = field(default_factory=dict)


# --- parsing -----------------------------------------------------------------------------

def parse(original: str) -> Command:
    """SSH_ORIGINAL_COMMAND -> Command, or CommandRefused.  Never runs anything."""
    if len(original) > MAX_COMMAND_CHARS:
        raise CommandRefused("refused: the command is too long", "too_long")
    if "\0" in original or "\n" in original or "\r" in original:
        raise CommandRefused("refused: the command holds control characters", "control_chars")
    try:
        words = shlex.split(original, comments=False, posix=True)
    except ValueError:
        raise CommandRefused("refused: the command could not be read (unbalanced quotes?)", "unparsable") from None
    if not words:
        raise CommandRefused(f"refused: no command given; {USAGE}", "empty")
    if words[0] == "import":
        cmd = Command("import", "import")
        rest = words[1:]
    elif words[:2] == ["export", "person"]:
        cmd = Command("export person", "person.export")
        rest = words[2:]
    elif words[:2] == ["export", "fetch"]:
        cmd = Command("export fetch", "person.export")
        rest = words[2:]
    elif words[:2] == ["mailing", "export"]:
        cmd = Command("mailing export", "mailing.export")
        rest = words[2:]
    else:
        raise CommandRefused(f"refused: not an allowed command; {USAGE}", "unknown_command")
    _options(cmd, rest)
    return cmd


def _options(cmd: Command, words: list[str]) -> None:
    positional = []
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")

        # bound now: the helper is only called in this iteration, but binding says so (B023)
        def value(eq: str = eq, inline: str = inline, name: str = name) -> str:
            nonlocal i
            if eq:
                return inline
            i += 1
            if i >= len(words):
                raise CommandRefused(f"refused: {name} needs a value; {USAGE}", "bad_arguments", cmd.name)
            return words[i]

        if name == "--otp":
            cmd.otp = value()
        elif name == "--dry-run" and cmd.name == "import" and not eq:
            cmd.dry_run = True
        elif name == "--format" and cmd.name == "import":
            cmd.fmt = value()
            if cmd.fmt not in ("csv", "xlsx", "vcard"):
                raise CommandRefused("refused: --format is csv, xlsx or vcard", "bad_arguments", cmd.name)
        elif name == "--name" and cmd.name == "import":
            cmd.file_name = value()
            if not _FILE_NAME.match(cmd.file_name):
                raise CommandRefused("refused: --name is a plain file name (letters, digits, . _ - and spaces)",
                                     "bad_arguments", cmd.name)
        elif word.startswith("-"):
            raise CommandRefused(f"refused: unknown option for {cmd.name}; {USAGE}", "bad_arguments", cmd.name)
        else:
            positional.append(word)
        i += 1
    if cmd.name == "import":
        if positional:
            raise CommandRefused("refused: import reads the file from standard input (ssh ... import --otp CODE "
                          "< file)", "bad_arguments", cmd.name)
    elif cmd.name == "export person":
        if len(positional) != 1 or not positional[0].isdigit() or not positional[0].isascii():
            raise CommandRefused("refused: export person takes one contact id (a number)", "bad_arguments", cmd.name)
        cmd.target = positional[0]
    elif cmd.name == "export fetch":
        if len(positional) != 1 or not positional[0].isdigit() or not positional[0].isascii():
            raise CommandRefused("refused: export fetch takes one request id (a number)", "bad_arguments",
                                 cmd.name)
        cmd.target = positional[0]
    elif cmd.name == "mailing export":
        if len(positional) != 1:
            raise CommandRefused("refused: mailing export takes one list name", "bad_arguments", cmd.name)
        cmd.target = positional[0]
    if not cmd.otp:
        raise CommandRefused(f"refused: {cmd.name} needs a fresh code from your authenticator app: --otp CODE",
                             "no_code", cmd.name)


# --- running -----------------------------------------------------------------------------

def _say(text: str) -> None:
    """One line on stderr; no control character reaches the client's terminal."""
    from store.text import replace_unsafe

    print(f"minicrm: {replace_unsafe(text, '?')}", file=sys.stderr, flush=True)


def run(args, original: str) -> int:
    """Identify the key's user, check the command, role and code, then run it."""
    from store import auth, sshaccess, sshkeys
    from store.runtime import open_store
    from store.scope import Forbidden, Scope

    open_store(args.config)
    try:
        user = sshkeys.user_of_key(args.key_id)
    except sshkeys.UnknownKey as exc:
        sshaccess.refused(args.key_id, "key", "-")
        _say(str(exc))
        return Exit.REFUSED
    try:
        cmd = parse(original)
    except CommandRefused as exc:
        sshaccess.refused(args.key_id, exc.reason, exc.command, user_id=user.id, chars=len(original))
        _say(str(exc))
        return Exit.REFUSED
    scope = Scope(user)
    try:
        scope.require(cmd.permission)  # audits access.forbidden itself
    except Forbidden as exc:
        sshaccess.refused(args.key_id, "role", cmd.name, user_id=user.id)
        _say(str(exc))
        return Exit.REFUSED
    try:
        fresh = auth.verify_fresh_code(user.id, cmd.otp)
    except auth.AuthError as exc:
        sshaccess.refused(args.key_id, "account", cmd.name, user_id=user.id)
        _say(str(exc))
        return Exit.REFUSED
    if not fresh:
        sshaccess.refused(args.key_id, "code", cmd.name, user_id=user.id)
        _say("refused: wrong or already used code; wait for the next code from your app")
        return Exit.REFUSED
    sshkeys.note_used(args.key_id)
    try:
        status, detail = _RUNNERS[cmd.name](scope, cmd)
    except CommandRefused as exc:
        sshaccess.refused(args.key_id, exc.reason, cmd.name, user_id=user.id)
        _say(str(exc))
        return Exit.REFUSED
    except Exception as exc:
        sshaccess.batch_ran(user.id, args.key_id, cmd.name, ok=False, error=type(exc).__name__)
        raise
    sshaccess.batch_ran(user.id, args.key_id, cmd.name, ok=status == 0, **detail)
    return status


def _run_import(scope, cmd: Command) -> tuple[int, dict]:
    """Read stdin into an in-memory file (never plaintext on disk), then import it."""
    from store.importing import ImportFileError
    from store.importing.batch import import_file
    from store.importing.report_text import Reader, report_lines
    from store.runtime import current

    fd = os.memfd_create("minicrm-import", os.MFD_CLOEXEC)
    try:
        size = 0
        stdin = sys.stdin.buffer
        while chunk := stdin.read(1 << 16):
            size += len(chunk)
            if size > MAX_IMPORT_BYTES:
                raise CommandRefused(f"refused: the file is larger than {MAX_IMPORT_BYTES // (1 << 20)} MiB",
                                     "too_large", cmd.name)
            os.write(fd, chunk)
        if size == 0:
            raise CommandRefused("refused: nothing arrived on standard input (ssh ... import --otp CODE < file)",
                                 "empty_input", cmd.name)
        # A name with the right suffix for format detection, pointing at the memory file.
        with tempfile.TemporaryDirectory(prefix="minicrm-import-") as folder:
            link = os.path.join(folder, cmd.file_name)
            os.symlink(f"/proc/{os.getpid()}/fd/{fd}", link)
            try:
                report = import_file(scope, link, dry_run=cmd.dry_run, fmt=cmd.fmt,
                                     region=current().config["import.default_region"])
            except ImportFileError as exc:
                print(f"minicrm: {exc}", file=sys.stderr)
                return Exit.FAILED, {"rows": 0, "dry_run": cmd.dry_run, "file_error": True}
    finally:
        os.close(fd)
    for line in report_lines(report, Reader.SSH):
        print(printable(line), file=sys.stdout)
    sys.stdout.flush()
    return 0, {"rows": report.rows, "new": report.new, "updated": report.updated,
               "dry_run": cmd.dry_run, "batch": report.batch_id}


def _run_export_person(scope, cmd: Command) -> tuple[int, dict]:
    from store.rights import write_export_zip

    if sys.stdout.isatty():
        raise CommandRefused("refused: the bundle is a zip file; redirect it: ... > bundle.zip", "tty_output",
                             cmd.name)
    assert cmd.target is not None  # the parser set it: one ASCII number
    buffer = io.BytesIO()  # all or nothing: a failure half-way leaves no half zip behind
    name = write_export_zip(scope, int(cmd.target), buffer)
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return 0, {"contact": int(cmd.target), "bytes": buffer.tell(), "bundle": name}


def _run_export_fetch(scope, cmd: Command) -> tuple[int, dict]:
    """The bundle attached to the request (written on the server by the app), to stdout."""
    from store.rights import fetch_bundle

    if sys.stdout.isatty():
        raise CommandRefused("refused: the bundle is a zip file; redirect it: ... > person.zip", "tty_output",
                             cmd.name)
    assert cmd.target is not None  # the parser set it: one ASCII number
    name, data = fetch_bundle(scope, int(cmd.target))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0, {"request": int(cmd.target), "bytes": len(data), "bundle": name}


def _run_mailing_export(scope, cmd: Command) -> tuple[int, dict]:
    try:
        from store import mailing  # written by the mailing-list work; may not exist yet
    except ImportError:
        writer = None
    else:
        writer = getattr(mailing, "write_list_csv", None)
    if writer is None:
        raise CommandRefused("refused: mailing export is not available on this server yet", "not_available",
                             cmd.name)
    buffer = io.BytesIO()
    count = writer(scope, cmd.target, buffer)
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return 0, {"rows": count if isinstance(count, int) else None}


_RUNNERS = {
    "import": _run_import,
    "export person": _run_export_person,
    "export fetch": _run_export_fetch,
    "mailing export": _run_mailing_export,
}
