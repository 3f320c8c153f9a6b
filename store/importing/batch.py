"""Importing a file into the database in short write batches, with suppression,
provenance, dry runs, resume and undo: the public entry (`import_file`,
`resume_import`, `inspect_file`, `undo_import`).  The stages behind it: run.py runs
one import chunk by chunk, planner.py plans a chunk outside the lock, writer.py and
updates.py write it, run_state.py holds what a run carries between chunks;
matching.py finds who a row is (de-duplication), report.py holds what the import
did, progress.py how far an import batch got, undo.py takes a batch back.

One import is one import batch (one id), written as many short transactions so the
office keeps working while a big file goes in:

- the file is read, checked, normalised and matched chunk by chunk (CHUNK
  candidates) outside any write lock: the duplicate look-ups read the committed
  state, the rows are made ready to insert with their sort keys, notes and folded
  search-index text (prepared.py; for a big file in the reading process beside
  this one, pipeline.py), so the lock holds only the inserts;
- each chunk is then written in ONE short BEGIN IMMEDIATE transaction (a few tens
  of milliseconds), which first re-checks what may have changed since the
  look-ups (an erasure, a contact someone just added with the same e-mail or
  phone, the current values of a contact being updated), and commits together
  with the position reached in the file: every chunk is all or nothing, and an
  import that was killed half-way can be resumed (`resume_import`) from the
  first chunk that is not in, or undone as a whole (`undo_import`);
- a file that turns out broken half-way (only noticed at its end, say) takes back
  what it had written: nothing of it is kept;
- a dry run reads and matches exactly like the import and writes nothing (no
  write lock at all) but its audit row.

What happens to each candidate (one per contact found in the file):

- invalid: nothing to file a person under (no name, e-mail or phone), or the
  lawful basis is consent and the row carries no consent evidence;
- suppressed: the person was erased earlier (the erasure ledger knows them);
- duplicate: matches an existing contact by any e-mail, else any phone, else
  first name + last name + company; with policy "skip" it is left alone, with
  "update" the fields that differ are changed (and listed, old and new) and the
  e-mails and phones it lacks are added; a person repeated inside the file is
  merged into their first occurrence (empty fields filled, nothing overwritten);
- possible duplicate: shares only an e-mail or only a phone with a contact of
  another name (a switchboard, a family landline): imported as its own contact
  and listed for review (matching.py, PossibleDuplicate), never merged;
- review: the row meets a contact the importing role may not see, or (for such
  a role) a person erased earlier: it is told only "not imported: a manager must
  review this row", so an import cannot be used to probe who is in MiniCRM;
- new: inserted, with its provenance (source file, batch, who, when) and
  the lawful basis chosen for the import.
- flagged (counted on top): special-category data or a CPR number was found;
  the value was never read into the candidate, so it cannot be stored.

Reasons in the report name lines, columns and contact ids, never values.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..db import database
from ..errors import ImportFileError, ImportRefused, StoreError
from ..models import ImportBatch, User
from ..processing import LAWFUL_BASES
from ..scope import Scope
from . import progress as batch_state

# The stages beside the batch, named here too: `from store.importing.batch import X` keeps working.
from .matching import erasure_checker as _erasure_checker  # noqa: F401  (tests use the old name)
from .report import MAX_CHANGES, MAX_NOTES, NOTE_KINDS, FieldChange, ImportReport, RowNote
from .run import Progress, Run
from .run_state import UPDATABLE
from .undo import UndoResult, list_batches, undo_import

# Candidates per write transaction: at about 40 us of SQLite work a row (contact, its six
# indexes, the search index, notes), 1000 rows commit in well under the 200 ms that any
# one transaction may hold the write lock (bench/bench_import.py measures the longest).
# Read when an import starts (tests set smaller ones).
CHUNK = 1000
MIN_CHUNK = 250
POLICIES = ("skip", "update")

__all__ = [
    "CHUNK", "POLICIES", "UPDATABLE", "MAX_CHANGES", "MAX_NOTES", "NOTE_KINDS", "FieldChange", "FileInfo",
    "ImportRefused", "ImportReport", "RowNote", "UndoResult", "default_region", "import_file", "import_scope",
    "inspect_file", "list_batches", "open_reader", "resume_import", "undo_import",
]


# --- who imports -------------------------------------------------------------------

def import_scope(username: str | None = None) -> Scope:
    """The scope a console import runs in: the console admin, or the named active user's."""
    from .. import accounts

    if not username:
        return Scope.console()
    user = accounts.find_user(username)
    if user.revoked_at is not None:
        raise ImportRefused(f"user {username!r} is revoked")
    return Scope(user)


