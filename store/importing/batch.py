"""Importing candidates into the database in short write batches, with suppression,
provenance, dry runs, resume and undo.  The stages beside it: matching.py finds who a
row is (de-duplication), report.py holds what the import did, progress.py how far an
import batch got, undo.py takes a batch back.

One import is one import batch (one id), written as many short transactions so the
office keeps working while a big file goes in:

- the file is read, checked, normalised and matched chunk by chunk (CHUNK
  candidates) outside any write lock: the duplicate look-ups read the committed
  state, the search-index text is folded, the rows are made ready to insert;
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

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import audit, bulk, changes, contact_details, search
from ..db import data_version, database, tuples
from ..errors import ImportFileError, ImportRefused, StoreError
from ..models import ImportBatch, Tag, User, utcnow
from ..processing import LAWFUL_BASES, LIFECYCLES
from ..scope import Scope
from ..text import stored_line, stored_multiline
from . import matching
from . import progress as batch_state

# The stages beside the batch, named here too: `from store.importing.batch import X` keeps working.
from .matching import erasure_checker as _erasure_checker  # noqa: F401  (tests use the old name)
from .model import Candidate
from .report import MAX_CHANGES, MAX_NOTES, NOTE_KINDS, REVIEW_TEXT, FieldChange, ImportReport, RowNote
from .undo import UndoResult, list_batches, take_back, undo_import

# Candidates per write transaction: at about 40 us of SQLite work a row (contact, its six
# indexes, the search index, notes), 1000 rows commit in well under the 200 ms that any
# one transaction may hold the write lock (bench/bench_import.py measures the longest).
CHUNK = 1000
MIN_CHUNK = 250
LOCK_BUDGET = 0.2  # seconds: no write transaction of an import should hold the lock longer
POLICIES = ("skip", "update")
# Contact fields an "update" import may change (company: the company link).
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "company", "lifecycle",
             "address", "postcode", "city", "country")
ADDRESS = (("address", 200), ("postcode", 20), ("city", 100), ("country", 100))  # as stored, max length
# Roles that see every contact: they may be told which contact a row meets, or that a
# person was erased.  Anyone else learns only REVIEW_TEXT about such a row.
SEES_EVERYONE = ("admin", "manager")
_SPECIAL = "special-category data was not kept"  # how the reader words a record it skipped for that

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

Progress = Callable[[int, int | None], None]


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
        run = _Run(scope, report, options, summary, dry_run=dry_run)
        if not dry_run:
            run.start_batch(path.name, digest, state)
        return _go(run, reader, path, options, expected, progress)
    finally:
        reader.close()


def _go(run: _Run, reader, path: Path, options: dict, expected: int | None, progress: Progress | None,
        skip: int = 0) -> ImportReport:
    """Run the import over the file's candidates: read in a second process for a big file."""
    from . import pipeline

    source = reader
    if pipeline.worth_it(path, expected):
        source = pipeline.RemoteReader(path, reader.summary, options)
    try:
        candidates = iter(source)
        for _ in range(skip):  # the candidates already in (read again: the readers stream)
            next(candidates)
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
        run = _Run(scope, report, options, reader.summary, dry_run=False)
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


def _issue_text(issue) -> str:
    """An Issue without its value: column, field and reason."""
    where = f"column {issue.column!r}: " if issue.column else ""
    return f"{where}{issue.message}; the value was left out"


def _as_datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


# --- one chunk: the plan (no lock), then its write (one short transaction) ---------------

@dataclass
class _New:
    """A contact to insert, made ready outside the lock."""
    c: Candidate
    values: tuple  # first, last, title, email, phone, owner id, lifecycle, address, postcode, city, country,
    # and the e-mail's and phone's labels
    company: int | None  # the company's id when MiniCRM knows it (else created under the lock)
    index: str  # the search document (search.index_text)
    tags: list[str]
    # kept apart from a contact it shares only an e-mail or a phone with: (that contact's id, or
    # the row of this file it repeats, "email" | "phone"), for the review list
    duplicate_of: tuple | None = None


@dataclass
class _Plan:
    fresh: list[_New] = field(default_factory=list)
    fills: list[tuple[int, Candidate]] = field(default_factory=list)  # repeats of this batch's contacts
    updates: list[tuple[int, Candidate, str]] = field(default_factory=list)  # (contact id, row, matched by)
    version: int = 0  # PRAGMA data_version when the look-ups were made


