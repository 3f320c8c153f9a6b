"""A text the store writes in Danish and in English, always both, always in that order.

The store must not import the UI's gettext catalogues (tui/locale), yet some of
what it writes goes straight to a person: the export report, later letters and
mails.  Every such text is a `Bilingual`, so no pair can be written in the
other order, and a missing translation is a TypeError at import time.
"""
from __future__ import annotations

from typing import NamedTuple

LANGUAGES = ("da", "en")


class Bilingual(NamedTuple):
    da: str
    en: str

    def in_language(self, language: str, **values) -> str:
        """The text in `language` ("da", else English), with str.format values filled in."""
        text = self.da if language == "da" else self.en
        return text.format(**values) if values else text