def default_region() -> str:
    from ..runtime import current

    try:
        return current().config["import.default_region"] or "DK"
    except (StoreError, KeyError):  # no store open, or an older config without the setting
        return "DK"


# --- reading -------------------------------------------------------------------------

def open_reader(path: str | Path, *, mapping=None, fmt: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, sheet: str | None = None, region: str | None = None):
    """Open `path` for reading (detection only; raises ImportFileError for unreadable files)."""
    from . import read_candidates

    return read_candidates(path, mapping=mapping, fmt=fmt, encoding=encoding, delimiter=delimiter,
                           sheet=sheet, default_region=region or default_region())


@dataclass(frozen=True)
class FileInfo:
    """What detection found in a file, before anything is imported (for the wizard)."""
    file: str
    fmt: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    layout: str
    columns: tuple[str, ...]
    mapping: object  # store.importing.Mapping, or None for vCard
    sensitive_columns: tuple[tuple[str, str], ...]
    dropped_columns: tuple[str, ...]


def inspect_file(scope: Scope, path: str | Path, *, mapping=None, fmt: str | None = None,
                 encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None,
                 region: str | None = None) -> FileInfo:
    """Detect format, encoding, layout and the column mapping; raises ImportFileError."""
    scope.require("import")
    with open_reader(path, mapping=mapping, fmt=fmt, encoding=encoding, delimiter=delimiter, sheet=sheet,
                     region=region) as reader:
        s = reader.summary
        return FileInfo(Path(path).name, s.fmt, s.encoding, s.delimiter, s.sheet, s.layout or "",
                        tuple(s.columns), s.mapping, tuple(s.sensitive_columns), tuple(s.dropped_columns))


# --- the import ----------------------------------------------------------------------

