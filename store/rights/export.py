"""The person's own copy (GDPR Art. 15 access, Art. 20 portability).

One call collects everything about one person and writes a bundle:

* `data.json`: every personal-data field about them, with each field's
  category, purpose and retention (machine-readable, Art. 20);
* one CSV per kind of record (`contact.csv`, `notes.csv`, ...);
* `report.txt` and `report.html`: a readable report with the Art. 15
  information (see report.py), in Danish or English.

What is exported is driven by the field metadata in store/models/: each section
takes every field marked `personal(...)` of its model, so a new personal field
is exported without touching this module, and a test fails if a model with
personal fields has no section here (or in STAFF_MODELS, with the reason).

The bundle is a zip (mode 0600) in the export folder (mode 0700), or a folder,
or a zip written to a binary stream (`export person ID` over SSH).  Its name is
generated (contact id, time, random suffix): no text from a user or from the
data ever becomes a path.  Every export answers an open request whose identity
check is recorded (requests.export_request), for every role: the bundle is
attached to that request, and the export is audited (who, which person and
request by id, when).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from peewee import Model

from .. import audit, retention
from .. import text as _text
from ..bilingual import LANGUAGES  # the languages a report is written in
from ..db import StoreError, database, tuples
from ..models import (
    AuditEvent,
    CampaignRecipient,
    Company,
    Consent,
    ConsentEvent,
    Contact,
    ContactTag,
    DataSubjectRequest,
    Deal,
    EmailAddress,
    FollowUp,
    ImportBatch,
    ImportChange,
    Invoice,
    LoginSession,
    Note,
    OptIn,
    PhoneNumber,
    SshKey,
    Tag,
    User,
    utcnow,
)
from ..processing import PersonalData
from ..scope import Scope
from .bundles import attached_bundle, bundle_name, export_dir, open_private, purge_exports, remove_bundle, write_zip
from .requests import export_request, record_export, require_person

FORMAT = "minicrm.person-export/1"


@dataclass(frozen=True)
class Section:
    """One kind of record about the person: a key in data.json and one CSV file."""
    name: str
    model: type[Model]
    context: tuple[str, ...] = ()  # non-personal fields that give the personal ones their meaning
    extra: tuple[str, ...] = ()    # computed columns (tag name, author's role)
    single: bool = False           # one object rather than a list

    @property
    def personal(self) -> list:
        return [f for f in self.model._meta.sorted_fields if getattr(f, "personal", None)]

    @property
    def columns(self) -> list[str]:
        names = {f.name for f in self.personal} | set(self.context)
        ordered = [f.name for f in self.model._meta.sorted_fields if f.name in names and f.name != "id"]
        return ["id", *ordered, *self.extra]


SECTIONS: tuple[Section, ...] = (
    Section("contact", Contact, ("lifecycle", "archived_at", "restricted_at", "updated_at"), single=True),
    # the other e-mails and phones, each labelled (the primary ones are in "contact")
    Section("emails", EmailAddress, ("position",)),
    Section("phones", PhoneNumber, ("position",)),
    Section("company", Company, ("cvr",), single=True),
    Section("import_sources", ImportBatch, ("imported_at", "lawful_basis")),
    Section("import_changes", ImportChange, ("batch", "version_after")),
    Section("tags", ContactTag, extra=("tag",)),
    Section("deals", Deal, ("currency", "created_at", "updated_at")),
    Section("invoices", Invoice, ("number", "due_on", "currency", "billing_cvr", "retain_until",
                                  "retained_after_erasure")),
    Section("notes", Note, ("category", "visibility"), extra=("author_role",)),
    Section("follow_ups", FollowUp, extra=("owner_role",)),
    Section("consents", Consent, ("updated_at",)),
    Section("consent_events", ConsentEvent, extra=("actor_role",)),
    Section("campaigns", CampaignRecipient, ("campaign", "state", "at")),
    Section("pending_sign_ups", OptIn, ("expires_at",)),
    Section("requests", DataSubjectRequest, ("kind", "received_on", "due_on", "extension_reason",
                                             "status", "closed_at")),
)
HISTORY_COLUMNS = ("at", "action", "by_role", "fields")

# Models with personal fields that are not about customers: staff accounts and sign-ins.
STAFF_MODELS = {
    User: "staff user accounts: personal data of employees, not of the customers exported here",
    LoginSession: "staff sign-ins: personal data of employees, not of the customers exported here",
    SshKey: "staff SSH keys: personal data of employees, not of the customers exported here",
}

# Audit actions that say nothing about the person (searches are counted, not tied to anyone).
_HISTORY_SKIP = {"contact.search", "access.forbidden"}


@dataclass
class PersonData:
    """Everything exported about one person, as plain values (what the bundle is made from)."""
    contact_id: int
    generated_at: dt.datetime
    language: str
    controller: dict[str, str]
    sections: dict[str, list[dict]]
    history: list[dict]
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # "notes.body" -> metadata
    # The settings the report states, as the retention jobs apply them ([retention], [recipients]).
    rules: retention.Rules = field(default_factory=retention.Rules)
    recipients: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def one(self, name: str) -> dict | None:
        rows = self.sections.get(name) or []
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.sections.items()} | {"history": len(self.history)}


# -- collecting ---------------------------------------------------------------------------

def _roles() -> dict[int | None, str]:  # looked up by nullable author/actor ids
    return dict(tuples(User.select(User.id, User.role)))


def _fields(section: Section) -> list:
    model = section.model
    return [model._meta.fields[name] for name in section.columns if name in model._meta.fields]


def _rows(section: Section, query) -> list[dict]:
    return list(query.select(*_fields(section)).order_by(section.model._meta.fields["id"]).dicts())


def collect_person(scope: Scope, contact_id: int, *, language: str | None = None) -> PersonData:
    """Read everything about the person through the scope (no audit row: `export_*` audit)."""
    language = _language(language)
    contact = require_person(scope, contact_id, "person.export")
    scope.require("audit.read")
    by_name = {s.name: s for s in SECTIONS}
    roles = _roles()
    cid = contact.id
    sections: dict[str, list[dict]] = {}

    sections["contact"] = _rows(by_name["contact"], scope.contacts().where(Contact.id == cid))
    for row in sections["contact"]:
        row["source"] = _source(row.get("source"), contact)
    for name, model in (("emails", EmailAddress), ("phones", PhoneNumber)):
        sections[name] = _rows(by_name[name], model.select().where(model.contact == cid))
    sections["company"] = (_rows(by_name["company"], scope.companies().where(Company.id == contact.company_id))
                           if contact.company_id else [])
    # The import batch is reached through the visible contact; its file name is left out
    # (staff choose file names, and they may name other people).
    sections["import_sources"] = (_rows(by_name["import_sources"],
                                        ImportBatch.select().where(ImportBatch.id == contact.import_batch_id))
                                  if contact.import_batch_id else [])
    sections["import_changes"] = _rows(by_name["import_changes"],
                                       ImportChange.select().where(ImportChange.contact == cid))
    sections["tags"] = [
        {"id": tid, "contact": c, "tag": name}
        for tid, c, name in (tuples(ContactTag.select(ContactTag.id, ContactTag.contact, Tag.name).join(Tag)
                             .where(ContactTag.contact == cid).order_by(Tag.name)))]
    sections["deals"] = _rows(by_name["deals"], scope.deals().where(Deal.contact == cid))
    sections["invoices"] = _rows(by_name["invoices"], scope.invoices().where(Invoice.contact == cid))

    notes = scope.subject_notes().where(Note.contact == cid)
    authors = dict(tuples(notes.select(Note.id, Note.author)))
    sections["notes"] = [r | {"author_role": roles.get(authors.get(r["id"]), "")}
                         for r in _rows(by_name["notes"], notes)]

    # every follow-up planned with the person, whoever's it is; staff appear by role
    follow_ups = FollowUp.select().where(FollowUp.contact == cid)
    owners = dict(tuples(follow_ups.select(FollowUp.id, FollowUp.owner)))
    sections["follow_ups"] = [r | {"owner_role": roles.get(owners.get(r["id"]), "")}
                              for r in _rows(by_name["follow_ups"], follow_ups)]

    consents = scope.consents().where(Consent.contact == cid)
    sections["consents"] = _rows(by_name["consents"], consents)
    events = scope.consent_events().where(ConsentEvent.consent.in_(consents.select(Consent.id)))
    actors = dict(tuples(events.select(ConsentEvent.id, ConsentEvent.actor)))
    sections["consent_events"] = [r | {"actor_role": roles.get(actors.get(r["id"]), "")}
                                  for r in _rows(by_name["consent_events"], events)]

    sections["campaigns"] = _rows(by_name["campaigns"],
                                  CampaignRecipient.select().where(CampaignRecipient.contact == cid))
    # a web sign-up not yet confirmed, under any of the person's addresses (store/optin.py)
    addresses = sorted({r["email"] for r in sections["emails"]} | ({contact.email} if contact.email else set()))
    sections["pending_sign_ups"] = (_rows(by_name["pending_sign_ups"],
                                          OptIn.select().where(OptIn.email.in_(addresses)))
                                    if addresses else [])

    requests = scope.requests().where(DataSubjectRequest.contact == cid)
    sections["requests"] = _rows(by_name["requests"], requests)
    history = _history(cid, [r["id"] for r in sections["requests"]], roles)

    return PersonData(
        contact_id=cid, generated_at=utcnow().replace(microsecond=0), language=language,
        controller=_controller(), sections=sections, history=history, fields=field_metadata(),
        rules=retention.rules(), recipients=recipients(),
    )


def _source(value, contact: Contact) -> str:
    """The contact's source as the bundle shows it: an import is "import" with its date, never
    the file's name (staff choose file names, and they may name other people)."""
    text = str(value or "")
    if not text.startswith("import"):
        return text
    when = None
    if contact.import_batch_id:
        when = ImportBatch.select(ImportBatch.imported_at).where(
            ImportBatch.id == contact.import_batch_id).scalar()
    when = _datetime(when or contact.created_at)
    return f"import {when.date().isoformat()}" if isinstance(when, dt.datetime) else "import"


