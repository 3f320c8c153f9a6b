"""`python -m tui.demo --dir .demo`: a throwaway encrypted demo database, then the app.

Builds a fresh key, database and config (with `ui.demo = true`) in the
folder, one user of each role with a known password and TOTP secret, and a
few hundred realistic Danish contacts.  The login screen of the demo (and
only of the demo) lists these accounts with their current codes.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

ROLES = ("admin", "manager", "sales", "finance", "privacy")
PASSWORD = "demo-kaffe-2026"


def totp_secret(username: str) -> str:
    """A fixed, valid base32 TOTP secret per demo user (160 bits)."""
    digest = hashlib.sha1(f"minicrm-demo-{username}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")


def accounts() -> list[dict]:
    return [{"role": role, "username": role, "password": PASSWORD, "totp_secret": totp_secret(role)}
            for role in ROLES]


def build(folder: Path, *, contacts: int = 300, fresh: bool = True, bcrypt_cost: int | None = None,
          language: str = "") -> Path:
    """Create the demo store in `folder`; returns the config path.

    `bcrypt_cost` below 12 is for the test suite only (see tests/tui/conftest.py).
    """
    from store import accounts as store_accounts
    from store import auth, demo
    from store.config import load_config, write_config
    from store.runtime import close_store, create_store
    from store.scope import Scope

    folder = Path(folder)
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "config.toml"
    write_config(config_path, "minicrm-demo.db", "minicrm-demo.key",
                 company={"name": "Demo Byg & Service ApS"}, ui={"demo": True, "language": language})
    config = load_config(config_path)
    if bcrypt_cost is not None:
        config.values["auth"]["bcrypt_cost"] = bcrypt_cost
    create_store(config)
    console = Scope.console()
    for account in accounts():
        store_accounts.add_user(console, account["username"], account["role"], cost=bcrypt_cost)
        auth.enrol_for_demo(console, account["username"], account["password"], account["totp_secret"])
    demo.generate(contacts)
    close_store()  # the last connection to close folds the write-ahead log into the file
    # Created 0600 (never readable by others, not for a moment): it holds passwords and secrets.
    fd = os.open(folder / "demo-accounts.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(accounts(), indent=1))
    return config_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=".demo", help="folder for the throwaway demo (replaced)")
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--language", choices=("", "da", "en"), default="")
    parser.add_argument("--build-only", action="store_true", help="build the demo, do not start the app")
    args = parser.parse_args(argv)
    print(f"Building the demo database in {args.dir} …", file=sys.stderr)
    config_path = build(Path(args.dir), contacts=args.contacts, language=args.language)
    if args.build_only:
        print(config_path)
        return 0
    from .app import run

    return run(config_path)


if __name__ == "__main__":
    sys.exit(main())
