"""Consent per contact and purpose, with its proof (GDPR Art. 7(1)).

Every consent points at the exact published text it was given under
(consent_texts.py).  Staff recording a consent given by phone, on paper or in
person pick a published version (never free text) and add the method, the
date and an evidence note.  Web-form consent arrives through optin.py.  An
imported consent keeps the dates and evidence of the file it came from; one
without a date is recorded as "proof missing" and never counts for sending.
Every change leaves a ConsentEvent, so the full history can be shown and
proven.  Consent older than `consent.repermission_months` is flagged.
"""
from __future__ import annotations

import datetime as dt

from . import audit, changes, validate
from .consent_texts import purposes
from .db import tuples
from .errors import Invalid, NotGiven, Restricted
from .models import Consent, ConsentEvent, ConsentText, User, utcnow
from .processing import CHANNELS, CONSENT_METHODS, CONSENT_PURPOSES
from .scope import Scope
from .views import ConsentEventView, ConsentView

MANUAL_METHODS = ("phone", "paper", "in_person")
WITHDRAW_METHODS = ("phone", "paper", "in_person", "email", "web_unsubscribe", "import")


def repermission_before(now: dt.datetime | None = None) -> dt.datetime:
    """Consent given before this moment is due for re-permission (config consent.repermission_months)."""
    from .runtime import current

    months = current().config["consent.repermission_months"]
    now = now or utcnow()
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)  # the same day of an earlier month, never past its end
    return now.replace(year=now.year + year, month=month + 1, day=day)


def counts_for_sending(c: Consent | ConsentView, now: dt.datetime | None = None) -> bool:
    """Given, dated, proven and not due for re-permission: the rule mailing.py queries by."""
    return (c.status == "given" and c.given_at is not None and not c.proof_missing
            and c.given_at >= repermission_before(now))


def consents_of(scope: Scope, contact_id: int) -> list[ConsentView]:
    """Every consent row of one contact, each with its text and full event history (newest first)."""
    scope.require("consent.read")
    scope.contact(contact_id)
    names = dict(tuples(User.select(User.id, User.username)))
    rows = list(scope.consents().where(Consent.contact == contact_id).order_by(Consent.purpose))
    events: dict[int, list[ConsentEventView]] = {}
    text_ids: set[int] = {r.text_id for r in rows if r.text_id}
    if rows:
        q = (ConsentEvent.select().where(ConsentEvent.consent.in_([r.id for r in rows]))
             .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc()))
        found = list(q)
        text_ids |= {e.text_id for e in found if e.text_id}
        texts = {t.id: t for t in ConsentText.select().where(ConsentText.id.in_(list(text_ids)))} if text_ids else {}
        for e in found:
            t = texts.get(e.text_id) if e.text_id else None
            events.setdefault(e.consent_id, []).append(ConsentEventView(
                at=e.at, event=e.event, method=e.method or "",
                text_version=t.label if t else (e.text_version or ""),
                evidence=e.evidence or "", actor=names.get(e.actor_id, "")))
    else:
        texts = {}
    due = repermission_before()
    out = []
    for r in rows:
        t = texts.get(r.text_id) if r.text_id else None
        out.append(ConsentView(
            id=r.id, purpose=r.purpose, channel=r.channel, status=r.status, given_at=r.given_at,
            withdrawn_at=r.withdrawn_at, method=r.method or "",
            text_version=t.label if t else (r.text_version or ""), events=tuple(events.get(r.id, ())),
            text_id=r.text_id, wording=t.wording if t else "", text_sha256=t.sha256 if t else "",
            proof_missing=bool(r.proof_missing),
            needs_repermission=(r.status == "given" and r.given_at is not None and r.given_at < due)))
    return out


def _local_today(now: dt.datetime) -> dt.date:
    """The day it is where the staff member types the date (the server's zone): a consent
    given at 00:30 in Copenhagen is "today" there while UTC still says yesterday."""
    return now.replace(tzinfo=dt.UTC).astimezone().date()


def _at(on: dt.date | None, now: dt.datetime) -> dt.datetime:
    if on is None or on in (now.date(), _local_today(now)):
        return now
    return dt.datetime.combine(on, dt.time(12, 0))


def _published_text(text_id, purpose: str) -> ConsentText:
    try:
        text_id = int(text_id)
    except (TypeError, ValueError):
        raise Invalid("text_version", "pick a published consent text") from None
    text = ConsentText.get_or_none(ConsentText.id == text_id)
    if text is None:
        raise Invalid("text_version", "is not a published consent text")
    if text.purpose != purpose:
        raise Invalid("text_version", f"is a text for {text.purpose}, not {purpose}")
    return text


