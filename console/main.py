"""The `minicrm` command line: the parser, and the one place a command's failure is reported.

Every command returns non-zero with one line on stderr when it fails (codes:
console.exit_codes); no traceback ever reaches the console (it could hold
personal data or secrets).  Imports are lazy: `minicrm --help` pays for neither
Textual nor the store, and only `minicrm run` and `minicrm session` load the TUI.
"""
from __future__ import annotations

import argparse
import sys

from . import (
    audit,
    backups,
    breaches,
    database,
    docs,
    doctor,
    hygiene,
    importing,
    install,
    mailing,
    rights,
    ssh,
    users,
    web,
)
from .exit_codes import Exit


def cmd_run(args) -> int:
    """The terminal app (tui/app.py); Textual is imported only here."""
    from tui.app import run

    return run(args.config, language=args.language)


# Commands that do their work as root (the rest, run by root, run again as the database's owner).
AS_ROOT = {"server", "doctor"}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="minicrm", description="MiniCRM: a GDPR-first customer register")
    p.add_argument("--config", help="config file (else $MINICRM_CONFIG, else /etc/minicrm/config.toml)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("run", help="start the terminal app (log in with password and 2FA code)")
    s.add_argument("--language", choices=("da", "en"), help="override ui.language and the locale")
    s.set_defaults(func=cmd_run)

    database.add_init_parser(sub)
    user = users.add_user_parsers(sub)
    ssh.add_user_key_parsers(user)
    database.add_database_parsers(sub)
    audit.add_audit_parsers(sub)
    database.add_upgrade_parser(sub)
    install.add_server_parsers(sub)
    doctor.add_doctor_parser(sub)
    rights.add_rights_parsers(sub)
    hygiene.add_hygiene_parser(sub)
    importing.add_import_parser(sub)
    ssh.add_ssh_parsers(sub)
    mailing.add_mailing_parsers(sub)
    web.add_web_parser(sub)
    backups.add_backup_parsers(sub)
    docs.add_docs_parser(sub)
    breaches.add_breach_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from store.errors import StoreError  # the family: ConfigError, Invalid, CommandFailed ...

    parser = build_parser()
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