class _Run:
    def __init__(self, scope: Scope, report: ImportReport, options: dict, summary, *, dry_run: bool):
        self.scope, self.report, self.summary, self.dry_run = scope, report, summary, dry_run
        self.policy, self.lawful_basis = options["policy"], options["lawful_basis"]
        self.owner_id = options["owner_id"]
        self.sees_everyone = scope.role in SEES_EVERYONE
        self.batch_id: int | None = None
        self.file_name, self.digest = report.file[:200], ""
        self.state: dict = {}
        self.companies = matching.Companies(virtual=dry_run)
        self.usernames = {u.username: u.id for u in User.select(User.id, User.username)
                          .where(User.revoked_at.is_null())}
        self.erased = matching.erasure_checker()
        self.ledger_mark = matching.ledger_mark()
        self.skipped_seen = 0
        # dry run: key hash -> (line, initials of the name), for repeats across chunks
        self.in_file: dict[int, tuple[int, str]] = {}
        self.updated_here: set[int] = set()  # dry run: contacts an earlier chunk would update
        self.fold_cache: dict[str, str] = {}
        self.size = CHUNK  # candidates in the next chunk: smaller while the machine is slow (see chunk())

    @property
    def source(self) -> str:
        return f"import:{self.file_name}"[:200]

    # -- the whole run ---------------------------------------------------------------

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
            kept = take_back(self.scope, self.batch_id)
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
        # Keep each hold of the write lock well under LOCK_BUDGET on a busy machine: halve the
        # chunk after a slow transaction (not below MIN_CHUNK), grow it back after quick ones.
        held = time.perf_counter() - began
        if held > LOCK_BUDGET / 2 and self.size > MIN_CHUNK:
            self.size = max(MIN_CHUNK, self.size // 2)
        elif held < LOCK_BUDGET / 6 and self.size < CHUNK:
            self.size = min(CHUNK, self.size * 2)

    def _plan(self, candidates: list[Candidate]) -> _Plan:
        """Classify and match a chunk; make its new rows ready.  Reads only."""
        r = self.report
        plan = _Plan(version=data_version())
        self.companies.forget_if_full()
        self._skipped_records()
        keep = []
        for c in candidates:
            r.rows += 1
            if c.flags:
                r.flagged += 1
                for flag in c.flags:
                    r.note("flagged", flag.line, f"column {flag.column!r}: special-category data "
                                                 f"({flag.kind}) found; the value was not imported")
            if c.errors:
                r.warnings += 1
                for issue in c.errors:  # a rejected value is already left out; the rest is usable
                    r.note("warning", issue.line, _issue_text(issue))
            if not (c.first_name or c.last_name or c.email or c.phone):
                r.invalid += 1
                r.note("invalid", c.line, "no person to file: no name, e-mail or phone")
                continue
            if self.lawful_basis == "consent" and not c.consent:
                r.invalid += 1
                r.note("invalid", c.line, "lawful basis 'consent' but the row carries no consent evidence")
                continue
            if self.ledger_mark[0] and matching.is_erased(self.erased, c):  # an empty ledger: nobody erased
                self._suppressed(c)
                continue
            keep.append(c)
        if not keep:
            return plan
        self.companies.warm(keep)
        by_email, by_phone = matching.existing_by_contact_points(keep)
        by_name = matching.existing_by_names(keep, self.companies)
        matched = {cid for cid, _ in (*by_email.values(), *by_phone.values(), *by_name.values())}
        visible = matched if self.sees_everyone else matching.visible_ids(self.scope, matched)
        names = matching.names_of(cid for cid, _ in (*by_email.values(), *by_phone.values())) \
            if by_email or by_phone else {}
        kept_apart: dict[int, tuple] = {}  # id(candidate) -> duplicate_of
        updated_before = set(self.updated_here)
        if self.policy == "update" and self.batch_id is not None:
            updated_before |= matching.updated_in_batch(self.batch_id, matched)
        seen: dict[str, Candidate] = {}  # key -> first candidate in this chunk
        fresh: list[Candidate] = []
        for c in keep:
            match, how, kinds = matching.find(c, by_email, by_phone) if by_email or by_phone else (None, "", 0)
            if match is None and by_name:
                key = matching.name_key(c, self.companies)
                if key in by_name:
                    match, how = by_name[key], "name and company"
            if match is not None and match[0] in visible and matching.apart(c, kinds, names.get(match[0])):
                kept_apart[id(c)] = (match[0], "email" if how == "e-mail" else "phone")
                match = None
            if match is not None:
                contact_id, batch_id = match
                if contact_id not in visible:  # not this role's to see: not even that it exists
                    self._review(c)
                elif (self.batch_id is not None and batch_id == self.batch_id) or contact_id in updated_before:
                    r.duplicates += 1
                    r.merged += 1
                    r.note("duplicate", c.line, f"repeats contact {contact_id} from earlier in the file "
                                                f"(same {how}): merged")
                    if batch_id == self.batch_id:
                        plan.fills.append((contact_id, c))
                elif self.policy == "skip":
                    r.duplicates += 1
                    r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id} (same {how}): skipped")
                else:
                    plan.updates.append((contact_id, c, how))
                continue
            keys = matching.keys_in_file(c)
            first = next((seen[k] for k in keys if k in seen), None)
            if first is not None and id(c) not in kept_apart and matching.apart_in_file(first, c):
                kept_apart[id(c)] = (first, "email" if any(k.startswith("e:") and k in seen for k in keys)
                                     else "phone")
                first = None
            if first is not None:  # the same person twice in this chunk: merge into the first
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats line {first.line} of the file: merged")
                matching.merge_repeat(first, c)
                for k in matching.keys_in_file(first):
                    seen.setdefault(k, first)
                continue
            if self.dry_run:  # nothing is written, so an earlier chunk's rows are not in the database
                hit = next((self.in_file[h] for h in map(hash, keys) if h in self.in_file), None)
                # only initials are kept per row (a preview of a big file stays small): another
                # initial is another person, as the import itself would decide (matching.apart_in_file)
                if hit is not None and matching.initials_differ(matching.initials(c), hit[1]):
                    kept_apart[id(c)] = (None, "email" if c.email or c.extra_emails else "phone")
                elif hit is not None:
                    r.duplicates += 1
                    r.merged += 1
                    r.note("duplicate", c.line, f"repeats line {hit[0]} of the file: merged")
                    continue
            for k in keys:
                seen.setdefault(k, c)
            fresh.append(c)
        if self.dry_run:
            for c in fresh:
                for k in matching.keys_in_file(c):
                    self.in_file.setdefault(hash(k), (c.line, matching.initials(c)))
        plan.fresh = [self._ready(c, kept_apart.get(id(c))) for c in fresh]
        return plan

    def _suppressed(self, c: Candidate) -> None:
        if self.sees_everyone:
            self.report.suppressed += 1
            self.report.note("suppressed", c.line, "erased earlier (erasure ledger): not imported")
        else:
            self._review(c)

    def _review(self, c: Candidate) -> None:
        self.report.review += 1
        self.report.note("review", c.line, REVIEW_TEXT)

    def _skipped_records(self) -> None:
        """Records the reader gave no candidate for (their reasons come from the reader)."""
        s, r = self.summary, self.report
        new = s.skipped_count - self.skipped_seen
        if not new:
            return
        start = self.skipped_seen
        self.skipped_seen = s.skipped_count
        r.rows += new
        r.invalid += new
        for issue in s.skipped[start:start + new]:
            r.note("invalid", issue.line, issue.message)
            if _SPECIAL in issue.message:
                r.flagged += 1

    def _fold(self, text: str) -> str:
        """search.value_words(text), once per distinct value (names and firms repeat)."""
        done = self.fold_cache.get(text)
        if done is None:
            if len(self.fold_cache) >= 50_000:
                self.fold_cache.clear()
            done = self.fold_cache[text] = search.value_words(text)
        return done

    def _ready(self, c: Candidate, duplicate_of: tuple | None = None) -> _New:
        r = self.report
        has_company = bool(c.company_name or c.company_cvr)
        first, last, title = stored_line(c.first_name, 100), stored_line(c.last_name, 100), stored_line(c.title, 100)
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        if lifecycle not in LIFECYCLES:
            if c.lifecycle:
                r.note("warning", c.line, "unknown lifecycle stage; 'lead' was used")
            lifecycle = None
        company = self.companies.id_of(c, create=False) if has_company else None
        tags = sorted({t for t in (stored_line(t, 40).lower() for t in c.tags) if t}) if c.tags else []
        address = tuple(stored_line(getattr(c, name), n) or None for name, n in ADDRESS)
        index = self._index_row(first, last, title, c, company, tags, address)
        labels = (c.email_labels[0] if c.email and c.email_labels else "other",
                  c.phone_labels[0] if c.phone and c.phone_labels else "other")
        return _New(c, (first, last, title, c.email, c.phone, self._owner_of(c), lifecycle or "lead", *address,
                        *labels), company, index, tags, duplicate_of)

    def _index_row(self, first: str, last: str, title: str, c: Candidate, company: int | None,
                   tags: list[str], address: tuple) -> str:
        firm: tuple | None
        if company is not None and company in self.companies.index:
            firm = self.companies.index[company]
        elif c.company_name or c.company_cvr:  # created from the row's values
            firm = self.companies.values_of(c)
        else:
            firm = None
        return search.index_text(search.contact_fields(
            first, last, title=title, company=firm, emails=c.emails(), phones=c.phones(), addresses=(address,),
            tags=tags), self._fold)

    def _owner_of(self, c) -> int | None:
        if not c.owner or self.scope.role == "sales":
            return self.owner_id
        owner = self.usernames.get(c.owner.strip().lower()) or self.usernames.get(c.owner.strip())
        if owner is None:
            self.report.warnings += 1
            self.report.note("warning", c.line, "the owner column names no active user; "
                                                "the import's owner was used")
            return self.owner_id
        return owner

    # -- under the lock --------------------------------------------------------------

    def _recheck(self, plan: _Plan) -> None:
        """What may have changed between the look-ups and the lock: an erasure, or a contact
        someone else added with the same e-mail or phone.  Nothing committed since: nothing to do."""
        if not plan.fresh or data_version() == plan.version:
            return
        mark = matching.ledger_mark()
        if mark != self.ledger_mark:
            self.erased, self.ledger_mark = matching.erasure_checker(), mark
            gone = [n for n in plan.fresh if matching.is_erased(self.erased, n.c)]
            for n in gone:
                self._suppressed(n.c)
            plan.fresh = [n for n in plan.fresh if n not in gone]
        by_email, by_phone = matching.existing_by_contact_points([n.c for n in plan.fresh])
        if not (by_email or by_phone):
            return
        keep = []
        names = matching.names_of(cid for cid, _ in (*by_email.values(), *by_phone.values()))
        for n in plan.fresh:
            match, how, kinds = matching.find(n.c, by_email, by_phone)
            if match is not None and matching.apart(n.c, kinds, names.get(match[0])) and (
                    self.sees_everyone or match[0] in matching.visible_ids(self.scope, {match[0]})):
                n.duplicate_of = n.duplicate_of or (match[0], "email" if how == "e-mail" else "phone")
                match = None
            if match is None:
                keep.append(n)
            elif self.sees_everyone or match[0] in matching.visible_ids(self.scope, {match[0]}):
                self.report.duplicates += 1
                self.report.note("duplicate", n.c.line, f"already in MiniCRM as contact {match[0]} "
                                                        "(added while this import ran): skipped")
            else:
                self._review(n.c)
        plan.fresh = keep

    def _write(self, plan: _Plan) -> None:
        with_company = [c for c in (*(n.c for n in plan.fresh), *(c for _, c in plan.fills))
                        if c.company_name or c.company_cvr]
        if with_company:
            self.companies.ensure(with_company)  # found again under the lock, or created
        touched: list[int] = []
        if plan.updates:
            touched += self._updates(plan.updates, write=True)
        for contact_id, c in plan.fills:
            self._fill_blanks(contact_id, c)
            touched.append(contact_id)
        if plan.fills:
            self._points(plan.fills, existing=True)
        if touched:
            search.index_contacts(database, touched)
        if plan.fresh:
            self._insert(plan.fresh)
        if touched or plan.fresh:
            changes.record("contact", 0, "bulk")

    def _simulate(self, plan: _Plan) -> None:
        """A dry run's chunk: count what the write would do."""
        if plan.updates:
            self.updated_here.update(self._updates(plan.updates, write=False))
        self.report.new += len(plan.fresh)
        for n in plan.fresh:
            if n.duplicate_of is not None:
                other, shared = n.duplicate_of
                self.report.possible_duplicates += 1
                with_whom = f"contact {other}" if isinstance(other, int) else "an earlier row of the file"
                self.report.note("duplicate", n.c.line, f"would be imported as its own contact: shares only its "
                                 f"{'e-mail' if shared == 'email' else 'phone'} with {with_whom}, who has "
                                 "another name (listed for review)")

    # -- existing contacts -----------------------------------------------------------

    def _updates(self, items: list[tuple[int, Candidate, str]], *, write: bool) -> list[int]:
        """Update existing contacts with what differs (their current values, read under the
        lock for a write); returns the contacts updated."""
        r = self.report
        ids = sorted({cid for cid, _, _ in items})
        cols = ("id", "first_name", "last_name", "title", "email", "phone", "company_id", "lifecycle",
                "address", "postcode", "city", "country", "version", "restricted_at")
        current: dict[int, dict] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for row in database.execute_sql(f"SELECT {', '.join(cols)} FROM contact WHERE id IN "
                                            f"({','.join('?' * len(part))})", part):
                current[row[0]] = dict(zip(cols, row, strict=True))
        points = {cid: {k: {p.value for p in v} for k, v in kinds.items()}
                  for cid, kinds in contact_details.points_of(database, ids).items()}
        done: list[int] = []
        changes_rows = []
        extra: list[tuple[int, Candidate]] = []  # contacts written: their other e-mails and phones follow
        promoted: dict[str, list[tuple[int, str]]] = {"emails": [], "phones": []}  # new primaries
        for contact_id, c, how in items:
            contact = current.get(contact_id)
            if contact_id in done:
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats contact {contact_id} from earlier in the file "
                                            f"(same {how}): merged")
                continue
            if contact is None:  # gone since the look-up (erased, merged)
                self._review(c)
                continue
            if contact["restricted_at"] is not None:
                r.duplicates += 1
                r.note("duplicate", c.line, f"contact {contact_id} is restricted (Art. 18): not changed")
                continue
            lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
            new: dict[str, object] = {
                "first_name": stored_line(c.first_name, 100), "last_name": stored_line(c.last_name, 100),
                "title": stored_line(c.title, 100), "email": c.email, "phone": c.phone,
                "lifecycle": lifecycle if lifecycle in LIFECYCLES else None,
                **{name: stored_line(getattr(c, name), n) for name, n in ADDRESS}}
            # an e-mail or phone the contact already has is no change to its primary: it is added
            have = points.get(contact_id, {})
            if c.email in have.get("emails", ()):
                new["email"] = None
            if c.phone in have.get("phones", ()):
                new["phone"] = None
            added = {kind: [v for v, _ in values(c) if v not in have.get(kind, ())]
                     for kind, values in (("emails", Candidate.emails), ("phones", Candidate.phones))}
            for kind, single in (("emails", "email"), ("phones", "phone")):
                if new[single]:  # the new primary replaces the old: not an addition
                    added[kind] = [v for v in added[kind] if v != new[single]]
            has_company = bool(c.company_name or c.company_cvr)
            new["company"] = self.companies.id_of(c, create=False) if has_company else None
            old = {k: contact["company_id" if k == "company" else k] for k in UPDATABLE}
            diff = {k: v for k, v in new.items() if v and v != old[k]}
            if has_company and new["company"] is None:  # a company MiniCRM does not know yet
                diff["company"] = "new"
            for kind in ("emails", "phones"):
                if added[kind]:
                    diff[kind] = added[kind]
            if not diff:
                r.duplicates += 1
                r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id}, nothing new: skipped")
                continue
            if diff.get("company") == "new":
                diff["company"] = self.companies.id_of(c)  # created now (a dry run: a stand-in id)
            r.updated += 1
            done.append(contact_id)
            for k, v in diff.items():
                r.changes_total += 1
                if len(r.changes) < MAX_CHANGES:
                    shown_old, shown_new = old.get(k), v
                    if k == "company":
                        shown_old = self.companies.name_of(old[k])
                        shown_new = self.companies.name_of(v if isinstance(v, int) else None)
                    elif k in ("emails", "phones"):
                        shown_old, shown_new = "", " ".join(v) if isinstance(v, list) else str(v)
                    r.changes.append(FieldChange(contact_id, c.line, k, str(shown_old or ""), str(shown_new)))
            if write:
                columns = {("company_id" if k == "company" else k): v for k, v in diff.items()
                           if k not in ("emails", "phones")}
                sets = "".join(f"{k} = ?, " for k in columns)
                database.execute_sql(f"UPDATE contact SET {sets}version = version + 1, updated_at = ? WHERE id = ?",
                                     [*columns.values(), utcnow().isoformat(sep=" "), contact_id])
                for kind, single in (("emails", "email"), ("phones", "phone")):
                    if single in columns:  # the new primary replaces the old one, and is no "other" one
                        promoted[kind].append((contact_id, str(columns[single])))
                extra.append((contact_id, c))
                stored_old = {k: contact[k] for k in columns}
                for kind in ("emails", "phones"):  # what undo takes away again
                    if kind in diff:
                        stored_old["+" + kind] = diff[kind]
                changes_rows.append((self.batch_id, contact_id, json.dumps(stored_old, default=str),
                                     contact["version"] + 1))
        for kind, pairs in promoted.items():
            if pairs:
                table, column, single = contact_details.KINDS[kind]
                database.connection().executemany(
                    f'DELETE FROM "{table}" WHERE contact_id = ? AND "{column}" = ?', pairs)
        if extra:  # after the primaries were written: what the contacts have now is known
            for cid, c in extra:
                for kind, single in (("emails", "email"), ("phones", "phone")):
                    value = getattr(c, single)
                    if value:
                        points.setdefault(cid, {}).setdefault(kind, set()).add(value)
            self._points(extra, existing=True, have=points)
        if changes_rows:
            database.connection().executemany(
                "INSERT INTO import_change (batch_id, contact_id, old_values, version_after) VALUES (?, ?, ?, ?)",
                changes_rows)
        return done

    def _fill_blanks(self, contact_id: int, c) -> None:
        """A repeat of a contact this batch inserted in an earlier chunk: fill its empty fields."""
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        values = {"first_name": stored_line(c.first_name, 100), "last_name": stored_line(c.last_name, 100),
                  "title": stored_line(c.title, 100), "email": c.email, "phone": c.phone,
                  "lifecycle": lifecycle if lifecycle in LIFECYCLES else None}
        values |= {name: stored_line(getattr(c, name), n) for name, n in ADDRESS}
        values = {k: v for k, v in values.items() if v}
        if c.company_name or c.company_cvr:
            values["company_id"] = self.companies.id_of(c)
        if not values:
            return
        sets = ", ".join(f'"{k}" = CASE WHEN "{k}" IS NULL OR "{k}" = \'\' THEN ? ELSE "{k}" END'
                         for k in values)
        database.execute_sql(f"UPDATE contact SET {sets} WHERE id = ?", [*values.values(), contact_id])

    # -- new contacts -------------------------------------------------------------------

    def _insert(self, fresh: list[_New]) -> None:
        r = self.report
        companies = self.companies
        rows, index = [], []
        for n in fresh:
            company = n.company
            if company is None and (n.c.company_name or n.c.company_cvr):
                company = companies.id_of(n.c)  # created now, or found: someone may have added it since
                if company is not None and companies.index.get(company) != companies.values_of(n.c):
                    n.index = self._index_row(n.values[0], n.values[1], n.values[2], n.c, company, n.tags,
                                              n.values[7:11])
            v = n.values
            rows.append((v[0], v[1], v[2], v[3], v[4], company, v[5], v[6], self.source, self.batch_id,
                         self.lawful_basis, *v[7:]))
            index.append(n.index)
        ids = bulk.insert_prepared(rows, index, columns=bulk.IMPORT_COLUMNS)
        r.new += len(ids)
        self._points(list(zip(ids, (n.c for n in fresh), strict=True)))
        self._possible_duplicates(ids, fresh)
        tagged = [(i, n.tags) for i, n in zip(ids, fresh, strict=True) if n.tags]
        if tagged:
            names = sorted({t for _, ts in tagged for t in ts})
            conn = database.connection()
            conn.executemany("INSERT OR IGNORE INTO tag (name) VALUES (?)", [(t,) for t in names])
            tag_ids: dict[str, int] = {}
            for start in range(0, len(names), 500):
                tag_ids.update(tuples(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names[start:start + 500]))))
            conn.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
                             [(i, tag_ids[t]) for i, ts in tagged for t in ts])
        now = utcnow().isoformat(sep=" ")
        notes = [(i, self.scope.user_id, "other", body, "team", now) for i, n in zip(ids, fresh, strict=True)
                 if n.c.note and (body := stored_multiline(n.c.note, 2000))]
        if notes:
            database.connection().executemany(
                "INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", notes)
        consents = [(i, n.c) for i, n in zip(ids, fresh, strict=True) if n.c.consent]
        if consents:
            self._consents(consents)

    def _points(self, items: list[tuple[int, Candidate]], *, existing: bool = False,
                have: dict[int, dict[str, set[str]]] | None = None) -> None:
        """The other e-mails and phones of these contacts (the primary ones are their own
        columns), one executemany per kind: nothing at all for a row with one of each.
        `existing`: contacts already in MiniCRM get what they lack (`have`: what they have,
        read here in one go when not given), after what they have."""
        if not any(c.extra_emails or c.extra_phones or existing for _, c in items):
            return
        if existing and have is None:
            have = {cid: {k: {p.value for p in v} for k, v in kinds.items()}
                    for cid, kinds in contact_details.points_of(database, [cid for cid, _ in items]).items()}
        for kind, values_of in (("emails", Candidate.emails), ("phones", Candidate.phones)):
            rows = []
            for cid, c in items:
                if existing:
                    known = (have or {}).get(cid, {}).get(kind, set())
                    rows += [(cid, value, label, 100 + n) for n, (value, label) in enumerate(values_of(c))
                             if value not in known]
                else:
                    rows += [(cid, value, label, n) for n, (value, label) in enumerate(values_of(c)) if n]
            contact_details.add_points(database, kind, rows)

    def _possible_duplicates(self, ids: list[int], fresh: list[_New]) -> None:
        """Rows kept apart from a contact they share one e-mail or phone with: on the review list."""
        by_candidate = {id(n.c): cid for cid, n in zip(ids, fresh, strict=True)}
        rows = []
        now = utcnow().isoformat(sep=" ")
        for cid, n in zip(ids, fresh, strict=True):
            if n.duplicate_of is None:
                continue
            other, shared = n.duplicate_of
            other_id = other if isinstance(other, int) else by_candidate.get(id(other))
            if other_id is None:  # a row of an earlier chunk: already in, found by its values
                other_id = self._inserted_id(other)
            if other_id is None:
                continue
            rows.append((cid, other_id, shared, self.batch_id, now))
            self.report.possible_duplicates += 1
            self.report.note("duplicate", n.c.line, f"imported as its own contact {cid}: shares only its "
                             f"{'e-mail' if shared == 'email' else 'phone'} with contact {other_id}, who has "
                             "another name (listed for review)")
        if rows:
            database.connection().executemany(
                "INSERT INTO possible_duplicate (contact_id, other_id, shared, import_batch_id, found_at) "
                "VALUES (?, ?, ?, ?, ?)", rows)

    def _inserted_id(self, c: Candidate) -> int | None:
        by_email, by_phone = matching.existing_by_contact_points([c])
        match, _how, _kinds = matching.find(c, by_email, by_phone)
        return match[0] if match is not None else None

    def _consents(self, items: list[tuple[int, Candidate]]) -> None:
        """Consent evidence from the file (Mailchimp): newsletter by e-mail, with the file's own dates;
        none at all is "proof missing" (store.consent.record_imported), never today.  One call per
        consent: the few rows that carry one go through the same rule as every other consent."""
        from ..consent import record_imported

        for contact_id, c in items:
            evidence = "; ".join(f"{k.removeprefix('consent_')}={v}" for k, v in c.consent.items())
            record_imported(contact_id, "newsletter", optin_at=_as_datetime(c.consent_optin_time),
                            confirm_at=_as_datetime(c.consent_confirm_time),
                            evidence=f"{self.file_name}, line {c.line}: {evidence}"[:900],
                            actor=self.scope.user_id)

