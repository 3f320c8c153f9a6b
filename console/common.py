"""What every command group shares: opening the store, the console scope, ids, times,
and printing file-derived text so that control characters show and never act."""
from __future__ import annotations

import argparse


def open_store(args):
    """The store named by --config (else $MINICRM_CONFIG, else the default), migrated."""
    from store.runtime import open_store as _open_store

    return _open_store(args.config)


def run_as_database_owner(config) -> None:
    """Run as root, a command becomes the database file's owner (the service account) and
    runs again as it: root must never open the database, or SQLite leaves root-owned -wal
    and -shm files the service account cannot write.  So `minicrm user add sofie` just works."""
    import os

    if os.geteuid() != 0:
        return
    import pwd
    import shutil
    import sys

    from store.config import load_config
    from store.errors import ConfigError

    try:
        owner = load_config(config).db_path.stat().st_uid
    except (FileNotFoundError, ConfigError):
        return  # no store yet (init), or no config: the command itself says what is wrong
    if owner == 0:
        return
    from .ssh import program_path

    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(runuser, [runuser, "-u", pwd.getpwuid(owner).pw_name, "--", program_path(), *sys.argv[1:]])


def console_scope():
    """The server operator's scope: what a command does, the audit trail records as the console."""
    from store.scope import Scope

    return Scope.console()


def when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def int_id(text: str, what: str) -> int:
    from store.errors import CommandFailed

    try:
        return int(text)
    except ValueError:
        raise CommandFailed(f"{what} id must be a number, not {text!r}") from None


def date_arg(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def printable(text) -> str:
    """File-derived text for the console: control characters become visible, never act."""
    from store.text import visible

    return visible(text)
