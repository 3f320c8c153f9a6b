"""Campaigns through a real SMTP sink: only those who may be mailed, with one-click
unsubscribe headers, throttled, resumable without a second mail, audited by count."""
from __future__ import annotations

import datetime as dt

import pytest


def _people(users, texts):
    """yes1, yes2 may be mailed; the others each lack one thing."""
    from store import consent
    from store.contacts import create_contact, set_archived
    from store.db import database
    from store.rights import restrict_person
    from store.scope import Scope

    manager = Scope(users["manager"])
    text = texts[("newsletter", "da")].id
    ids = {}
    for key in ("yes1", "yes2", "withdrawn", "restricted", "archived", "undated", "offers_only"):
        cid = create_contact(manager, first_name=key, last_name="Test", email=f"{key}@firma.dk")
        ids[key] = cid
        if key == "undated":
            with database.atomic():
                consent.record_imported(cid, "newsletter", optin_at=None, confirm_at=None, evidence="x.csv",
                                        actor=None)
            continue
        consent.record_consent(manager, cid, "offers" if key == "offers_only" else "newsletter",
                               method="phone", given_on=dt.date.today(),
                               text_id=texts[("offers", "da")].id if key == "offers_only" else text,
                               evidence="Telefon")
    consent.withdraw_consent(manager, ids["withdrawn"], "newsletter", method="phone")
    restrict_person(Scope(users["privacy"]), ids["restricted"])
    set_archived(manager, ids["archived"])
    return ids


BODY = "Hej!\n\nNyt fra smedjen: vi holder åbent hus lørdag.\n"


def test_only_those_who_may_be_mailed_get_it_with_one_click_headers(store, users, texts, sink):
    from store.campaigns import send_campaign
    from store.models import AuditEvent
    from store.scope import Scope

    ids = _people(users, texts)
    dry = send_campaign(Scope(users["manager"]), "newsletter", "Åbent hus", BODY, dry_run=True)
    assert dry.would_send == [ids["yes1"], ids["yes2"]] and sink.messages == []
    assert dry.skipped == {"withdrawn": 1, "restricted": 1, "archived": 1, "proof_missing": 1}

    report = send_campaign(Scope(users["manager"]), "newsletter", "Åbent hus", BODY)
    assert (report.sent, report.failed, report.remaining) == (2, 0, 0)
    assert sorted(r for rcpts, _m in sink.messages for r in rcpts) == ["yes1@firma.dk", "yes2@firma.dk"]
    msg = sink.to("yes1@firma.dk")[0]
    link = msg["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http://crm.test/unsubscribe/") and msg["List-Unsubscribe-Post"] == \
        "List-Unsubscribe=One-Click"
    assert msg["Subject"] == "Åbent hus" and "åbent hus lørdag" in msg.get_content()
    assert link in msg.get_content()  # the body carries the link too
    assert link != sink.to("yes2@firma.dk")[0]["List-Unsubscribe"].strip().strip("<>")  # per person
    audit = AuditEvent.select().where(AuditEvent.action == "mailing.send").get()
    assert '"list":"newsletter"' in audit.detail and '"sent":2' in audit.detail and "@" not in audit.detail


def test_an_interrupted_campaign_resumes_without_mailing_anyone_twice(store, users, texts, sink):
    from store import consent
    from store.campaigns import send_campaign
    from store.contacts import create_contact
    from store.db import database
    from store.models import CampaignRecipient
    from store.scope import Scope

    manager = Scope(users["manager"])
    text = texts[("newsletter", "da")].id
    for n in range(6):
        cid = create_contact(manager, first_name=f"P{n}", email=f"p{n}@firma.dk")
        consent.record_consent(manager, cid, "newsletter", method="paper", given_on=dt.date.today(),
                               text_id=text, evidence="Blanket")

    def stop_after_two(report):
        if report.sent == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send_campaign(manager, "newsletter", "Nyt", BODY, progress=stop_after_two)
    assert len(sink.messages) == 2
    with database.atomic():  # a crash between "sending" and the SMTP answer, for the third person
        row = CampaignRecipient.select().where(CampaignRecipient.state == "pending").order_by(
            CampaignRecipient.id).first()
        CampaignRecipient.update(state="sending").where(CampaignRecipient.id == row.id).execute()
    again = send_campaign(manager, "newsletter", "Nyt", BODY)
    assert again.resumed and (again.sent, again.uncertain, again.remaining) == (3, 1, 0)
    got = [r for rcpts, _m in sink.messages for r in rcpts]
    assert len(got) == len(set(got)) == 5  # nobody twice; the uncertain one not again
    fresh = send_campaign(manager, "newsletter", "Nyt", BODY)  # finished: the same command is a new campaign
    assert not fresh.resumed and fresh.sent == 6


def test_throttled_and_a_refused_recipient_is_reported(store, users, texts, sink):
    from store import consent
    from store.campaigns import send_campaign
    from store.contacts import create_contact
    from store.scope import Scope

    manager = Scope(users["manager"])
    for n in range(4):
        cid = create_contact(manager, first_name=f"P{n}", email=f"p{n}@firma.dk")
        consent.record_consent(manager, cid, "newsletter", method="paper", given_on=dt.date.today(),
                               text_id=texts[("newsletter", "da")].id, evidence="Blanket")
    sink.fail_for = {"p2@firma.dk"}
    from store import runtime

    runtime.current().config.values["mail"]["campaign_per_minute"] = 60  # one a second
    waits = []  # the sleeps asked for, none taken: the n-th mail waits for its turn, n seconds on
    report = send_campaign(manager, "newsletter", "Nyt", BODY, sleep=waits.append)
    assert (report.sent, report.failed) == (3, 1)
    assert len(waits) == 3 and all(0 < w <= n + 1 for n, w in enumerate(waits))


def test_roles_and_the_command_line(store, users, texts, sink, run_cli, tmp_path):
    from store.campaigns import send_campaign
    from store.errors import Forbidden
    from store.scope import Scope

    ids = _people(users, texts)
    for role in ("sales", "finance", "privacy"):
        with pytest.raises(Forbidden):
            send_campaign(Scope(users[role]), "newsletter", "Nyt", BODY, dry_run=True)
    body = tmp_path / "body.txt"
    body.write_text(BODY, encoding="utf-8")
    from store import runtime

    runtime.close_store()
    dry = run_cli(store, "mailing", "send", "newsletter", "--subject", "Nyt", "--body", str(body), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"contact ids: {ids['yes1']} {ids['yes2']}" in dry.stdout and "@" not in dry.stdout
    sent = run_cli(store, "mailing", "send", "newsletter", "--subject", "Nyt", "--body", str(body))
    assert sent.returncode == 0 and "sent 2, failed 0" in sent.stdout, sent.stderr
    assert len(sink.messages) == 2
    bad = run_cli(store, "mailing", "send", "newsletter", "--subject", "Nyt\r\nBcc: x@y.dk", "--body", str(body))
    assert bad.returncode != 0 and "subject" in bad.stderr and len(sink.messages) == 2
