"""The audit trail anchored outside the database.

The hash chain (store/audit.py) only proves that the rows agree with each
other: someone holding the database key can drop the triggers, delete rows
and recompute every hash after them, or cut rows off the newest end, and the
chain is still whole.  A checkpoint notes the chain's head (the newest row's
id and hash) somewhere that person does not control: the system log (syslog,
i.e. the journal, often forwarded off the machine), a checkpoint file the
operator ships off the machine, and each backup's manifest.
`verify()` walks the chain once and holds it against every checkpoint found:
a row whose hash is not the one noted, a checkpoint row that is gone, rows
missing after a checkpoint, or a hole in the row ids (rows are numbered
max+1 and are never deleted, so a gap is a deletion) is named by row id.

A checkpoint holds only ids, hashes and counts: no personal data.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import syslog
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import audit
from .config import Config
from .db import database

KIND = "minicrm.audit-checkpoint"
RESTORE_KIND = "minicrm.audit-restore"
SYSLOG_IDENT = "minicrm-audit"


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the audit row id of the head when the checkpoint was taken
    head: str  # that row's hash
    at: str  # when, UTC ISO 8601
    source: str  # where it was found, for the report ("checkpoint file /x line 3")
    rows: int | None = None


@dataclass(frozen=True)
class Problem:
    row: int  # the audit row id the problem is at (the first row that disagrees)
    message: str


@dataclass
class AnchorReport:
    rows: int
    head_seq: int
    head: str
    checkpoints: int  # how many were held against the chain
    sources: dict[str, int] = field(default_factory=dict)  # kind of source -> checkpoints found
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sources that could not be read, superseded ones

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.row) if self.problems else None


# --- taking a checkpoint ---------------------------------------------------------------

def current_head() -> tuple[int, str, int]:
    """(head id, head hash, row count), read in one statement: one snapshot."""
    row = database.execute_sql(
        "SELECT id, hash, (SELECT count(*) FROM audit_event) FROM audit_event "
        "ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1], row[2]) if row else (0, audit.GENESIS, 0)


def checkpoint_file(config: Config) -> Path:
    return config._path(config["audit.checkpoint_file"])


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")  # microseconds: restores order


def take(config: Config) -> Checkpoint:
    """Note the head now: a line in the checkpoint file (fsynced) and, if configured, in syslog."""
    audit.flush()
    seq, head, rows = current_head()
    at = _utc_now()
    line = {"kind": KIND, "v": 1, "at": at, "database": str(config.db_path), "seq": seq, "head": head,
            "rows": rows}
    path = checkpoint_file(config)
    _append_line(path, line)
    if config["audit.syslog"]:
        _to_syslog(f"audit checkpoint seq={seq} head={head} rows={rows} database={config.db_path}")
    return Checkpoint(seq, head, at, f"checkpoint file {path}", rows)


def note_restore(config: Config) -> None:
    """After a backup restore the trail legitimately ends earlier: checkpoints taken before this
    line with a later row than the restored head are superseded (and reported as such)."""
    seq, head, rows = current_head()
    line = {"kind": RESTORE_KIND, "v": 1, "at": _utc_now(), "database": str(config.db_path),
            "seq": seq, "head": head, "rows": rows}
    _append_line(checkpoint_file(config), line)
    if config["audit.syslog"]:
        _to_syslog(f"audit restore seq={seq} head={head} rows={rows} database={config.db_path}")


def _append_line(path: Path, line: dict) -> None:
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    # O_APPEND: a line from a concurrent writer never interleaves with ours (one short write)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, (json.dumps(line, separators=(",", ":")) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _to_syslog(message: str) -> None:
    # LOG_AUTH: security events; journald keeps the identifier, so `journalctl -t minicrm-audit` finds it
    syslog.openlog(SYSLOG_IDENT, syslog.LOG_PID, syslog.LOG_AUTH)
    try:
        syslog.syslog(syslog.LOG_NOTICE, message)
    finally:
        syslog.closelog()


# --- finding checkpoints -------------------------------------------------------------------

def read_file(path: Path, notes: list[str] | None = None) -> tuple[list[Checkpoint], list[Checkpoint]]:
    """(checkpoints, restore markers) in a checkpoint file; unreadable lines are noted, not fatal."""
    points: list[Checkpoint] = []
    restores: list[Checkpoint] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return points, restores
    except OSError as exc:
        if notes is not None:
            notes.append(f"cannot read {path}: {exc.strerror}")
        return points, restores
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            point = Checkpoint(int(item["seq"]), str(item["head"]), str(item["at"]),
                               f"checkpoint file {path} line {number}", item.get("rows"))
        except (ValueError, KeyError, TypeError):
            if notes is not None:
                notes.append(f"{path} line {number}: not a checkpoint, skipped")
            continue
        (restores if item.get("kind") == RESTORE_KIND else points).append(point)
    return points, restores


def _manifest_head(data: dict) -> tuple[int, str] | None:
    """The audit head in a backup manifest, in the shapes a manifest may give it."""
    head = data.get("audit_head", data.get("audit"))
    if isinstance(head, (list, tuple)) and len(head) == 2:
        return int(head[0]), str(head[1])
    if isinstance(head, dict):
        seq = head.get("seq", head.get("id"))
        value = head.get("hash", head.get("head"))
        if seq is not None and value is not None:
            return int(seq), str(value)
    if "audit_head_id" in data and "audit_head_hash" in data:  # store.backup's Manifest
        return int(data["audit_head_id"]), str(data["audit_head_hash"])
    if "audit_seq" in data and isinstance(head, str):
        return int(data["audit_seq"]), head
    return None


def read_manifests(folder: Path, notes: list[str] | None = None) -> list[Checkpoint]:
    """Audit heads in the JSON manifests beside backups (any *.json holding one)."""
    points: list[Checkpoint] = []
    if not folder.is_dir():
        return points
    for path in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = _manifest_head(data) if isinstance(data, dict) else None
        except (OSError, ValueError, TypeError):
            if notes is not None:
                notes.append(f"{path}: not a readable manifest, skipped")
            continue
        if found is not None:
            at = str(data.get("created_at", data.get("at", data.get("time", ""))))
            points.append(Checkpoint(found[0], found[1], at, f"backup manifest {path}"))
    return points


def read_journal(database_path: Path, notes: list[str] | None = None) -> list[Checkpoint]:
    """Checkpoints this database sent to the journal (`journalctl -t minicrm-audit`)."""
    journalctl = shutil.which("journalctl")
    if journalctl is None:
        return []
    try:
        proc = subprocess.run([journalctl, "-q", "--no-pager", "-o", "json", "-t", SYSLOG_IDENT],
                              check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        if notes is not None:
            notes.append("the system journal did not answer")
        return []
    points = []
    for raw in proc.stdout.splitlines():
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        message = entry.get("MESSAGE")
        if not isinstance(message, str) or not message.startswith("audit checkpoint "):
            continue
        fields = dict(part.split("=", 1) for part in message.split()[2:] if "=" in part)
        if fields.get("database") != str(database_path):
            continue  # another MiniCRM on the same machine
        micros = entry.get("__REALTIME_TIMESTAMP")
        at = (dt.datetime.fromtimestamp(int(micros) / 1e6, dt.UTC).isoformat() if micros else "")
        try:
            points.append(Checkpoint(int(fields["seq"]), fields["head"], at, "system journal"))
        except (KeyError, ValueError):
            continue
    return points


def gather(config: Config, extra_files: Iterable[Path] = (), manifest_dirs: Iterable[Path] = (),
           notes: list[str] | None = None) -> tuple[dict[str, list[Checkpoint]], list[Checkpoint]]:
    """Every checkpoint we can find, by kind of source; and the restore markers."""
    notes = notes if notes is not None else []
    files = [checkpoint_file(config), *extra_files]
    points: list[Checkpoint] = []
    restores: list[Checkpoint] = []
    for path in dict.fromkeys(Path(p) for p in files):
        found, restored = read_file(path, notes)
        points += found
        restores += restored
    manifests: list[Checkpoint] = []
    folders = list(manifest_dirs)
    backup_folder = config.values.get("backup", {}).get("folder")
    if backup_folder:
        folders.append(config._path(backup_folder))
    for folder in dict.fromkeys(Path(f) for f in folders):
        manifests += read_manifests(folder, notes)
    return ({"checkpoint file": points, "backup manifest": manifests,
             "system journal": read_journal(config.db_path, notes)}, restores)


# --- holding the chain against them ------------------------------------------------------------

def verify(points: Iterable[Checkpoint], restores: Iterable[Checkpoint] = ()) -> AnchorReport:
    """One pass over the chain: its own links, gaps in the ids, and every checkpoint."""
    points = list(points)
    notes: list[str] = []
    latest_restore = max(restores, key=lambda r: r.at, default=None)
    if latest_restore is not None:
        kept = [p for p in points if not (p.at < latest_restore.at and p.seq > latest_restore.seq)]
        if len(kept) < len(points):
            notes.append(f"{len(points) - len(kept)} checkpoints predate the restore of "
                         f"{latest_restore.at} (back to row {latest_restore.seq}) and were set aside")
        points = [*kept, latest_restore]
    # Rows dropped under retention.audit_years: the chain starts after the last dropped row,
    # whose hash was noted when it went; checkpoints of earlier rows can no longer be checked.
    base_id, base_hash = audit.chain_base()
    problems: list[Problem] = []
    by_seq: dict[int, list[Checkpoint]] = {}
    older = 0
    for p in points:
        if p.seq <= 0:
            continue  # taken while the trail was empty: nothing to hold against
        if p.seq < base_id:
            older += 1
        elif p.seq == base_id:
            if p.head != base_hash:
                problems.append(Problem(base_id, f"row {base_id}, the last row dropped under "
                                                 f"retention.audit_years, is not the row the {_describe(p)} noted"))
        else:
            by_seq.setdefault(p.seq, []).append(p)
    if older:
        notes.append(f"{older} checkpoints are of rows dropped under retention.audit_years "
                     f"(up to row {base_id}) and were set aside")
    prev_hash, prev_id, count = base_hash, base_id, 0
    chain_broken = False
    cursor = database.execute_sql(
        "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash "
        "FROM audit_event ORDER BY id")
    for (id_, at, actor_id, action, entity, entity_id, detail, stored_prev, stored_hash) in cursor:
        count += 1
        if id_ != prev_id + 1:
            problems.append(Problem(prev_id + 1, f"{_span(prev_id + 1, id_ - 1)} missing "
                                                 f"(deleted: audit rows are never removed)"))
            for seq in range(prev_id + 1, id_):
                for p in by_seq.pop(seq, []):
                    problems.append(Problem(seq, f"row {seq}, noted by the {_describe(p)}, is gone"))
        if not chain_broken and (stored_prev != prev_hash or stored_hash != audit._digest(
                at, actor_id, action, entity, entity_id, detail, prev_hash)):
            chain_broken = True  # after the first break every later row fails too: report it once
            problems.append(Problem(id_, f"row {id_} does not match its hash chain (edited, or a row "
                                         f"before it deleted)"))
        for p in by_seq.pop(id_, []):
            if p.head != stored_hash:
                problems.append(Problem(id_, f"row {id_} is not the row the {_describe(p)} noted: "
                                             f"the trail was rewritten at or before row {id_}"))
        prev_hash, prev_id = stored_hash, id_
    beyond = sorted((p for points_at in by_seq.values() for p in points_at), key=lambda p: p.seq)
    if beyond:  # the earliest says it; the others are named so the operator sees every witness
        p = beyond[0]
        others = "".join(f"; also noted by the {_describe(o)}" for o in beyond[1:6])
        problems.append(Problem(prev_id + 1, f"{_span(prev_id + 1, p.seq)} missing: the {_describe(p)} "
                                             f"noted row {p.seq}, the trail ends at row {prev_id}{others}"))
    sequence = _sqlite_sequence()
    if sequence is not None and sequence > prev_id:
        problems.append(Problem(prev_id + 1, f"{_span(prev_id + 1, sequence)} missing: the database "
                                             f"numbered rows up to {sequence}"))
    problems.sort(key=lambda p: p.row)
    return AnchorReport(count, prev_id, prev_hash, len(points), problems=problems, notes=notes)


def _span(first: int, last: int) -> str:
    return f"row {first} is" if first == last else f"rows {first}-{last} are"


def _describe(p: Checkpoint) -> str:
    return f"{p.source} ({p.at})" if p.at else p.source


def _sqlite_sequence() -> int | None:
    """The highest id ever handed out, when audit_event uses AUTOINCREMENT (else None)."""
    try:
        row = database.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'").fetchone()
    except Exception:  # noqa: BLE001 -- no AUTOINCREMENT table at all: no sqlite_sequence
        return None
    return int(row[0]) if row else None


def restores_in_trail() -> list[Checkpoint]:
    """A backup restore writes a `backup.restore` row naming the backup's audit head (store.backup):
    the trail legitimately went back to that row then.  (Reported in the notes, never silently.)"""
    found = []
    for id_, at, detail in database.execute_sql(
            "SELECT id, at, detail FROM audit_event WHERE action = 'backup.restore' ORDER BY id"):
        try:
            seq = int(json.loads(detail).get("audit_head", id_ - 1))
        except (ValueError, TypeError, AttributeError):
            seq = id_ - 1
        row = database.execute_sql("SELECT hash FROM audit_event WHERE id = ?", (seq,)).fetchone()
        if row is None and seq <= audit.chain_base()[0]:
            continue  # restored to a row since dropped under retention.audit_years: nothing left to hold
        at_text = at if isinstance(at, str) else at.isoformat(sep=" ")
        found.append(Checkpoint(seq, row[0] if row else audit.GENESIS, at_text.replace(" ", "T") + "Z",
                                f"backup.restore row {id_}"))
    return found


def verify_everything(config: Config, extra_files: Iterable[Path] = (),
                      manifest_dirs: Iterable[Path] = ()) -> AnchorReport:
    notes: list[str] = []
    found, restores = gather(config, extra_files, manifest_dirs, notes)
    report = verify([p for points in found.values() for p in points], [*restores, *restores_in_trail()])
    report.sources = {kind: len(points) for kind, points in found.items()}
    report.notes = notes + report.notes
    return report
