"""Amounts of money as people read and type them, in Danish and in English.

Amounts are stored as integer minor units (øre, cents); this is the one
place that writes them out (1.234,50 kr. / DKK 1,234.50) and reads them back,
for the app, the reports and any later front end alike.
"""
from __future__ import annotations

import re


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def format_amount(amount_minor: int, currency: str | None = "DKK", language: str = "da") -> str:
    """Danish: 1.234,50 kr. (other currencies: 1.234,50 EUR).  English: DKK 1,234.50.
    With currency None just the number (a table with a currency column of its own)."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(int(amount_minor)), 100)
    if language == "da":
        number = f"{sign}{_group(str(whole), '.')},{cents:02d}"
        if currency is None:
            return number
        return f"{number} kr." if currency == "DKK" else f"{number} {currency}"
    number = f"{sign}{_group(str(whole), ',')}.{cents:02d}"
    return number if currency is None else f"{currency} {number}"


_COMMA_DECIMAL = re.compile(r"[\d.]*\d,\d{1,2}")
_POINT_DECIMAL = re.compile(r"[\d,]*\d\.\d{1,2}")


def parse_amount(text: str, language: str = "da") -> int:
    """What a person types for an amount, in the language's convention, to minor units.
    Raises ValueError ("empty", "negative", or float's own) when it is not an amount."""
    raw = (text or "").strip().lower().replace("kr.", "").replace("kr", "").replace("dkk", "")
    raw = raw.replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise ValueError("empty")
    decimal_comma = language == "da"
    # One separator followed by one or two digits at the end is the decimal mark
    # whatever the language: people type 12500,50 in English too.
    if _COMMA_DECIMAL.fullmatch(raw) and raw.count(",") == 1:
        decimal_comma = True
    elif _POINT_DECIMAL.fullmatch(raw) and raw.count(".") == 1:
        decimal_comma = False
    if decimal_comma:
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    value = round(float(raw) * 100)
    if value < 0:
        raise ValueError("negative")
    return value
