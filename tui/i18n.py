"""Translations and the formats that go with a language.

Every user-visible string is wrapped in `_()`; the catalogues live in
tui/locale/{da,en}/LC_MESSAGES/minicrm.po (compiled to .mo beside them).
The language comes from the config (`ui.language`), else from the locale
environment (LC_ALL, LC_MESSAGES, LANG), else English.
"""
from __future__ import annotations

import datetime as dt
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "minicrm"
LANGUAGES = ("da", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language() -> str:
    return _language


def from_environment(environ=None) -> str:
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(var, "")
        if value:
            return "da" if value.lower().startswith("da") else "en"
    return "en"


def choose(configured: str | None, environ=None) -> str:
    return configured if configured in LANGUAGES else from_environment(environ)


def set_language(lang: str) -> None:
    global _translation, _language
    _language = lang if lang in LANGUAGES else "en"
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for translation without translating it now."""
    return message


# --- formats ------------------------------------------------------------------

def local_time(value: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC; show them in the machine's local time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone()


def fmt_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    if _language == "da":
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    return value.isoformat()


def fmt_datetime(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return fmt_date(value)
    local = local_time(value)
    return f"{fmt_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def fmt_time(value: dt.datetime) -> str:
    local = local_time(value)
    if _language == "da":
        return f"{local.hour:02d}.{local.minute:02d}"
    return f"{local.hour:02d}:{local.minute:02d}"


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_money(amount_minor: int, currency: str = "DKK") -> str:
    """Danish: 1.234,50 kr.  English: DKK 1,234.50"""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(int(amount_minor)), 100)
    if _language == "da":
        number = f"{sign}{_group(str(whole), '.')},{cents:02d}"
        return f"{number} kr." if currency == "DKK" else f"{number} {currency}"
    return f"{currency} {sign}{_group(str(whole), ',')}.{cents:02d}"


def parse_money(text: str) -> int:
    """What a person types for an amount, in the language's convention, to minor units."""
    raw = (text or "").strip().lower().replace("kr.", "").replace("kr", "").replace("dkk", "")
    raw = raw.replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise ValueError("empty")
    decimal_comma = _language == "da"
    # One separator followed by one or two digits at the end is the decimal mark
    # whatever the language: people type 12500,50 in English too.
    import re

    if re.fullmatch(r"[\d.]*\d,\d{1,2}", raw) and raw.count(",") == 1:
        decimal_comma = True
    elif re.fullmatch(r"[\d,]*\d\.\d{1,2}", raw) and raw.count(".") == 1:
        decimal_comma = False
    if decimal_comma:
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    value = round(float(raw) * 100)
    if value < 0:
        raise ValueError("negative")
    return value


def parse_date(text: str) -> dt.date:
    """29.11.2026 (Danish), 2026-11-29 (either)."""
    raw = (text or "").strip()
    if "." in raw:
        day, month, year = raw.split(".")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(raw)


def date_hint() -> str:
    return "dd.mm.åååå" if _language == "da" else "yyyy-mm-dd"
