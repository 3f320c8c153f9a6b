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

from .. import text as _text
from ..money import format_amount
from ..processing import CATEGORIES, PURPOSES, RETENTION

if TYPE_CHECKING:
    from .export import PersonData

DATATILSYNET = {
    "name": "Datatilsynet",
    "address": "Carl Jacobsens Vej 35, 2500 Valby",
    "email": "dt@datatilsynet.dk",
    "web": "www.datatilsynet.dk",
}

# Art. 6(1) legal bases in Danish legal style (processing.py holds the English).
LEGAL_BASIS_DA = {
    "customer_relationship": "Art. 6, stk. 1, litra b (aftale) / litra f (legitim interesse)",
    "sales": "Art. 6, stk. 1, litra f (legitim interesse)",
    "bookkeeping": "Art. 6, stk. 1, litra c (retlig forpligtelse efter bogføringsloven)",
    "marketing": "Art. 6, stk. 1, litra a (samtykke, markedsføringsloven § 10)",
    "compliance": "Art. 6, stk. 1, litra c (retlig forpligtelse)",
    "security": "Art. 6, stk. 1, litra f (legitim interesse) / art. 32",
}

T = {
    "title": {"da": "Dine personoplysninger hos {controller}",
              "en": "Your personal data held by {controller}"},
    "intro": {"da": ("Dette er en kopi af de personoplysninger, vi behandler om dig "
                     "(databeskyttelsesforordningens art. 15), dannet {date} (UTC). "
                     "De samme oplysninger findes i maskinlæsbar form i data.json og i CSV-filerne "
                     "(art. 20). Din reference hos os er nummer {id}."),
              "en": ("This is a copy of the personal data we process about you (GDPR Art. 15), "
                     "made {date} (UTC). The same data is in machine-readable form in data.json and "
                     "the CSV files (Art. 20). Your reference with us is number {id}.")},
    "us": {"da": "Dataansvarlig", "en": "Controller"},
    "dpo": {"da": "Databeskyttelsesrådgiver / kontakt", "en": "Data protection contact"},
    "purposes": {"da": "Formål og retsgrundlag", "en": "Purposes and legal bases"},
    "purpose": {"da": "Formål", "en": "Purpose"},
    "basis": {"da": "Retsgrundlag", "en": "Legal basis"},
    "categories": {"da": "Kategorier af oplysninger", "en": "Categories of data"},
    "category": {"da": "Kategori", "en": "Category"},
    "recipients": {"da": "Modtagere", "en": "Recipients"},
    "recipients_text": {
        "da": ("Medarbejdere hos {controller}, der har brug for oplysningerne i deres arbejde; adgangen "
               "er styret efter rolle (salg, økonomi, ledelse, databeskyttelse), og hver visning og "
               "ændring logges. Vores databehandlere (drift og hosting af systemet) efter "
               "databehandleraftaler (art. 28). Offentlige myndigheder, når loven kræver det, f.eks. "
               "Skattestyrelsen for så vidt angår regnskabsmateriale. Vi videregiver ikke dine "
               "oplysninger til andre til deres egne formål."),
        "en": ("Staff of {controller} who need the data for their work; access depends on their role "
               "(sales, finance, management, data protection) and every view and change is logged. "
               "Our processors (operation and hosting of the system) under data processing agreements "
               "(Art. 28). Public authorities where the law requires it, such as the Danish Tax Agency "
               "for accounting records. We do not disclose your data to others for their own purposes.")},
    "retention": {"da": "Hvor længe vi gemmer oplysningerne", "en": "How long we keep the data"},
    "period": {"da": "Opbevaringsperiode", "en": "Retention period"},
    "source": {"da": "Hvor oplysningerne kommer fra", "en": "Where the data came from"},
    "basis_of_record": {"da": "Retsgrundlag for registreringen: {basis}.",
                        "en": "Legal basis for holding your record: {basis}."},
    "automated": {"da": "Automatiske afgørelser", "en": "Automated decisions"},
    "automated_text": {"da": "Vi træffer ingen automatiske afgørelser om dig, og vi laver ikke profilering "
                             "(art. 22).",
                       "en": "We make no automated decisions about you and do no profiling (Art. 22)."},
    "rights": {"da": "Dine rettigheder", "en": "Your rights"},
    "rights_list": {
        "da": ["Indsigt i oplysningerne (art. 15) - denne rapport.",
               "At få urigtige oplysninger rettet (art. 16).",
               "At få oplysningerne slettet (art. 17); regnskabsmateriale skal vi dog gemme i 5 år "
               "efter bogføringsloven.",
               "At få behandlingen begrænset (art. 18).",
               "At få oplysninger, du selv har givet os, i et maskinlæsbart format (art. 20).",
               "At gøre indsigelse mod behandling, der bygger på legitim interesse, og altid mod "
               "direkte markedsføring (art. 21).",
               "At trække et samtykke tilbage når som helst, uden at det påvirker lovligheden af "
               "behandlingen før tilbagetrækningen (art. 7, stk. 3).",
               "Vi svarer senest en måned efter, vi har modtaget din anmodning (art. 12, stk. 3)."],
        "en": ["Access to the data (Art. 15) - this report.",
               "To have inaccurate data corrected (Art. 16).",
               "To have the data erased (Art. 17); accounting records must however be kept for 5 years "
               "under the Danish Bookkeeping Act.",
               "To have processing restricted (Art. 18).",
               "To receive data you gave us in a machine-readable format (Art. 20).",
               "To object to processing based on legitimate interest, and always to direct marketing "
               "(Art. 21).",
               "To withdraw a consent at any time, without affecting the lawfulness of processing "
               "before the withdrawal (Art. 7(3)).",
               "We answer within one month of receiving your request (Art. 12(3))."]},
    "complain": {"da": "Klage", "en": "Complaints"},
    "complain_text": {"da": "Du kan klage over vores behandling af dine oplysninger til Datatilsynet:",
                      "en": "You can complain about how we process your data to the Danish Data "
                            "Protection Agency (Datatilsynet):"},
    "data": {"da": "Oplysningerne", "en": "The data"},
    "none": {"da": "(ingen)", "en": "(none)"},
    "history": {"da": "Hvem har set eller ændret dine oplysninger",
                "en": "Who viewed or changed your data"},
    "history_note": {"da": "Medarbejdere vises med deres rolle.", "en": "Staff are shown by their role."},
    "files": {"da": "Om filerne", "en": "About the files"},
    "files_text": {
        "da": ("data.json indeholder alle oplysninger uændret. I CSV-filerne (UTF-8) står der en apostrof "
               "foran tekst, der begynder med = + - eller @, så regneark ikke kører den som en formel; et "
               "telefonnummer står derfor som '+4512345678."),
        "en": ("data.json holds every value unchanged. In the CSV files (UTF-8), text starting with "
               "= + - or @ has an apostrophe in front, so spreadsheets do not run it as a formula; a phone "
               "number therefore reads '+4512345678.")},
}

