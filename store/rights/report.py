"""The readable report in an export bundle: plain text and HTML, Danish or English.

It carries what GDPR Art. 15 requires besides the copy itself: the purposes
and their legal bases, the categories of data, the recipients, how long the
data is kept, the person's rights, the right to complain to Datatilsynet,
where the data came from, and whether decisions are automated.  Purposes,
categories and retention come from processing.py via each exported field's
metadata, so the report describes exactly the data it shows.

Nothing from the data is interpreted: the text report is plain text (no
Markdown), and every value in the HTML report is escaped.
"""
from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from .. import retention
from .. import text as _text
from ..bilingual import Bilingual
from ..money import format_amount
from ..processing import CATEGORIES, PURPOSES
from .report_texts import (
    ACTIONS,
    CODES,
    DATATILSYNET,
    IMPORTED,
    LABELS,
    LAWFUL_BASES,
    LEGAL_BASIS_DA,
    RECIPIENT_TEXTS,
    RIGHTS,
    ROLE_NAMES,
    SECTION_TITLES,
    SOURCES,
    US,
    YES_NO,
    T,
)

if TYPE_CHECKING:
    from .export import PersonData

# Foreign keys to the person themself: noise in a report that is all about them.
_HIDDEN_IN_REPORT = {"contact"}


def _t(key: str, lang: str, **values) -> str:
    return T[key].in_language(lang, **values)


def _pick(text: Bilingual, lang: str) -> str:
    return text.in_language(lang)


def _named(entry) -> Bilingual:
    """A processing.py purpose, category or retention rule's name in both languages."""
    return Bilingual(entry.da, entry.en)


def _label(column: str, lang: str) -> str:
    return _pick(LABELS[column], lang) if column in LABELS else column


def _value(column: str, value, lang: str) -> str:
    if value is None or value == "":
        return ""
    if column == "amount_minor" and isinstance(value, int):
        return format_amount(value, None, lang)  # the currency has its own column
    if isinstance(value, bool):
        return _pick(YES_NO[0] if value else YES_NO[1], lang)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if column in ("author_role", "actor_role", "by_role", "owner_role"):
        return _pick(ROLE_NAMES.get(value, Bilingual(value, value)), lang)
    if column == "action":
        return _pick(ACTIONS.get(value, Bilingual(value, value)), lang)
    if column == "lawful_basis" and value in LAWFUL_BASES:
        return _pick(LAWFUL_BASES[value], lang)
    if column == "source":  # "manual", or "import 2026-03-01"
        kind, _sep, rest = str(value).partition(" ")
        if kind in CODES["source"]:
            return f"{_pick(CODES['source'][kind], lang)} {rest}".strip()
    if column in CODES and value in CODES[column]:
        return _pick(CODES[column][value], lang)
    if column == "fields":  # field names an edit touched
        return ", ".join(_label(name, lang) for name in str(value).split())
    return str(value)


# -- what the report says about the processing ------------------------------------------------

def _used_metadata(data: PersonData) -> list[dict]:
    """Metadata of the personal fields that hold something for this person."""
    used = []
    for key, meta in data.fields.items():
        section, column = key.split(".", 1)
        if any(row.get(column) not in (None, "") for row in data.sections.get(section, [])):
            used.append(meta)
    return used


def _source_lines(data: PersonData, lang: str) -> list[str]:
    contact = data.one("contact") or {}
    source = str(contact.get("source") or "")
    kind = "import" if source.startswith("import") else source
    lines = [_pick(SOURCES[kind], lang) if kind in SOURCES else source]
    for batch in data.sections.get("import_sources", []):
        when = _value("imported_at", batch.get("imported_at"), lang)
        lines.append(f"{_pick(IMPORTED, lang)} {when}")
    basis = contact.get("lawful_basis")
    if basis:
        lines.append(_t("basis_of_record", lang, basis=_value("lawful_basis", basis, lang)))
    return [line for line in lines if line]


