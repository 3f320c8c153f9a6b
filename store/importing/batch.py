"""Importing candidates into the database: one all-or-nothing batch, with
suppression, provenance and dry runs.  The stages beside it: matching.py finds
who a row is (de-duplication), report.py holds what the import did, undo.py
takes a batch back.

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import audit, bulk, changes, search
from ..db import database, tuples
from ..errors import ImportRefused, StoreError
from ..models import Contact, ContactTag, ImportBatch, ImportChange, Tag, User, utcnow
from ..processing import LAWFUL_BASES, LIFECYCLES
from ..scope import Scope
from ..text import stored_line, stored_multiline
from . import matching

# The stages beside the batch, named here too: `from store.importing.batch import X` keeps working.
from .matching import erasure_checker as _erasure_checker  # noqa: F401  (tests use the old name)
from .model import Candidate
from .report import MAX_CHANGES, MAX_NOTES, NOTE_KINDS, FieldChange, ImportReport, RowNote
from .undo import UndoResult, list_batches, undo_import

CHUNK = 2000
POLICIES = ("skip", "update")
# Contact fields an "update" import may change (company: the company link).
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "company", "lifecycle")
_SPECIAL = "special-category data was not kept"  # how the reader words a record it skipped for that

__all__ = [
    "CHUNK", "POLICIES", "UPDATABLE", "MAX_CHANGES", "MAX_NOTES", "NOTE_KINDS", "FieldChange", "FileInfo",
    "ImportRefused", "ImportReport", "RowNote", "UndoResult", "default_region", "import_file", "import_scope",
    "inspect_file", "list_batches", "open_reader", "undo_import",
]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


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


class _Run:
    def __init__(self, scope, batch, report, policy, lawful_basis, owner_id, summary):
        self.scope, self.batch, self.report, self.summary = scope, batch, report, summary
        self.policy, self.lawful_basis, self.owner_id = policy, lawful_basis, owner_id
        self.source = f"import:{batch.file_name}"[:200]
        self.companies = matching.Companies()
        self.usernames = {u.username: u.id for u in User.select(User.id, User.username)
                          .where(User.revoked_at.is_null())}
        self.erased = matching.erasure_checker()  # read inside the transaction: no erasure slips past
        self.skipped_seen = 0

    # -- one chunk --------------------------------------------------------------

    def chunk(self, candidates) -> None:
        r = self.report
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
            if matching.is_erased(self.erased, c):
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

    def _file(self, keep) -> None:
        r = self.report
        by_email, by_phone = matching.existing_by_contact_points(keep)
        by_name = matching.existing_by_names(keep, self.companies)
        updated_before = set() if self.policy != "update" else matching.updated_in_batch(
            self.batch.id, {cid for cid, _ in (*by_email.values(), *by_phone.values())})
        fresh: list = []
        seen: dict[str, Candidate] = {}  # key -> first candidate in this chunk
        for c in keep:
            match = None
            how = ""
            if c.email and c.email in by_email:
                match, how = by_email[c.email], "e-mail"
            elif c.phone and c.phone in by_phone:
                match, how = by_phone[c.phone], "phone"
            elif by_name:
                key = matching.name_key(c, self.companies)
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
            keys = matching.keys_in_file(c)
            first = next((seen[k] for k in keys if k in seen), None)
            if first is not None:  # the same person twice in this chunk: merge into the first
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats line {first.line} of the file: merged")
                matching.merge_repeat(first, c)
                for k in matching.keys_in_file(first):
                    seen.setdefault(k, first)
                continue
            for k in keys:
                seen[k] = c
            fresh.append(c)
        if fresh:
            self._insert(fresh)

    # -- an existing contact    # -- an existing contact ----------------------------------------------------------

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
        new["company"] = self.companies.id_of(c, create=False) if has_company else None
        old = {k: getattr(contact, "company_id" if k == "company" else k) for k in UPDATABLE}
        diff = {k: v for k, v in new.items() if v and v != old[k]}
        if has_company and new["company"] is None:  # a company MiniCRM does not know yet
            diff["company"] = "new"
        if not diff:
            r.duplicates += 1
            r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id}, nothing new: skipped")
            return False
        if diff.get("company") == "new":
            diff["company"] = self.companies.id_of(c)
        r.updated += 1
        for k, v in diff.items():
            r.changes_total += 1
            if len(r.changes) < MAX_CHANGES:
                shown_old, shown_new = old[k], v
                if k == "company":
                    shown_old, shown_new = self.companies.name_of(old[k]), self.companies.name_of(v)
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
            values["company_id"] = self.companies.id_of(c)
        if not values:
            return
        sets = ", ".join(f'"{k}" = CASE WHEN "{k}" IS NULL OR "{k}" = \'\' THEN ? ELSE "{k}" END'
                         for k in values)
        database.execute_sql(f"UPDATE contact SET {sets} WHERE id = ?", [*values.values(), contact_id])
        search.index_contacts(database, [contact_id])

    # -- companies -------------------------------------------------------------------

    # -- new contacts -------------------------------------------------------------------

    def _values(self, c) -> dict:
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        return {"first_name": stored_line(c.first_name, 100), "last_name": stored_line(c.last_name, 100),
                "title": stored_line(c.title, 100), "email": c.email, "phone": c.phone,
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
            rows.append((v["first_name"], v["last_name"], v["title"], c.email, c.phone, self.companies.id_of(c),
                         self._owner_of(c), v["lifecycle"] or "lead", self.source, self.batch.id,
                         self.lawful_basis))
            if c.tags:
                names = sorted({t for t in (stored_line(t, 40).lower() for t in c.tags) if t})
                if names:
                    tag_map[n] = names
        ids = bulk.insert_contacts(rows, company_names=self.companies.index, tags=tag_map)
        r.new += len(ids)
        if tag_map:
            names = sorted({t for ts in tag_map.values() for t in ts})
            Tag.insert_many([(t,) for t in names], fields=[Tag.name]).on_conflict_ignore().execute()
            tag_ids: dict[str, int] = {}
            for start in range(0, len(names), 500):
                tag_ids.update(tuples(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names[start:start + 500]))))
            links = [(ids[n], tag_ids[t]) for n, ts in tag_map.items() for t in ts]
            for start in range(0, len(links), 5000):
                ContactTag.insert_many(links[start:start + 5000],
                                       fields=[ContactTag.contact, ContactTag.tag]).execute()
        notes = [(ids[n], self.scope.user_id, "other", stored_multiline(c.note, 2000), "team")
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
        """Consent evidence from the file (Mailchimp): newsletter by e-mail, with the file's own dates;
        none at all is "proof missing" (store.consent.record_imported), never today."""
        from ..consent import record_imported

        evidence = "; ".join(f"{k.removeprefix('consent_')}={v}" for k, v in c.consent.items())
        record_imported(contact_id, "newsletter", optin_at=_as_datetime(c.consent_optin_time),
                        confirm_at=_as_datetime(c.consent_confirm_time),
                        evidence=f"{self.batch.file_name}, line {c.line}: {evidence}"[:900],
                        actor=self.scope.user_id)


