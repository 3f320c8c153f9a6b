"""Consent per contact and purpose, with its proof (GDPR Art. 7(1)).

Consent given outside the web form (by phone, on paper, in person) is
recorded here with the method, the date, the version of the text agreed to
and an evidence note; withdrawal is one step.  Every change leaves a
ConsentEvent, so the full history can be shown and proven.
"""
from __future__ import annotations

import datetime as dt

from . import audit, changes, validate
from .db import database, tuples
from .errors import Invalid, NotGiven, Restricted
from .models import Consent, ConsentEvent, User, utcnow
from .processing import CHANNELS, CONSENT_METHODS, CONSENT_PURPOSES
from .scope import Scope
from .views import ConsentEventView, ConsentView

MANUAL_METHODS = ("phone", "paper", "in_person")
WITHDRAW_METHODS = ("phone", "paper", "in_person", "email", "web_unsubscribe")


def consents_of(scope: Scope, contact_id: int) -> list[ConsentView]:
    """Every consent row of one contact, each with its full event history (newest first)."""
    scope.require("consent.read")
    scope.contact(contact_id)
    names = dict(tuples(User.select(User.id, User.username)))
    rows = list(scope.consents().where(Consent.contact == contact_id).order_by(Consent.purpose))
    events: dict[int, list[ConsentEventView]] = {}
    if rows:
        q = (ConsentEvent.select().where(ConsentEvent.consent.in_([r.id for r in rows]))
             .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc()))
        for e in q:
            events.setdefault(e.consent_id, []).append(ConsentEventView(
                at=e.at, event=e.event, method=e.method or "", text_version=e.text_version or "",
                evidence=e.evidence or "", actor=names.get(e.actor_id, "")))
    return [ConsentView(id=r.id, purpose=r.purpose, channel=r.channel, status=r.status,
                        given_at=r.given_at, withdrawn_at=r.withdrawn_at, method=r.method or "",
                        text_version=r.text_version or "", events=tuple(events.get(r.id, ())))
            for r in rows]


def _at(on: dt.date | None, now: dt.datetime) -> dt.datetime:
    if on is None or on == now.date():
        return now
    return dt.datetime.combine(on, dt.time(12, 0))


def record_consent(scope: Scope, contact_id: int, purpose: str, *, method: str,
                   given_on: dt.date, text_version: str, evidence: str,
                   channel: str = "email", now: dt.datetime | None = None) -> int:
    """Record consent given by phone, on paper or in person; returns the consent id."""
    scope.require("consent.write")
    purpose = validate.choice("purpose", purpose, CONSENT_PURPOSES)
    method = validate.choice("method", method, MANUAL_METHODS)
    channel = validate.choice("channel", channel, CHANNELS)
    text_version = validate.text("text_version", text_version, max_length=100, required=True)
    evidence = validate.multiline("evidence", evidence, max_length=1000)
    if not evidence:
        raise Invalid("evidence", "is required")
    now = now or utcnow()
    if not isinstance(given_on, dt.date) or given_on > now.date():
        raise Invalid("date", "must not be in the future")
    at = _at(given_on, now)
    with database.atomic():
        if scope.contact(contact_id).restricted_at is not None:
            raise Restricted(contact_id, "given new consents")  # Art. 18; withdrawing stays possible
        consent = Consent.get_or_none((Consent.contact == contact_id) & (Consent.purpose == purpose)
                                      & (Consent.channel == channel))
        if consent is None:
            consent = Consent.create(contact=contact_id, purpose=purpose, channel=channel,
                                     status="given", given_at=at, method=method,
                                     text_version=text_version, updated_at=now)
        else:
            Consent.update(status="given", given_at=at, withdrawn_at=None, method=method,
                           text_version=text_version, updated_at=now).where(
                Consent.id == consent.id).execute()
        ConsentEvent.create(consent=consent.id, at=at, event="given", method=method,
                            text_version=text_version, evidence=evidence, actor=scope.user_id)
        changes.record("consent", consent.id, "update", session_id=scope.session_id)
        changes.record("contact", contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "consent.give", "contact", contact_id, purpose=purpose,
                     method=method)
    return consent.id


def withdraw_consent(scope: Scope, contact_id: int, purpose: str, *, method: str,
                     evidence: str = "", channel: str = "email",
                     now: dt.datetime | None = None) -> None:
    scope.require("consent.write")
    purpose = validate.choice("purpose", purpose, CONSENT_PURPOSES)
    method = validate.choice("method", method, WITHDRAW_METHODS)
    evidence = validate.multiline("evidence", evidence, max_length=1000)
    now = now or utcnow()
    with database.atomic():
        scope.contact(contact_id)
        scope.require_request(contact_id, "consent.write")  # privacy: only with an open request
        consent = scope.consents().where((Consent.contact == contact_id) & (Consent.purpose == purpose)
                                         & (Consent.channel == channel)).first()
        if consent is None or consent.status != "given":
            raise NotGiven(f"there is no given consent for {purpose} to withdraw")
        Consent.update(status="withdrawn", withdrawn_at=now, updated_at=now).where(
            Consent.id == consent.id).execute()
        ConsentEvent.create(consent=consent.id, at=now, event="withdrawn", method=method,
                            text_version=consent.text_version, evidence=evidence or None,
                            actor=scope.user_id)
        changes.record("consent", consent.id, "update", session_id=scope.session_id)
        changes.record("contact", contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "consent.withdraw", "contact", contact_id, purpose=purpose,
                     method=method)


__all__ = ["MANUAL_METHODS", "WITHDRAW_METHODS", "CONSENT_METHODS", "CONSENT_PURPOSES", "NotGiven",
           "consents_of", "record_consent", "withdraw_consent"]
