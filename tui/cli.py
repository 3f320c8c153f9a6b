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
    rt = create_store(cfg)
    account = accounts.add_user(None, args.admin, "admin")
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
    account = accounts.add_user(None, args.name, args.role)
    print(f"Created user {account.username} ({args.role}).")
    print(f"One-time password (shown once; change it at first login): {account.one_time_password}")
    return 0


def cmd_user_list(args) -> int:
    from tabulate import tabulate

    from store import accounts

    _open(args)
    rows = [(u.username, u.role, _when(u.last_login_at), "yes" if u.totp_enrolled else "no",
             "revoked" if u.revoked else "locked" if u.locked else "active", u.active_sessions)
            for u in accounts.list_users()]
    print(tabulate(rows, headers=("user", "role", "last login", "2FA", "state", "sessions")))
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
        print(f"audit trail intact: {report.rows} rows")
        return 0
    raise CliError(f"audit trail broken at row {report.first_broken}")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="minicrm", description="MiniCRM: a GDPR-first customer register")
    p.add_argument("--config", help="config file (else $MINICRM_CONFIG, else /etc/minicrm/config.toml)")
    sub = p.add_subparsers(dest="command", required=True)

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

    s = sub.add_parser("demo-data", help="add realistic Danish sample data")
    s.add_argument("--contacts", type=int, default=300)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=cmd_demo_data)

    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    s = audit.add_parser("verify", help="check the hash chain")
    s.set_defaults(func=cmd_audit_verify)
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
        from store.validate import ValidationError

        if isinstance(exc, (ConfigError, StoreError, ValidationError)):
            print(f"minicrm: {exc}", file=sys.stderr)
            return 1
        print(f"minicrm: unexpected error ({type(exc).__name__})", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
