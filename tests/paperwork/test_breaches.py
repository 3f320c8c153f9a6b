"""The breach register (Art. 33(5)): every breach documented, the 72-hour deadline counted from
awareness, audited without its text, for the admin and privacy roles only."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from store import breaches
from store.errors import Forbidden, Invalid
from store.models import AuditEvent, utcnow

NATURE = "Bærbar med eksport af kontakt 17 og 18 glemt i toget; uden diskkryptering"


def _record(scope, **over):
    values = {"aware_at": utcnow() - dt.timedelta(hours=2), "kind": "confidentiality", "nature": NATURE,
              "data_categories": "identity contact_details", "people_approx": 40, "records_approx": 120,
              "consequences": "Risiko for phishing", "measures": "Kontoen spærret; eksporten slettet eksternt"}
    values.update(over)
    return breaches.record_breach(scope, **values)


@pytest.fixture
def console():
    from store.scope import Scope

    return Scope.console()


def test_the_deadline_is_72_hours_from_awareness_with_time_left_or_overdue(store, console):
    now = dt.datetime(2026, 5, 4, 12, 0)
    fresh = _record(console, aware_at=now - dt.timedelta(hours=70), now=now)
    assert fresh.deadline == dt.datetime(2026, 5, 4, 14, 0)
    assert fresh.time_left(now) == dt.timedelta(hours=2) and fresh.status(now) == "open"
    late = _record(console, aware_at=now - dt.timedelta(hours=75), now=now)
    assert late.status(now) == "overdue" and late.time_left(now) == -dt.timedelta(hours=3)
    # notified in time, notified late, and documented without notification: the clock stops
    ok = breaches.update_breach(console, fresh.id, notified_at=now - dt.timedelta(hours=1), now=now)
    assert ok.status(now) == "notified" and ok.time_left(now) is None
    after = breaches.update_breach(console, late.id, notified_at=now, now=now)
    assert after.status(now) == "notified_late"
    kept = _record(console, aware_at=now - dt.timedelta(hours=100), now=now,
                   not_notified_reason="Krypteret disk; ingen sandsynlig risiko (art. 33, stk. 1)")
    assert kept.status(now) == "not_notified" and kept.time_left(now) is None
    assert [b.id for b in breaches.list_breaches(console)] == [fresh.id, late.id, kept.id]


def test_every_write_is_audited_by_id_and_field_names_never_the_text(store, console):
    view = _record(console)
    breaches.update_breach(console, view.id, people_told_at=utcnow(), people_told_note="Mail til de 40 berørte")
    breaches.get_breach(console, view.id)
    rows = list(AuditEvent.select().where(AuditEvent.entity == "breach").order_by(AuditEvent.id))
    assert [r.action for r in rows] == ["breach.record", "breach.update", "breach.view"]
    assert all(r.entity_id == view.id for r in rows)
    assert json.loads(rows[1].detail)["fields"] == ["people_told_at", "people_told_note"]
    for r in rows:
        assert "toget" not in r.detail and "phishing" not in r.detail and "berørte" not in r.detail


def test_only_admin_and_privacy_may_see_or_record_breaches(store, users):
    from store.scope import Scope

    admin = Scope(users["admin"])
    view = _record(Scope(users["privacy"]))
    assert breaches.get_breach(admin, view.id).nature == NATURE
    for role in ("manager", "sales", "finance"):
        scope = Scope(users[role])
        with pytest.raises(Forbidden):
            _record(scope)
        with pytest.raises(Forbidden):
            breaches.list_breaches(scope)
        with pytest.raises(Forbidden):
            breaches.update_breach(scope, view.id, measures="x")
    refusals = AuditEvent.select().where(AuditEvent.action == "access.forbidden").count()
    assert refusals == 9
    assert [b.id for b in breaches.list_breaches(admin)] == [view.id]


@pytest.mark.parametrize("values, field", [
    ({"aware_at": "i går"}, "aware_at"),
    ({"aware_at": utcnow() + dt.timedelta(days=2)}, "aware_at"),
    ({"nature": ""}, "nature"),
    ({"nature": "tekst \x1b[2J"}, "nature"),
    ({"measures": "Kunden med CPR 010190-1235 er ringet op"}, "measures"),
    ({"data_categories": "health"}, "data_categories"),
    ({"people_approx": -1}, "people_approx"),
    ({"kind": "leak"}, "kind"),
    ({"occurred_at": utcnow()}, "occurred_at"),  # after awareness (2 h ago)
])
def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_written(store, console, values, field):
    from store.models import Breach

    with pytest.raises(Invalid) as caught:
        _record(console, **values)
    assert caught.value.field == field
    assert Breach.select().count() == 0


def test_breach_add_update_list_show_from_the_command_line(closed_store, run_cli):
    aware = (utcnow() - dt.timedelta(hours=80)).strftime("%Y-%m-%d %H:%M")
    added = run_cli(closed_store, "breach", "add", "--aware", aware, "--nature", NATURE,
                    "--categories", "identity,contact_details", "--people", "40", "--records", "120",
                    "--consequences", "Risiko for phishing", "--measures", "Kontoen spærret")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Recorded breach 1: notification deadline ") and "overdue by 8 h" in added.stdout
    recent = (utcnow() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    second = run_cli(closed_store, "breach", "add", "--aware", recent, "--nature", "Forkert modtager af mail",
                     "--notified", recent, "--people-told", recent, "--people-told-note", "Brev sendt")
    assert second.returncode == 0, second.stderr

    listed = run_cli(closed_store, "breach", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "aware", "(UTC)"]
    assert lines[2].split()[0] == "2" and f"notified {recent}" in lines[2]
    assert lines[3].split()[0] == "1" and "overdue by 8 h" in lines[3] and "Bærbar med eksport" in lines[3]

    shown = run_cli(closed_store, "breach", "show", "1")
    assert shown.returncode == 0, shown.stderr
    for needle in (NATURE, "Name and job title, Contact details", "40", "120", "Risiko for phishing",
                   "Kontoen spærret", "overdue by 8 h", "People told (Art. 34)"):
        assert needle in shown.stdout, needle

    told = utcnow().strftime("%Y-%m-%d %H:%M")
    updated = run_cli(closed_store, "breach", "update", "1", "--notified", told)
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.strip() == f"Saved breach 1: notified {told} (after the 72-hour deadline)."
    nothing = run_cli(closed_store, "breach", "update", "1")
    assert nothing.returncode == 1 and "at least one option" in nothing.stderr

    bad = run_cli(closed_store, "breach", "add", "--aware", "soon", "--nature", "x")
    assert bad.returncode == 1 and bad.stderr.strip() == "minicrm: aware_at: must be a time as YYYY-MM-DD HH:MM (UTC)"
    missing = run_cli(closed_store, "breach", "show", "9")
    assert missing.returncode == 1 and "breach 9 not found" in missing.stderr
