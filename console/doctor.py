"""`minicrm doctor`: one line per check, and a non-zero exit when something needs attention.

    ok    key file /var/lib/minicrm/crm.key: mode 0600, owner crm
    WARN  last access review: 140 days ago (review at least every 90 days)
    FAIL  audit trail: broken at row 812: ...
    skip  last backup: none yet

Run as root it checks sshd as root and the database as the database file's
owner (root must never open the database: it would leave root-owned -wal and
-shm files the service account cannot write).  Nothing here changes anything.
"""
from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .exit_codes import Exit

REVIEW_DAYS = 90
CHECKPOINT_DAYS = 2
WAL_LIMIT = 256 * 1024 * 1024  # a WAL this big means checkpoints are starved by a long reader
# a valid ed25519 public key nobody holds: asking for it must answer quickly and print nothing
PROBE_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


class Report:
    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.attention = 0

    def line(self, status: str, name: str, detail: str) -> None:
        if status in ("WARN", "FAIL"):
            self.attention += 1
        print(f"{status:<5} {name}: {detail}", file=self.out, flush=True)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def _owner(path: Path) -> str:
    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def check_files(r: Report, cfg) -> None:
    key = cfg.key_path
    if not key.exists():
        r.line("FAIL", "key file", f"{key} does not exist")
    else:
        mode = _mode(key)
        r.line("ok" if mode & 0o077 == 0 else "FAIL", "key file",
               f"{key}: mode {mode:04o}, owner {_owner(key)}" + ("" if mode & 0o077 == 0 else f" (chmod 600 {key})"))
    folders = [("database folder", cfg.db_path.parent), ("export folder", cfg.export_dir)]
    backup = cfg.values.get("backup", {}).get("folder")
    if backup:
        folders.append(("backup folder", cfg._path(backup)))
    for name, folder in folders:
        if not folder.exists():
            r.line("skip", name, f"{folder} not there yet")
            continue
        mode = _mode(folder)
        good = mode & 0o077 == 0
        r.line("ok" if good else "FAIL", name, f"{folder}: mode {mode:04o}, owner {_owner(folder)}"
               + ("" if good else f" (chmod 700 {folder})"))


def check_sshd(r: Report, sshd_config: Path, account: str) -> None:
    from .install import BEGIN, effective_sshd

    try:
        text = sshd_config.read_text(encoding="utf-8")
    except OSError as exc:
        r.line("skip", "sshd config", f"cannot read {sshd_config} ({exc.strerror})")
        return
    if f"Match User {account}" not in text:
        r.line("FAIL", "sshd config", f"no `Match User {account}` block in {sshd_config} "
                                      "(`minicrm server install` adds it)")
        return
    managed = " (managed by server install)" if BEGIN in text else ""
    r.line("ok", "sshd config", f"`Match User {account}` block in {sshd_config}{managed}")
    if os.geteuid() != 0:
        r.line("skip", "sshd effective config", "needs root (sshd -T reads the host keys)")
        return
    eff = effective_sshd(sshd_config, user=account)
    command = eff.get("authorizedkeyscommand", "none")
    if "ssh authorized-keys" not in command:
        r.line("FAIL", "sshd effective config", f"sshd -T for {account} gives AuthorizedKeysCommand {command!r}")
        return
    r.line("ok", "sshd effective config", f"sshd -T for {account}: AuthorizedKeysCommand as "
                                          f"{eff.get('authorizedkeyscommanduser', '?')}")
    check_keys_command(r, command, eff.get("authorizedkeyscommanduser", account), account)


def check_keys_command(r: Report, command: str, keys_user: str, account: str) -> None:
    argv = [a.replace("%u", account).replace("%t", "ssh-ed25519").replace("%k", PROBE_KEY)
            for a in command.split()]
    if os.geteuid() == 0:
        argv = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", keys_user, "--", *argv]
    started = time.monotonic()
    try:
        res = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30, cwd="/",
                             env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        r.line("FAIL", "AuthorizedKeysCommand", f"did not answer ({type(exc).__name__})")
        return
    ms = (time.monotonic() - started) * 1000
    if res.returncode != 0 or res.stdout.strip():
        r.line("FAIL", "AuthorizedKeysCommand", f"exit {res.returncode}: {res.stderr.strip()[:200]}")
    else:
        r.line("ok", "AuthorizedKeysCommand", f"answers for an unknown key with nothing, in {ms:.0f} ms")


