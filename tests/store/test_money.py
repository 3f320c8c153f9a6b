"""One money format: the app's amounts and the export report's read the same."""
from __future__ import annotations


def test_the_app_and_the_report_write_an_amount_alike():
    from store.money import format_amount, parse_amount
    from store.rights.report import _value
    from tui import i18n

    before = i18n.language()
    try:
        _both_languages(format_amount, parse_amount, _value, i18n)
    finally:
        i18n.set_language(before)
    assert format_amount(123450, "DKK", "da") == "1.234,50 kr."
    assert format_amount(-20000, None, "en") == "-200.00"


def _both_languages(format_amount, parse_amount, _value, i18n):
    for language in ("da", "en"):
        i18n.set_language(language)
        for minor in (0, 5, 123450, -20000, 100_000_000):
            assert i18n.fmt_money(minor) == format_amount(minor, "DKK", language)
            number = _value("amount_minor", minor, language)
            assert number == format_amount(minor, None, language) and number in i18n.fmt_money(minor)
            if minor >= 0:
                assert parse_amount(number, language) == minor == i18n.parse_money(number)