def import_file(scope: Scope, path: str | Path, *, dry_run: bool = False, policy: str = "skip",
                lawful_basis: str = "legitimate_interest", owner: str | None = None,
                mapping=None, fmt: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, sheet: str | None = None, region: str | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Read, check and (unless dry_run) store every candidate of one file as one import batch.

    `progress(rows_done, rows_expected)` is called after each chunk (rows_expected is an
    estimate from the file's size, or None); an exception raised by it stops the import
    and takes back what it wrote.  Raises ImportFileError (the file; nothing of it kept),
    ImportRefused (the options), Forbidden (the role).  Any other error (the database, a
    kill) leaves the batch interrupted: `resume_import` finishes it, `undo_import` takes it back.
    """
    scope.require("import")
    if policy not in POLICIES:
        raise ImportRefused(f"unknown duplicate policy {policy!r}; choose skip or update")
    if lawful_basis not in LAWFUL_BASES:
        raise ImportRefused(f"unknown lawful basis {lawful_basis!r}; choose one of {', '.join(LAWFUL_BASES)}")
    path = Path(path)
    owner_id = _owner_id(scope, owner)
    region = region or default_region()
    reader = open_reader(path, mapping=mapping, fmt=fmt, encoding=encoding, delimiter=delimiter,
                         sheet=sheet, region=region)
    try:
        summary = reader.summary
        report = _new_report(path.name, dry_run, policy, lawful_basis, summary)
        if lawful_basis == "consent" and not _carries_consent(reader):
            raise ImportRefused(
                f"{path.name}: lawful basis 'consent' needs consent evidence in the file (Mailchimp's "
                "OPTIN_TIME/CONFIRM_TIME columns, mapped to consent_* fields); this file has none: "
                "choose contract or legitimate_interest")
        expected, digest = _scan(path, summary.fmt)
        options = {"policy": policy, "lawful_basis": lawful_basis, "owner_id": owner_id, "fmt": summary.fmt,
                   "encoding": summary.encoding, "delimiter": summary.delimiter, "sheet": summary.sheet,
                   "region": region,
                   "mapping": summary.mapping.to_dict() if summary.mapping is not None else None}
        state = {"path": str(path.absolute()), "options": options, "cursor": 0, "skipped_seen": 0}
        run = Run(scope, report, options, summary, dry_run=dry_run, chunk=CHUNK, min_chunk=MIN_CHUNK)
        if not dry_run:
            run.start_batch(path.name, digest, state)
        return _go(run, reader, path, options, expected, progress)
    finally:
        reader.close()


def _go(run: Run, reader, path: Path, options: dict, expected: int | None, progress: Progress | None,
        skip: int = 0) -> ImportReport:
    """Run the import over the file's candidates: read in a second process for a big file."""
    from . import pipeline

    source = reader
    if pipeline.worth_it(path, expected):
        # it passes over a resumed import's candidates already in (read again, not sent)
        source = pipeline.RemoteReader(path, reader.summary, options, skip=skip)
    candidates = iter(source)
    if source is reader:
        for _ in range(skip):  # the candidates already in (read again: the readers stream)
            next(candidates)
    try:
        run.skipped_seen = run.state.get("skipped_seen", 0) if skip else 0
        return run.go(candidates, expected, progress, done=skip)
    finally:
        if source is not reader:
            source.close()


def resume_import(scope: Scope, batch_id: int, path: str | Path | None = None, *,
                  progress: Progress | None = None) -> ImportReport:
    """Finish an interrupted import batch from the first chunk that is not in yet.

    `path`: the file (default: where it was imported from); it must be the very same
    file (its SHA-256 is checked).  The report covers the whole import."""
    scope.require("import")
    batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
    if batch is None or (scope.role != "admin" and batch.imported_by_id != scope.user_id):
        raise StoreError(f"import batch {batch_id} not found")
    state = batch_state.load(batch.progress)
    _check_resumable(batch, state)
    path = Path(path or state["path"])
    options = state["options"]
    try:
        expected, digest = _scan(path, options["fmt"])
    except OSError:
        raise ImportRefused(f"import batch {batch_id}: cannot read {path.name}; give the file's path") from None
    if digest != batch.file_sha256:
        raise ImportRefused(f"import batch {batch_id}: {path.name} is not the file that import read "
                            "(its contents differ); give the same file")
    with database.atomic():  # claim it: two resumes of one batch must not both write
        batch = ImportBatch.get_by_id(batch_id)
        _check_resumable(batch, batch_state.load(batch.progress))
        state = batch_state.load(batch.progress) | batch_state.this_process()
        ImportBatch.update(state="running", progress=json.dumps(state)).where(ImportBatch.id == batch_id).execute()
    reader = open_reader(path, mapping=options["mapping"], fmt=options["fmt"], encoding=options["encoding"],
                         delimiter=options["delimiter"], sheet=options["sheet"], region=options["region"])
    try:
        report = _new_report(batch.file_name, False, options["policy"], options["lawful_basis"], reader.summary)
        batch_state.restore(report, state)
        run = Run(scope, report, options, reader.summary, dry_run=False, chunk=CHUNK, min_chunk=MIN_CHUNK)
        run.batch_id, run.file_name, run.state = batch.id, batch.file_name, state
        report.batch_id = batch.id
        return _go(run, reader, path, options, expected, progress, skip=state["cursor"])
    finally:
        reader.close()


def _check_resumable(batch, state: dict) -> None:
    if batch.undone_at is not None:
        raise StoreError(f"import batch {batch.id} was undone")
    if batch.state == "done":
        raise StoreError(f"import batch {batch.id} is complete: nothing to resume")
    if batch.state == "failed" or not state:
        raise StoreError(f"import batch {batch.id} cannot be resumed")
    if batch.state == "running" and batch_state.process_alive(state):
        raise StoreError(f"import batch {batch.id} is still being imported by another process")


def _new_report(file: str, dry_run: bool, policy: str, lawful_basis: str, summary) -> ImportReport:
    return ImportReport(file=file, dry_run=dry_run, policy=policy, lawful_basis=lawful_basis,
                        fmt=summary.fmt, layout=summary.layout or "", encoding=summary.encoding,
                        delimiter=summary.delimiter, mapping=summary.mapping)


def _carries_consent(reader) -> bool:
    slots = getattr(getattr(reader, "_source", None), "slots", None)
    if slots is None:  # vCard: no consent evidence
        return False
    return any(s.target.field.startswith("consent_") and not s.sensitive for s in slots)


def _scan(path: Path, fmt: str) -> tuple[int | None, str]:
    try:
        return batch_state.scan_file(path, fmt)
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read ({exc.strerror or exc})") from None


def _owner_id(scope: Scope, owner: str | None) -> int | None:
    if scope.role == "sales":
        if owner and owner != scope.user.username:
            raise ImportRefused("sales users own what they import: leave out --owner")
        return scope.user_id
    if not owner:
        return scope.user_id
    user = User.get_or_none((User.username == owner) & User.revoked_at.is_null())
    if user is None:
        raise ImportRefused(f"owner {owner!r} is not an active user")
    return user.id
