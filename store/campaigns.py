"""Sending a marketing mail to a list (issue 13): only to people the list may mail.

The recipients are exactly `mailing.recipients()` when the campaign starts
(given, dated, proven, unexpired consent; not restricted, archived or erased)
and each one is checked again just before their mail goes, so a withdrawal
made meanwhile is honoured at once.  Every mail carries the person's own
unsubscribe link in the body and in `List-Unsubscribe` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 2369, RFC 8058).

Resumable without mailing anyone twice: the recipients are written down when
the campaign starts; each is marked `sending` (committed) before the SMTP
transaction and `sent` after it.  Running the same list, subject and body
again resumes the unfinished campaign; a row a crash left in `sending` is
never sent again (reported as uncertain: better one mail too few than two).
Throttled to `mail.campaign_per_minute`.  Audited with the list and the
counts, never an address.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import audit, mailer, validate
from .bilingual import Bilingual
from .consent import repermission_before
from .db import database
from .errors import ConfigError, Invalid
from .mailing import recipients, skipped
from .models import Campaign, CampaignRecipient, Consent, Contact, utcnow
from .scope import Scope

MAX_BODY = 100_000
FOOTER = Bilingual("Du får denne e-mail, fordi du har sagt ja til den. Afmeld med ét klik: {link}",
                   "You get this e-mail because you said yes to it. Unsubscribe with one click: {link}")


@dataclass
class CampaignReport:
    campaign_id: int | None
    list_name: str
    resumed: bool = False
    sent: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    uncertain: int = 0  # left in 'sending' by an interrupted run: not sent again
    remaining: int = 0  # still pending (the SMTP server went away): run again to resume
    would_send: list[int] = field(default_factory=list)  # dry run: the contact ids

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n


def _still_eligible(contact_id: int, list_name: str, now: dt.datetime) -> bool:
    """The per-mail re-check: one indexed read (consent and contact), the rule of mailing._eligible."""
    return (Consent.select().join(Contact, on=(Consent.contact == Contact.id))
            .where((Consent.contact == contact_id) & (Consent.purpose == list_name) & (Consent.channel == "email")
                   & (Consent.status == "given") & Consent.withdrawn_at.is_null()
                   & (Consent.proof_missing == False)  # noqa: E712
                   & (Consent.given_at >= repermission_before(now))
                   & Contact.restricted_at.is_null() & Contact.archived_at.is_null()
                   & Contact.email.is_null(False)).exists())


def send_campaign(scope: Scope, list_name: str, subject: str, body: str, *, dry_run: bool = False,
                  now: Callable[[], dt.datetime] = utcnow, sleep: Callable[[float], None] = time.sleep,
                  progress: Callable[[CampaignReport], None] | None = None) -> CampaignReport:
    scope.require("mailing.send")
    subject = validate.text("subject", subject, max_length=200, required=True)
    body = validate.multiline("body", body, max_length=MAX_BODY)
    if not body:
        raise Invalid("body", "is empty")
    people = recipients(scope, list_name)
    report = CampaignReport(None, list_name)
    for reason, n in skipped(scope, list_name).items():
        report.skip(reason, n)
    if dry_run:
        report.would_send = [p.contact_id for p in people]
        audit.record(scope.user_id, "mailing.dry_run", None, None, list=list_name, count=len(people))
        return report

    from .runtime import current
    from .unsubscribe import url_for

    config = current().config
    if not config["web.base_url"]:
        raise ConfigError(f"{config.source}: web.base_url must be set: every marketing mail carries an "
                          "unsubscribe link")
    if not mailer.configured():
        raise ConfigError(f"{config.source}: mail.host and mail.from_address must be set to send mail")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    campaign, report.resumed = _start(scope, list_name, subject, digest, [p.contact_id for p in people])
    report.campaign_id = campaign.id
    language = config["ui.language"] or "da"
    interval = 60.0 / config["mail.campaign_per_minute"]
    pending = list(CampaignRecipient.select().where((CampaignRecipient.campaign == campaign.id)
                                                    & (CampaignRecipient.state == "pending"))
                   .order_by(CampaignRecipient.id))
    report.uncertain = (CampaignRecipient.select().where((CampaignRecipient.campaign == campaign.id)
                                                         & (CampaignRecipient.state == "sending")).count())
    next_at = time.monotonic()
    from .runtime import derived_key

    key = derived_key("unsubscribe")
    try:
        with mailer.Connection() as smtp:
            for row in pending:
                scope.check_session()  # a revoked session stops its campaign at the next mail
                if not _still_eligible(row.contact_id, list_name, now()):
                    _mark(row.id, "skipped", now())
                    report.skip("withdrawn_meanwhile")
                    continue
                wait = next_at - time.monotonic()
                if wait > 0:
                    sleep(wait)
                next_at = max(next_at + interval, time.monotonic())
                address = Contact.get_by_id(row.contact_id).email or ""  # never empty: re-checked above
                link = url_for(row.contact_id, key=key)
                msg = mailer.message(address, subject, f"{body}\n\n-- \n{FOOTER.in_language(language, link=link)}\n",
                                     headers={"List-Unsubscribe": f"<{link}>",
                                              "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                              "Precedence": "bulk"})
                _mark(row.id, "sending", now())  # committed first: a crash now never leads to a second mail
                try:
                    smtp.send(msg)
                except mailer.MailError:
                    _mark(row.id, "failed", now())
                    report.failed += 1
                else:
                    _mark(row.id, "sent", now())
                    report.sent += 1
                if progress:
                    progress(report)
    except mailer.MailError:  # the server went away: what is left stays pending for the next run
        report.remaining = (CampaignRecipient.select().where((CampaignRecipient.campaign == campaign.id)
                                                             & (CampaignRecipient.state == "pending")).count())
    finally:
        _finish(scope, campaign, report, now())
    return report


def _start(scope: Scope, list_name: str, subject: str, digest: str, contact_ids: list[int]):
    """The unfinished campaign with this list, subject and body, or a new one with its recipients."""
    with scope.transaction():
        found = (Campaign.select().where((Campaign.list_name == list_name) & (Campaign.subject == subject)
                                         & (Campaign.body_sha256 == digest) & Campaign.finished_at.is_null())
                 .order_by(Campaign.id.desc()).first())
        if found is not None:
            return found, True
        campaign = Campaign.create(list_name=list_name, subject=subject, body_sha256=digest,
                                   started_at=utcnow(), started_by=scope.user_id)
        rows = [(campaign.id, cid, "pending") for cid in contact_ids]
        for start in range(0, len(rows), 5000):
            CampaignRecipient.insert_many(rows[start:start + 5000], fields=[
                CampaignRecipient.campaign, CampaignRecipient.contact, CampaignRecipient.state]).execute()
        audit.record(scope.user_id, "mailing.send_start", "campaign", campaign.id, list=list_name,
                     count=len(rows))
    return campaign, False


def _mark(row_id: int, state: str, at: dt.datetime) -> None:
    with database.atomic():  # one short BEGIN IMMEDIATE per mail: other sessions never wait long
        CampaignRecipient.update(state=state, at=at).where(CampaignRecipient.id == row_id).execute()


def _finish(scope: Scope, campaign: Campaign, report: CampaignReport, at: dt.datetime) -> None:
    with database.atomic():
        left = CampaignRecipient.select().where((CampaignRecipient.campaign == campaign.id)
                                                & (CampaignRecipient.state == "pending")).exists()
        if not left:
            Campaign.update(finished_at=at).where(Campaign.id == campaign.id).execute()
        audit.record(scope.user_id, "mailing.send", "campaign", campaign.id, list=report.list_name,
                     sent=report.sent, failed=report.failed, skipped=sum(report.skipped.values()),
                     uncertain=report.uncertain, remaining=report.remaining)


__all__ = ["CampaignReport", "send_campaign"]