SECTION_TITLES = {
    "contact": ("Kontaktoplysninger", "Contact details"),
    "company": ("Virksomhed", "Company"),
    "import_sources": ("Importer", "Imports"),
    "import_changes": ("Ændringer ved import", "Changes made by imports"),
    "tags": ("Mærker", "Tags"),
    "deals": ("Handler", "Deals"),
    "invoices": ("Fakturaer", "Invoices"),
    "notes": ("Noter", "Notes"),
    "consents": ("Samtykker", "Consents"),
    "consent_events": ("Samtykkehistorik og dokumentation", "Consent history and evidence"),
    "requests": ("Dine anmodninger", "Your requests"),
}

LABELS = {
    "id": ("Nr.", "No."), "first_name": ("Fornavn", "First name"), "last_name": ("Efternavn", "Last name"),
    "title": ("Titel", "Title"), "email": ("E-mail", "Email"), "phone": ("Telefon", "Phone"),
    "company": ("Virksomhed nr.", "Company no."), "source": ("Kilde", "Source"),
    "import_batch": ("Import nr.", "Import no."), "lawful_basis": ("Retsgrundlag", "Legal basis"),
    "created_at": ("Oprettet", "Created"), "updated_at": ("Ændret", "Updated"),
    "last_activity_at": ("Seneste aktivitet", "Last activity"), "lifecycle": ("Status", "Stage"),
    "archived_at": ("Arkiveret", "Archived"), "restricted_at": ("Begrænset", "Restricted"),
    "name": ("Navn", "Name"), "address": ("Adresse", "Address"), "postcode": ("Postnr.", "Postcode"),
    "city": ("By", "City"), "cvr": ("CVR", "CVR"), "imported_at": ("Importeret", "Imported"),
    "tag": ("Mærke", "Tag"), "amount_minor": ("Beløb", "Amount"), "currency": ("Valuta", "Currency"),
    "stage": ("Fase", "Stage"), "number": ("Fakturanr.", "Invoice no."), "issued_on": ("Udstedt", "Issued"),
    "due_on": ("Forfald", "Due"), "paid_on": ("Betalt", "Paid"), "billing_name": ("Faktureret til", "Billed to"),
    "billing_address": ("Faktureringsadresse", "Billing address"),
    "billing_email": ("Fakturerings-e-mail", "Billing email"), "billing_cvr": ("CVR", "CVR"),
    "retain_until": ("Gemmes til", "Kept until"), "retained_after_erasure": ("Gemt efter sletning", "Kept after erasure"),
    "category": ("Type", "Type"), "body": ("Tekst", "Text"), "visibility": ("Synlighed", "Visibility"),
    "author_role": ("Skrevet af", "Written by"), "purpose": ("Formål", "Purpose"),
    "channel": ("Kanal", "Channel"), "status": ("Status", "Status"), "given_at": ("Givet", "Given"),
    "withdrawn_at": ("Trukket tilbage", "Withdrawn"), "method": ("Metode", "Method"),
    "text_version": ("Tekstversion", "Text version"), "consent": ("Samtykke nr.", "Consent no."),
    "at": ("Tidspunkt", "When"), "event": ("Hændelse", "Event"), "evidence": ("Dokumentation", "Evidence"),
    "actor_role": ("Registreret af", "Recorded by"), "kind": ("Type", "Kind"),
    "received_on": ("Modtaget", "Received"), "extension_reason": ("Begrundelse for forlængelse", "Reason for extension"),
    "closed_at": ("Afsluttet", "Closed"), "action": ("Handling", "Action"), "by_role": ("Af", "By"),
    "fields": ("Felter", "Fields"), "old_values": ("Tidligere værdier", "Earlier values"),
    "batch": ("Import nr.", "Import no."), "version_after": ("Version", "Version"),
}

