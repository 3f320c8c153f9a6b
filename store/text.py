"""The one set of characters that stored text never carries out of MiniCRM as they are.

Every output that shows or hands over text from users takes its character set
from here: validation refuses these characters, the import replaces them, the
display (tui/safe.py) and the console show the visible stand-ins of `visible`,
the reports and the mailing CSV replace them.  Each output chooses its
placeholder; none chooses its own set, and the visible stand-ins live here once.

The set is the union of what the five earlier copies covered, plus the bidi
marks none of them did:

- C0 controls U+0000-001F, DEL U+007F and C1 controls U+0080-009F: a terminal
  acts on them (ESC starts a sequence, U+009B is a one-byte CSI);
- bidi embeddings and overrides U+202A-202E and isolates U+2066-2069: they make
  text read differently from what it is ("gnp.exe" shown for "exe.png");
- bidi marks U+200E, U+200F and U+061C: invisible, they reorder neighbouring
  text the same way, only in smaller steps.

Multi-line text (notes, descriptions) keeps tab and line feed; everything else
in the set, CR included, is treated the same in one line or many.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_C0_DEL_C1 = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
UNSAFE_CHARACTERS: frozenset[str] = frozenset(chr(c) for c in (*_C0_DEL_C1, *_BIDI))
KEPT_IN_MULTILINE = frozenset("\t\n")

_BIDI_CLASS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f" + _BIDI_CLASS + "]")
_UNSAFE_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI_CLASS + "]")  # tab, LF kept


def pattern(*, multiline: bool = False) -> re.Pattern[str]:
    """The compiled set (tab and line feed left out for multi-line text)."""
    return _UNSAFE_MULTILINE if multiline else _UNSAFE


def has_unsafe(value: str | None, *, multiline: bool = False) -> bool:
    """True if the text holds a character from the set."""
    if not value:
        return False
    return pattern(multiline=multiline).search(value) is not None


def replace_unsafe(value: str, replacement: str | Callable[[str], str], *,
                   multiline: bool = False) -> str:
    """The text with every character from the set replaced (by a string or per character)."""
    # str.isprintable() is False for every character in the set (categories Cc and
    # Cf), so printable text -- nearly all of it -- needs no regex run.
    if not value or value.isprintable():
        return value
    if callable(replacement):
        return pattern(multiline=multiline).sub(lambda m: replacement(m.group(0)), value)
    return pattern(multiline=multiline).sub(replacement, value)


ESCAPE_PICTURE = "\u241b"  # ␛
REPLACEMENT = "\ufffd"  # �


def picture(ch: str) -> str:
    """The visible stand-in for one character of the set."""
    code = ord(ch)
    if ch == "\x1b":
        return ESCAPE_PICTURE
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␀ ␁ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


def visible(value: object, *, multiline: bool = False) -> str:
    """Stored text as plain characters for a terminal: each character of the set
    becomes its visible stand-in (so "Fax\x1b[2J" shows as "Fax␛[2J" and never acts)."""
    if value is None:
        return ""
    return replace_unsafe(str(value), picture, multiline=multiline)


def stored_line(value: str | None, limit: int) -> str:
    """Text from a file as one stored line: NFC, each character of the set a space,
    spaces collapsed, cut to the column size (the import keeps the row, not the bytes)."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if not value.isprintable():
        value = " ".join(replace_unsafe(value, " ").split())
    return value[:limit]


def stored_multiline(value: str, limit: int) -> str:
    """Text from a file as a stored note: like stored_line, but tab and line feed kept."""
    value = unicodedata.normalize("NFC", value)
    return replace_unsafe(value, " ", multiline=True).strip()[:limit]
