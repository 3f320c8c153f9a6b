"""The retention jobs: what the Art. 15 report and the documents promise, done on schedule.

Each job reads the same `[retention]` settings the report states (store/retention.py):

* `archive`: contacts without activity for `inactive_archive_months` are archived (hidden
  from search and from every mailing list);
* `erase`: contacts archived for `archived_erase_months` are erased through `erase_person`,
  the path a request takes (legal basis `retention_expired`, ledger entry and consent proof
  included), each in its own short transaction; restricted people (Art. 18) and people
  with an open request are left for the handler;
* `withdrawn_consents`: a consent withdrawn `consent_proof_years` ago and its evidence go;
* `opt_ins`: web sign-ups whose confirmation link expired (`web.confirm_days`) go;
* `invoices`: invoices kept after an erasure go on their bookkeeping date (5 years from the
  end of the financial year, `financial_year_end`);
* `erasure_proof`: ledger entries and consent proof go after `erasure_proof_years`;
* `export_bundles`: a person's export bundle goes after `export_bundle_days`;
* `audit_rows`: audit rows older than `audit_years` go, the chain kept verifiable
  (store/audit_retention.py).

`due_items` counts what `apply` would do without writing (the report's first table);
`apply` does it, every job audited and idempotent (a second run finds nothing due), under
a lock file so two timers never run it at once.  Every function takes `now` (naive UTC):
the clock tests and `minicrm hygiene --today` control.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import audit, audit_retention, changes, retention
from .db import database, tuples
from .errors import NotFound, StoreError
from .models import Consent, ConsentEvent, Contact, DataSubjectRequest, ErasureLedger, Invoice, OptIn, utcnow
from .scope import Scope

# In the order `apply` runs them: each sees the previous one's result.
JOBS = ("archive", "erase", "withdrawn_consents", "opt_ins", "invoices", "erasure_proof", "export_bundles",
        "audit_rows")


@dataclass(frozen=True)
class Due:
    job: str
    count: int
    rule: str  # the rule with its configured figure, in English (the TUI words it itself)
    figure: str = ""  # that figure alone (months, years, days; the financial year's end as MM-DD)


@dataclass(frozen=True)
class HygieneRun:
    archived: int
    erased: tuple[int, ...]
    consents_purged: int
    invoices_purged: int
    proof_purged: int
    opt_ins_purged: int = 0
    bundles_purged: int = 0
    audit_rows_dropped: int = 0

    def counts(self) -> dict[str, int]:
        return {"archive": self.archived, "erase": len(self.erased), "withdrawn_consents": self.consents_purged,
                "opt_ins": self.opt_ins_purged, "invoices": self.invoices_purged,
                "erasure_proof": self.proof_purged, "export_bundles": self.bundles_purged,
                "audit_rows": self.audit_rows_dropped}


def _now(now: dt.datetime | dt.date | None) -> dt.datetime:
    if now is None:
        return utcnow()
    return now if isinstance(now, dt.datetime) else dt.datetime.combine(now, dt.time())


def _inactive(now: dt.datetime):
    cutoff = retention.months_before(now, retention.rules().inactive_archive_months)
    return Contact.archived_at.is_null() & (Contact.last_activity_at <= cutoff)


def _expired(now: dt.datetime):
    cutoff = retention.months_before(now, retention.rules().archived_erase_months)
    open_requests = DataSubjectRequest.select(DataSubjectRequest.contact).where(
        (DataSubjectRequest.status == "open") & DataSubjectRequest.contact.is_null(False))
    return (Contact.archived_at.is_null(False) & (Contact.archived_at <= cutoff)
            & Contact.restricted_at.is_null() & Contact.id.not_in(open_requests))


def _withdrawn(now: dt.datetime):
    cutoff = retention.add_years(now.date(), -retention.rules().consent_proof_years)
    return (Consent.status == "withdrawn") & (Consent.withdrawn_at <= dt.datetime.combine(cutoff, now.time()))


def _kept_invoices(now: dt.datetime):
    return ((Invoice.retained_after_erasure == True) & Invoice.contact.is_null()  # noqa: E712
            & (Invoice.retain_until <= now.date()))


def _expired_proof(now: dt.datetime):
    from peewee import fn

    cutoff = retention.add_years(now.date(), -retention.rules().erasure_proof_years)
    return (ErasureLedger.keep_until <= now.date()) | (
        ErasureLedger.keep_until.is_null() & (fn.date(ErasureLedger.erased_at) <= cutoff.isoformat()))


def _timestamp(now: dt.datetime) -> float:
    return now.replace(tzinfo=dt.UTC).timestamp()


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
    done = []
    for contact_id in ids:
        try:
            erase_person(scope, contact_id, legal_basis="retention_expired", today=when.date(), _scrub=False)
        except NotFound:  # erased meanwhile (by a request, or a second run): nothing left to do
            continue
        done.append(contact_id)
    if done:
        scrub()
    return tuple(done)


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


def _run_job(scope: Scope, job: str, when: dt.datetime) -> int | tuple[int, ...]:
    from . import optin
    from .rights.erasure import purge_expired_invoices, purge_expired_proof

    jobs: dict[str, Callable[[], int | tuple[int, ...]]] = {
        "archive": lambda: archive_inactive(scope, when),
        "erase": lambda: erase_expired(scope, when),
        "withdrawn_consents": lambda: purge_withdrawn_consents(scope, when),
        "opt_ins": lambda: optin.expire(scope, now=when),
        "invoices": lambda: purge_expired_invoices(when.date(), scope),
        "erasure_proof": lambda: purge_expired_proof(when.date(), scope),
        "export_bundles": lambda: _purge_bundles(scope, when),
        "audit_rows": lambda: audit_retention.drop_expired(scope, when),
    }
    if job not in jobs:
        raise StoreError(f"unknown hygiene job {job!r}; jobs: {', '.join(JOBS)}")
    return jobs[job]()


def _purge_bundles(scope: Scope, when: dt.datetime) -> int:
    from .rights import bundles

    scope.require("person.export")
    return bundles.purge_exports(now=_timestamp(when))


def apply_job(scope: Scope, job: str, now: dt.datetime | dt.date | None = None) -> int:
    """Do one job now (the hygiene screen applies items one by one); returns how many rows went."""
    with _exclusive():
        result = _run_job(scope, job, _now(now))
    return _count(result)


def _count(result: int | tuple[int, ...]) -> int:
    return len(result) if isinstance(result, tuple) else result


def apply(scope: Scope | None = None, now: dt.datetime | dt.date | None = None) -> HygieneRun:
    """Every retention job, in order; one summary audit row with the counts."""
    scope = scope or Scope.console()
    when = _now(now)
    with _exclusive():
        results = {job: _run_job(scope, job, when) for job in JOBS}
    erased = results["erase"]
    n = {job: _count(result) for job, result in results.items()}
    done = HygieneRun(archived=n["archive"], erased=erased if isinstance(erased, tuple) else (),
                      consents_purged=n["withdrawn_consents"], invoices_purged=n["invoices"],
                      proof_purged=n["erasure_proof"], opt_ins_purged=n["opt_ins"],
                      bundles_purged=n["export_bundles"], audit_rows_dropped=n["audit_rows"])
    audit.record(scope.user_id, "hygiene.apply", None, None, today=when.date().isoformat(), **done.counts())
    return done


run = apply  # `minicrm hygiene run` and the tests before `--apply` existed


def due_items(now: dt.datetime | dt.date | None = None) -> list[Due]:
    """What `apply` would do now, each job counted without writing, with its rule."""
    from .rights import bundles

    when = _now(now)
    r = retention.rules()
    return [
        Due("archive", Contact.select().where(_inactive(when)).count(),
            f"no activity for {r.inactive_archive_months} months: archived", str(r.inactive_archive_months)),
        Due("erase", Contact.select().where(_expired(when)).count(),
            f"archived for {r.archived_erase_months} months: erased (ledger kept)", str(r.archived_erase_months)),
        Due("withdrawn_consents", Consent.select().where(_withdrawn(when)).count(),
            f"withdrawn {r.consent_proof_years} years ago: proof deleted", str(r.consent_proof_years)),
        Due("opt_ins", OptIn.select().where(OptIn.expires_at <= when).count(),
            "unconfirmed sign-ups whose link expired: deleted", ""),
        Due("invoices", Invoice.select().where(_kept_invoices(when)).count(),
            f"5 years after the financial year (ends {r.year_end_text('en')}): invoice deleted",
            "{:02d}-{:02d}".format(*r.financial_year_end)),
        Due("erasure_proof", ErasureLedger.select().where(_expired_proof(when)).count(),
            f"erasure proof older than {r.erasure_proof_years} years: deleted", str(r.erasure_proof_years)),
        Due("export_bundles", len(bundles.expired_bundles(now=_timestamp(when))),
            f"export bundles older than {r.export_bundle_days} days: deleted", str(r.export_bundle_days)),
        Due("audit_rows", audit_retention.due(when),
            f"audit rows older than {r.audit_years} years: dropped (head kept)", str(r.audit_years)),
    ]


def due(now: dt.datetime | dt.date | None = None) -> dict[str, int]:
    """job -> how many rows `apply` would touch now."""
    return {item.job: item.count for item in due_items(now)}


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    """One hygiene run at a time across processes (a timer and an admin, two timers): a lock
    file beside the database.  The lock is the kernel's: a killed run leaves none behind."""
    from .runtime import current

    path = f"{current().config.db_path}.hygiene-lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError("another hygiene run is in progress; try again when it has finished") from None
        yield
    finally:
        os.close(fd)


__all__ = ["JOBS", "Due", "HygieneRun", "archive_inactive", "erase_expired", "purge_withdrawn_consents",
           "due", "due_items", "apply", "apply_job", "run"]