def processing_summary(data: PersonData) -> dict[str, list[tuple[str, ...]]]:
    """(purpose, legal basis, categories), (category,), (category, retention) rows, translated."""
    lang = data.language
    used = _used_metadata(data)
    purposes: dict[str, set[str]] = {}
    kept: dict[str, set[str]] = {}
    for meta in used:
        purposes.setdefault(meta["purpose"], set()).add(meta["category"])
        kept.setdefault(meta["category"], set()).add(meta["retention"])

    def cat(c):
        return _pick(_named(CATEGORIES[c]), lang)

    purpose_rows: list[tuple[str, ...]] = []
    for pid in sorted(purposes):
        p = PURPOSES[pid]
        basis = _pick(Bilingual(LEGAL_BASIS_DA.get(pid, p.lawful_basis), p.lawful_basis), lang)
        purpose_rows.append((_pick(_named(p), lang), basis, ", ".join(sorted(cat(c) for c in purposes[pid]))))
    categories = sorted({cat(m["category"]) for m in used})
    # The figures are the settings the retention jobs apply (store/retention.py), never fixed text.
    retention_rows: list[tuple[str, ...]] = [(cat(c), "; ".join(retention.describe(r, lang, data.rules)
                                                               for r in sorted(kept[c])))
                                             for c in sorted(kept, key=cat)]
    return {"purposes": purpose_rows, "categories": [(c,) for c in categories], "retention": retention_rows,
            "recipients": _recipient_rows(data), "transfers": [tuple(t) for t in
                                                               data.recipients.get("third_country_transfers", [])]}


def _recipient_rows(data: PersonData) -> list[tuple[str, ...]]:
    """(name, type, role, country) of every processor and other recipient the settings name."""
    lang = data.language
    rows: list[tuple[str, ...]] = []
    for key, kind in (("processors", "processor"), ("others", "other")):
        for name, role, country in data.recipients.get(key, []):
            rows.append((name, _pick(RECIPIENT_TEXTS[kind], lang), role, country))
    return rows


def _r(key: str, lang: str) -> str:
    return _pick(RECIPIENT_TEXTS[key], lang)


def _tables(data: PersonData):
    """(section name, title, columns, rows of display strings) for every section and the history."""
    from .export import HISTORY_COLUMNS, SECTIONS

    lang = data.language
    for section in SECTIONS:
        columns = [c for c in section.columns if c not in _HIDDEN_IN_REPORT]
        rows = [[_value(c, r.get(c), lang) for c in columns] for r in data.sections.get(section.name, [])]
        title = _pick(SECTION_TITLES.get(section.name, Bilingual(section.name, section.name)), lang)
        yield section.name, title, columns, rows, section.single
    columns = list(HISTORY_COLUMNS)
    rows = [[_value(c, r.get(c), lang) for c in columns] for r in data.history]
    yield "record_history", _t("history", lang), columns, rows, False


def _controller_lines(data: PersonData) -> list[str]:
    c = data.controller
    lines = [c.get("name") or "", f"CVR {c['cvr']}" if c.get("cvr") else "", c.get("address") or "",
             c.get("email") or ""]
    if c.get("dpo"):
        lines.append(f"{_t('dpo', data.language)}: {c['dpo']}")
    return [line for line in lines if line]


def _controller_name(data: PersonData) -> str:
    return data.controller.get("name") or _pick(US, data.language)


# -- plain text ---------------------------------------------------------------------------------

def _printable(text: str) -> str:
    """No character of store.text's set (line breaks kept, a tab as spaces): a terminal
    showing report.txt must not act on escape sequences, nor a reader see reordered text."""
    return _text.replace_unsafe(text, "\ufffd", multiline=True).replace("\t", "    ")


def _fill(text: str, width: int) -> list[str]:
    """A cell's lines, each at most `width` characters (long words are broken)."""
    import textwrap

    text = _printable(text)
    if len(text) <= width and "\n" not in text:
        return [text]
    lines = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, width, break_long_words=True) or [""])
    return lines


