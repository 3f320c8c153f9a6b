"""The one place that turns stored text into something the terminal shows.

Anything typed by a user or read from an imported file goes through here
before it reaches a widget: it is never parsed as markup (we build
`rich.text.Text` / `textual.content.Content` objects, never markup strings),
and control characters become visible placeholders, so no escape sequence
from the data can reach the terminal.
"""
from __future__ import annotations

import re

from rich.text import Text

ESCAPE_PICTURE = "\u241b"  # ␛
REPLACEMENT = "\ufffd"  # �

# C0 controls, DEL, C1 controls, and the bidi overrides/isolates that can
# make text read differently from what it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match) -> str:
    ch = match.group(0)
    code = ord(ch)
    if ch == "\x1b":
        return ESCAPE_PICTURE
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␀ ␁ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


def clean(value, *, multiline: bool = False) -> str:
    """Stored text as plain characters: controls become visible placeholders."""
    if value is None:
        return ""
    text = str(value)
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    return pattern.sub(_picture, text)


def text(value, *, style: str = "", multiline: bool = False) -> Text:
    """A Rich Text for DataTable cells and Static widgets (never parsed as markup)."""
    return Text(clean(value, multiline=multiline), style=style, no_wrap=not multiline)


def content(value, *, multiline: bool = False):
    """A Textual Content (no markup parsing) for labels, titles and messages."""
    from textual.content import Content

    return Content(clean(value, multiline=multiline))


def template(markup_template: str, **values):
    """Our own translated markup with stored text substituted safely.

    `markup_template` comes from the catalogue (trusted); each value is cleaned
    and substituted as plain text by Content.from_markup, never parsed.
    """
    from textual.content import Content

    return Content.from_markup(markup_template, **{k: clean(v) for k, v in values.items()})


def is_clean(value: str) -> bool:
    return not _UNSAFE.search(value or "")
