"""Importing candidates into the database: de-duplication, suppression,
provenance, all-or-nothing batches, dry runs and undo.

A batch runs in ONE BEGIN IMMEDIATE transaction, chunk by chunk, so memory
stays bounded for any file size and a crash (or a kill) leaves nothing behind.
A dry run is the very same run, rolled back: its counts are exactly what the
real import would do.

What happens to each candidate (one per contact found in the file):

- invalid: nothing to file a person under (no name, e-mail or phone), or the
  lawful basis is consent and the row carries no consent evidence;
- suppressed: the person was erased earlier (the erasure ledger knows them);
- duplicate: matches an existing contact by e-mail, else phone, else first
  name + last name + company; with policy "skip" it is left alone, with
  "update" the fields that differ are changed (and listed, old and new);
  a person repeated inside the file is merged into their first occurrence
  (empty fields filled, nothing overwritten);
- new: inserted, with its provenance (source file, batch, who, when) and
  the lawful basis chosen for the import.
- flagged (counted on top): special-category data or a CPR number was found;
  the value was never read into the candidate, so it cannot be stored.

Reasons in the report name lines, columns and contact ids, never values.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from peewee import fn

from .. import audit, bulk, changes, search
from ..db import StoreError, database
from ..models import (
    AuditEvent, Company, Consent, ConsentEvent, Contact, ContactTag, DataSubjectRequest, Deal,
    ImportBatch, ImportChange, Invoice, Note, Tag, User, utcnow,
)
from ..processing import LAWFUL_BASES, LIFECYCLES
from ..scope import Scope
from ..errors import ImportRefused

CHUNK = 2000
MAX_NOTES = 20  # reasons kept per kind (the counts are always exact)
MAX_CHANGES = 500  # field changes kept for the preview (the count is exact)
POLICIES = ("skip", "update")
NOTE_KINDS = ("invalid", "suppressed", "duplicate", "flagged", "warning")
# Contact fields an "update" import may change (company: the company link).
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "company", "lifecycle")
_COMPANY_CACHE = 50_000  # companies remembered per import (bounded memory for any file)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPECIAL = "special-category data was not kept"  # how the reader words a record it skipped for that




class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass(frozen=True)
class RowNote:
    line: int
    kind: str  # one of NOTE_KINDS
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass(frozen=True)
class FieldChange:
    """One field an update import changes (or would change) in an existing contact."""
    contact_id: int
    line: int
    field: str
    old: str
    new: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    policy: str = "skip"
    lawful_basis: str = "legitimate_interest"
    fmt: str = ""
    layout: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    batch_id: int | None = None
    rows: int = 0  # candidates plus records that gave none
    new: int = 0
    updated: int = 0
    duplicates: int = 0  # existing contacts left as they were, plus repeats merged within the file
    merged: int = 0  # of the duplicates: repeats of a person earlier in the same file
    suppressed: int = 0  # erased earlier: never re-imported
    flagged: int = 0  # special-category data or CPR found (value not imported)
    invalid: int = 0
    warnings: int = 0  # imported, but some value was left out (invalid e-mail, unknown owner ...)
    # values read but with no place in MiniCRM's model (one e-mail and one phone per contact,
    # addresses kept on companies): counted, so nothing disappears without a word
    extra_values: int = 0
    unstored_addresses: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    sensitive_columns: list[tuple[str, str]] = field(default_factory=list)
    mapping: object = None  # the store.importing.Mapping in use (CSV/XLSX)
    notes: list[RowNote] = field(default_factory=list)  # first reasons by kind, by line
    changes: list[FieldChange] = field(default_factory=list)  # what an update changes
    changes_total: int = 0
    _kept: dict = field(default_factory=dict, repr=False)

    def note(self, kind: str, line: int, text: str) -> None:
        kept = self._kept.get(kind, 0)
        if kept < 2 * MAX_NOTES:  # two streams feed "invalid"; finish() sorts and trims
            self._kept[kind] = kept + 1
            self.notes.append(RowNote(line, kind, text))

    def finish(self) -> None:
        by_kind: dict[str, list[RowNote]] = {}
        for n in sorted(self.notes, key=lambda n: (NOTE_KINDS.index(n.kind), n.line)):
            by_kind.setdefault(n.kind, []).append(n)
        self.notes = [n for kind in NOTE_KINDS for n in by_kind.get(kind, [])[:MAX_NOTES]]

    def reasons(self, kind: str) -> list[RowNote]:
        return [n for n in self.notes if n.kind == kind]

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "new": self.new, "updated": self.updated,
                "duplicate": self.duplicates, "suppressed": self.suppressed, "flagged": self.flagged,
                "invalid": self.invalid}

    def summary(self) -> str:
        merged = f" ({self.merged} repeated in the file)" if self.merged else ""
        return (f"{self.rows} rows: {self.new} new, {self.updated} updated, {self.duplicates} duplicate"
                f"{merged}, {self.suppressed} suppressed, {self.flagged} flagged, {self.invalid} invalid")


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
    except Exception:  # no store open, or an older config
        return "DK"


# --- the import ----------------------------------------------------------------------

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


def import_file(scope: Scope, path: str | Path, *, dry_run: bool = False, policy: str = "skip",
                lawful_basis: str = "legitimate_interest", owner: str | None = None,
                mapping=None, fmt: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, sheet: str | None = None, region: str | None = None,
                progress: Callable[[int, int | None], None] | None = None) -> ImportReport:
    """Read, check and (unless dry_run) store every candidate of one file as one batch.

    `progress(rows_done, rows_expected)` is called after each chunk (rows_expected is an
    estimate from the file's size, or None); an exception raised by it aborts the import
    with nothing written.  Raises ImportFileError (the file), ImportRefused (the options),
    Forbidden (the role).
    """
    scope.require("import")
    if policy not in POLICIES:
        raise ImportRefused(f"unknown duplicate policy {policy!r}; choose skip or update")
    if lawful_basis not in LAWFUL_BASES:
        raise ImportRefused(f"unknown lawful basis {lawful_basis!r}; choose one of {', '.join(LAWFUL_BASES)}")
    path = Path(path)
    owner_id = _owner_id(scope, owner)
    reader = open_reader(path, mapping=mapping, fmt=fmt, encoding=encoding, delimiter=delimiter,
                         sheet=sheet, region=region)
    summary = reader.summary
    report = ImportReport(file=path.name, dry_run=dry_run, policy=policy, lawful_basis=lawful_basis,
                          fmt=summary.fmt, layout=summary.layout or "", encoding=summary.encoding,
                          delimiter=summary.delimiter, mapping=summary.mapping)
    try:
        if lawful_basis == "consent" and not _carries_consent(reader):
            raise ImportRefused(
                f"{path.name}: lawful basis 'consent' needs consent evidence in the file (Mailchimp's "
                "OPTIN_TIME/CONFIRM_TIME columns, mapped to consent_* fields); this file has none: "
                "choose contract or legitimate_interest")
        expected = _expected_rows(path, summary.fmt)
        try:
            with database.atomic():
                batch = ImportBatch.create(file_name=path.name[:200], imported_by=scope.user_id,
                                           lawful_basis=lawful_basis)
                report.batch_id = batch.id
                run = _Run(scope, batch, report, policy, lawful_basis, owner_id, summary)
                for chunk in _chunks(reader, CHUNK):
                    run.chunk(chunk)
                    if progress:
                        progress(report.rows, expected)
                run.chunk([])  # records skipped after the last candidate
                report.dropped_columns = list(summary.dropped_columns)
                report.sensitive_columns = list(summary.sensitive_columns)
                if report.new == 0 and report.updated == 0:
                    ImportBatch.delete().where(ImportBatch.id == batch.id).execute()
                    report.batch_id = None
                else:
                    changes.record("contact", 0, "bulk")
                if dry_run:
                    raise _DryRun  # roll everything back: the counts stay in the report
                audit.record(scope.user_id, "import.run", "import_batch", report.batch_id,
                             format=report.fmt, policy=policy, lawful_basis=lawful_basis, rows=report.rows,
                             new=report.new, updated=report.updated, duplicate=report.duplicates,
                             suppressed=report.suppressed, flagged=report.flagged, invalid=report.invalid)
        except _DryRun:  # a preview writes nothing at all, not even an audit row
            report.batch_id = None
    finally:
        reader.close()
    report.finish()
    return report


def preview_file(scope: Scope, path: str | Path, **options) -> ImportReport:
    """What `import_file` would do, with nothing written (the same run, rolled back)."""
    return import_file(scope, path, dry_run=True, **options)


def _carries_consent(reader) -> bool:
    slots = getattr(getattr(reader, "_source", None), "slots", None)
    if slots is None:  # vCard: no consent evidence
        return False
    return any(s.target.field.startswith("consent_") and not s.sensitive for s in slots)


def _expected_rows(path: Path, fmt: str) -> int | None:
    """About how many records the file holds, for a progress bar (one fast pass over the bytes)."""
    try:
        if fmt == "xlsx":
            return None
        needle = b"\n" if fmt == "csv" else b"BEGIN:VCARD"
        count = 0
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                count += block.count(needle) + (block.count(b"begin:vcard") if fmt == "vcard" else 0)
        return max(count, 1)
    except OSError:
        return None


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


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _line(value: str | None, limit: int) -> str:
    """Single-line text as stored: NFC, no control characters, trimmed to the column size."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if not value.isprintable():
        value = " ".join(_CONTROL.sub(" ", value).split())
    return value[:limit]


def _multiline(value: str, limit: int) -> str:
    value = unicodedata.normalize("NFC", value)
    return _CONTROL_KEEP_LINES.sub(" ", value).strip()[:limit]


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
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


class _Run:
    def __init__(self, scope, batch, report, policy, lawful_basis, owner_id, summary):
        self.scope, self.batch, self.report, self.summary = scope, batch, report, summary
        self.policy, self.lawful_basis, self.owner_id = policy, lawful_basis, owner_id
        self.source = f"import:{batch.file_name}"[:200]
        self.companies: dict[str, int] = {}  # cvr or folded name -> id
        self.company_index: dict[int, tuple[str, str | None]] = {}  # id -> (name, cvr) for the index
        self.usernames = {u.username: u.id for u in User.select(User.id, User.username)
                          .where(User.revoked_at.is_null())}
        self.erased = _erasure_checker()  # read inside the transaction: no erasure slips past
        self.skipped_seen = 0

    # -- one chunk --------------------------------------------------------------

    def chunk(self, candidates) -> None:
        r = self.report
        if len(self.companies) >= _COMPANY_CACHE:  # bounded memory, whatever the file
            self.companies.clear()
            self.company_index.clear()
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
            if self._is_erased(c):
                r.suppressed += 1
                r.note("suppressed", c.line, "erased earlier (erasure ledger): not imported")
                continue
            keep.append(c)
        if keep:
            self._file(keep)

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

    def _is_erased(self, c) -> bool:
        if self.erased(c.email, c.phone):
            return True
        return any(self.erased(e, None) for e in c.extra_emails) or any(
            self.erased(None, p) for p in c.extra_phones)

    def _file(self, keep) -> None:
        r = self.report
        by_email, by_phone = self._existing(keep)
        by_name = self._by_names(keep)
        updated_before = self._updated_in_batch({cid for cid, _ in (*by_email.values(), *by_phone.values())})
        fresh: list = []
        seen: dict[str, object] = {}  # key -> first candidate in this chunk
        for c in keep:
            match = None
            how = ""
            if c.email and c.email in by_email:
                match, how = by_email[c.email], "e-mail"
            elif c.phone and c.phone in by_phone:
                match, how = by_phone[c.phone], "phone"
            elif by_name:
                key = self._name_key(c)
                if key in by_name:
                    match, how = by_name[key], "name and company"
            if match is not None:
                contact_id, batch_id = match
                if batch_id == self.batch.id or contact_id in updated_before:
                    r.duplicates += 1
                    r.merged += 1
                    r.note("duplicate", c.line, f"repeats contact {contact_id} from earlier in the file "
                                                f"(same {how}): merged")
                    if batch_id == self.batch.id:
                        self._fill_blanks(contact_id, c)
                    continue
                if self._existing_match(contact_id, c, how):
                    updated_before.add(contact_id)
                continue
            keys = _keys(c)
            first = next((seen[k] for k in keys if k in seen), None)
            if first is not None:  # the same person twice in this chunk: merge into the first
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats line {first.line} of the file: merged")
                _merge(first, c)
                for k in _keys(first):
                    seen.setdefault(k, first)
                continue
            for k in keys:
                seen[k] = c
            fresh.append(c)
        if fresh:
            self._insert(fresh)

    def _existing(self, cands):
        """Existing contacts by e-mail and phone: value -> (id, import batch id)."""
        emails = sorted({c.email for c in cands if c.email})
        phones = sorted({c.phone for c in cands if c.phone})
        return (self._lookup("email", emails), self._lookup("phone", phones))

    @staticmethod
    def _lookup(column: str, values: list[str]) -> dict[str, tuple[int, int | None]]:
        found: dict[str, tuple[int, int | None]] = {}
        for start in range(0, len(values), 500):
            part = values[start:start + 500]
            rows = database.execute_sql(
                f"SELECT {column}, id, import_batch_id FROM contact WHERE {column} IN "
                f"({','.join('?' * len(part))}) ORDER BY id", part)
            for value, cid, batch_id in rows:
                found.setdefault(value, (cid, batch_id))
        return found

    def _updated_in_batch(self, ids: set[int]) -> set[int]:
        """Of these contacts, the ones this batch already updated (a repeat in the file)."""
        if self.policy != "update" or not ids:
            return set()
        out: set[int] = set()
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), 500):
            part = ids_list[start:start + 500]
            out.update(cid for (cid,) in database.execute_sql(
                f"SELECT contact_id FROM import_change WHERE batch_id = ? AND contact_id IN "
                f"({','.join('?' * len(part))})", [self.batch.id, *part]))
        return out

    def _by_names(self, cands) -> dict[tuple, tuple[int, int | None]]:
        """Existing contacts by first name + last name + company (or no company), for rows with
        neither e-mail nor phone: (first, last, company id) -> (id, import batch id)."""
        wanted: dict[tuple, None] = {}
        for c in cands:
            if not c.email and not c.phone and c.first_name:
                company_id = self._company_id(c, create=False)
                if company_id is None and (c.company_name or c.company_cvr):
                    continue  # a company MiniCRM does not know: nobody there to match
                wanted[(_line(c.first_name, 100).lower(), _line(c.last_name, 100).lower(), company_id)] = None
        found: dict[tuple, tuple[int, int | None]] = {}
        firsts = sorted({k[0] for k in wanted})
        for start in range(0, len(firsts), 500):
            part = firsts[start:start + 500]
            rows = database.execute_sql(
                "SELECT lower(first_name), lower(last_name), company_id, id, import_batch_id FROM contact "
                f"WHERE lower(first_name) IN ({','.join('?' * len(part))}) ORDER BY id", part)
            for first, last, company_id, cid, batch_id in rows:
                key = (first, last, company_id)
                if key in wanted:
                    found.setdefault(key, (cid, batch_id))
        return found

    def _name_key(self, c) -> tuple | None:
        if c.email or c.phone or not c.first_name:
            return None
        return (_line(c.first_name, 100).lower(), _line(c.last_name, 100).lower(),
                self._company_id(c, create=False))

    # -- an existing contact ----------------------------------------------------------

    def _existing_match(self, contact_id: int, c, how: str) -> bool:
        """Skip or update an existing contact; True when it was updated."""
        r = self.report
        if self.policy == "skip":
            r.duplicates += 1
            r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id} (same {how}): skipped")
            return False
        contact = self.scope.contacts().where(Contact.id == contact_id).first()
        if contact is None:  # exists, but not this user's to change (its id is not theirs to see)
            r.duplicates += 1
            r.note("duplicate", c.line, f"already in MiniCRM (same {how}), owned by someone else: not changed")
            return False
        if contact.restricted_at is not None:
            r.duplicates += 1
            r.note("duplicate", c.line, f"contact {contact_id} is restricted (Art. 18): not changed")
            return False
        new = self._values(c)
        has_company = bool(c.company_name or c.company_cvr)
        new["company"] = self._company_id(c, create=False) if has_company else None
        old = {k: getattr(contact, "company_id" if k == "company" else k) for k in UPDATABLE}
        diff = {k: v for k, v in new.items() if v and v != old[k]}
        if has_company and new["company"] is None:  # a company MiniCRM does not know yet
            diff["company"] = "new"
        if not diff:
            r.duplicates += 1
            r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id}, nothing new: skipped")
            return False
        if diff.get("company") == "new":
            diff["company"] = self._company_id(c)
        r.updated += 1
        for k, v in diff.items():
            r.changes_total += 1
            if len(r.changes) < MAX_CHANGES:
                shown_old, shown_new = old[k], v
                if k == "company":
                    shown_old, shown_new = self._company_name(old[k]), self._company_name(v)
                r.changes.append(FieldChange(contact_id, c.line, k, str(shown_old or ""), str(shown_new)))
        now = utcnow()
        Contact.update({getattr(Contact, k): v for k, v in diff.items()} | {
            Contact.version: Contact.version + 1, Contact.updated_at: now}).where(
            Contact.id == contact_id).execute()
        stored_old = {("company_id" if k == "company" else k): old[k] for k in diff}
        ImportChange.create(batch=self.batch.id, contact=contact_id,
                            old_values=json.dumps(stored_old, default=str), version_after=contact.version + 1)
        search.index_contacts(database, [contact_id])
        return True

    def _fill_blanks(self, contact_id: int, c) -> None:
        """A repeat of a contact this batch inserted in an earlier chunk: fill its empty fields."""
        values = {k: v for k, v in self._values(c).items() if v}
        if c.company_name or c.company_cvr:
            values["company_id"] = self._company_id(c)
        if not values:
            return
        sets = ", ".join(f'"{k}" = CASE WHEN "{k}" IS NULL OR "{k}" = \'\' THEN ? ELSE "{k}" END'
                         for k in values)
        database.execute_sql(f"UPDATE contact SET {sets} WHERE id = ?", [*values.values(), contact_id])
        search.index_contacts(database, [contact_id])

    # -- companies -------------------------------------------------------------------

    def _company_id(self, c, *, create: bool = True) -> int | None:
        """The company of a row: by CVR, else by name (created when new and `create`)."""
        if not c.company_name and not c.company_cvr:
            return None
        name = _line(c.company_name, 200)
        keys = [k for k in (c.company_cvr and "cvr:" + c.company_cvr, name and "name:" + name.casefold()) if k]
        for k in keys:
            if k in self.companies:
                return self.companies[k]
        company = None
        if c.company_cvr:
            company = Company.get_or_none(Company.cvr == c.company_cvr)
        if company is None and name:  # a namesake with another CVR is another company
            same_name = Company.name == name
            if c.company_cvr:
                same_name &= Company.cvr.is_null()
            company = Company.select().where(same_name).order_by(Company.id).first()
        if company is None:
            if not create:
                return None
            company = Company.create(name=name or c.company_cvr, cvr=c.company_cvr,
                                     address=_line(c.address, 200) or None,
                                     postcode=_line(c.postcode, 20) or None, city=_line(c.city, 100) or None)
        for k in keys:
            self.companies[k] = company.id
        self.company_index[company.id] = (company.name, company.cvr)
        return company.id

    def _company_name(self, company_id: int | None) -> str:
        if company_id is None:
            return ""
        if company_id in self.company_index:
            return self.company_index[company_id][0]
        company = Company.get_or_none(Company.id == company_id)
        return company.name if company else ""

    # -- new contacts -------------------------------------------------------------------

    def _values(self, c) -> dict:
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        return {"first_name": _line(c.first_name, 100), "last_name": _line(c.last_name, 100),
                "title": _line(c.title, 100), "email": c.email, "phone": c.phone,
                "lifecycle": lifecycle if lifecycle in LIFECYCLES else None}

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

    def _insert(self, fresh) -> None:
        r = self.report
        rows, tag_map = [], {}
        for n, c in enumerate(fresh):
            r.extra_values += len(c.extra_emails) + len(c.extra_phones)
            if (c.address or c.postcode or c.city) and not (c.company_name or c.company_cvr):
                r.unstored_addresses += 1
            v = self._values(c)
            if c.lifecycle and v["lifecycle"] is None:
                r.note("warning", c.line, "unknown lifecycle stage; 'lead' was used")
            rows.append((v["first_name"], v["last_name"], v["title"], c.email, c.phone, self._company_id(c),
                         self._owner_of(c), v["lifecycle"] or "lead", self.source, self.batch.id,
                         self.lawful_basis))
            if c.tags:
                names = sorted({t for t in (_line(t, 40).lower() for t in c.tags) if t})
                if names:
                    tag_map[n] = names
        ids = bulk.insert_contacts(rows, company_names=self.company_index, tags=tag_map)
        r.new += len(ids)
        if tag_map:
            names = sorted({t for ts in tag_map.values() for t in ts})
            Tag.insert_many([(t,) for t in names], fields=[Tag.name]).on_conflict_ignore().execute()
            tag_ids = {}
            for start in range(0, len(names), 500):
                tag_ids.update(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names[start:start + 500])).tuples())
            links = [(ids[n], tag_ids[t]) for n, ts in tag_map.items() for t in ts]
            for start in range(0, len(links), 5000):
                ContactTag.insert_many(links[start:start + 5000],
                                       fields=[ContactTag.contact, ContactTag.tag]).execute()
        notes = [(ids[n], self.scope.user_id, "other", _multiline(c.note, 2000), "team")
                 for n, c in enumerate(fresh) if c.note]
        notes = [n for n in notes if n[3]]
        if notes:
            database.connection().executemany(
                "INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [(*n, utcnow().isoformat(sep=" ")) for n in notes])
        for n, c in enumerate(fresh):
            if c.consent:
                self._consent(ids[n], c)

    def _consent(self, contact_id: int, c) -> None:
        """Consent evidence from the file (Mailchimp): newsletter by e-mail, with its proof."""
        evidence = "; ".join(f"{k.removeprefix('consent_')}={v}" for k, v in c.consent.items())
        at = _as_datetime(c.consent_confirm_time) or _as_datetime(c.consent_optin_time) or utcnow()
        consent = Consent.create(contact=contact_id, purpose="newsletter", channel="email", status="given",
                                 given_at=at, method="import", text_version="import")
        ConsentEvent.create(consent=consent.id, at=at, event="given", method="import", text_version="import",
                            evidence=f"{self.batch.file_name}, line {c.line}: {evidence}"[:1000],
                            actor=self.scope.user_id)


def _erasure_checker() -> Callable[[str | None, str | None], bool]:
    """check(email, phone): is this person on the erasure ledger?  Candidates are
    already normalised (lower-case address, E.164 number), so the ledger may skip that."""
    from ..rights import ledger

    return ledger.erased_checker(normalised=True)


def _keys(c) -> list[str]:
    keys = []
    if c.email:
        keys.append("e:" + c.email)
    if c.phone:
        keys.append("p:" + c.phone)
    if not keys and c.first_name:
        keys.append("n:" + search.fold(f"{c.first_name} {c.last_name or ''} {c.company_name or c.company_cvr or ''}"))
    return keys


def _merge(into, other) -> None:
    """Fill what the first occurrence lacks from a later one (never overwrite)."""
    for name in ("first_name", "last_name", "title", "email", "phone", "company_name", "company_cvr",
                 "address", "postcode", "city", "note", "owner", "lifecycle"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    if other.tags:
        into.tags = sorted(set(into.tags) | set(other.tags))
    for name in ("consent_optin_time", "consent_optin_ip", "consent_confirm_time", "consent_confirm_ip"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))


# --- undo ------------------------------------------------------------------------------

@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int  # contacts the batch added, now deleted
    restored: int  # contacts the batch updated, now as they were
    companies: int  # companies the batch created that nothing else uses, deleted


def undo_import(scope: Scope, batch_id: int) -> UndoResult:
    """Remove what a batch added and restore what it changed, if nothing changed since."""
    scope.require("import")
    with database.atomic():
        batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
        if batch is None or (scope.role != "admin" and batch.imported_by_id != scope.user_id):
            raise StoreError(f"import batch {batch_id} not found")
        if batch.undone_at:
            raise StoreError(f"import batch {batch_id} was already undone")
        finished = (AuditEvent.select(AuditEvent.at)
                    .where((AuditEvent.action == "import.run") & (AuditEvent.entity == "import_batch")
                           & (AuditEvent.entity_id == batch_id)).scalar()) or batch.imported_at
        added = list(Contact.select(Contact.id, Contact.version, Contact.company)
                     .where(Contact.import_batch == batch_id).tuples())
        ids = [cid for cid, _, _ in added]
        changed = list(ImportChange.select().where(ImportChange.batch == batch_id))
        touched = [cid for cid, version, _ in added if version != 1]
        current = {}
        for start in range(0, len(changed), 500):
            part = [c.contact_id for c in changed[start:start + 500]]
            current.update(Contact.select(Contact.id, Contact.version).where(Contact.id.in_(part)).tuples())
        touched += [c.contact_id for c in changed if current.get(c.contact_id) != c.version_after]
        touched += _used_since(ids, finished)
        if touched:
            raise StoreError(f"import batch {batch_id} cannot be undone: {len(set(touched))} of its contacts "
                             f"were changed or used since (first: contact {min(touched)})")
        company_ids = {company for _, _, company in added if company}
        relinked = [c.contact_id for c in changed if "company_id" in json.loads(c.old_values)]
        for start in range(0, len(relinked), 500):  # companies an update linked: maybe new too
            company_ids.update(company for (company,) in Contact.select(Contact.company).where(
                Contact.id.in_(relinked[start:start + 500]) & Contact.company.is_null(False)).tuples())
        company_ids = sorted(company_ids)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            database.execute_sql(f"DELETE FROM contact_search WHERE rowid IN ({','.join('?' * len(part))})", part)
            Contact.delete().where(Contact.id.in_(part)).execute()
        for change in changed:
            old = json.loads(change.old_values)
            Contact.update({getattr(Contact, k): v for k, v in old.items()} | {
                Contact.version: Contact.version + 1, Contact.updated_at: utcnow()}).where(
                Contact.id == change.contact_id).execute()
            search.index_contacts(database, [change.contact_id])
        companies = _drop_new_companies(company_ids, batch.imported_at, finished)
        ImportChange.delete().where(ImportChange.batch == batch_id).execute()
        ImportBatch.update(undone_at=utcnow()).where(ImportBatch.id == batch_id).execute()
        changes.record("contact", 0, "bulk")
        audit.record(scope.user_id, "import.undo", "import_batch", batch_id, removed=len(ids),
                     restored=len(changed), companies=companies)
    return UndoResult(batch_id, len(ids), len(changed), companies)


def _used_since(ids: list[int], finished) -> list[int]:
    """Added contacts that got deals, invoices, requests, notes or consent events after the import."""
    used: list[int] = []
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for model in (Deal, Invoice, DataSubjectRequest):
            used += [cid for (cid,) in model.select(model.contact).where(model.contact.in_(part)).tuples()]
        used += [cid for (cid,) in Note.select(Note.contact).where(
            Note.contact.in_(part) & (Note.created_at > finished)).tuples()]
        used += [cid for (cid,) in Consent.select(Consent.contact).join(ConsentEvent).where(
            Consent.contact.in_(part) & (ConsentEvent.at > finished)
            & (ConsentEvent.method != "import")).tuples()]
    return used


def _drop_new_companies(company_ids: list[int], started, finished) -> int:
    """Companies the batch created (in its time window) that nothing refers to any more."""
    dropped = 0
    for start in range(0, len(company_ids), 500):
        part = company_ids[start:start + 500]
        marks = ",".join("?" * len(part))
        rows = database.execute_sql(
            f"SELECT id FROM company co WHERE id IN ({marks}) AND created_at >= ? AND created_at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM contact WHERE company_id = co.id) "
            "AND NOT EXISTS (SELECT 1 FROM deal WHERE company_id = co.id) "
            "AND NOT EXISTS (SELECT 1 FROM invoice WHERE company_id = co.id)",
            [*part, _ts(started), _ts(finished)]).fetchall()
        gone = [r[0] for r in rows]
        if gone:
            Company.delete().where(Company.id.in_(gone)).execute()
            dropped += len(gone)
    return dropped


def _ts(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def list_batches(scope: Scope, limit: int = 20) -> list[dict]:
    """Recent import batches this user may undo (admin: all), newest first."""
    scope.require("import")
    q = ImportBatch.select().order_by(ImportBatch.id.desc()).limit(limit)
    if scope.role != "admin":
        q = q.where(ImportBatch.imported_by == scope.user_id)
    batches = list(q)
    counts = dict(Contact.select(Contact.import_batch, fn.COUNT(Contact.id)).where(
        Contact.import_batch.in_([b.id for b in batches])).group_by(Contact.import_batch).tuples())
    return [{"id": b.id, "file": b.file_name, "at": b.imported_at, "lawful_basis": b.lawful_basis,
             "contacts": counts.get(b.id, 0), "undone": b.undone_at is not None} for b in batches]
