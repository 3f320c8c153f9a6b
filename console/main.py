"""The `minicrm` command line: the parser, and the one place a command's failure is reported.

Every command returns non-zero with one line on stderr when it fails (codes:
console.exit_codes); no traceback ever reaches the console (it could hold
personal data or secrets).  Imports are lazy: `minicrm --help` pays for neither
Textual nor the store, and only `minicrm run` and `minicrm session` load the TUI.

The parser is built for the one command named on the command line: sshd starts
`minicrm ssh authorized-keys` twice and `minicrm session` once per login, and
importing every command module and building all their parsers cost about 70 ms
of CPU each time (measured with a CPU-time import profile).  `--help`, no
command or an unknown one build the whole parser, so help and errors read the same.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .exit_codes import Exit


def cmd_run(args) -> int:
    """The terminal app (tui/app.py); Textual is imported only here."""
    from tui.app import run

    return run(args.config, language=args.language)


# Commands that do their work as root (the rest, run by root, run again as the database's owner).
AS_ROOT = {"server", "doctor"}


def _module(name: str):
    return importlib.import_module(f"console.{name}")


def _add_user(sub) -> None:
    _module("ssh").add_user_key_parsers(_module("users").add_user_parsers(sub))


# (the top-level commands a group adds, how it adds them), in the order `--help` lists them;
# tests/test_layers.py checks each group adds exactly the commands named here.
GROUPS: list[tuple[tuple[str, ...], object]] = [
    (("init",), lambda sub: _module("database").add_init_parser(sub)),
    (("user",), _add_user),
    (("demo-data",), lambda sub: _module("database").add_database_parsers(sub)),
    (("audit",), lambda sub: _module("audit").add_audit_parsers(sub)),
    (("upgrade",), lambda sub: _module("database").add_upgrade_parser(sub)),
    (("server",), lambda sub: _module("install").add_server_parsers(sub)),
    (("doctor",), lambda sub: _module("doctor").add_doctor_parser(sub)),
    (("requests", "export", "erase", "restrict"), lambda sub: _module("rights").add_rights_parsers(sub)),
    (("hygiene",), lambda sub: _module("hygiene").add_hygiene_parser(sub)),
    (("import",), lambda sub: _module("importing").add_import_parser(sub)),
    (("ssh", "session"), lambda sub: _module("ssh").add_ssh_parsers(sub)),
    (("mailing", "consent"), lambda sub: _module("mailing").add_mailing_parsers(sub)),
    (("web",), lambda sub: _module("web").add_web_parser(sub)),
    (("backup", "rekey"), lambda sub: _module("backups").add_backup_parsers(sub)),
    (("docs",), lambda sub: _module("docs").add_docs_parser(sub)),
    (("breach",), lambda sub: _module("breaches").add_breach_parsers(sub)),
]


def command_named(argv: list[str]) -> str | None:
    """The command word in `argv` (after the global --config), or None for help and anything odd."""
    args = iter(argv)
    for word in args:
        if word == "--config":
            next(args, None)
        elif word.startswith("--config="):
            continue
        elif word.startswith("-"):
            return None  # --help, or an option argparse should judge
        else:
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (`command` given and known) the one for that command only."""
    p = argparse.ArgumentParser(prog="minicrm", description="MiniCRM: a GDPR-first customer register")
    p.add_argument("--config", help="config file (else $MINICRM_CONFIG, else /etc/minicrm/config.toml)")
    sub = p.add_subparsers(dest="command", required=True)
    known = command == "run" or any(command in names for names, _ in GROUPS)

    if not known or command == "run":
        s = sub.add_parser("run", help="start the terminal app (log in with password and 2FA code)")
        s.add_argument("--language", choices=("da", "en"), help="override ui.language and the locale")
        s.set_defaults(func=cmd_run)
    for names, add in GROUPS:
        if not known or command in names:
            add(sub)  # type: ignore[operator]
    return p


def main(argv: list[str] | None = None) -> int:
    from store.errors import StoreError  # the family: ConfigError, Invalid, CommandFailed ...

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_named(argv))
    args = parser.parse_args(argv)
    try:
        if args.command not in AS_ROOT:
            from .common import run_as_database_owner

            run_as_database_owner(args.config)  # run as root: become the service account first
        return args.func(args)
    except StoreError as exc:  # shown as plain characters: a message may quote a file's name
        from store.text import visible

        print(f"minicrm: {visible(str(exc))}", file=sys.stderr)
        return Exit.FAILED
    except KeyboardInterrupt:
        print("minicrm: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the last resort: one line, never a traceback (it could hold personal data)
        print(f"minicrm: unexpected error ({type(exc).__name__})", file=sys.stderr)
        return Exit.UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
