"""The one place that turns stored text into something the terminal shows.

Anything typed by a user or read from an imported file goes through here
before it reaches a widget: it is never parsed as markup (we build
`rich.text.Text` / `textual.content.Content` objects, never markup strings),
and the characters of store.text's set (controls, bidi overrides and marks)
become visible placeholders, so no escape sequence from the data can reach
the terminal.
"""
from __future__ import annotations

from rich.text import Text

from store import text as _store_text

ESCAPE_PICTURE = _store_text.ESCAPE_PICTURE
REPLACEMENT = _store_text.REPLACEMENT


def clean(value, *, multiline: bool = False) -> str:
    """Stored text as plain characters: controls become visible placeholders."""
    # the character set and its stand-ins are the store's (store.text): display never decides them alone
    return _store_text.visible(value, multiline=multiline)


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
    return not _store_text.has_unsafe(value or "")
