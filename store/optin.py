"""Double opt-in from the public web form (issue 13), through `Scope.web()`.

1. `sign_up()` records a pending sign-up (purpose, the text version shown and
   its hash, time, IP, user agent) and mails a single-use confirmation link.
   The caller's page says the same whether or not the address was known; an
   address signed up or confirmed within `web.cooldown_hours` is not mailed again.
2. `pending()` reads a link without changing anything (mail scanners prefetch
   GET links); `confirm()` (a POST) gives the consent with the confirmation
   time, IP and user agent added to the evidence, and deletes the sign-up.
3. `expire()` deletes sign-ups whose link expired (`web.confirm_days`),
   audited by count only.

Tokens are 256 random bits (`secrets.token_urlsafe(32)`); only their SHA-256
is stored, so a copy of the database confirms nobody.  A person on the
erasure ledger comes back only here, through a fresh confirmed opt-in: their
ledger entry is then cleared (the erasure itself stays in the audit trail).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from . import audit, changes, consent, mailer, search, validate
from .bilingual import Bilingual
from .consent_texts import current_text, purposes, text_by_id
from .db import database
from .errors import Invalid, NotFound, StoreError
from .models import Consent, ConsentEvent, ConsentText, Contact, ErasureLedger, OptIn, utcnow
from .scope import Scope

log = logging.getLogger("minicrm.optin")
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_NAME = 100


class LinkNotValid(StoreError):
    """A confirmation link that was used already, never existed, or expired."""

    def __init__(self, expired: bool = False):
        self.expired = expired
        super().__init__("the confirmation link has expired" if expired else "the confirmation link is not valid")


@dataclass(frozen=True)
class Pending:
    purpose: str
    language: str
    wording: str
    expires_at: dt.datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _config():
    from .runtime import current

    return current().config


def language() -> str:
    """The company's language for the public pages and mails: ui.language, else Danish."""
    return _config()["ui.language"] or "da"


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first.strip(), last.strip()


SUBJECT = Bilingual("Bekræft din tilmelding", "Please confirm your sign-up")
BODY = Bilingual(
    "Hej {name}\n\nDu (eller nogen med din e-mailadresse) har bedt om at blive tilmeldt hos {company}.\n"
    "Du har sagt ja til denne tekst:\n\n  {wording}\n\nBekræft tilmeldingen ved at åbne linket og trykke "
    "på knappen \"Bekræft\":\n\n  {link}\n\nLinket virker i {days} dage. Har du ikke bedt om det, "
    "skal du ikke gøre noget: så sletter vi tilmeldingen.\n",
    "Hello {name}\n\nYou (or someone with your e-mail address) asked to sign up with {company}.\n"
    "You agreed to this text:\n\n  {wording}\n\nConfirm your sign-up by opening the link and pressing "
    "the \"Confirm\" button:\n\n  {link}\n\nThe link works for {days} days. If you did not ask for this, "
    "do nothing: we will then delete the sign-up.\n")


def sign_up(scope: Scope, purpose: str, *, email: str, name: str, ip: str = "", user_agent: str = "",
            lang: str | None = None, text_id: int | None = None, now: dt.datetime | None = None) -> bool:
    """Record a pending sign-up and mail its link; returns whether a mail was sent (never shown).

    `text_id` is the version the form showed: if a newer one was published since, the
    person must read that one first (Invalid on "text_version").
    """
    scope.require("consent.web")
    purpose = validate.choice("purpose", purpose, purposes())
    if not isinstance(email, str) or len(email) > MAX_EMAIL:
        raise Invalid("email", f"is longer than {MAX_EMAIL} characters")
    address = validate.email(email)
    if not address:
        raise Invalid("email", "is required")
    name = validate.text("name", name, max_length=MAX_NAME, required=True)
    lang = lang or language()
    text = current_text(purpose, lang)
    if text is None:
        raise NotFound(f"no published consent text for {purpose} in {lang}")
    if text_id is not None and text_id != text.id:
        raise Invalid("text_version", "has changed since the form was shown: read the new text")
    config = _config()
    now = now or utcnow()
    expire(scope, now=now)
    recent = now - dt.timedelta(hours=config["web.cooldown_hours"])
    token = secrets.token_urlsafe(32)
    with scope.transaction():
        if OptIn.select().where((OptIn.email == address) & (OptIn.purpose == purpose)
                                & (OptIn.requested_at > recent)).exists():
            return False
        if (Consent.select().join(Contact, on=(Consent.contact == Contact.id))
                .where((Contact.email == address) & (Consent.purpose == purpose) & (Consent.channel == "email")
                       & (Consent.status == "given") & (Consent.updated_at > recent)).exists()):
            return False
        first, last = _split(name)
        row = OptIn.create(purpose=purpose, text=text.id, email=address, first_name=first, last_name=last,
                           token_hash=hash_token(token), requested_at=now,
                           expires_at=now + dt.timedelta(days=config["web.confirm_days"]),
                           ip=validate.text("ip", ip, max_length=64),
                           user_agent=_clean_agent(user_agent))
        audit.record(None, "consent.web_sign_up", "opt_in", row.id, purpose=purpose)
    link = f"{config['web.base_url'].rstrip('/')}/confirm/{token}"
    company = config["company.name"] or ("os" if lang == "da" else "us")
    msg = mailer.message(address, SUBJECT.in_language(lang), BODY.in_language(
        lang, name=first, company=company, wording=text.wording, link=link, days=config["web.confirm_days"]))
    try:
        mailer.send(msg)
    except StoreError:
        with database.atomic():  # nobody can confirm a link that never arrived
            OptIn.delete().where(OptIn.id == row.id).execute()
        raise
    return True


