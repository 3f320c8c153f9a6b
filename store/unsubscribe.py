"""Per-person unsubscribe links (RFC 8058, RFC 2369), honoured at once.

A token is the contact id and a 128-bit HMAC tag under a key derived from the
database key: it can be written into every mail and every exported list row
without storing anything, it cannot be guessed or forged for another id, and
ids are never reused, so a token never moves to another person.  An erased
person's token finds nobody, and the page says they are unsubscribed.
"""
from __future__ import annotations

import base64
import hmac
import struct

from .models import Consent, utcnow
from .scope import Scope

_TAG_BYTES = 16  # 128 bits


def _key() -> bytes:
    from .runtime import derived_key

    return derived_key("unsubscribe")


def token_for(contact_id: int, *, key: bytes | None = None) -> str:
    body = struct.pack(">Q", contact_id)
    tag = hmac.digest(key or _key(), b"unsubscribe:" + body, "sha256")[:_TAG_BYTES]
    return base64.urlsafe_b64encode(body + tag).decode("ascii").rstrip("=")


def contact_of(token: str) -> int | None:
    """The contact id a token was made for, or None if it is not one of ours."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != 8 + _TAG_BYTES:
        return None
    (contact_id,) = struct.unpack(">Q", raw[:8])
    return contact_id if hmac.compare_digest(token_for(contact_id), token) else None


def url_for(contact_id: int, *, key: bytes | None = None) -> str:
    """The person's one-click link, or "" while web.base_url is not configured."""
    from .runtime import current

    base = current().config["web.base_url"].rstrip("/")
    return f"{base}/unsubscribe/{token_for(contact_id, key=key)}" if base else ""


def unsubscribe(scope: Scope, token: str, *, ip: str = "", user_agent: str = "") -> int:
    """Withdraw every given e-mail consent of the token's person at once; returns how many.

    No login and no further step (RFC 8058).  An unknown token changes nothing and
    returns 0: the page says the same either way.
    """
    from . import consent as consents

    scope.require("consent.web")
    contact_id = contact_of(token)
    if contact_id is None:
        return 0
    evidence = "; ".join(f"{k}={v}" for k, v in (("ip", ip), ("user_agent", user_agent[:300])) if v)
    with scope.transaction():
        rows = list(Consent.select().where((Consent.contact == contact_id) & (Consent.channel == "email")
                                           & (Consent.status == "given")))
        now = utcnow()
        for row in rows:
            consents.withdraw(row, method="web_unsubscribe", evidence=evidence, actor=None, now=now)
    return len(rows)
