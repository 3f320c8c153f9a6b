"""Importing candidates into the database: de-duplication, suppression,
provenance, all-or-nothing batches, dry runs and undo.

A batch runs in ONE BEGIN IMMEDIATE transaction, chunk by chunk, so memory
stays bounded for any file size and a crash (or kill) leaves nothing behind.
A dry run is the very same run, rolled back: its counts are exactly what the
real import would do.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .. import audit, bulk, changes, search
from ..db import StoreError, database
from ..models import (
    Company, Consent, ConsentEvent, Contact, ContactTag, ImportBatch, ImportChange, Note, Tag, User,
    utcnow,
)
from ..processing import LAWFUL_BASES, LIFECYCLES
from ..scope import Scope

CHUNK = 2000
MAX_REASONS = 20
POLICIES = ("skip", "update")
# Candidate field -> contact column, for matching and updates.
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "lifecycle")


class ImportError_(StoreError):
    """The import as a whole cannot go ahead (nothing was written)."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class RowNote:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class FieldChange:
    contact_id: int
    line: int
    field: str
    old: str
    new: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    batch_id: int | None = None
    rows: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0  # existing contacts left as they were, or merged within the file
    suppressed: int = 0  # erased earlier: never re-imported
    flagged: int = 0  # special-category data found (value dropped)
    invalid: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    reasons: list[RowNote] = field(default_factory=list)  # first reasons, by line
    flags: list[RowNote] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)  # what an update would change

    def note(self, bucket: list, line: int, text: str) -> None:
        if len(bucket) < MAX_REASONS:
            bucket.append(RowNote(line, text))

    def summary(self) -> str:
        return (f"{self.rows} rows: {self.new} new, {self.updated} updated, {self.duplicates} duplicate, "
                f"{self.suppressed} suppressed, {self.flagged} flagged, {self.invalid} invalid")


def _erased(email: str | None, phone: str | None) -> bool:
    from ..rights import ledger

    return ledger.is_erased(email=email, phone=phone)


def import_file(scope: Scope, path: str | Path, *, dry_run: bool = False, policy: str = "skip",
                lawful_basis: str = "legitimate_interest", owner: str | None = None,
                mapping=None, fmt: str | None = None, encoding: str | None = None,
                region: str = "DK", progress: Callable[[int], None] | None = None) -> ImportReport:
    """Read, check and (unless dry_run) store every candidate of one file as one batch."""
    from . import read_candidates

    scope.require("import")
    if policy not in POLICIES:
        raise ImportError_(f"unknown duplicate policy {policy!r}; choose skip or update")
    if lawful_basis not in LAWFUL_BASES:
        raise ImportError_(f"unknown lawful basis {lawful_basis!r}; choose one of {', '.join(LAWFUL_BASES)}")
    path = Path(path)
    owner_id = _owner_id(scope, owner)
    reader = read_candidates(path, mapping=mapping, fmt=fmt, encoding=encoding, default_region=region)
    report = ImportReport(file=path.name, dry_run=dry_run)
    try:
        with database.atomic():
            batch = ImportBatch.create(file_name=path.name[:200], imported_by=scope.user_id,
                                       lawful_basis=lawful_basis)
            report.batch_id = batch.id
            run = _Run(scope, batch, report, policy, lawful_basis, owner_id)
            for chunk in _chunks(reader, CHUNK):
                run.chunk(chunk)
                if progress:
                    progress(report.rows)
            report.dropped_columns = list(getattr(reader, "dropped_columns", []) or [])
            if report.new == 0 and report.updated == 0:
                ImportBatch.delete().where(ImportBatch.id == batch.id).execute()
                report.batch_id = None
            else:
                changes.record("contact", 0, "bulk")
            if dry_run:
                raise _DryRun  # roll everything back: the counts stay in the report
            audit.record(scope.user_id, "import.run", "import_batch", report.batch_id, new=report.new,
                         updated=report.updated, suppressed=report.suppressed, flagged=report.flagged,
                         invalid=report.invalid)
    except _DryRun:
        report.batch_id = None
        audit.record(scope.user_id, "import.dry_run", None, None, rows=report.rows)
    return report


def _owner_id(scope: Scope, owner: str | None) -> int:
    if scope.role == "sales" or not owner:
        return scope.user_id
    user = User.get_or_none((User.username == owner) & User.revoked_at.is_null())
    if user is None:
        raise ImportError_(f"owner {owner!r} is not an active user")
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


