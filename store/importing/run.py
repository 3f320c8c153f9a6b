"""One import run from its first chunk to its end: each chunk planned outside the lock
(planner.py), then written in one short BEGIN IMMEDIATE transaction (writer.py) that
commits together with the position reached in the file (progress.py), so the batch can
be resumed; the end audited; a broken file or a cancel taken back as a whole.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from .. import audit
from ..db import database
from ..errors import ImportFileError
from ..models import ImportBatch, utcnow
from . import progress as batch_state
from . import undo
from .collector import fewer_collections
from .model import Candidate
from .planner import Planner
from .report import ImportReport
from .writer import Writer

LOCK_BUDGET = 0.2  # seconds: no write transaction of an import should hold the lock longer

Progress = Callable[[int, int | None], None]


class Run(Planner, Writer):
    """An import batch being read and written (or, for a dry run, read and counted)."""

    def start_batch(self, file_name: str, digest: str, state: dict) -> None:
        """The batch row is written with the first chunk that has something to write."""
        self.state = state | batch_state.this_process()
        self.file_name, self.digest = file_name[:200], digest

    def _ensure_batch(self) -> None:
        if self.batch_id is None:
            batch = ImportBatch.create(file_name=self.file_name, imported_by=self.scope.user_id,
                                       lawful_basis=self.lawful_basis, state="running", file_sha256=self.digest,
                                       progress=batch_state.dump(self.state, self.report))
            self.batch_id = self.report.batch_id = batch.id

    def go(self, reader, expected: int | None, progress: Progress | None, done: int = 0) -> ImportReport:
        r = self.report
        cancelled = False
        try:
            with fewer_collections():
                for chunk in _chunks(reader, lambda: self.size):
                    done += len(chunk)
                    self.chunk(chunk, done)
                    if progress:
                        cancelled = True
                        progress(r.rows, expected)
                        cancelled = False
            self.chunk([], done)  # records skipped after the last candidate
            r.dropped_columns = list(self.summary.dropped_columns)
            r.sensitive_columns = list(self.summary.sensitive_columns)
            self.finish()
        except ImportFileError:
            self.take_back()
            raise
        except Exception:
            if cancelled:  # the caller's progress stopped it (a Cancel): nothing kept
                self.take_back()
            else:  # the database, a bug: resumable (or undoable)
                self.interrupted()
            raise
        except BaseException:  # Ctrl-C, SystemExit: resumable (or undoable)
            self.interrupted()
            raise
        r.finish()
        return r

    def finish(self) -> None:
        r = self.report
        audit_detail = {"format": r.fmt, "policy": self.policy, "lawful_basis": self.lawful_basis,
                        "rows": r.rows, "new": r.new, "updated": r.updated, "duplicate": r.duplicates,
                        "suppressed": r.suppressed, "review": r.review, "flagged": r.flagged,
                        "invalid": r.invalid}
        if self.dry_run:  # a preview is audited like an import: someone looked at who is in MiniCRM
            audit.record(self.scope.user_id, "import.dry_run", "import_batch", None, **audit_detail)
            return
        with self.scope.transaction():
            if self.batch_id is None:
                r.batch_id = None
            elif r.new == 0 and r.updated == 0:
                ImportBatch.delete().where(ImportBatch.id == self.batch_id).execute()
                r.batch_id = None
            else:
                ImportBatch.update(state="done", finished_at=utcnow(),
                                   progress=batch_state.dump(self.state, r)).where(
                    ImportBatch.id == self.batch_id).execute()
            audit.record(self.scope.user_id, "import.run", "import_batch", r.batch_id, **audit_detail)

    def take_back(self) -> None:
        """The import failed as a whole (a broken file, a cancel): remove what it wrote."""
        if self.batch_id is None:
            return
        self.report.batch_id = None
        try:
            kept = undo.take_back(self.scope, self.batch_id)
        except Exception:
            self.interrupted()
            raise
        if kept:  # someone already changed some of its contacts: keep the batch, resumable or undoable
            self.interrupted()

    def interrupted(self) -> None:
        if self.batch_id is None:
            return
        try:
            with database.atomic():
                ImportBatch.update(state="interrupted").where(
                    (ImportBatch.id == self.batch_id) & (ImportBatch.state == "running")).execute()
        except Exception:  # noqa: BLE001  (the process may die anyway: a dead running batch is interrupted too)
            pass

    # -- one chunk -----------------------------------------------------------------

    def chunk(self, candidates: list[Candidate], done: int) -> None:
        plan = self._plan(candidates)
        if self.dry_run:
            self._simulate(plan)
            return
        if self.batch_id is None and not (plan.fresh or plan.fills or plan.updates):
            return  # nothing written yet, nothing to write: no transaction at all
        began = time.perf_counter()
        with self.scope.transaction():
            self._ensure_batch()
            self._recheck(plan)
            self._write(plan)
            self.state["cursor"], self.state["skipped_seen"] = done, self.skipped_seen
            ImportBatch.update(progress=batch_state.dump(self.state, self.report)).where(
                ImportBatch.id == self.batch_id).execute()
        # Keep each hold of the write lock well under LOCK_BUDGET on a busy machine: the next
        # chunk is as many rows as this one's pace fits in a third of the budget (not below
        # MIN_CHUNK, at most double, never above CHUNK).  Halving after a slow hold was not
        # enough at load 5: one slow hold past the budget set the maximum.
        held = time.perf_counter() - began
        fit = int(len(candidates) * (LOCK_BUDGET / 3) / held) if held > 0 else self.max_size
        self.size = max(self.min_size, min(self.max_size, 2 * self.size, fit))


def _chunks(items: Iterable, size: int | Callable[[], int]) -> Iterator[list]:
    """Lists of up to `size` items (`size()` asked again for each list)."""
    chunk: list = []
    limit = size() if callable(size) else size
    for item in items:
        chunk.append(item)
        if len(chunk) >= limit:
            yield chunk
            chunk = []
            limit = size() if callable(size) else size
    if chunk:
        yield chunk


