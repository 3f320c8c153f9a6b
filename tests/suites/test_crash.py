"""Crash suite: a writer killed with SIGKILL at random moments loses nothing it acknowledged.

A child commits random realistic transactions (creates with company and tags, edits, notes,
deals and their stages, consent given and withdrawn, small imports, erasures) and
acknowledges each commit over a pipe (crash_worker.py).  It is killed at a random moment,
again and again (100 times in CI, 1,000 in soak).  After every kill: `integrity_check` ok,
`cipher_integrity_check` empty, the audit chain verifies, every acknowledged commit is
there, and no transaction is half there (each row with its audit row, its search-index
entry, its import batch whole).
"""
from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from .profile import CRASH_KILLS, PROFILE

WORKER = Path(__file__).with_name("crash_worker.py")
MAX_RUN = 0.25  # seconds a child writes before it is killed: uniform in [0, MAX_RUN)


class Worker:
    """The fork server, its output read by a thread (a kill never leaves the test blocked)."""

    def __init__(self, config, folder: Path):
        env = dict(os.environ, MINICRM_CONFIG=str(config.source), PYTHONUNBUFFERED="1")
        self.stderr_path = folder / "worker.stderr"
        with open(self.stderr_path, "w") as stderr:
            self.proc = subprocess.Popen([sys.executable, str(WORKER), str(config.source), str(folder)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                         text=True, env=env)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            kind, op, data = line.rstrip("\n").split(" ", 2)
            self.lines.put((kind, op, json.loads(data)))
        self.lines.put(None)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next(self, timeout: float = 60.0):
        try:
            item = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the crash worker said nothing for {timeout:g} s") from None
        if item is None:
            raise AssertionError(f"the crash worker ended: {self.stderr()}")
        if item[0] == "error":
            raise AssertionError(f"the writer failed: {item[2]}")
        return item

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            self.proc.wait(timeout=60)


class Model:
    """What the acknowledgements promise; `pending` is the one transaction the kill interrupted."""

    def __init__(self):
        self.created: dict[int, str] = {}
        self.erased: set[int] = set()
        self.edits: dict[int, int] = {}
        self.notes: dict[int, int] = {}
        self.stages: dict[int, str | None] = {}
        self.consent: dict[int, bool] = {}
        self.imports: dict[int, int] = {}
        self.erased_from_batch: Counter = Counter()
        self.acks = 0
        self.pending: tuple[str, dict] | None = None

    def apply(self, kind: str, op: str, data: dict) -> None:
        if kind == "try":
            self.pending = (op, data)
            return
        if kind != "ack":
            return
        self.pending = None
        self.acks += 1
        if op == "create":
            self._forget(data["id"])  # SQLite reuses the highest id (until AUTOINCREMENT)
            self.erased.discard(data["id"])
            self.created[data["id"]] = data["token"]
        elif op == "edit":
            self.edits[data["id"]] = max(self.edits.get(data["id"], 0), data["value"])
        elif op == "note":
            self.notes[data["id"]] = data["contact"]
        elif op == "deal":
            self.stages[data["id"]] = None
        elif op == "stage":
            self.stages[data["id"]] = data["stage"]
        elif op == "consent":
            self.consent[data["contact"]] = data["given"]
        elif op == "import":
            self.imports[data["batch"]] = data["new"]
        elif op == "erase":
            self._erased(data)

    def _erased(self, data: dict) -> None:
        self._forget(data["id"])
        for deal in data.get("deals", ()):  # a deal of the person alone goes with them (issue 11)
            self.stages.pop(deal, None)
        self.erased.add(data["id"])
        if data["batch"]:
            self.erased_from_batch[data["batch"]] += 1

    def _forget(self, cid: int) -> None:
        """What was promised about the person with this id (erased: it all went with them)."""
        self.edits.pop(cid, None)
        self.consent.pop(cid, None)
        self.notes = {n: c for n, c in self.notes.items() if c != cid}

    def settle(self) -> None:
        """After the checks: the interrupted transaction either happened or not; take what is there."""
        from store.models import Consent, Contact, Deal, ImportBatch

        if self.pending is None:
            return
        op, data = self.pending
        self.pending = None
        if op == "erase" and not Contact.select().where(Contact.id == data["id"]).exists():
            self._erased(data)
        elif op == "edit" and (row := Contact.get_or_none(Contact.id == data["id"])) is not None:
            self.edits[data["id"]] = max(self.edits.get(data["id"], 0), int(row.title or 0))
        elif op == "consent":
            row = Consent.get_or_none((Consent.contact == data["contact"]) & (Consent.purpose == "newsletter"))
            if row is not None:
                self.consent[data["contact"]] = row.status == "given"
        elif op == "stage":
            self.stages[data["id"]] = Deal.get_by_id(data["id"]).stage
        elif op == "import":
            first = Contact.get_or_none(Contact.first_name == data["token"] + "r0")
            if first is not None and first.import_batch_id in {b.id for b in ImportBatch.select()}:
                self.imports[first.import_batch_id] = data["rows"]


# Rows whose transaction left them without their other half (each count must be 0).
HALVES = {
    "contact without its creation audit row": """
        SELECT count(*) FROM contact c WHERE c.import_batch_id IS NULL AND NOT EXISTS (
          SELECT 1 FROM audit_event a WHERE a.action = 'contact.create' AND a.entity_id = c.id)""",
    "contact.create audit row without its contact or an erasure": """
        SELECT count(*) FROM audit_event a WHERE a.action = 'contact.create'
          AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = a.entity_id)
          AND NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.action = 'person.erase' AND e.entity_id = a.entity_id)""",
    "contact missing from the search index": """
        SELECT count(*) FROM contact WHERE id NOT IN (SELECT rowid FROM contact_search)""",
    "note without its audit row": """
        SELECT count(*) FROM note n WHERE NOT EXISTS (
          SELECT 1 FROM audit_event a WHERE a.action = 'note.add' AND a.entity_id = n.id)""",
    "deal without its audit row": """
        SELECT count(*) FROM deal d WHERE NOT EXISTS (
          SELECT 1 FROM audit_event a WHERE a.action = 'deal.create' AND a.entity_id = d.id)""",
    # a batch still "running" was interrupted: resumable or undoable (checked below), audited when it ends
    "finished import batch without its audit row": """
        SELECT count(*) FROM import_batch b WHERE b.state = 'done' AND NOT EXISTS (
          SELECT 1 FROM audit_event a WHERE a.action = 'import.run' AND a.entity_id = b.id)""",
    "note, consent or tag of a contact that is gone": """
        SELECT (SELECT count(*) FROM note WHERE contact_id NOT IN (SELECT id FROM contact))
             + (SELECT count(*) FROM consent WHERE contact_id NOT IN (SELECT id FROM contact))
             + (SELECT count(*) FROM contact_tag WHERE contact_id NOT IN (SELECT id FROM contact))""",
    "consent event without its consent": """
        SELECT count(*) FROM consent_event WHERE consent_id NOT IN (SELECT id FROM consent)""",
}


def check(model: Model) -> dict[str, int]:
    """Problems found now, by kind (empty: all well), on a connection opened after the kill.

    A fresh connection, as `minicrm doctor` or a restarted session would use: on one that
    was open across the crash, FTS5's integrity check can report the search index corrupt
    once, from the index structure it cached (searches on it are right, and the check passes
    when repeated) -- SQLite's quirk, not the file's state.
    """
    from store import audit, runtime
    from store.db import database
    from store.models import Consent, Contact, Deal, ImportBatch, Note

    config = runtime.current().config
    runtime.close_store()
    runtime.open_store(config)

    problems: Counter = Counter()
    integrity = database.execute_sql("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems["integrity_check"] += 1
    if database.execute_sql("PRAGMA cipher_integrity_check").fetchall():
        problems["cipher_integrity_check"] += 1
    if not audit.verify().ok:
        problems["audit verify"] += 1
    for what, sql in HALVES.items():
        problems[what] += database.execute_sql(sql).fetchone()[0]

    op, data = model.pending or ("", {})
    maybe_gone = {data["id"]} if op == "erase" else set()
    gone = model.erased | maybe_gone
    rows = {c.id: c for c in Contact.select(Contact.id, Contact.first_name, Contact.title)}
    for cid, token in model.created.items():
        if cid in model.erased:
            # (its id may be in use again: SQLite reuses the highest id until AUTOINCREMENT)
            problems["erased contact still there"] += cid in rows and rows[cid].first_name == token
        elif cid not in maybe_gone:
            problems["acknowledged contact lost"] += cid not in rows or rows[cid].first_name != token
    for cid, value in model.edits.items():
        if cid in rows:
            problems["acknowledged edit lost"] += int(rows[cid].title or 0) < value
        elif cid not in gone:
            problems["edited contact lost"] += 1
    notes = {n for (n,) in Note.select(Note.id).tuples()}
    problems["acknowledged note lost"] += sum(n not in notes for n, c in model.notes.items() if c not in gone)
    stages = dict(Deal.select(Deal.id, Deal.stage).tuples())
    for deal, stage in model.stages.items():
        if op == "erase" and deal in data.get("deals", ()):
            continue  # the interrupted erasure may have taken it with the person
        maybe = {stage, data.get("stage")} if op == "stage" and data["id"] == deal else {stage}
        problems["acknowledged deal or stage lost"] += deal not in stages or (
            stage is not None and stages[deal] not in maybe)
    for cid, given in model.consent.items():
        if cid in gone or (op == "consent" and data["contact"] == cid):
            continue
        status = Consent.get_or_none((Consent.contact == cid) & (Consent.purpose == "newsletter"))
        problems["acknowledged consent lost"] += status is None or (status.status == "given") != given
    batches = {b for (b,) in ImportBatch.select(ImportBatch.id).tuples()}
    for batch, new in model.imports.items():
        have = Contact.select().where(Contact.import_batch == batch).count()
        expected = new - model.erased_from_batch[batch]
        allowed = {expected, expected - 1} if op == "erase" and data.get("batch") == batch else {expected}
        problems["acknowledged import lost or half there"] += batch not in batches or have not in allowed
    if op == "import":  # interrupted: all of the file or none of it
        have = Contact.select().where(Contact.first_name.startswith(data["token"] + "r")).count()
        problems["interrupted import half there"] += have not in (0, data["rows"])
    problems.update(_interrupted_imports_undo_cleanly())
    return {k: v for k, v in problems.items() if v}


def _interrupted_imports_undo_cleanly() -> Counter:
    """A batch left "running" by the kill is taken back as a whole by `import undo`."""
    from store.importing.undo import undo_import
    from store.models import Contact, ImportBatch
    from store.scope import Scope

    problems: Counter = Counter()
    for (batch,) in ImportBatch.select(ImportBatch.id).where(
            (ImportBatch.state == "running") & ImportBatch.undone_at.is_null()).tuples():
        undo_import(Scope.console(), batch)
        problems["interrupted import not undone"] += Contact.select().where(Contact.import_batch == batch).count()
    return problems


def test_sigkill_at_random_moments_loses_nothing_acknowledged(store, users, tmp_path, suite_figures):
    rng = random.Random(int(os.environ.get("MINICRM_CRASH_SEED", "1606")))
    folder = tmp_path / "files"
    folder.mkdir()
    worker = Worker(store, folder)
    model = Model()
    totals: Counter = Counter()
    kills = interrupted = 0
    try:
        for cycle in range(CRASH_KILLS):
            worker.send(f"go {rng.randrange(10**9)}")
            # The server's "pid" and the child's first lines can come in either order.
            pid, ready = None, False
            while pid is None or not ready:
                kind, op, data = worker.next()
                if kind == "pid":
                    pid = data["pid"]
                elif kind == "ready":
                    ready = True
                else:
                    model.apply(kind, op, data)
            run_for = rng.uniform(0, MAX_RUN)
            deadline = time.monotonic() + run_for
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = worker.lines.get(timeout=left)
                except queue.Empty:
                    break
                if item is None or item[0] == "error":
                    raise AssertionError(f"the writer failed: {item}")
                model.apply(*item)
            os.kill(pid, signal.SIGKILL)
            worker.send(f"reap {pid}")
            while (item := worker.next())[0] != "reaped":
                model.apply(*item)
            assert item[2]["signal"] == signal.SIGKILL, f"cycle {cycle}: the child ended: {worker.stderr()}"
            kills += 1
            interrupted += model.pending is not None
            problems = check(model)
            totals.update(problems)
            assert not problems, f"after kill {kills}: {problems}"
            model.settle()  # the interrupted transaction: there or not, from now on as found
    finally:
        worker.close()
        lost = sum(v for k, v in totals.items() if "lost" in k or "still there" in k)
        integrity = totals["integrity_check"] + totals["cipher_integrity_check"]
        halves = sum(v for k, v in totals.items() if k in HALVES or "half" in k)
        suite_figures("crash", f"[{PROFILE}] {kills} SIGKILLs, {model.acks:,} acknowledged commits "
                               f"({interrupted} kills mid-transaction), {len(model.created):,} contacts, "
                               f"{len(model.imports)} imports, {len(model.erased)} erasures; lost {lost}, "
                               f"integrity failures {integrity}, audit failures {totals['audit verify']}, "
                               f"half transactions {halves}")