def _table(rows, headers=(), widths=40) -> str:
    """A boxed plain-text table (the look of tabulate's "simple_grid").

    Drawn here rather than by tabulate: tabulate infers a type for every cell,
    which takes seconds for a person with 10,000 records (bench/bench_rights.py).
    """
    rows = [[str(c) for c in row] for row in rows]
    headers = [str(h) for h in headers]
    ncols = max([len(headers)] + [len(r) for r in rows])
    limit = list(widths) if isinstance(widths, (list, tuple)) else [widths] * ncols
    cells = [[_fill(c, limit[i]) for i, c in enumerate(r)] for r in ([headers] if headers else []) + rows]
    width = [max([1] + [len(line) for row in cells if i < len(row) for line in row[i]])
             for i in range(ncols)]

    def rule(left, mid, right):
        return left + mid.join("─" * (w + 2) for w in width) + right

    def lines_of(row):
        height = max(len(c) for c in row)
        for k in range(height):
            yield "│" + "│".join(
                " " + (row[i][k] if i < len(row) and k < len(row[i]) else "").ljust(width[i]) + " "
                for i in range(ncols)) + "│"

    out = [rule("┌", "┬", "┐")]
    for n, row in enumerate(cells):
        if n:
            out.append(rule("├", "┼", "┤"))
        out.extend(lines_of(row))
    out.append(rule("└", "┴", "┘"))
    return "\n".join(out)


def _para(text: str, indent: str = "") -> str:
    import textwrap

    return textwrap.fill(_printable(text), 100, initial_indent=indent,
                         subsequent_indent=" " * len(indent))


def _heading(text: str, underline: str = "-") -> list[str]:
    return ["", text, underline * len(text)]


def render_text(data: PersonData) -> str:
    lang = data.language
    summary = processing_summary(data)
    title = _t("title", lang, controller=_controller_name(data))
    out = [title, "=" * len(title), "",
           _para(_t("intro", lang, date=data.generated_at.strftime("%Y-%m-%d %H:%M"), id=data.contact_id))]
    out += _heading(_t("us", lang)) + _controller_lines(data)
    out += _heading(_t("purposes", lang))
    out.append(_table(summary["purposes"], (_t("purpose", lang), _t("basis", lang), _t("categories", lang)),
                      [30, 40, 40]))
    out += _heading(_t("categories", lang)) + [f"- {c}" for (c,) in summary["categories"]]
    out += [*_heading(_t("recipients", lang)), _para(_t("recipients_text", lang, controller=_controller_name(data)))]
    if summary["recipients"]:
        out += ["", _r("named", lang) + ":", _table(summary["recipients"], (
            _r("name", lang), _r("type", lang), _r("role", lang), _r("country", lang)), [30, 20, 40, 20])]
    out += _heading(_r("transfers", lang))
    out.append(_table(summary["transfers"], (_r("name", lang), _r("country", lang), _r("safeguard", lang)),
                      [30, 20, 50]) if summary["transfers"] else _para(_r("no_transfers", lang)))
    out += _heading(_t("retention", lang))
    out.append(_table(summary["retention"], (_t("category", lang), _t("period", lang)), [30, 70]))
    out += ["", _para(retention.erasure_proof_text(lang, data.rules))]
    out += _heading(_t("source", lang)) + [_para(line, "- ") for line in _source_lines(data, lang)]
    out += [*_heading(_t("automated", lang)), _para(_t("automated_text", lang))]
    out += _heading(_t("rights", lang)) + [_para(line, "- ") for line in (_pick(right, lang) for right in RIGHTS)]
    out += _heading(_t("complain", lang)) + [_para(_t("complain_text", lang))] + [
        f"  {DATATILSYNET[k]}" for k in ("name", "address", "email", "web")]

    out += _heading(_t("data", lang), "=")
    for name, title, columns, rows, single in _tables(data):
        out += _heading(title)
        if name == "record_history":
            out.append(_t("history_note", lang))
        if not rows:
            out.append(_t("none", lang))
        elif single:
            out.append(_table([(_label(c, lang), v) for c, v in zip(columns, rows[0], strict=True)], (), [28, 70]))
        else:
            out.append(_table(rows, [_label(c, lang) for c in columns], 40))
    out += [*_heading(_t("files", lang)), _para(_t("files_text", lang))]
    return "\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #999; padding: .25em .5em; text-align: left; vertical-align: top;
         white-space: pre-wrap; }
