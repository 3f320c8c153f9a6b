"""Undoing an import batch: what it added goes, what it changed is restored, in one
transaction, and only if nothing touched those contacts since (else nothing happens).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import fn

from .. import audit, changes, search
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
        added = list(tuples(Contact.select(Contact.id, Contact.version, Contact.company)
                     .where(Contact.import_batch == batch_id)))
        ids = [cid for cid, _, _ in added]
        changed = list(ImportChange.select().where(ImportChange.batch == batch_id))
        touched = [cid for cid, version, _ in added if version != 1]
        current: dict[int, int] = {}
        for start in range(0, len(changed), 500):
            part = [c.contact_id for c in changed[start:start + 500]]
            current.update(tuples(Contact.select(Contact.id, Contact.version).where(Contact.id.in_(part))))
        touched += [c.contact_id for c in changed if current.get(c.contact_id) != c.version_after]
        touched += _used_since(ids, finished)
        if touched:
            raise StoreError(f"import batch {batch_id} cannot be undone: {len(set(touched))} of its contacts "
                             f"were changed or used since (first: contact {min(touched)})")
        company_ids = {company for _, _, company in added if company}
        relinked = [c.contact_id for c in changed if "company_id" in json.loads(c.old_values)]
        for start in range(0, len(relinked), 500):  # companies an update linked: maybe new too
            company_ids.update(company for (company,) in tuples(Contact.select(Contact.company).where(
                Contact.id.in_(relinked[start:start + 500]) & Contact.company.is_null(False))))
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            search.forget(database, part)
            Contact.delete().where(Contact.id.in_(part)).execute()
        for change in changed:
            old = json.loads(change.old_values)
            Contact.update({getattr(Contact, k): v for k, v in old.items()} | {
                Contact.version: Contact.version + 1, Contact.updated_at: utcnow()}).where(
                Contact.id == change.contact_id).execute()
            search.index_contacts(database, [change.contact_id])
        companies = _drop_new_companies(sorted(company_ids), batch.imported_at, finished)
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
    return [{"id": b.id, "file": b.file_name, "at": b.imported_at, "lawful_basis": b.lawful_basis,
             "contacts": counts.get(b.id, 0), "undone": b.undone_at is not None} for b in batches]
