"""`python -m tui.demo --dir .demo`: a throwaway encrypted demo database, then the app.

Builds a fresh key, database and config (with `ui.demo = true`) in the
folder, one user of each role with a known password and TOTP secret, and a
few hundred realistic Danish contacts.  The login screen of the demo (and
only of the demo) lists these accounts with their current codes.

A second `make run` while one is running never wipes the database under the
first: the running demos are listed, by pid, in a lock file beside the folder
(`.demo.lock`, outside the folder the build replaces), checked for liveness
under an exclusive file lock, and a run that finds a live one opens the same
database instead of building a new one.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
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


class DemoLock:
    """The demos running on one folder: their pids in `<folder>.lock`, read and written
    under flock, so two runs starting at once agree on who builds."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        self.path = folder.with_name(folder.name + ".lock")

    @contextlib.contextmanager
    def held(self) -> Iterator[list[int]]:
        """The live pids (dead ones dropped), with the lock held; changes to the list are kept."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="ascii") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
            pids = [int(p) for p in fh.read().split() if p.isdigit()]
            live = [p for p in pids if _alive(p)]
            yield live
            fh.seek(0)
            fh.truncate()
            fh.write("".join(f"{p}\n" for p in live))

    def leave(self, pid: int) -> None:
        with self.held() as live:
            while pid in live:
                live.remove(pid)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as someone else
    return True


def prepare(folder: Path, *, contacts: int, language: str, register: bool = True) -> Path:
    """Build the demo, or reuse the one a running demo uses; returns the config path.
    `register`: this process counts as running on it until `DemoLock.leave`."""
    folder = Path(folder)
    lock = DemoLock(folder)
    with lock.held() as live:
        others = [p for p in live if p != os.getpid()]
        config_path = folder / "config.toml"
        if others:
            if not config_path.exists():
                raise SystemExit(f"A demo (pid {others[0]}) is using {folder} but its database is not "
                                 "there: stop it, then run again.")
            print(f"A demo is already running on {folder} (pid {others[0]}): opening its database "
                  "instead of building a new one.", file=sys.stderr)
        else:
            print(f"Building the demo database in {folder} …", file=sys.stderr)
            config_path = build(folder, contacts=contacts, language=language)
        if register:
            live.append(os.getpid())
    return config_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=".demo",
                        help="folder for the throwaway demo (replaced, unless a demo runs on it)")
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--language", choices=("", "da", "en"), default="")
    parser.add_argument("--build-only", action="store_true", help="build the demo, do not start the app")
    args = parser.parse_args(argv)
    folder = Path(args.dir)
    config_path = prepare(folder, contacts=args.contacts, language=args.language,
                          register=not args.build_only)
    if args.build_only:
        print(config_path)
        return 0
    from .app import run

    try:
        return run(config_path)
    finally:
        DemoLock(folder).leave(os.getpid())


if __name__ == "__main__":
    sys.exit(main())