class _Run:
    def __init__(self, scope, batch, report, policy, lawful_basis, owner_id):
        self.scope, self.batch, self.report = scope, batch, report
        self.policy, self.lawful_basis, self.owner_id = policy, lawful_basis, owner_id
        self.companies: dict[str, int] = {}  # cvr or folded name -> id
        self.company_index: dict[int, tuple[str, str | None]] = {}
        self.visible = None  # lazily: can this user update a given contact?
        self.usernames = {u.username: u.id for u in User.select(User.id, User.username)
                          .where(User.revoked_at.is_null())}

    # -- one chunk --------------------------------------------------------------

    def chunk(self, candidates) -> None:
        r = self.report
        keep = []
        for c in candidates:
            r.rows += 1
            if c.flags:
                r.flagged += 1
                for flag in c.flags:
                    r.note(r.flags, flag.line, f"column {flag.column!r}: {flag.kind} data not imported")
            for issue in c.errors:  # a rejected value is already left out; the rest is usable
                r.note(r.reasons, c.line, str(issue).split(", ", 2)[-1])
            if not (c.first_name or c.last_name or c.email or c.phone):
                r.invalid += 1
                r.note(r.reasons, c.line, "no name, email or phone")
                continue
            if self.lawful_basis == "consent" and not c.consent:
                r.invalid += 1
                r.note(r.reasons, c.line, "lawful basis 'consent' but the row carries no consent evidence")
                continue
            if _erased(c.email, c.phone):
                r.suppressed += 1
                continue
            keep.append(c)
        if not keep:
            return
        by_email, by_phone = self._existing(keep)
        fresh, seen_here = [], {}
        for c in keep:
            key_email = (c.email or "").lower() or None
            contact_id = by_email.get(key_email) if key_email else None
            if contact_id is None and c.phone:
                contact_id = by_phone.get(c.phone)
            if contact_id is None:
                contact_id = self._by_name(c)
            if contact_id is not None:
                self._existing_match(contact_id, c)
                continue
            dup_key = key_email or c.phone or search.fold(f"{c.first_name} {c.last_name} {c.company_name}")
            if dup_key in seen_here:  # the same person twice in this chunk: merge into the first
                r.duplicates += 1
                _merge(seen_here[dup_key], c)
                continue
            seen_here[dup_key] = c
            fresh.append(c)
        if fresh:
            self._insert(fresh)

    def _existing(self, cands):
        emails = sorted({c.email.lower() for c in cands if c.email})
        phones = sorted({c.phone for c in cands if c.phone})
        by_email, by_phone = {}, {}
        for start in range(0, len(emails), 500):
            part = emails[start:start + 500]
            for cid, email in database.execute_sql(
                    f"SELECT id, lower(email) FROM contact WHERE lower(email) IN ({','.join('?' * len(part))})",
                    part):
                by_email.setdefault(email, cid)
        for start in range(0, len(phones), 500):
            part = phones[start:start + 500]
            for cid, phone in database.execute_sql(
                    f"SELECT id, phone FROM contact WHERE phone IN ({','.join('?' * len(part))})", part):
                by_phone.setdefault(phone, cid)
        return by_email, by_phone

    def _by_name(self, c) -> int | None:
        """Name plus company, for rows with neither email nor phone to match on."""
        if c.email or c.phone or not (c.first_name and c.company_name):
            return None
        company_id = self._company_id(c, create=False)
        if company_id is None:
            return None
        row = database.execute_sql(
            "SELECT id FROM contact WHERE company_id = ? AND lower(first_name) = ? AND lower(last_name) = ?",
            (company_id, c.first_name.lower(), (c.last_name or "").lower())).fetchone()
        return row[0] if row else None

    def _existing_match(self, contact_id: int, c) -> None:
        r = self.report
        if self.policy == "skip":
            r.duplicates += 1
            return
        contact = self.scope.contacts().where(Contact.id == contact_id).first()
        if contact is None:  # exists, but not this user's to change
            r.duplicates += 1
            return
        new_values = {k: getattr(c, k) for k in UPDATABLE if getattr(c, k)}
        if "lifecycle" in new_values and new_values["lifecycle"] not in LIFECYCLES:
            del new_values["lifecycle"]
        old = {k: getattr(contact, k) for k in new_values if getattr(contact, k) != new_values[k]}
        if not old:
            r.duplicates += 1
            return
        r.updated += 1
        for k in old:
            if len(r.changes) < 200:
                r.changes.append(FieldChange(contact_id, c.line, k, str(old[k] or ""), str(new_values[k])))
        Contact.update({getattr(Contact, k): new_values[k] for k in old} | {
            Contact.version: Contact.version + 1, Contact.updated_at: utcnow()}).where(
            Contact.id == contact_id).execute()
        ImportChange.create(batch=self.batch.id, contact=contact_id, old_values=json.dumps(old, default=str),
                            version_after=contact.version + 1)
        search.index_contacts(database, [contact_id])
        changes.record("contact", contact_id, "update")

    def _company_id(self, c, *, create: bool = True) -> int | None:
        if not c.company_name and not c.company_cvr:
            return None
        key = c.company_cvr or search.fold(c.company_name)
        if key in self.companies:
            return self.companies[key]
        if c.company_cvr:
            company = Company.get_or_none(Company.cvr == c.company_cvr)
        else:
            company = Company.get_or_none(Company.name == c.company_name)
        if company is None and create:
            company = Company.create(name=c.company_name or c.company_cvr, cvr=c.company_cvr,
                                     address=c.address, postcode=c.postcode, city=c.city)
        if company is None:
            return None
        self.companies[key] = company.id
        self.company_index[company.id] = (company.name, company.cvr)
        return company.id

    def _insert(self, fresh) -> None:
        r = self.report
        source = f"import:{self.batch.file_name}"[:200]
        rows, tag_map = [], {}
        for n, c in enumerate(fresh):
            company_id = self._company_id(c)
            owner = self.usernames.get(c.owner) if c.owner and self.scope.role != "sales" else None
            lifecycle = c.lifecycle if c.lifecycle in LIFECYCLES else "lead"
            rows.append(((c.first_name or "")[:100], (c.last_name or "")[:100], (c.title or "")[:100],
                         c.email, c.phone, company_id, owner or self.owner_id, lifecycle, source,
                         self.batch.id, self.lawful_basis))
            if c.tags:
                tag_map[n] = sorted({t.strip().lower()[:40] for t in c.tags if t.strip()})
        ids = bulk.insert_contacts(rows, company_names=self.company_index, tags=tag_map)
        r.new += len(ids)
        if tag_map:
            names = sorted({t for ts in tag_map.values() for t in ts})
            for name in names:
                Tag.insert(name=name).on_conflict_ignore().execute()
            tag_ids = dict(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names)).tuples())
            ContactTag.insert_many([(ids[n], tag_ids[t]) for n, ts in tag_map.items() for t in ts],
                                   fields=[ContactTag.contact, ContactTag.tag]).execute()
        notes = [(ids[n], self.scope.user_id, "other", c.note[:2000], "team")
                 for n, c in enumerate(fresh) if c.note]
        if notes:
            Note.insert_many(notes, fields=[Note.contact, Note.author, Note.category, Note.body,
                                            Note.visibility]).execute()
        for n, c in enumerate(fresh):
            if c.consent:
                self._consent(ids[n], c)

    def _consent(self, contact_id: int, c) -> None:
        evidence = "; ".join(f"{k.removeprefix('consent_')}={v}" for k, v in c.consent.items())
        at = c.consent_confirm_time or c.consent_optin_time
        consent = Consent.create(contact=contact_id, purpose="newsletter", channel="email", status="given",
                                 given_at=at or utcnow(), method="import", text_version="import")
        ConsentEvent.create(consent=consent.id, event="given", method="import",
                            text_version="import", evidence=f"{self.batch.file_name}: {evidence}"[:1000],
                            actor=self.scope.user_id)


