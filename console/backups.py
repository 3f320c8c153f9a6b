"""`minicrm backup create|verify|restore|drill|list` and `minicrm rekey`."""
from __future__ import annotations

from pathlib import Path

from .common import open_store, printable
from .progress import Steps


def _key_from(args) -> bytes | None:
    """--key-file: a backup under another key (one taken before a rekey, copied elsewhere)."""
    if not getattr(args, "key_file", None):
        return None
    from store.backup import key_from_file

    return key_from_file(args.key_file)


def cmd_backup_create(args) -> int:
    from store import backup

    open_store(args)
    manifest = backup.create_backup(args.to, progress=Steps())
    folder = Path(args.to) if args.to else backup.backup_folder()
    print(f"backup {printable(folder / manifest.file)}: {manifest.size / 1e6:.1f} MB, "
          f"{manifest.counts.get('contact', 0)} contacts, audit head {manifest.audit_head_id}, "
          f"sha256 {manifest.sha256[:16]}")
    return 0


def cmd_backup_verify(args) -> int:
    from store import backup
    from store.errors import CommandFailed

    open_store(args)
    Steps()(f"verifying {args.file}")
    report = backup.verify_backup(args.file, _key_from(args))
    if not report.ok:
        raise CommandFailed(printable(report.summary()))
    print(printable(report.summary()))
    return 0


def cmd_backup_restore(args) -> int:
    from store import backup

    open_store(args)
    report = backup.restore_backup(args.file, key=_key_from(args), progress=Steps())
    print(printable(report.summary()))
    return 0


def cmd_backup_drill(args) -> int:
    from store import backup
    from store.errors import CommandFailed

    open_store(args)
    report = backup.drill(args.file, progress=Steps())
    if not report.ok:
        raise CommandFailed(printable(report.summary()))
    print(printable(report.summary()))
    return 0


def cmd_backup_list(args) -> int:
    from store import backup
    from store.errors import StoreError

    open_store(args)
    mine = backup.current_key_id()
    found = backup.backups_in(backup.backup_folder(args.folder))
    for _, path in found:
        try:
            m = backup.read_manifest(path)
        except StoreError as exc:
            print(f"{printable(path.name)}  {printable(str(exc))}")
            continue
        under = "this key" if m.key_id == mine else f"OTHER KEY {m.key_id}"
        print(f"{printable(path.name)}  {m.size / 1e6:8.1f} MB  {m.counts.get('contact', 0):7} contacts  "
              f"schema {m.schema_version}  {under}")
    last = backup.last_verified()
    print(f"{len(found)} backups; last verified: "
          + (f"{last.file} at {last.verified_at:%Y-%m-%d %H:%M} UTC{' (drill)' if last.drill else ''}"
             if last else "never"))
    return 0


def cmd_rekey(args) -> int:
    from store import rekey

    open_store(args)
    report = rekey.rekey(progress=Steps())
    print(printable(report.summary()))
    print()
    print("NEW RECOVERY COPY OF THE DATABASE KEY - shown this once. Store it offline (paper, a safe)")
    print("and destroy the old one: the old key no longer opens the database.")
    print(f"    {report.new_key.hex()}")
    return 0


def add_backup_parsers(sub) -> None:
    group = sub.add_parser("backup", help="encrypted online backups, restore and restore drills")
    b = group.add_subparsers(dest="backup_command", required=True)
    s = b.add_parser("create", help="take an online backup (sessions keep working) and rotate old ones")
    s.add_argument("--to", metavar="DIR", help="write it here instead of backup.folder (no rotation there)")
    s.set_defaults(func=cmd_backup_create)
    s = b.add_parser("verify", help="check a backup: checksum, key, pages, audit chain, counts")
    s.add_argument("file")
    s.add_argument("--key-file", help="the key it is under, if not the database's (a backup from before a rekey)")
    s.set_defaults(func=cmd_backup_verify)
    s = b.add_parser("restore", help="replace the database with a backup (no session may be live)")
    s.add_argument("file")
    s.add_argument("--key-file", help="the key it is under, if not the database's (a backup from before a rekey)")
    s.set_defaults(func=cmd_backup_restore)
    s = b.add_parser("drill", help="restore the newest backup somewhere temporary and verify it")
    s.add_argument("file", nargs="?", help="this backup instead of the newest")
    s.set_defaults(func=cmd_backup_drill)
    s = b.add_parser("list", help="the backups, the key each is under, and the last verification")
    s.add_argument("--folder", help="another folder than backup.folder")
    s.set_defaults(func=cmd_backup_list)

    s = sub.add_parser("rekey", help="change the database key (no session may be live); prints the new "
                                     "recovery copy once")
    s.set_defaults(func=cmd_rekey)