ROLE_NAMES = {
    "admin": ("administrator", "administrator"), "manager": ("leder", "manager"),
    "sales": ("salg", "sales"), "finance": ("økonomi", "finance"),
    "privacy": ("databeskyttelse", "data protection"), "system": ("systemet", "the system"),
    "": ("(ukendt)", "(unknown)"),
}

ACTIONS = {
    "contact.view": ("så oplysningerne", "viewed the record"),
    "contact.create": ("oprettede posten", "created the record"),
    "contact.edit": ("ændrede", "changed"),
    "contact.tags": ("ændrede mærker", "changed tags"),
    "contact.archive": ("arkiverede posten", "archived the record"),
    "contact.unarchive": ("genåbnede posten", "unarchived the record"),
    "contact.reassign": ("skiftede ansvarlig", "changed the responsible person"),
    "person.export": ("udleverede en kopi", "made a copy for you"),
    "person.restrict": ("begrænsede behandlingen", "restricted processing"),
    "person.restrict_lift": ("ophævede begrænsningen", "lifted the restriction"),
    "request.add": ("registrerede din anmodning", "registered your request"),
    "request.extend": ("forlængede svarfristen", "extended the deadline"),
    "request.assign": ("tildelte din anmodning", "assigned your request"),
    "request.close": ("afsluttede din anmodning", "closed your request"),
    "access.denied": ("forsøgte at se posten uden adgang", "tried to view the record without access"),
}

SOURCES = {
    "manual": ("registreret af vores medarbejdere, f.eks. efter en samtale eller en e-mail med dig",
               "entered by our staff, for example after a conversation or an email with you"),
    "web_form": ("givet af dig selv via vores webformular", "given by you through our web form"),
    "web": ("givet af dig selv via vores webformular", "given by you through our web form"),
    "import": ("importeret fra en kontaktliste (fil), se afsnittet Importer",
               "imported from a contact list (file), see the Imports section"),
    "demo": ("demonstrationsdata", "demonstration data"),
}

LAWFUL_BASES = {
    "contract": ("aftale med dig eller din virksomhed (art. 6, stk. 1, litra b)",
                 "a contract with you or your company (Art. 6(1)(b))"),
    "legitimate_interest": ("vores legitime interesse i kundeforholdet (art. 6, stk. 1, litra f)",
                            "our legitimate interest in the customer relationship (Art. 6(1)(f))"),
    "consent": ("dit samtykke (art. 6, stk. 1, litra a)", "your consent (Art. 6(1)(a))"),
}

# Foreign keys to the person themself: noise in a report that is all about them.
_HIDDEN_IN_REPORT = {"contact"}


def _t(key: str, lang: str, **values) -> str:
    text = T[key][lang]
    return text.format(**values) if values else text


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "da" else pair[1]


def _label(column: str, lang: str) -> str:
    return _pick(LABELS[column], lang) if column in LABELS else column


