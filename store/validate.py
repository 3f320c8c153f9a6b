"""Field validation shared by every write path (forms, imports, the web form).

Errors name the field and what is wrong, never the value: an error message may
end up in a log, and the value may be personal data.
"""
from __future__ import annotations

import re
import unicodedata

from . import text as _text
from .contact_points import normalise_email, normalise_phone
from .errors import Invalid, ValueProblem

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def text(field: str, value, *, max_length: int = 200, required: bool = False) -> str:
    """Trimmed single-line text without control or bidi characters (store.text)."""
    value = unicodedata.normalize("NFC", str(value or "")).strip()
    if _text.has_unsafe(value):
        raise Invalid(field, "contains control characters")
    if required and not value:
        raise Invalid(field, "is required")
    if len(value) > max_length:
        raise Invalid(field, f"is longer than {max_length} characters")
    return value


def multiline(field: str, value, *, max_length: int = 2000) -> str:
    """Text that may hold line breaks and tabs but no other control or bidi characters."""
    value = unicodedata.normalize("NFC", str(value or "")).strip()
    if _text.has_unsafe(value, multiline=True):
        raise Invalid(field, "contains control characters")
    if len(value) > max_length:
        raise Invalid(field, f"is longer than {max_length} characters")
    return value


def email(value, field: str = "email") -> str | None:
    """The address as store.contact_points normalises it (the form import and ledger use)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return normalise_email(value)
    except ValueProblem:
        raise Invalid(field, "is not a valid email address") from None


def phone(value, field: str = "phone", region: str = "DK") -> str | None:
    """Any way people write a phone number, to E.164 (+4512345678), as import does."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return normalise_phone(value, region)
    except ValueProblem:
        raise Invalid(field, "is not a valid phone number") from None


def cvr_ok(digits: str) -> bool:
    if not re.fullmatch(r"\d{8}", digits) or digits[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=True)) % 11 == 0


def cvr(value, field: str = "cvr") -> str | None:
    value = re.sub(r"[\s-]", "", str(value or "")).removeprefix("DK").removeprefix("dk")
    if not value:
        return None
    if not cvr_ok(value):
        raise Invalid(field, "is not a valid CVR number (8 digits, modulus 11)")
    return value


def choice(field: str, value, allowed) -> str:
    if value not in allowed:
        raise Invalid(field, f"must be one of: {', '.join(allowed)}")
    return value