th { background: #eee; }
"""


def _e(text) -> str:
    return html.escape(_printable(str(text)), quote=True)


def _html_table(headers, rows) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers) if headers else ""
    body = "\n".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table>{'<thead><tr>' + head + '</tr></thead>' if head else ''}<tbody>\n{body}\n</tbody></table>"


def render_html(data: PersonData) -> str:
    lang = data.language
    summary = processing_summary(data)
    title = _t("title", lang, controller=_controller_name(data))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        # No scripts, no remote content: the report opens the same offline, years later.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(_t('intro', lang, date=data.generated_at.strftime('%Y-%m-%d %H:%M'), id=data.contact_id))}</p>",
        f"<h2>{_e(_t('us', lang))}</h2><p>" + "<br>".join(_e(x) for x in _controller_lines(data)) + "</p>",
        f"<h2>{_e(_t('purposes', lang))}</h2>",
        _html_table((_t("purpose", lang), _t("basis", lang), _t("categories", lang)), summary["purposes"]),
        f"<h2>{_e(_t('categories', lang))}</h2><ul>"
        + "".join(f"<li>{_e(c)}</li>" for (c,) in summary["categories"]) + "</ul>",
        f"<h2>{_e(_t('recipients', lang))}</h2>"
        f"<p>{_e(_t('recipients_text', lang, controller=_controller_name(data)))}</p>",
        (f"<p>{_e(_r('named', lang))}:</p>" + _html_table(
            (_r("name", lang), _r("type", lang), _r("role", lang), _r("country", lang)), summary["recipients"])
         if summary["recipients"] else ""),
        f"<h2>{_e(_r('transfers', lang))}</h2>",
        (_html_table((_r("name", lang), _r("country", lang), _r("safeguard", lang)), summary["transfers"])
         if summary["transfers"] else f"<p>{_e(_r('no_transfers', lang))}</p>"),
        f"<h2>{_e(_t('retention', lang))}</h2>",
        _html_table((_t("category", lang), _t("period", lang)), summary["retention"]),
        f"<p>{_e(retention.erasure_proof_text(lang, data.rules))}</p>",
        f"<h2>{_e(_t('source', lang))}</h2><ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in _source_lines(data, lang)) + "</ul>",
        f"<h2>{_e(_t('automated', lang))}</h2><p>{_e(_t('automated_text', lang))}</p>",
        f"<h2>{_e(_t('rights', lang))}</h2><ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in (_pick(right, lang) for right in RIGHTS)) + "</ul>",
        f"<h2>{_e(_t('complain', lang))}</h2><p>{_e(_t('complain_text', lang))}<br>"
        + "<br>".join(_e(DATATILSYNET[k]) for k in ("name", "address", "email", "web")) + "</p>",
        f"<h2>{_e(_t('data', lang))}</h2>",
    ]
    for name, title_, columns, rows, single in _tables(data):
        parts.append(f"<h3>{_e(title_)}</h3>")
        if name == "record_history":
            parts.append(f"<p>{_e(_t('history_note', lang))}</p>")
        if not rows:
            parts.append(f"<p>{_e(_t('none', lang))}</p>")
        elif single:
            parts.append(_html_table((), [(_label(c, lang), v) for c, v in zip(columns, rows[0], strict=True)]))
        else:
            parts.append(_html_table([_label(c, lang) for c in columns], rows))
    parts.append(f"<h2>{_e(_t('files', lang))}</h2><p>{_e(_t('files_text', lang))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


__all__ = ["render_text", "render_html", "processing_summary", "DATATILSYNET"]