def _merge(into, other) -> None:
    """Fill what the first occurrence lacks from a later one (never overwrite)."""
    for name in ("first_name", "last_name", "title", "email", "phone", "company_name", "company_cvr",
                 "address", "postcode", "city", "note"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    into.tags = sorted(set(into.tags) | set(other.tags))


def undo_import(scope: Scope, batch_id: int) -> int:
    """Remove what a batch added and restore what it changed, if nothing changed since."""
    scope.require("import")
    with database.atomic():
        batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
        if batch is None or (scope.role != "admin" and batch.imported_by_id != scope.user_id):
            raise StoreError(f"import batch {batch_id} not found")
        if batch.undone_at:
            raise StoreError(f"import batch {batch_id} was already undone")
        added = list(Contact.select(Contact.id, Contact.version).where(Contact.import_batch == batch_id).tuples())
        touched = [cid for cid, version in added if version != 1]
        changed = list(ImportChange.select().where(ImportChange.batch == batch_id))
        current = dict(Contact.select(Contact.id, Contact.version)
                       .where(Contact.id.in_([c.contact_id for c in changed])).tuples()) if changed else {}
        touched += [c.contact_id for c in changed if current.get(c.contact_id) != c.version_after]
        if touched:
            raise StoreError(f"import batch {batch_id} cannot be undone: {len(touched)} of its contacts "
                             f"were changed since (first: contact {touched[0]})")
        ids = [cid for cid, _ in added]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            database.execute_sql(f"DELETE FROM contact_search WHERE rowid IN ({','.join('?' * len(part))})", part)
            Contact.delete().where(Contact.id.in_(part)).execute()
        for change in changed:
            old = json.loads(change.old_values)
            Contact.update({getattr(Contact, k): v for k, v in old.items()} | {
                Contact.version: Contact.version + 1}).where(Contact.id == change.contact_id).execute()
            search.index_contacts(database, [change.contact_id])
        ImportChange.delete().where(ImportChange.batch == batch_id).execute()
        ImportBatch.update(undone_at=utcnow()).where(ImportBatch.id == batch_id).execute()
        changes.record("contact", 0, "bulk")
        audit.record(scope.user_id, "import.undo", "import_batch", batch_id, removed=len(ids),
                     restored=len(changed))
    return len(ids) + len(changed)
