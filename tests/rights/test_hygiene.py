"""The retention jobs do what the report says, from the same settings."""
from __future__ import annotations

import datetime as dt

from store import contacts, hygiene
from store.db import database
from store.models import AuditEvent, Consent, ConsentEvent, Contact

NOW = dt.datetime(2027, 6, 15, 12, 0)


def _contact(scope, name: str, **columns) -> int:
    cid = contacts.create_contact(scope, first_name=name)
    if columns:
        with database.atomic():
            Contact.update(**columns).where(Contact.id == cid).execute()
    return cid


def _months_ago(n: int) -> dt.datetime:
    from store.rights.requests import add_months

    return dt.datetime.combine(add_months(NOW.date(), -n), NOW.time())


def test_inactive_contacts_are_archived_after_the_set_months(store, scopes):
    from store import runtime

    manager = scopes["manager"]
    old = _contact(manager, "Gammel", last_activity_at=_months_ago(25))
    recent = _contact(manager, "Nyere", last_activity_at=_months_ago(23))
    assert hygiene.due(NOW)["archive"] == 1
    assert hygiene.archive_inactive(scopes["admin"], NOW) == 1
    assert Contact.get_by_id(old).archived_at == NOW and Contact.get_by_id(recent).archived_at is None

    runtime.current().config.values["retention"]["inactive_archive_months"] = 12
    try:
        assert hygiene.archive_inactive(scopes["admin"], NOW) == 1
    finally:
        runtime.current().config.values["retention"]["inactive_archive_months"] = 24
    assert Contact.get_by_id(recent).archived_at == NOW


def test_archived_contacts_are_erased_after_the_set_months_unless_restricted_or_asked_about(
        store, scopes, handled_by):
    from store.rights import restrict_person

    manager = scopes["manager"]
    gone = _contact(manager, "Udløbet", archived_at=_months_ago(13))
    young = _contact(manager, "Arkiveret", archived_at=_months_ago(11))
    restricted = _contact(manager, "Begrænset", archived_at=_months_ago(13))
    asking = _contact(manager, "Spørger", archived_at=_months_ago(13))
    handled_by("privacy", restricted, "restriction")
    restrict_person(scopes["privacy"], restricted)
    handled_by("privacy", asking, "access")

    assert hygiene.erase_expired(scopes["admin"], NOW) == (gone,)
    assert not Contact.select().where(Contact.id == gone).exists()
    assert {c.id for c in Contact.select()} >= {young, restricted, asking}
    event = AuditEvent.select().where(AuditEvent.action == "person.erase").get()
    assert event.entity_id == gone and '"legal_basis":"retention_expired"' in event.detail


def test_withdrawn_consents_go_after_the_set_years(store, scopes):
    manager = scopes["manager"]
    cid = _contact(manager, "Samtykke")
    with database.atomic():
        old = Consent.create(contact=cid, purpose="newsletter", channel="email", status="withdrawn",
                             given_at=dt.datetime(2023, 1, 1), withdrawn_at=dt.datetime(2025, 6, 1))
        ConsentEvent.create(consent=old.id, at=dt.datetime(2025, 6, 1), event="withdrawn", method="email")
        kept = Consent.create(contact=cid, purpose="offers", channel="email", status="withdrawn",
                              given_at=dt.datetime(2023, 1, 1), withdrawn_at=dt.datetime(2026, 1, 1))
        given = Consent.create(contact=cid, purpose="events", channel="email", status="given",
                               given_at=dt.datetime(2020, 1, 1))
    assert hygiene.purge_withdrawn_consents(scopes["admin"], NOW) == 1  # 2 years after withdrawal
    assert {c.id for c in Consent.select()} == {kept.id, given.id}
    assert not ConsentEvent.select().where(ConsentEvent.consent == old.id).exists()


def test_run_does_every_job(store, scopes):
    manager = scopes["manager"]
    _contact(manager, "Inaktiv", last_activity_at=_months_ago(30))
    expired = _contact(manager, "Udløbet", archived_at=_months_ago(20), last_activity_at=_months_ago(40))
    result = hygiene.run(now=NOW)
    assert result.archived == 1 and result.erased == (expired,)
    assert set(hygiene.due(NOW).values()) == {0}


def test_the_console_runs_the_jobs_and_prints_the_hygiene_report(store, scopes, run_cli):
    from store import notes

    manager = scopes["manager"]
    cid = _contact(manager, "Inaktiv", last_activity_at=_months_ago(30))
    notes.add_note(manager, cid, body="allergi: jordnødder", allow_special=True)  # activity is now
    with database.atomic():
        Contact.update(last_activity_at=_months_ago(30)).where(Contact.id == cid).execute()
    for report in (run_cli(store, "hygiene", "--today", NOW.date().isoformat()),
                   run_cli(store, "hygiene", "report", "--today", NOW.date().isoformat())):  # the older name
        assert report.returncode == 0, report.stderr
        due = next(ln for ln in report.stdout.splitlines() if ln.startswith("archive "))
        assert due.split()[1] == "1" and "24 months" in due
        assert next(ln for ln in report.stdout.splitlines() if ln.startswith("erase ")).split()[1] == "0"
        assert "(1 saved despite special-category words" in report.stdout
        line = next(ln for ln in report.stdout.splitlines() if ln.startswith("note"))
        assert "health" in line and str(cid) in line and "jordn" not in report.stdout
    done = run_cli(store, "hygiene", "--apply", "--today", NOW.date().isoformat())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hygiene applied: archived 1,") and len(done.stdout.splitlines()) == 1
    again = run_cli(store, "hygiene", "run", "--today", NOW.date().isoformat())  # the older name; idempotent
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("hygiene applied: archived 0, erased 0")
    review = run_cli(store, "hygiene", "review-done")
    assert review.returncode == 0, review.stderr
    assert review.stdout.startswith("Access review ") and review.stdout.rstrip().endswith("recorded.")
    after = run_cli(store, "hygiene")
    assert "Access review: last recorded " in after.stdout and "by the console" in after.stdout
