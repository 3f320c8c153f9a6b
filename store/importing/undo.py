"""Undoing an import batch: what it added goes, what it changed is restored, only if
nothing touched those contacts since (else nothing happens).  The work goes in short
transactions of STEP contacts (a batch may hold a million), the last one recording it.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import fn

from .. import audit, changes, contact_details, search
from ..db import StoreError, database, tuples
from ..models import (
    AuditEvent,
    Company,
    Consent,
    ConsentEvent,
    Contact,
    DataSubjectRequest,
    Deal,
    ImportBatch,
    ImportChange,
    Invoice,
    Note,
    utcnow,
)
from ..scope import Scope


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    removed: int  # contacts the batch added, now deleted
    restored: int  # contacts the batch updated, now as they were
    companies: int  # companies the batch created that nothing else uses, deleted


STEP = 500  # contacts per undo transaction: each commits in a few milliseconds


def undo_import(scope: Scope, batch_id: int) -> UndoResult:
    """Remove what a batch added and restore what it changed, if nothing changed since.

    The check reads outside the write lock; the removal goes STEP contacts per short
    transaction, each checking again that its contacts are as the import left them, and
    the last one records the undo.  A contact changed in between is kept (and named)."""
    from . import progress as batch_state

    scope.require("import")
    batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
    if batch is None or (scope.role != "admin" and batch.imported_by_id != scope.user_id):
        raise StoreError(f"import batch {batch_id} not found")
    if batch.undone_at:
        raise StoreError(f"import batch {batch_id} was already undone")
    if batch.state == "running" and batch_state.process_alive(batch_state.load(batch.progress)):
        raise StoreError(f"import batch {batch_id} is still being imported; undo it when it has finished")
    finished = _finished(batch)
    touched = _touched(batch_id, finished)
    if touched:
        raise StoreError(f"import batch {batch_id} cannot be undone: {len(set(touched))} of its contacts "
                         f"were changed or used since (first: contact {min(touched)})")
    removed, restored, kept, company_ids = _remove(batch_id, finished)
    if kept:
        raise StoreError(f"import batch {batch_id} was partly undone: {len(kept)} of its contacts were changed "
                         f"while it was being undone (first: contact {min(kept)}); {removed} removed so far")
    with scope.transaction():
        companies = _finish_undo(batch, company_ids)
        ImportBatch.update(undone_at=utcnow()).where(ImportBatch.id == batch_id).execute()
        audit.record(scope.user_id, "import.undo", "import_batch", batch_id, removed=removed,
                     restored=restored, companies=companies)
    return UndoResult(batch_id, removed, restored, companies)


def take_back(scope: Scope, batch_id: int) -> int:
    """An import that failed as a whole (a broken file, a cancel): remove what it wrote,
    then its batch.  Contacts someone changed meanwhile are kept with the batch (the number
    kept is returned; 0: nothing of the import is left)."""
    batch = ImportBatch.get_by_id(batch_id)
    finished = utcnow()
    removed, restored, kept, company_ids = _remove(batch_id, finished)
    if kept:
        return len(kept)
    with database.atomic():
        _finish_undo(batch, company_ids)
        ImportBatch.delete().where(ImportBatch.id == batch_id).execute()
        if removed or restored:  # it was in MiniCRM for a while: say so, and that it is gone
            audit.record(scope.user_id, "import.failed", "import_batch", batch_id, removed=removed,
                         restored=restored)
    return 0


def _finished(batch) -> object:
    if batch.finished_at is not None:
        return batch.finished_at
    return (AuditEvent.select(AuditEvent.at)
            .where((AuditEvent.action == "import.run") & (AuditEvent.entity == "import_batch")
                   & (AuditEvent.entity_id == batch.id)).scalar()) or utcnow()


def _touched(batch_id: int, finished, ids: list[int] | None = None) -> list[int]:
    """Contacts of the batch changed or used since it wrote them (`ids`: only these)."""
    added = Contact.select(Contact.id, Contact.version).where(Contact.import_batch == batch_id)
    changed_q = ImportChange.select(ImportChange.contact, ImportChange.version_after).where(
        ImportChange.batch == batch_id)
    if ids is not None:
        added = added.where(Contact.id.in_(ids))
        changed_q = changed_q.where(ImportChange.contact.in_(ids))
    added_rows = list(tuples(added))
    touched = [cid for cid, version in added_rows if version != 1]
    changed = list(tuples(changed_q))
    current: dict[int, int] = {}
    for start in range(0, len(changed), 500):
        part = [cid for cid, _ in changed[start:start + 500]]
        current.update(tuples(Contact.select(Contact.id, Contact.version).where(Contact.id.in_(part))))
    touched += [cid for cid, after in changed if current.get(cid) != after]
    touched += _used_since([cid for cid, _ in added_rows], finished)
    return touched


def _remove(batch_id: int, finished) -> tuple[int, int, list[int], set[int]]:
    """Delete the batch's contacts and restore the ones it changed, STEP per transaction;
    (removed, restored, kept because changed meanwhile, companies they were linked to)."""
    removed = restored = 0
    kept: list[int] = []
    company_ids: set[int] = set()
    after = 0
    while True:
        with database.atomic():
            part = [cid for (cid,) in tuples(Contact.select(Contact.id).where(
                (Contact.import_batch == batch_id) & (Contact.id > after)).order_by(Contact.id).limit(STEP))]
            if not part:
                break
            after = part[-1]
            bad = set(_touched(batch_id, finished, part))
            kept += sorted(bad)
            gone = [cid for cid in part if cid not in bad]
            if gone:
                company_ids.update(cid for (cid,) in tuples(Contact.select(Contact.company).where(
                    Contact.id.in_(gone) & Contact.company.is_null(False))))
                search.forget(database, gone)
                Contact.delete().where(Contact.id.in_(gone)).execute()
                changes.record("contact", 0, "bulk")
            removed += len(gone)
    after = 0
    while True:
        with database.atomic():
            part = list(ImportChange.select().where((ImportChange.batch == batch_id) & (ImportChange.id > after))
                        .order_by(ImportChange.id).limit(STEP))
            if not part:
                break
            after = part[-1].id
            bad = set(_touched(batch_id, finished, [c.contact_id for c in part]))
            kept += sorted(bad)
            relinked = [c.contact_id for c in part if c.contact_id not in bad and "company_id" in c.old_values]
            company_ids.update(cid for (cid,) in tuples(Contact.select(Contact.company).where(
                Contact.id.in_(relinked) & Contact.company.is_null(False))))  # maybe a company it created
            for change in part:
                if change.contact_id in bad:
                    continue
                old = json.loads(change.old_values)
                for kind, (table, column, _) in contact_details.KINDS.items():  # the addresses it added
                    added = old.pop("+" + kind, None)
                    if added:
                        database.execute_sql(
                            f'DELETE FROM "{table}" WHERE contact_id = ? AND "{column}" IN '
                            f"({','.join('?' * len(added))})", [change.contact_id, *added])
                Contact.update({getattr(Contact, k): v for k, v in old.items()} | {
                    Contact.version: Contact.version + 1, Contact.updated_at: utcnow()}).where(
                    Contact.id == change.contact_id).execute()
                restored += 1
            search.index_contacts(database, [c.contact_id for c in part if c.contact_id not in bad])
            changes.record("contact", 0, "bulk")
    return removed, restored, kept, company_ids


def _finish_undo(batch, company_ids: set[int]) -> int:
    """The last undo transaction: companies only this batch created go, its change rows too."""
    companies = _drop_new_companies(sorted(company_ids), batch.imported_at, _finished(batch))
    ImportChange.delete().where(ImportChange.batch == batch.id).execute()
    return companies


def _used_since(ids: list[int], finished) -> list[int]:
    """Added contacts that got deals, invoices, requests, notes or consent events after the import."""
    used: list[int] = []
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for model in (Deal, Invoice, DataSubjectRequest):
            used += [cid for (cid,) in tuples(model.select(model.contact).where(model.contact.in_(part)))]
        used += [cid for (cid,) in tuples(Note.select(Note.contact).where(
            Note.contact.in_(part) & (Note.created_at > finished)))]
        used += [cid for (cid,) in tuples(Consent.select(Consent.contact).join(ConsentEvent).where(
            Consent.contact.in_(part) & (ConsentEvent.at > finished)
            & (ConsentEvent.method != "import")))]
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
    counts = dict(tuples(Contact.select(Contact.import_batch, fn.COUNT(Contact.id)).where(
        Contact.import_batch.in_([b.id for b in batches])).group_by(Contact.import_batch)))
    from . import progress as batch_state

    def state(b) -> str:
        if b.state == "running" and not batch_state.process_alive(batch_state.load(b.progress)):
            return "interrupted"
        return b.state

    return [{"id": b.id, "file": b.file_name, "at": b.imported_at, "lawful_basis": b.lawful_basis,
             "contacts": counts.get(b.id, 0), "undone": b.undone_at is not None, "state": state(b)}
            for b in batches]
