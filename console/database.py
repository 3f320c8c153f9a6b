"""`minicrm init` and `minicrm demo-data`: the database itself (the audit trail: console/audit.py)."""
from __future__ import annotations

import sys

from .common import console_scope, open_store


def cmd_init(args) -> int:
    from store import accounts
    from store.config import load_config
    from store.runtime import create_store

    cfg = load_config(args.config)
    accounts.check_username(args.admin)  # before anything is created: no half-made store
    rt = create_store(cfg)
    account = accounts.add_user(console_scope(), args.admin, "admin")
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


def cmd_demo_data(args) -> int:
    from store import demo

    open_store(args)
    counts = demo.generate(args.contacts, seed=args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def add_init_parser(sub) -> None:
    s = sub.add_parser("init", help="create the key, the encrypted database and the first admin")
    s.add_argument("--admin", default="admin", help="the first administrator's username")
    s.set_defaults(func=cmd_init)


def add_database_parsers(sub) -> None:
    s = sub.add_parser("demo-data", help="add realistic Danish sample data")
    s.add_argument("--contacts", type=int, default=300)
    s.add_argument("--seed", type=int, default=2026)
    s.set_defaults(func=cmd_demo_data)


def cmd_upgrade(args) -> int:
    from store import upgrade
    from store.runtime import open_store as _open

    rt = _open(args.config, migrate=False)
    waiting = upgrade.pending()
    if args.check:
        if waiting:
            print(f"schema {waiting[0] - 1} -> {waiting[-1]}: {len(waiting)} migrations pending")
            return 1
        print("schema up to date")
        return 0
    progress = print if sys.stdout.isatty() else None  # under a timer: only the summary line
    report = upgrade.migrate(rt.config, rt.key, progress=progress)
    print(report.message)
    return 0


def add_upgrade_parser(sub) -> None:
    s = sub.add_parser("upgrade", help="run pending migrations under the write lock, a backup taken first")
    s.add_argument("--check", action="store_true", help="only say whether migrations are pending (exit 1 if so)")
    s.set_defaults(func=cmd_upgrade)
