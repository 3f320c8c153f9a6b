"""Consent texts as data: the exact wording a person agreed to, kept word for word.

Each purpose (config `consent.purposes`) has versions per language (da, en).
A published version is final (a trigger refuses UPDATE and DELETE), so every
consent that points at it keeps pointing at what the person actually saw
(GDPR Art. 7(1)).  Its SHA-256 is stored beside it and shown with the proof.
The wording must tell the person that consent can be withdrawn at any time
(Art. 7(3), markedsføringsloven § 10): publishing refuses a text that does not
mention withdrawal.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from . import audit, changes, validate
from .errors import Invalid, NotFound
from .models import ConsentText, User, utcnow
from .scope import Scope

LANGUAGES = ("da", "en")
MAX_WORDING = 4000
# A wording must say consent can be withdrawn; these words show that it does.
_WITHDRAWAL = {"da": re.compile(r"tilbagekald|trække\w* .*tilbage|afmeld", re.I | re.S),
               "en": re.compile(r"withdraw|unsubscribe", re.I)}


@dataclass(frozen=True)
class TextView:
    id: int
    purpose: str
    language: str
    version: int
    wording: str
    sha256: str
    published_at: dt.datetime
    published_by: str

    @property
    def label(self) -> str:
        return f"{self.purpose}-{self.language}-v{self.version}"


def purposes() -> tuple[str, ...]:
    """The consent purposes from the config (the built-in three when no store is open)."""
    from .processing import CONSENT_PURPOSES
    from .runtime import current

    try:
        return tuple(current().config["consent.purposes"])
    except Exception:  # noqa: BLE001  # no store open (a unit test of a form): the defaults
        return CONSENT_PURPOSES


def digest(wording: str) -> str:
    return hashlib.sha256(wording.encode("utf-8")).hexdigest()


def _view(row: ConsentText, names: dict | None = None) -> TextView:
    names = names if names is not None else {}
    who = names.get(row.published_by_id, "") if row.published_by_id else "console"
    return TextView(id=row.id, purpose=row.purpose, language=row.language, version=row.version,
                    wording=row.wording, sha256=row.sha256, published_at=row.published_at,
                    published_by=who)


def _names() -> dict[int, str]:
    return {u.id: u.username for u in User.select(User.id, User.username)}


def publish_text(scope: Scope, purpose: str, language: str, wording: str) -> TextView:
    """Publish the next version of one purpose's text in one language; earlier versions stay."""
    scope.require("consent.publish")
    purpose = validate.choice("purpose", purpose, purposes())
    language = validate.choice("language", language, LANGUAGES)
    wording = validate.multiline("wording", unicodedata.normalize("NFC", wording or ""),
                                 max_length=MAX_WORDING)
    if len(wording) < 20:
        raise Invalid("wording", "is too short to be a consent text")
    if not _WITHDRAWAL[language].search(wording):
        raise Invalid("wording", "must tell the person that consent can be withdrawn at any time, and how")
    with scope.transaction():
        last = (ConsentText.select(ConsentText.version)
                .where((ConsentText.purpose == purpose) & (ConsentText.language == language))
                .order_by(ConsentText.version.desc()).first())
        row = ConsentText.create(purpose=purpose, language=language, version=(last.version + 1) if last else 1,
                                 wording=wording, sha256=digest(wording), published_at=utcnow(),
                                 published_by=scope.user_id)
        changes.record("consent_text", row.id, "insert", session_id=scope.session_id)
        audit.record(scope.user_id, "consent.text_publish", "consent_text", row.id, purpose=purpose,
                     language=language, version=row.version)
    return _view(row, _names())


def current_text(purpose: str, language: str) -> TextView | None:
    """The newest published version for a purpose in a language, or None."""
    row = (ConsentText.select().where((ConsentText.purpose == purpose) & (ConsentText.language == language))
           .order_by(ConsentText.version.desc()).first())
    return _view(row, _names()) if row else None


def published(scope: Scope, purpose: str | None = None) -> list[TextView]:
    """Every published version (newest first), for staff picking the one a person agreed to."""
    scope.require("consent.read")
    q = ConsentText.select().order_by(ConsentText.purpose, ConsentText.language, ConsentText.version.desc())
    if purpose:
        q = q.where(ConsentText.purpose == purpose)
    names = _names()
    return [_view(r, names) for r in q]


def text_by_id(text_id: int) -> TextView:
    row = ConsentText.get_or_none(ConsentText.id == text_id)
    if row is None:
        raise NotFound(f"consent text {text_id} not found")
    return _view(row, _names())


def seed_defaults(scope: Scope, company: str = "") -> int:
    """Publish a first version of every purpose without a text (init, demo); returns how many."""
    made = 0
    for purpose in purposes():
        for language in LANGUAGES:
            if current_text(purpose, language) is None:
                publish_text(scope, purpose, language, default_wording(purpose, language, company))
                made += 1
    return made


_WHAT = {"newsletter": ("vores nyhedsbrev", "our newsletter"),
         "offers": ("tilbud på vores produkter og ydelser", "offers on our products and services"),
         "events": ("invitationer til arrangementer", "invitations to events")}


def default_wording(purpose: str, language: str, company: str = "") -> str:
    da, en = _WHAT.get(purpose, (purpose, purpose))
    who_da, who_en = company or "vi", company or "we"
    if language == "da":
        return (f"Ja tak, {who_da} må sende mig {da} på e-mail. Jeg kan til enhver tid trække mit samtykke "
                f"tilbage via linket \"Afmeld\" nederst i hver e-mail eller ved at skrive til os.")
    return (f"Yes, {who_en} may send me {en} by e-mail. I can withdraw my consent at any time through "
            f"the \"Unsubscribe\" link at the bottom of every e-mail or by writing to us.")


__all__ = ["LANGUAGES", "TextView", "purposes", "digest", "publish_text", "current_text", "published",
           "text_by_id", "seed_defaults", "default_wording"]