def check_store(r: Report, cfg) -> None:
    from store import checkpoints, runtime, upgrade
    from store.errors import StoreError

    try:
        rt = runtime.open_store(cfg, migrate=False)
    except StoreError as exc:
        r.line("FAIL", "database", str(exc))
        return
    waiting = upgrade.pending()
    r.line("WARN" if waiting else "ok", "migrations",
           f"{len(waiting)} pending: run `minicrm upgrade`" if waiting else "none pending")
    check_backup(r)
    report = checkpoints.verify_everything(rt.config)
    if not report.ok:
        first = report.first
        assert first is not None
        r.line("FAIL", "audit trail", f"broken at row {first.row}: {first.message}")
    elif not report.checkpoints:
        r.line("WARN", "audit trail", f"intact ({report.rows} rows) but no checkpoint outside the database "
                                      "(`minicrm audit checkpoint`, daily)")
    else:
        points, _ = checkpoints.read_file(checkpoints.checkpoint_file(rt.config))
        newest = max((p.at for p in points), default="")
        stale = newest and _age_days(newest) > CHECKPOINT_DAYS
        r.line("WARN" if stale else "ok", "audit trail",
               f"intact, {report.rows} rows, agrees with {report.checkpoints} checkpoints"
               + (f"; the newest checkpoint is from {newest[:10]}: is the daily timer running?" if stale else ""))
    wal = Path(f"{cfg.db_path}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    r.line("WARN" if size > WAL_LIMIT else "ok", "WAL size", f"{size / 1e6:.1f} MB"
           + (" (a long-lived reader stops checkpoints: `minicrm erase scrub`)" if size > WAL_LIMIT else ""))
    usage = shutil.disk_usage(cfg.db_path.parent)
    needed = 2 * (cfg.db_path.stat().st_size + size)  # room for a backup and a rebuild
    low = usage.free < needed or usage.free < usage.total * 0.05
    r.line("WARN" if low else "ok", "disk space",
           f"{usage.free / 1e9:.1f} GB free of {usage.total / 1e9:.1f} GB in {cfg.db_path.parent}")
    check_review(r)


def check_backup(r: Report) -> None:
    try:
        from store import backup  # type: ignore[attr-defined,unused-ignore]  # lands with the backup helper
    except ImportError:
        r.line("skip", "last backup", "this version has no backup command")
        return
    newest = backup.newest_backup()
    if newest is None:
        r.line("skip", "last backup", "none yet")
        return
    age = (time.time() - newest.stat().st_mtime) / 86400
    r.line("WARN" if age > 2 else "ok", "last backup", f"{newest.name}, {age:.1f} days old")
    verified = backup.last_verified()
    if verified is None:
        r.line("WARN", "backup verification", "no backup has been verified or drilled (`minicrm backup drill`)")
    else:
        at = getattr(verified, "verified_at", None) or getattr(verified, "at", None)
        days = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - at.replace(tzinfo=None)).days if at else 0
        how = "a restore drill" if getattr(verified, "drill", False) else "verified"
        r.line("WARN" if days > 31 else "ok", "backup verification",
               f"{how} {days} days ago ({getattr(verified, 'file', '')})")


def check_review(r: Report) -> None:
    from store import audit, staff
    from store.scope import Scope

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    at = staff.access_review(Scope.console()).last_reviewed_at
    if at is None:
        # the first review is due REVIEW_DAYS after the server started (its first audit row)
        started = audit.started_at() or now
        due = started + dt.timedelta(days=REVIEW_DAYS)
        r.line("WARN" if now > due else "ok", "access review",
               f"none recorded yet; the first is due by {due:%Y-%m-%d} (Admin > access review)")
        return
    days = (now - at).days
    r.line("WARN" if days > REVIEW_DAYS else "ok", "access review",
           f"last {days} days ago" + (f" (review at least every {REVIEW_DAYS} days)" if days > REVIEW_DAYS else ""))


def _age_days(iso: str) -> float:
    when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (dt.datetime.now(dt.UTC) - when).total_seconds() / 86400


def cmd_doctor(args) -> int:
    from store.config import load_config
    from store.errors import StoreError

    r = Report()
    try:
        cfg = load_config(args.config)
    except StoreError as exc:
        r.line("FAIL", "config", str(exc))
        return Exit.FAILED
    if not args.store_only:
        r.line("ok", "config", str(cfg.source))
        check_files(r, cfg)
        account = args.account or (cfg.db_path.exists() and _owner(cfg.db_path)) or pwd.getpwuid(os.geteuid()).pw_name
        check_sshd(r, Path(args.sshd_config), account)
    if not cfg.db_path.exists():
        r.line("FAIL", "database", f"{cfg.db_path} does not exist (`minicrm init`)")
    elif os.geteuid() == 0 and cfg.db_path.stat().st_uid != 0:
        sys.stdout.flush()
        from .ssh import program_path

        owner = _owner(cfg.db_path)
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        argv = [runuser, "-u", owner, "--", program_path(), "--config", str(cfg.source), "doctor", "--store-only"]
        res = subprocess.run(argv, check=False, cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                             timeout=600)
        r.attention += 1 if res.returncode != 0 else 0
    else:
        check_store(r, cfg)
    return Exit.FAILED if r.attention else Exit.OK


def add_doctor_parser(sub) -> None:
    s = sub.add_parser("doctor", help="check the installation: one line per check, exit 1 if any needs attention")
    s.add_argument("--account", help="the service account (default: the database file's owner)")
    s.add_argument("--sshd-config", default="/etc/ssh/sshd_config")
    s.add_argument("--store-only", action="store_true", help=argparse_suppress())
    s.set_defaults(func=cmd_doctor)


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
