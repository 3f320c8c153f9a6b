"""A document to Markdown, HTML or PDF, through Jinja2 templates (templates/, package data).

Escaping lives here, once, for every string a document holds (words and config text alike):

* HTML: Jinja2's autoescape; characters of store.text's control/bidi set become U+FFFD first.
* Markdown: Jinja2's `finalize` runs each value through `md_escape`: the set's characters
  and line breaks go, and every character that could open Markdown or HTML (`* _ [ ] < > # |`
  and the rest) is backslash-escaped, so `[x](javascript:...)`, `<script>` or a heading in
  a company name stays the literal text.
* PDF: WeasyPrint renders the HTML, with every URL fetch refused (nothing remote, nothing
  from disk). WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0); without
  it `pdf()` raises CommandFailed saying so, and md/html still work.
"""
from __future__ import annotations

import re
from functools import cache

import jinja2

from .. import text as _text
from ..errors import CommandFailed
from .documents import Document

# The characters that open Markdown, GFM or raw HTML anywhere in a line (CommonMark lets a
# backslash escape any ASCII punctuation), and what opens a block at the start of one.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!$])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def clean(value) -> str:
    """One line of text with no control, escape or bidi character (line breaks become spaces)."""
    value = "" if value is None else str(value)
    value = _text.replace_unsafe(value.replace("\r\n", " ").replace("\n", " ").replace("\t", " "), "\ufffd")
    return value


def md_escape(value) -> str:
    """A value as inert Markdown text: renders as exactly its characters."""
    if value is None:
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(clean(value).split()))
    # "1. x" or "- x" at the start of a list item would open a nested list: escape the marker
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                      else "\\" + m.group(2)), escaped)


@cache
def _environment(fmt: str) -> jinja2.Environment:
    loader = jinja2.PackageLoader("store.paperwork", "templates")
    if fmt == "html":
        return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                  finalize=clean, undefined=jinja2.StrictUndefined)
    return jinja2.Environment(loader=loader, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                              finalize=md_escape, undefined=jinja2.StrictUndefined)


def markdown(doc: Document) -> str:
    out = _environment("md").get_template("document.md.j2").render(doc=doc)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


def html(doc: Document) -> str:
    return _environment("html").get_template("document.html.j2").render(doc=doc)


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError("the document loads nothing from outside")  # WeasyPrint logs it and goes on


def pdf(doc: Document) -> bytes:
    try:
        import weasyprint  # type: ignore[import-untyped]  # ships no type information
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise CommandFailed(
            "PDF output needs WeasyPrint and the Pango library (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0); use --format md or html ({type(exc).__name__})") from None
    return weasyprint.HTML(string=html(doc), url_fetcher=_no_fetch).write_pdf()