def _clean_agent(value: str) -> str:
    from .text import replace_unsafe

    return replace_unsafe(str(value or ""), "?")[:300]


def _find(token: str) -> OptIn:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkNotValid()
    row = OptIn.get_or_none(OptIn.token_hash == hash_token(token))
    if row is None:
        raise LinkNotValid()
    return row


def pending(scope: Scope, token: str, *, now: dt.datetime | None = None) -> Pending:
    """What a confirmation link is for; reads only (a GET changes nothing)."""
    scope.require("consent.web")
    row = _find(token)
    if row.expires_at <= (now or utcnow()):
        raise LinkNotValid(expired=True)
    text = text_by_id(row.text_id)
    return Pending(purpose=row.purpose, language=text.language, wording=text.wording, expires_at=row.expires_at)


def confirm(scope: Scope, token: str, *, ip: str = "", user_agent: str = "",
            now: dt.datetime | None = None) -> int:
    """Give the consent the link was for; returns the contact id.  Single use."""
    scope.require("consent.web")
    now = now or utcnow()
    with scope.transaction():
        row = _find(token)
        expired = row.expires_at <= now
        if expired:  # deleted now, refused after the commit (raising here would roll the delete back)
            OptIn.delete().where(OptIn.id == row.id).execute()
        else:
            contact_id = _confirm(row, ip, user_agent, now)
    if expired:
        raise LinkNotValid(expired=True)
    return contact_id


def _confirm(row: OptIn, ip: str, user_agent: str, now: dt.datetime) -> int:
    """The confirmation's writes, inside confirm()'s transaction."""
    contact = (Contact.select().where(Contact.email == row.email)
               .order_by(Contact.archived_at.is_null(False), Contact.id).first())
    if contact is None:
        contact = Contact.create(first_name=row.first_name, last_name=row.last_name, email=row.email,
                                 source="web_form", lawful_basis="consent", owner=None)
        search.index_contacts(database, [contact.id])
        changes.record("contact", contact.id, "insert")
        audit.record(None, "contact.create", "contact", contact.id, fields=["email", "first_name"],
                     channel="web")
    _clear_ledger(row.email, contact.id)
    text = ConsentText.get_by_id(row.text_id)
    requested = f"requested {row.requested_at:%Y-%m-%d %H:%M:%S} UTC ip={row.ip} user_agent={row.user_agent}"
    confirmed = f"confirmed ip={validate.text('ip', ip, max_length=64)} user_agent={_clean_agent(user_agent)}"
    consent_id = consent.give(contact.id, row.purpose, "email", at=now, method="web_double_opt_in",
                              text=text, evidence=f"{requested}; {confirmed}; sha256={text.sha256}",
                              actor=None, now=now)
    ConsentEvent.create(consent=consent_id, at=row.requested_at, event="requested",
                        method="web_double_opt_in", text_version=text.label, text=text.id,
                        evidence=requested[:1000], actor=None)
    OptIn.delete().where(OptIn.id == row.id).execute()
    changes.record("consent", consent_id, "update")
    changes.record("contact", contact.id, "update")
    audit.record(None, "consent.give", "contact", contact.id, purpose=row.purpose,
                 method="web_double_opt_in", text=text.id)
    return contact.id


def _clear_ledger(email: str, contact_id: int) -> None:
    """The person asked to come back: the ledger no longer keeps them out (the erasure stays audited)."""
    from .rights.ledger import entries_for_email

    entries = entries_for_email(email)
    n = ErasureLedger.delete().where(ErasureLedger.id.in_(entries)).execute() if entries else 0
    if n:
        audit.record(None, "ledger.cleared_by_opt_in", "contact", contact_id, entries=n)


def expire(scope: Scope, *, now: dt.datetime | None = None) -> int:
    """Delete sign-ups whose link expired; returns how many (logged and audited as a count only)."""
    scope.require("consent.web" if scope.role == "web" else "consent.write")
    now = now or utcnow()
    if not OptIn.select().where(OptIn.expires_at <= now).exists():  # the common case takes no write lock
        return 0
    with scope.transaction():
        n = OptIn.delete().where(OptIn.expires_at <= now).execute()
        if n:
            audit.record(scope.user_id, "consent.web_expired", None, None, count=n)
    if n:
        log.info("deleted %d unconfirmed sign-ups whose link expired", n)
    return n


__all__ = ["LinkNotValid", "Pending", "sign_up", "pending", "confirm", "expire", "language", "hash_token",
           "MAX_EMAIL", "MAX_NAME"]