def recipients() -> dict[str, list[tuple[str, str, str]]]:
    """[recipients] as (a, b, c) triples: processors and others (name, role, country),
    third-country transfers (recipient, country, safeguard)."""
    from ..runtime import current

    try:
        section = current().config.values["recipients"]
    except (StoreError, KeyError):  # no store open, or a config without the section
        return {"processors": [], "others": [], "third_country_transfers": []}
    return {key: [tuple(part.strip() for part in entry.split("|")) for entry in section[key]]
            for key in ("processors", "others", "third_country_transfers")}


def _history(contact_id: int, request_ids: list[int], roles: dict[int | None, str]) -> list[dict]:
    """Who viewed or changed the record and when; staff appear by role, not by name.

    The person is entitled to when and why their data was consulted; the
    identity of the employees is not required (CJEU C-579/21, Pankki S).
    """
    cond = (AuditEvent.entity == "contact") & (AuditEvent.entity_id == contact_id)
    if request_ids:
        cond |= (AuditEvent.entity == "request") & AuditEvent.entity_id.in_(request_ids)
    out = []
    for at, actor_id, action, detail in (tuples(AuditEvent.select(AuditEvent.at, AuditEvent.actor_id,
                                                           AuditEvent.action, AuditEvent.detail)
                                         .where(cond).order_by(AuditEvent.id))):
        if action in _HISTORY_SKIP:
            continue
        try:
            fields = json.loads(detail).get("fields") or []
        except (ValueError, AttributeError):
            fields = []
        out.append({"at": _datetime(at), "action": action,
                    "by_role": roles.get(actor_id, "") if actor_id is not None else "system",
                    "fields": " ".join(str(f) for f in fields)})
    return out


