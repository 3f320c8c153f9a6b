"""Putting a backup back, and the restore drill.

Restore, in order (each step says why):
1. refuse while any login session is live (their processes hold the old file
   open and would write into a file that is no longer the database), naming them;
2. verify the backup (checksum, key, pages, chain, counts);
3. read the live erasure ledger: people erased after the backup must stay erased;
4. switch the live file out of WAL (fails if any other process still has it open:
   a refusal, nothing changed) so it is one self-contained file;
5. copy the backup under the live key into `<db>.restoring`, bring its schema up
   to date, add the live ledger's entries it lacks and erase again whoever they
   match, audit `backup.restore`;
6. keep the replaced file aside as `<db>.replaced-<time>` (a hard link: no copy,
   no moment without a database), then rename the restored file over the live
   one (atomic) and reopen the store.
A crash before step 6 leaves the live database as it was (and a stray
`.restoring` file); after it, the restored one.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StoreError, WrongKey
from . import files
from .create import Progress, _quiet, step
from .manifest import Manifest, read_manifest
from .verify import contents_problems, verify_backup

STEPS = ("restore:left-wal", "restore:copied", "restore:prepared", "restore:kept-aside", "restore:swapped")


@dataclass
class RestoreReport:
    backup: Path
    manifest: Manifest
    replaced: Path  # where the database it replaced is kept
    ledger_carried: int  # ledger entries from the live database the backup lacked
    erased_again: list[int] = field(default_factory=list)  # contact ids

    def summary(self) -> str:
        again = (f"{len(self.erased_again)} people erased after the backup erased again "
                 f"(contact ids {', '.join(map(str, self.erased_again))})" if self.erased_again
                 else "nobody in it had been erased since")
        return (f"restored {self.backup.name} (taken {self.manifest.created_at} UTC); the replaced database "
                f"is kept as {self.replaced}; {self.ledger_carried} erasure ledger entries carried over, {again}")


def live_sessions() -> list[str]:
    """'session 12 (user 3, pid 4567)' for each login session whose process is still running."""
    from ..auth.sessions import sessions_of
    from ..scope import Scope

    return [f"session {s.id} (user {s.user_id}, pid {s.pid})"
            for s in sessions_of(Scope.console(), None) if s.alive]


def refuse_if_sessions_live(what: str) -> None:
    live = live_sessions()
    if live:
        raise StoreError(f"{what} refused: {len(live)} session(s) still live: {', '.join(live)}; "
                         f"end them first (`minicrm user sessions`, `minicrm user end-session ID`)")


def _ledger_rows() -> list[tuple]:
    from ..db import database

    # each entry with the hashes of every e-mail and phone it holds (erasure_ledger_hash)
    return database.execute_sql(
        "SELECT email_hmac, phone_hmac, erased_at, legal_basis, "
        "(SELECT group_concat(hmac, ' ') FROM erasure_ledger_hash h WHERE h.ledger_entry_id = l.id) "
        "FROM erasure_ledger l ORDER BY id").fetchall()


def leave_wal(conn_execute) -> None:
    """Checkpoint and switch to rollback-journal mode, or refuse if another process has the file open."""
    from peewee import OperationalError

    from ..errors import DatabaseBusy

    conn_execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        mode = conn_execute("PRAGMA journal_mode = DELETE")
    except DatabaseBusy:  # store/db.py's form of "database is locked"
        mode = "wal"
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        mode = "wal"  # leaving WAL needs the file to itself: someone else has it open
    if str(mode).lower() != "delete":
        raise StoreError("another process still has the database open (a cron job, the web endpoint?): "
                         "stop it and try again; nothing was changed")


def restore_backup(path: Path | str, *, key: bytes | None = None, progress: Progress | None = None,
                   migrate: bool = True) -> RestoreReport:
    """Replace the open store's database with a backup (see the module's steps).

    `migrate=False` puts the backup back exactly as it was, schema included, and
    leaves the ledger alone: for an upgrade whose migration failed, undone with the
    backup taken just before it (the same ledger), where migrating again would fail again.
    """
    from .. import audit, migrations, runtime
    from ..db import database, open_database
    from ..rights.ledger import reapply_ledger
    from ..scope import Scope

    say = progress or _quiet
    path = Path(path)
    rt = runtime.current()
    live, live_key = rt.config.db_path, rt.key
    backup_key = key or live_key

    refuse_if_sessions_live("restore")
    say(f"verifying {path}")
    report = verify_backup(path, backup_key, record=False)
    if not report.ok:
        raise StoreError(report.summary())
    manifest = read_manifest(path)
    if manifest.schema_version > migrations.LATEST:
        raise StoreError(f"{path} was written by a newer MiniCRM (schema {manifest.schema_version})")
    ledger = _ledger_rows()
    ledger_key = runtime.derived_key("ledger")
    replaced_head, _ = audit.head()  # the trail after this id is in the replaced file only

    staging = live.with_name(live.name + ".restoring")
    staging.unlink(missing_ok=True)  # a crashed restore's leftover, never the live file
    audit.flush()
    leave_wal(lambda sql: database.execute_sql(sql).fetchone()[0])
    runtime.close_store()
    step("restore:left-wal", say, "checkpointed and closed the live database")
    reopened = False
    try:
        files.copy_database(path, backup_key, staging, live_key)
        step("restore:copied", say, f"copied the backup to {staging}")
        if backup_key != live_key:
            from ..rekey import carry_sealed

            with files.opened(staging, live_key) as conn:
                carry_sealed(conn, backup_key, live_key)
        open_database(staging, live_key, cache_mb=rt.config["database.cache_mb"])
        runtime._current = runtime.Runtime(rt.config, live_key)
        carried, erased = 0, []
        if migrate:
            migrations.migrate(database)
            if ledger and runtime.derived_key("ledger") != ledger_key:
                raise StoreError(f"{path} is a backup of another database (its erasure ledger key differs)")
            say(f"carrying over {len(ledger)} erasure ledger entries and erasing those people again")
            carried = _carry_ledger(ledger)
            erased = reapply_ledger(Scope.console())
        # an outside checkpoint past the backup's head is explained by this row (audit verify)
        audit.record(None, "backup.restore", file=path.name, created_at=manifest.created_at,
                     audit_head=manifest.audit_head_id, replaced_head=replaced_head,
                     ledger_carried=carried, erased_again=len(erased))
        audit.flush()
        database.execute_sql("PRAGMA journal_mode = DELETE").fetchone()
        runtime.close_store()
        files.fsync_file(staging)
        step("restore:prepared", say, f"the ledger is re-applied in {staging}")

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        replaced = live.with_name(f"{live.name}.replaced-{stamp}")
        n = 1
        while replaced.exists():  # two restores within one second
            n += 1
            replaced = live.with_name(f"{live.name}.replaced-{stamp}-{n}")
        os.link(live, replaced)
        step("restore:kept-aside", say, f"the replaced database is kept as {replaced}")
        os.replace(staging, live)
        files.fsync_dir(live.parent)
        step("restore:swapped", say, f"the restored database is now {live}")
        runtime.open_store(rt.config, migrate=migrate)
        reopened = True
    finally:
        staging.unlink(missing_ok=True)
        if not reopened:
            runtime.close_store()
            runtime.open_store(rt.config, migrate=False)  # the live database, untouched
    return RestoreReport(path, manifest, replaced, carried, erased)


def _carry_ledger(rows: list[tuple]) -> int:
    from ..db import database

    have = set(database.execute_sql("SELECT email_hmac, phone_hmac FROM erasure_ledger").fetchall())
    missing = [r for r in rows if (r[0], r[1]) not in have]
    with database.atomic():
        for row in missing:
            entry = database.execute_sql("INSERT INTO erasure_ledger (email_hmac, phone_hmac, erased_at, "
                                         "legal_basis) VALUES (?, ?, ?, ?)", row[:4]).lastrowid
            database.connection().executemany(
                "INSERT INTO erasure_ledger_hash (ledger_entry_id, hmac) VALUES (?, ?)",
                [(entry, h) for h in (row[4] or "").split()])
    return len(missing)


@dataclass
class DrillReport:
    backup: Path
    manifest: Manifest
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        m = self.manifest
        if self.ok:
            return (f"drill passed: {self.backup.name} (taken {m.created_at} UTC) restored to a temporary "
                    f"place and verified: schema {m.schema_version}, {m.counts.get('contact', 0)} contacts, "
                    f"audit head {m.audit_head_id}")
        return f"drill FAILED for {self.backup.name}: " + "; ".join(self.problems)


def drill(backup: Path | str | None = None, *, progress: Progress | None = None) -> DrillReport:
    """Restore the newest backup (or `backup`) into a temporary folder, check it, and audit `backup.drill`."""
    from sqlcipher3 import dbapi2 as sqlcipher

    from .. import audit, runtime
    from . import newest_backup

    say = progress or _quiet
    rt = runtime.current()
    path = Path(backup) if backup is not None else newest_backup()
    if path is None:
        raise StoreError(f"no backup to drill in {rt.config.backup_dir} (run `minicrm backup create`)")
    say(f"checking the checksum of {path}")
    report = verify_backup(path, record=False, contents=False)
    problems = list(report.problems)
    manifest = report.manifest or read_manifest(path)
    if not problems:
        # beside the backups: private (0700), on their disk, not in a RAM-backed /tmp
        tmp = Path(tempfile.mkdtemp(prefix=".drill-", dir=path.parent))
        try:
            target = tmp / "restored.db"
            say(f"restoring it into {target}")
            try:
                files.copy_database(path, rt.key, target, rt.key)
                say("checking the restored copy: pages, audit chain, counts")
                with files.opened(target, rt.key) as conn:
                    problems += contents_problems(conn, manifest)
            except WrongKey:
                problems.append(f"the database key does not open it (it is under key {manifest.key_id})")
            except sqlcipher.DatabaseError as exc:  # damage the copy could not read past
                problems.append(f"it could not be restored: {exc}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if not problems:
        audit.record(None, "backup.drill", file=path.name, created_at=manifest.created_at,
                     audit_head=manifest.audit_head_id)
    return DrillReport(path, manifest, problems)