def record_consent(scope: Scope, contact_id: int, purpose: str, *, method: str,
                   given_on: dt.date, text_id: int, evidence: str,
                   channel: str = "email", now: dt.datetime | None = None) -> int:
    """Record consent given by phone, on paper or in person under a published text; returns the consent id."""
    scope.require("consent.write")
    purpose = validate.choice("purpose", purpose, purposes())
    method = validate.choice("method", method, MANUAL_METHODS)
    channel = validate.choice("channel", channel, CHANNELS)
    evidence = validate.multiline("evidence", evidence, max_length=1000)
    if not evidence:
        raise Invalid("evidence", "is required")
    now = now or utcnow()
    if not isinstance(given_on, dt.date) or given_on > max(now.date(), _local_today(now)):
        raise Invalid("date", "must not be in the future")
    at = _at(given_on, now)
    with scope.transaction():
        text = _published_text(text_id, purpose)
        if text.published_at.date() > given_on:
            raise Invalid("date", "is before that text version was published")
        if scope.contact(contact_id).restricted_at is not None:
            raise Restricted(contact_id, "given new consents")  # Art. 18; withdrawing stays possible
        consent_id = give(contact_id, purpose, channel, at=at, method=method, text=text,
                          evidence=evidence, actor=scope.user_id, now=now)
        changes.record("consent", consent_id, "update", session_id=scope.session_id)
        changes.record("contact", contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "consent.give", "contact", contact_id, purpose=purpose,
                     method=method, text=text.id)
    return consent_id


def give(contact_id: int, purpose: str, channel: str, *, at: dt.datetime | None, method: str,
         text: ConsentText | None, evidence: str, actor: int | None, now: dt.datetime,
         proof_missing: bool = False) -> int:
    """The one write of a given consent and its event (inside the caller's transaction)."""
    consent = Consent.get_or_none((Consent.contact == contact_id) & (Consent.purpose == purpose)
                                  & (Consent.channel == channel))
    values = dict(status="given", given_at=at, withdrawn_at=None, method=method,
                  text_version=text.label if text else None, text=text.id if text else None,
                  proof_missing=proof_missing, updated_at=now)
    if consent is None:
        consent_id = Consent.create(contact=contact_id, purpose=purpose, channel=channel, **values).id
    else:
        consent_id = consent.id
        Consent.update(**values).where(Consent.id == consent_id).execute()
    ConsentEvent.create(consent=consent_id, at=at or now, event="given", method=method,
                        text_version=text.label if text else None, text=text.id if text else None,
                        evidence=(evidence or None) and evidence[:1000], actor=actor)
    return consent_id


def record_imported(contact_id: int, purpose: str, *, optin_at: dt.datetime | None,
                    confirm_at: dt.datetime | None, evidence: str, actor: int | None,
                    now: dt.datetime | None = None) -> int:
    """An imported consent (Mailchimp's OPTIN_TIME/CONFIRM_TIME/IPs) with the file's own dates.

    Without any date it is "proof missing": recorded, shown, never dated today and
    never counted for sending.  Runs inside the import's transaction.
    """
    now = now or utcnow()
    at = confirm_at or optin_at
    missing = at is None
    if missing:
        evidence = f"{evidence}; proof missing: the file gives no consent date"
    consent_id = give(contact_id, purpose, "email", at=at, method="import", text=None, evidence=evidence,
                      actor=actor, now=now, proof_missing=missing)
    if optin_at and confirm_at and optin_at < confirm_at:
        ConsentEvent.create(consent=consent_id, at=optin_at, event="requested", method="import",
                            evidence=evidence[:1000], actor=actor)
    return consent_id


def withdraw_consent(scope: Scope, contact_id: int, purpose: str, *, method: str,
                     evidence: str = "", channel: str = "email",
                     now: dt.datetime | None = None) -> None:
    scope.require("consent.write")
    purpose = validate.choice("purpose", purpose, purposes())
    method = validate.choice("method", method, WITHDRAW_METHODS)
    evidence = validate.multiline("evidence", evidence, max_length=1000)
    now = now or utcnow()
    with scope.transaction():
        scope.contact(contact_id)
        scope.require_request(contact_id, "consent.write")  # privacy: only with an open request
        consent = scope.consents().where((Consent.contact == contact_id) & (Consent.purpose == purpose)
                                         & (Consent.channel == channel)).first()
        if consent is None or consent.status != "given":
            raise NotGiven(f"there is no given consent for {purpose} to withdraw")
        withdraw(consent, method=method, evidence=evidence, actor=scope.user_id, now=now,
                 session_id=scope.session_id)


def withdraw(consent: Consent, *, method: str, evidence: str, actor: int | None, now: dt.datetime,
             session_id: int | None = None) -> None:
    """The one write of a withdrawal (inside the caller's transaction); final until a new opt-in."""
    Consent.update(status="withdrawn", withdrawn_at=now, updated_at=now).where(
        Consent.id == consent.id).execute()
    ConsentEvent.create(consent=consent.id, at=now, event="withdrawn", method=method,
                        text_version=consent.text_version, text=consent.text_id, evidence=evidence or None,
                        actor=actor)
    changes.record("consent", consent.id, "update", session_id=session_id)
    changes.record("contact", consent.contact_id, "update", session_id=session_id)
    audit.record(actor, "consent.withdraw", "contact", consent.contact_id, purpose=consent.purpose,
                 method=method)


__all__ = ["MANUAL_METHODS", "WITHDRAW_METHODS", "CONSENT_METHODS", "CONSENT_PURPOSES", "NotGiven",
           "purposes", "repermission_before", "counts_for_sending", "consents_of", "record_consent",
           "record_imported", "withdraw_consent", "give", "withdraw"]