def _datetime(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def field_metadata() -> dict[str, dict[str, str]]:
    """"section.field" -> category, purpose, retention, for every exported personal field."""
    out = {}
    for section in SECTIONS:
        for f in section.personal:
            meta: PersonalData = f.personal
            out[f"{section.name}.{f.name}"] = {"category": meta.category, "purpose": meta.purpose,
                                               "retention": meta.retention}
    return out


def _language(language: str | None) -> str:
    if language is None:
        from ..runtime import current

        try:
            language = current().config["ui.language"] or "da"
        except (StoreError, KeyError):  # no store open, or a config without the setting
            language = "da"
    if language not in LANGUAGES:
        raise StoreError(f"unknown report language {language!r}; choose da or en")
    return language


def _controller() -> dict[str, str]:
    from ..runtime import current

    try:
        cfg = current().config
        return {k: cfg[f"company.{k}"] for k in ("name", "cvr", "address", "email", "dpo")}
    except (StoreError, KeyError):  # no store open, or a config without the company section
        return {k: "" for k in ("name", "cvr", "address", "email", "dpo")}


# -- rendering ----------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def to_json(data: PersonData) -> bytes:
    """data.json: one key per line, one record per line (readable, and fast for 10,000 records)."""
    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False, default=_plain, separators=(", ", ": "))

    head = {"format": FORMAT, "generated_at": data.generated_at.isoformat() + "Z",
            "person_id": data.contact_id, "controller": data.controller}
    parts = [f"  {dump(k)}: {dump(v)}" for k, v in head.items()]
    lists = [(s.name, data.sections.get(s.name, []), s.single) for s in SECTIONS]
    lists.append(("record_history", data.history, False))
    for name, rows, single in lists:
        if single:
            parts.append(f"  {dump(name)}: {dump(rows[0] if rows else None)}")
        elif rows:
            parts.append(f"  {dump(name)}: [\n" + ",\n".join("    " + dump(r) for r in rows) + "\n  ]")
        else:
            parts.append(f"  {dump(name)}: []")
    parts.append(f"  {dump('field_metadata')}: {{\n"
                 + ",\n".join(f"    {dump(k)}: {dump(v)}" for k, v in data.fields.items()) + "\n  }")
    return ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8")


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralise(value) -> str | int | float:
    """A CSV cell that no spreadsheet will run as a formula.

    Text starting with = + - @ or a character of store.text's set (tab, CR, LF,
    NUL, ESC, a bidi override ...) gets a leading apostrophe, which spreadsheets
    take as "this is text"; so a phone number reads '+4520123456.  Numbers stay
    numbers (a negative amount is not a formula).  The rest of the cell is the
    person's data as held (Art. 15: a copy, not a retelling); data.json holds
    every value unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = _plain(value)
    text = text if isinstance(text, str) else str(text)
    return "'" + text if text[:1] in FORMULA_TRIGGERS or _text.has_unsafe(text[:1]) else text


def to_csv(columns, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in columns])
    # UTF-8 with a byte-order mark: spreadsheet programs then read æ, ø and å right.
    return buf.getvalue().encode("utf-8-sig")


def bundle_files(data: PersonData) -> list[tuple[str, bytes]]:
    """(file name, content) of every file in the bundle; the names are fixed here."""
    from . import report

    files = [("data.json", to_json(data))]
    for section in SECTIONS:
        files.append((f"{section.name}.csv", to_csv(section.columns, data.sections.get(section.name, []))))
    files.append(("record_history.csv", to_csv(HISTORY_COLUMNS, data.history)))
    files.append(("report.txt", report.render_text(data).encode("utf-8")))
    files.append(("report.html", report.render_html(data).encode("utf-8")))
    return files


# -- writing ------------------------------------------------------------------------------

def _prepare(scope: Scope, contact_id: int, language: str | None, how: str,
             request_id: int | None, bundle: str | None) -> PersonData:
    # The permission first, so a role that may not export is refused as such (and the
    # refusal audited) before any question of a request.  Then one IMMEDIATE transaction:
    # a consistent snapshot, and the audit row and the request's record of the export commit with it.
    scope.require("person.export")
    with database.atomic():
        request = export_request(scope, contact_id, request_id)
        data = collect_person(scope, contact_id, language=language)
        record_export(request.id, bundle)
        audit.record(scope.user_id, "person.export", "contact", contact_id, format=how,
                     language=data.language, counts=data.counts(), request_id=request.id)
    return data


def export_person(scope: Scope, contact_id: int, *, language: str | None = None,
                  out_dir: str | os.PathLike | None = None, as_zip: bool = True,
                  request_id: int | None = None) -> Path:
    """Write the person's bundle to the export folder; returns the zip's (or folder's) path.

    `request_id`: the request it answers (default: the person's newest open,
    verified one); the bundle in the configured folder is attached to it.
    `out_dir` overrides the configured folder (it must exist); the name inside
    it is always generated.
    """
    folder = export_dir(out_dir)
    name = bundle_name(contact_id)
    target = folder / (name + ".zip" if as_zip else name)
    attached = target.name if out_dir is None and as_zip else None  # what `export fetch` may hand out
    data = _prepare(scope, contact_id, language, "zip" if as_zip else "folder", request_id, attached)
    files = bundle_files(data)
    try:
        if as_zip:
            with open_private(target) as fh:
                write_zip(files, fh, name)
        else:
            target.mkdir(mode=0o700)
            for file_name, content in files:
                with open_private(target / file_name) as fh:
                    fh.write(content)
    except OSError as exc:
        remove_bundle(target)
        raise StoreError(f"could not write the export to {folder}: {exc.strerror}") from None
    except BaseException:
        remove_bundle(target)
        raise
    return target


def write_export_zip(scope: Scope, contact_id: int, stream: BinaryIO, *,
                     language: str | None = None, request_id: int | None = None) -> str:
    """Write the person's bundle as a zip to a binary stream (e.g. stdout over SSH).

    Returns the bundle's generated name (the zip's top folder).
    """
    data = _prepare(scope, contact_id, language, "stream", request_id, None)
    name = bundle_name(contact_id)
    write_zip(bundle_files(data), stream, name)
    stream.flush()
    return name


__all__ = ["SECTIONS", "STAFF_MODELS", "PersonData", "collect_person", "export_person",
           "write_export_zip", "purge_exports", "attached_bundle", "neutralise", "bundle_files", "field_metadata",
           "FORMULA_TRIGGERS"]
