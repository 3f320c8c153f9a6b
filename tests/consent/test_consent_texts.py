"""Consent texts are data: every consent points at the exact wording it was given under,
staff pick a published version (never free text), imported consent keeps its own dates."""
from __future__ import annotations

import datetime as dt
import io

import peewee
import pytest

from store.errors import Forbidden, Invalid


def _contact(scope, first="Søren", email="soren@smedjen.dk"):
    from store.contacts import create_contact

    return create_contact(scope, first_name=first, last_name="Smed", email=email)


def test_publishing_a_new_version_never_changes_what_earlier_consents_point_to(store, users, texts):
    from store import consent, consent_texts
    from store.scope import Scope

    admin, manager = Scope(users["admin"]), Scope(users["manager"])
    v1 = texts[("newsletter", "da")]
    assert v1.version == 1 and "tilbage" in v1.wording and v1.sha256 == consent_texts.digest(v1.wording)
    cid = _contact(manager)
    consent.record_consent(manager, cid, "newsletter", method="phone", given_on=dt.date.today(),
                           text_id=v1.id, evidence="Sagde ja i telefonen til Mette")
    v2 = consent_texts.publish_text(admin, "newsletter", "da",
                                    "Nyt om smedjen hver måned. Du kan altid afmelde dig i bunden af mailen.")
    assert (v2.version, v2.published_by) == (2, "admin-user")
    assert consent_texts.current_text("newsletter", "da").id == v2.id

    (given,) = consent.consents_of(manager, cid)
    assert (given.text_id, given.wording, given.text_sha256) == (v1.id, v1.wording, v1.sha256)
    assert given.text_version == "newsletter-da-v1" and given.events[0].text_version == "newsletter-da-v1"


def test_a_published_text_cannot_be_edited_or_deleted_even_in_sql(store, texts):
    from store.db import database

    t = texts[("offers", "en")]
    for sql in ("UPDATE consent_text SET wording = 'x' WHERE id = ?", "DELETE FROM consent_text WHERE id = ?"):
        with pytest.raises(peewee.IntegrityError, match="never"), database.atomic():
            database.execute_sql(sql, (t.id,))


def test_publishing_is_for_admins_and_the_wording_must_say_how_to_withdraw(store, users, texts):
    from store import consent_texts
    from store.scope import Scope

    with pytest.raises(Forbidden):
        consent_texts.publish_text(Scope(users["manager"]), "newsletter", "da", "x" * 40 + " afmeld")
    admin = Scope(users["admin"])
    with pytest.raises(Invalid, match="withdrawn"):
        consent_texts.publish_text(admin, "newsletter", "en", "Yes, send me the newsletter every month.")
    with pytest.raises(Invalid, match="purpose"):
        consent_texts.publish_text(admin, "lottery", "en", "Yes, and I can withdraw at any time.")
    with pytest.raises(Invalid, match="control"):
        consent_texts.publish_text(admin, "events", "en", "Yes \u202e I can withdraw at any time.")


def test_staff_must_pick_a_published_text_of_the_same_purpose(store, users, texts):
    from store import consent
    from store.models import Consent
    from store.scope import Scope

    manager = Scope(users["manager"])
    cid = _contact(manager)
    for bad in ("whatever", None, 99999, texts[("offers", "da")].id):
        with pytest.raises(Invalid, match="text"):
            consent.record_consent(manager, cid, "newsletter", method="paper", given_on=dt.date.today(),
                                   text_id=bad, evidence="Underskrevet blanket i mappe 3")
    with pytest.raises(Invalid, match="published"):  # agreed to a text before it existed
        consent.record_consent(manager, cid, "newsletter", method="paper", given_on=dt.date(2020, 1, 1),
                               text_id=texts[("newsletter", "da")].id, evidence="Blanket")
    assert Consent.select().count() == 0


