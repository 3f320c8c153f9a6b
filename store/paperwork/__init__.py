"""The paperwork, generated from the running system: privacy notice, DPA, record of processing,
staff policy and processors list, in Danish and English, as Markdown, HTML or PDF.

    document(kind, lang, *, processor=None, now=None) -> Document   the content, one language
    render(kind, lang, fmt, *, processor=None, now=None) -> str | bytes

Everything a document states comes from one place each: the config's `[company]` and
`[recipients]` sections, the field metadata of store/models/ (categories, purposes, data
subjects), store.retention (the erasure jobs' own figures) and the running installation
(measures.py: encryption, 2FA, audit chain, last verified backup).  Each document carries
its generation date and the config it came from (path and SHA-256 of the settings).

Pure rendering: it reads the open store's config and state, and writes nothing.
"""
from __future__ import annotations

import datetime as dt

from ..errors import Invalid
from .documents import Document
from .facts import Party, gather

KINDS = ("privacy-notice", "dpa", "ropa", "staff-policy", "processors")
FORMATS = ("md", "html", "pdf")
LANGUAGES = ("da", "en")


def document(kind: str, lang: str, *, processor: str | None = None, now: dt.datetime | None = None) -> Document:
    from ..runtime import current
    from .documents import _Writer

    if kind not in KINDS:
        raise Invalid("kind", f"must be one of {', '.join(KINDS)}")
    if lang not in LANGUAGES:
        raise Invalid("lang", "must be da or en")
    config = current().config
    facts = gather(config, now)
    writer = _Writer(facts, lang)
    if kind == "ropa":
        from .measures import in_force

        return writer.ropa(in_force(config))
    if kind == "privacy-notice":
        return writer.privacy_notice()
    if kind == "dpa":
        return writer.dpa(_processor(facts.processors, processor))
    if kind == "staff-policy":
        return writer.staff_policy(config["auth.idle_lock_minutes"])
    return writer.processors()


def _processor(processors: list[Party], name: str | None) -> Party | None:
    if not name:
        return None
    for p in processors:
        if p.name.casefold() == name.strip().casefold():
            return p
    raise Invalid("processor", "is not one of recipients.processors in the config"
                  + (f" ({', '.join(p.name for p in processors)})" if processors else " (none is listed)"))


def render(kind: str, lang: str, fmt: str = "md", *, processor: str | None = None,
           now: dt.datetime | None = None) -> str | bytes:
    from . import output as _render

    if fmt not in FORMATS:
        raise Invalid("format", "must be md, html or pdf")
    doc = document(kind, lang, processor=processor, now=now)
    if fmt == "pdf":
        return _render.pdf(doc)
    return _render.html(doc) if fmt == "html" else _render.markdown(doc)


__all__ = ["KINDS", "FORMATS", "LANGUAGES", "Document", "document", "render"]
