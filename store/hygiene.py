"""The retention jobs: what the Art. 15 report promises, done on schedule.

Each job reads the same `[retention]` settings the report states (store/retention.py):

* `archive_inactive`: contacts without activity for `inactive_archive_months` are archived;
* `erase_expired`: contacts archived for `archived_erase_months` are erased (legal basis
  `retention_expired`), each in its own short transaction, as `erase_person` does it;
  restricted people (Art. 18: kept, e.g. for legal claims) and people with an open
  request are left for the handler;
* `purge_withdrawn_consents`: a consent withdrawn `consent_proof_years` ago and its
  evidence go (kept until then to prove the consent was there);
* the invoice and erasure-proof purges of rights/erasure.py.

`run` does all of them (`minicrm hygiene run`, daily from cron or a systemd timer);
`due` counts what `run` would do without writing, and `screening.flagged` lists the
free text saved despite special-category words: together, the hygiene report.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import audit, changes, retention
from .db import database, tuples
from .models import Consent, ConsentEvent, Contact, DataSubjectRequest, utcnow
from .scope import Scope


@dataclass(frozen=True)
class HygieneRun:
    archived: int
    erased: tuple[int, ...]
    consents_purged: int
    invoices_purged: int
    proof_purged: int


def _months_before(day: dt.datetime, months: int) -> dt.datetime:
    from .rights.requests import add_months

    return dt.datetime.combine(add_months(day.date(), -months), day.time())


def _now(now: dt.datetime | dt.date | None) -> dt.datetime:
    if now is None:
        return utcnow()
    return now if isinstance(now, dt.datetime) else dt.datetime.combine(now, dt.time())


def _inactive(now: dt.datetime):
    cutoff = _months_before(now, retention.rules().inactive_archive_months)
    return Contact.archived_at.is_null() & (Contact.last_activity_at <= cutoff)


def _expired(now: dt.datetime):
    cutoff = _months_before(now, retention.rules().archived_erase_months)
    open_requests = DataSubjectRequest.select(DataSubjectRequest.contact).where(
        (DataSubjectRequest.status == "open") & DataSubjectRequest.contact.is_null(False))
    return (Contact.archived_at.is_null(False) & (Contact.archived_at <= cutoff)
            & Contact.restricted_at.is_null() & Contact.id.not_in(open_requests))


def _withdrawn(now: dt.datetime):
    cutoff = retention.add_years(now.date(), -retention.rules().consent_proof_years)
    return (Consent.status == "withdrawn") & (Consent.withdrawn_at <= dt.datetime.combine(cutoff, now.time()))


def archive_inactive(scope: Scope, now: dt.datetime | dt.date | None = None) -> int:
    """Archive every contact without activity for `retention.inactive_archive_months`."""
    scope.require("contact.archive")
    when = _now(now)
    with database.atomic():
        count = Contact.update(archived_at=when, version=Contact.version + 1).where(_inactive(when)).execute()
        if count:
            changes.record("contact", 0, "bulk")
        audit.record(scope.user_id, "hygiene.archive", "contact", None, count=count)
    return count


def erase_expired(scope: Scope, now: dt.datetime | dt.date | None = None) -> tuple[int, ...]:
    """Erase every contact archived for `retention.archived_erase_months` (not restricted, no
    open request); one transaction per person, the WAL scrubbed once at the end."""
    from .rights.erasure import erase_person, scrub

    when = _now(now)
    ids = [i for (i,) in tuples(Contact.select(Contact.id).where(_expired(when)).order_by(Contact.id))]
    for contact_id in ids:
        erase_person(scope, contact_id, legal_basis="retention_expired", today=when.date(), _scrub=False)
    if ids:
        scrub()
    return tuple(ids)


def purge_withdrawn_consents(scope: Scope, now: dt.datetime | dt.date | None = None) -> int:
    """Delete consents withdrawn `retention.consent_proof_years` ago, with their events."""
    scope.require("consent.write")
    when = _now(now)
    with database.atomic():
        ids = [i for (i,) in tuples(Consent.select(Consent.id).where(_withdrawn(when)))]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            ConsentEvent.delete().where(ConsentEvent.consent.in_(chunk)).execute()
            Consent.delete().where(Consent.id.in_(chunk)).execute()
        if ids:
            changes.record("consent", 0, "bulk")
        audit.record(scope.user_id, "hygiene.consents", "consent", None, count=len(ids))
    return len(ids)


def due(now: dt.datetime | dt.date | None = None) -> dict[str, int]:
    """What `run` would do now, counted without writing."""
    when = _now(now)
    return {"archive": Contact.select().where(_inactive(when)).count(),
            "erase": Contact.select().where(_expired(when)).count(),
            "withdrawn_consents": Consent.select().where(_withdrawn(when)).count()}


def run(scope: Scope | None = None, now: dt.datetime | dt.date | None = None) -> HygieneRun:
    """Every retention job, in an order where each sees the previous one's result."""
    from .rights.erasure import purge_expired_invoices, purge_expired_proof

    scope = scope or Scope.console()
    when = _now(now)
    archived = archive_inactive(scope, when)
    erased = erase_expired(scope, when)
    consents = purge_withdrawn_consents(scope, when)
    invoices = purge_expired_invoices(when.date(), scope)
    proof = purge_expired_proof(when.date(), scope)
    return HygieneRun(archived, erased, consents, invoices, proof)


__all__ = ["HygieneRun", "archive_inactive", "erase_expired", "purge_withdrawn_consents", "due", "run"]
