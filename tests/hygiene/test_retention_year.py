"""A year of retention on demo data, with the clock in the test's hand: inactive contacts are
archived (and leave search and the lists), archived ones are erased through the erasure path
with a ledger entry, kept invoices go on their bookkeeping date, and each run is idempotent."""
from __future__ import annotations

import datetime as dt
import re

from store import contacts, demo, hygiene, mailing
from store.db import database
from store.models import AuditEvent, Consent, Contact, ErasureLedger, Invoice
from store.rights.requests import add_months

START = dt.datetime(2027, 1, 15, 3, 30)


def _months(n: int) -> dt.datetime:
    return dt.datetime.combine(add_months(START.date(), n), START.time())


def test_a_year_of_retention_on_demo_data(store, scopes, users):
    demo.generate(120)
    ids = [c.id for c in Contact.select(Contact.id).order_by(Contact.id)]
    quiet, archived_early, active = ids[:20], ids[20:30], ids[30:]
    with database.atomic():
        Contact.update(last_activity_at=dt.datetime(2024, 6, 1)).where(Contact.id.in_(quiet)).execute()
        Contact.update(last_activity_at=dt.datetime(2024, 1, 1), archived_at=dt.datetime(2026, 3, 1)).where(
            Contact.id.in_(archived_early)).execute()
        Contact.update(last_activity_at=dt.datetime(2026, 12, 1)).where(Contact.id.in_(active)).execute()
        # one invoice of an early-archived person, issued in 2022: kept after the erasure until 2028-01-01
        billed = archived_early[0]
        Invoice.create(number="F-2022-1", issued_on=dt.date(2022, 6, 1), due_on=dt.date(2022, 7, 1),
                       amount_minor=1_000_00, contact=billed, billing_name="Kunde", retain_until=dt.date(2028, 1, 1))
        Consent.update(given_at=dt.datetime(2026, 6, 1)).where(Consent.contact.in_(quiet)).execute()

    on_list_before = {r.contact_id for r in mailing.recipients(scopes["admin"], "newsletter", now=START)}
    first = hygiene.apply(now=START)
    assert set(first.erased) == set() and first.archived == len(quiet)
    # archived: hidden from daily work and from the mailing list
    assert {c.id for c in Contact.select().where(Contact.archived_at == START)} == set(quiet)
    visible = {r.id for r in contacts.search_contacts(scopes["manager"], "", limit=1000)}
    assert not visible & set(quiet)
    listed = {r.contact_id for r in mailing.recipients(scopes["admin"], "newsletter", now=START)}
    assert not listed & set(quiet) and (on_list_before - set(quiet)) <= listed

    # the same day again: nothing left to do (idempotent, safe from a timer firing twice)
    assert set(hygiene.due(START).values()) == {0}
    assert hygiene.apply(now=START).counts() == dict.fromkeys(hygiene.JOBS, 0)

    erased: list[int] = []
    for month in range(1, 12):
        erased += hygiene.apply(now=_months(month)).erased
    # the early-archived were erased in March 2027 (12 months after archiving), by the erasure path
    assert sorted(erased) == sorted(archived_early)
    assert ErasureLedger.select().where(ErasureLedger.legal_basis == "retention_expired").count() == 10
    assert AuditEvent.select().where((AuditEvent.action == "person.erase")
                                     & AuditEvent.entity_id.in_(archived_early)).count() == 10
    kept = Invoice.get(Invoice.number == "F-2022-1")
    assert kept.contact_id is None and kept.retained_after_erasure and kept.retain_until == dt.date(2028, 1, 1)

    # the invoice goes on its bookkeeping date, not a day before
    hygiene.apply(now=dt.datetime(2027, 12, 31, 3, 30))
    assert Invoice.select().where(Invoice.number == "F-2022-1").exists()
    due_then = Invoice.select().where(Invoice.retained_after_erasure & (Invoice.retain_until == dt.date(2028, 1, 1)))
    expected = due_then.count()
    done = hygiene.apply(now=dt.datetime(2028, 1, 1, 3, 30))
    assert done.invoices_purged == expected and not Invoice.select().where(Invoice.number == "F-2022-1").exists()
    assert Invoice.select().where(Invoice.retained_after_erasure).count() == Invoice.select().where(
        Invoice.retained_after_erasure & (Invoice.retain_until > dt.date(2028, 1, 1))).count()
    # the quiet ones are erased a year after they were archived, and the active ones are all there
    done = hygiene.apply(now=_months(12))
    assert sorted(done.erased) == sorted(quiet)
    assert {c.id for c in Contact.select()} == set(active)
    summaries = AuditEvent.select().where(AuditEvent.action == "hygiene.apply").count()
    assert summaries == 16


def test_changing_a_retention_setting_changes_the_job_and_the_report_together(
        store, scopes, handled_by, retention_setting):
    from store.rights import export
    from store.rights.report import render_text

    cid = contacts.create_contact(scopes["manager"], first_name="Stille")
    with database.atomic():
        Contact.update(last_activity_at=dt.datetime(2026, 1, 1)).where(Contact.id == cid).execute()
    handled_by("privacy", cid, "access")
    now = dt.datetime(2027, 3, 1)

    def report_text() -> str:
        text = render_text(export.collect_person(scopes["privacy"], cid, language="da"))
        return " ".join(re.sub(r"[│─┌┐└┘├┤┬┴┼]", " ", text).split())  # table cells wrap over lines

    assert hygiene.due(now)["archive"] == 0 and "24 måneder uden aktivitet" in report_text()
    retention_setting("inactive_archive_months", 12)
    rule = next(item.rule for item in hygiene.due_items(now) if item.job == "archive")
    assert hygiene.due(now)["archive"] == 1 and rule.startswith("no activity for 12 months")
    assert "12 måneder uden aktivitet" in report_text()


def test_a_second_run_while_one_is_going_is_refused_not_doubled(store):
    """Two timers (or a timer and an admin) never run the jobs at once: the second is told."""
    import fcntl
    import os

    import pytest

    from store.errors import StoreError

    fd = os.open(f"{store.db_path}.hygiene-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a run in another process holds it
        with pytest.raises(StoreError, match="another hygiene run is in progress"):
            hygiene.apply(now=START)
    finally:
        os.close(fd)
    assert hygiene.apply(now=START).counts()["archive"] == 0  # the lock gone with its holder
