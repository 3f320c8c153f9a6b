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


def fmt_money(amount_minor: int, currency: str = "DKK") -> str:
    """Danish: 1.234,50 kr.  English: DKK 1,234.50 (store.money, in the UI's language)."""
    from store.money import format_amount

    return format_amount(amount_minor, currency, _language)


def parse_money(text: str) -> int:
    """What a person types for an amount, in the UI's language, to minor units (store.money)."""
    from store.money import parse_amount

    return parse_amount(text, _language)


def parse_date(text: str) -> dt.date:
    """29.11.2026 (Danish), 2026-11-29 (either)."""
    raw = (text or "").strip()
    if "." in raw:
        day, month, year = raw.split(".")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(raw)


def date_hint() -> str:
    return "dd.mm.åååå" if _language == "da" else "yyyy-mm-dd"