def _value(column: str, value, lang: str) -> str:
    if value is None or value == "":
        return ""
    if column == "amount_minor" and isinstance(value, int):
        return format_amount(value, None, lang)  # the currency has its own column
    if isinstance(value, bool):
        return ("ja" if value else "nej") if lang == "da" else ("yes" if value else "no")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if column in ("author_role", "actor_role", "by_role"):
        return _pick(ROLE_NAMES.get(value, (value, value)), lang)
    if column == "action":
        return _pick(ACTIONS.get(value, (value, value)), lang)
    if column == "lawful_basis" and value in LAWFUL_BASES:
        return _pick(LAWFUL_BASES[value], lang)
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
        lines.append(("Importeret " if lang == "da" else "Imported ") + when)
    basis = contact.get("lawful_basis")
    if basis:
        lines.append(_t("basis_of_record", lang, basis=_value("lawful_basis", basis, lang)))
    return [line for line in lines if line]


def processing_summary(data: PersonData) -> dict[str, list[tuple[str, ...]]]:
    """(purpose, legal basis, categories), (category,), (category, retention) rows, translated."""
    lang = data.language
    used = _used_metadata(data)
    purposes: dict[str, set[str]] = {}
    retention: dict[str, set[str]] = {}
    for meta in used:
        purposes.setdefault(meta["purpose"], set()).add(meta["category"])
        retention.setdefault(meta["category"], set()).add(meta["retention"])

    def cat(c):
        return _pick((CATEGORIES[c].da, CATEGORIES[c].en), lang)

    purpose_rows = []
    for pid in sorted(purposes):
        p = PURPOSES[pid]
        basis = LEGAL_BASIS_DA.get(pid, p.lawful_basis) if lang == "da" else p.lawful_basis
        purpose_rows.append((_pick((p.da, p.en), lang), basis, ", ".join(sorted(cat(c) for c in purposes[pid]))))
    categories = sorted({cat(m["category"]) for m in used})
    retention_rows = [(cat(c), "; ".join(_pick((RETENTION[r].da, RETENTION[r].en), lang)
                                          for r in sorted(retention[c])))
                      for c in sorted(retention, key=cat)]
    return {"purposes": purpose_rows, "categories": [(c,) for c in categories], "retention": retention_rows}


def _tables(data: PersonData):
    """(section name, title, columns, rows of display strings) for every section and the history."""
    from .export import HISTORY_COLUMNS, SECTIONS

    lang = data.language
    for section in SECTIONS:
        columns = [c for c in section.columns if c not in _HIDDEN_IN_REPORT]
        rows = [[_value(c, r.get(c), lang) for c in columns] for r in data.sections.get(section.name, [])]
        title = _pick(SECTION_TITLES.get(section.name, (section.name, section.name)), lang)
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
    return data.controller.get("name") or ("os" if data.language == "da" else "us")


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
    out += _heading(_t("recipients", lang)) + [_para(_t("recipients_text", lang, controller=_controller_name(data)))]
    out += _heading(_t("retention", lang))
    out.append(_table(summary["retention"], (_t("category", lang), _t("period", lang)), [30, 70]))
    out += _heading(_t("source", lang)) + [_para(line, "- ") for line in _source_lines(data, lang)]
    out += _heading(_t("automated", lang)) + [_para(_t("automated_text", lang))]
    out += _heading(_t("rights", lang)) + [_para(line, "- ") for line in T["rights_list"][lang]]
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
            out.append(_table([(_label(c, lang), v) for c, v in zip(columns, rows[0])], (), [28, 70]))
        else:
            out.append(_table(rows, [_label(c, lang) for c in columns], 40))
    out += _heading(_t("files", lang)) + [_para(_t("files_text", lang))]
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
        f"<h2>{_e(_t('retention', lang))}</h2>",
        _html_table((_t("category", lang), _t("period", lang)), summary["retention"]),
        f"<h2>{_e(_t('source', lang))}</h2><ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in _source_lines(data, lang)) + "</ul>",
        f"<h2>{_e(_t('automated', lang))}</h2><p>{_e(_t('automated_text', lang))}</p>",
        f"<h2>{_e(_t('rights', lang))}</h2><ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in T["rights_list"][lang]) + "</ul>",
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
            parts.append(_html_table((), [(_label(c, lang), v) for c, v in zip(columns, rows[0])]))
        else:
            parts.append(_html_table([_label(c, lang) for c in columns], rows))
    parts.append(f"<h2>{_e(_t('files', lang))}</h2><p>{_e(_t('files_text', lang))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


__all__ = ["render_text", "render_html", "processing_summary", "DATATILSYNET"]
