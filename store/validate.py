"""Field validation shared by every write path (forms, imports, the web form).

Errors name the field and what is wrong, never the value: an error message may
end up in a log, and the value may be personal data.
"""
from __future__ import annotations

import re
import unicodedata

from . import text as _text
from .errors import Invalid

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
    value = (value or "").strip()
    if not value:
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(field, "is not a valid email address") from None
    return result.normalized.lower() if result.ascii_email else result.normalized


def phone(value, field: str = "phone", region: str = "DK") -> str | None:
    """Any way people write a phone number, to E.164 (+4512345678)."""
    value = (value or "").strip()
    if not value:
        return None
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise Invalid(field, "is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(field, "is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def cvr_ok(digits: str) -> bool:
    if not re.fullmatch(r"\d{8}", digits) or digits[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS)) % 11 == 0


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