def test_undated_imported_consent_is_proof_missing_and_never_mailed(store, users, texts):
    from store import consent, mailing
    from store.db import database
    from store.scope import Scope

    manager = Scope(users["manager"])
    dated, undated = _contact(manager, "Åse", "aase@smedjen.dk"), _contact(manager, "Bo", "bo@smedjen.dk")
    with database.atomic():
        consent.record_imported(dated, "newsletter", optin_at=dt.datetime(2025, 3, 1, 9),
                                confirm_at=dt.datetime(2025, 3, 1, 9, 5), evidence="mailchimp.csv, line 2",
                                actor=users["manager"].id)
        consent.record_imported(undated, "newsletter", optin_at=None, confirm_at=None,
                                evidence="mailchimp.csv, line 3", actor=users["manager"].id)
    (a,) = consent.consents_of(manager, dated)
    assert a.given_at == dt.datetime(2025, 3, 1, 9, 5) and not a.proof_missing
    assert [e.event for e in a.events] == ["given", "requested"]
    (b,) = consent.consents_of(manager, undated)
    assert b.proof_missing and b.given_at is None and "proof missing" in b.events[0].evidence
    assert [r.contact_id for r in mailing.recipients(manager, "newsletter")] == [dated]
    assert mailing.skipped(manager, "newsletter") == {"proof_missing": 1}
    out = io.BytesIO()
    assert mailing.write_list_csv(manager, "newsletter", out) == 1
    assert b"http://crm.test/unsubscribe/" in out.getvalue()


def test_old_consent_is_flagged_for_repermission_and_left_off_the_list(store, users, texts):
    from store import consent, mailing
    from store.scope import Scope

    manager = Scope(users["manager"])
    cid = _contact(manager)
    consent.record_consent(manager, cid, "newsletter", method="in_person",
                           given_on=dt.date.today(), text_id=texts[("newsletter", "da")].id,
                           evidence="Messe i Herning")
    assert not consent.consents_of(manager, cid)[0].needs_repermission
    later = dt.datetime.now() + dt.timedelta(days=25 * 31)  # default: 24 months
    assert mailing.recipients(manager, "newsletter", now=later) == []
    assert mailing.skipped(manager, "newsletter", now=later) == {"needs_repermission": 1}


def test_purposes_come_from_the_config(tmp_path):
    from store.config import ConfigError, load_config, write_config

    path = tmp_path / "c.toml"
    write_config(path, "crm.db", "crm.key", consent={"purposes": ["nyhedsbrev", "kurser"]})
    assert load_config(path)["consent.purposes"] == ["nyhedsbrev", "kurser"]
    write_config(path, "crm.db", "crm.key", consent={"purposes": ["../etc"]})
    with pytest.raises(ConfigError, match=r"consent\.purposes"):
        load_config(path)


def test_a_mailchimp_unsubscribed_export_withdraws_consent(store, users, texts, tmp_path):
    from store import consent, mailing
    from store.errors import ImportFileError
    from store.scope import Scope
    from store.withdrawals import apply_withdrawals

    manager = Scope(users["manager"])
    ids = []
    for name in ("aase", "bo"):
        cid = _contact(manager, name, f"{name}@smedjen.dk")
        consent.record_consent(manager, cid, "newsletter", method="paper", given_on=dt.date.today(),
                               text_id=texts[("newsletter", "da")].id, evidence="Blanket")
        ids.append(cid)
    export = tmp_path / "unsubscribed_members.csv"
    export.write_text('"Email Address","First Name",UNSUB_TIME,UNSUB_CAMPAIGN_TITLE\n'
                      '"AASE@smedjen.dk","Åse","2026-11-01 10:00:00","November"\n'
                      '"nobody@smedjen.dk","X","2026-11-01 10:00:00","November"\n'
                      '"not an address","Y","",""\n', encoding="utf-8")
    report = apply_withdrawals(manager, export)
    assert (report.kind, report.withdrawn, report.unknown, report.problems) == (
        "unsubscribed", 1, 1, ["line 4: not an e-mail address"])
    assert [r.contact_id for r in mailing.recipients(manager, "newsletter")] == [ids[1]]
    (gone,) = consent.consents_of(manager, ids[0])
    assert gone.status == "withdrawn" and gone.events[0].event == "withdrawn"
    assert "line 2: unsubscribed at 2026-11-01 10:00:00" in gone.events[0].evidence
    assert apply_withdrawals(manager, export).not_given == 1  # applied twice: nothing more happens
    wrong = tmp_path / "subscribed.csv"
    wrong.write_text('"Email Address",OPTIN_TIME\n"bo@smedjen.dk","2020-01-01"\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match="UNSUB_TIME or CLEAN_TIME"):
        apply_withdrawals(manager, wrong)
