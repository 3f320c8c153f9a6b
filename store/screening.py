"""Free text is screened on every write with the importer's detector (importing/sensitive.py).

Notes, tags, job titles, deal titles, follow-ups and company names are the places where a
CPR number or a diagnosis slips into a sales register.  Every write path in the
store calls `screen` before it writes:

* a CPR number is refused (`CprInText`, naming the field): it never belongs in a
  CRM's free text (databeskyttelsesloven § 11);
* a special-category term (Art. 9: health, religion, trade union, ...) is refused
  (`SpecialCategory`) unless the caller passes `allow_special=True`, which is what
  the app's "Save anyway?" does.  The write then also calls `flag`: an audit row
  `text.special_allowed` naming the record, the field and the kinds found (codes,
  never the text).  Those rows are the flags: `flagged` lists every flagged record
  that still holds such text, for the hygiene report.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from . import audit
from .db import tuples
from .errors import CprInText, SpecialCategory
from .importing.sensitive import looks_like_cpr, scan_free_text
from .models import AuditEvent, Company, Contact, ContactTag, Deal, FollowUp, Note, Tag
from .scope import Scope

FLAG_ACTION = "text.special_allowed"


def screen(field: str, value: str | None, *, allow_special: bool = False) -> tuple[str, ...]:
    """The special-category kinds in `value` (empty: nothing found).

    Raises CprInText for a CPR number, SpecialCategory for a special-category term
    unless `allow_special`.  Messages name the field, never the value.
    """
    if not value:
        return ()
    kinds = scan_free_text(value)
    if "cpr" in kinds or looks_like_cpr(value):
        raise CprInText(field)
    if kinds and not allow_special:
        raise SpecialCategory(field, tuple(kinds))
    return tuple(kinds)


def screen_all(values: dict[str, str | None], *, allow_special: bool = False) -> dict[str, tuple[str, ...]]:
    """Screen several fields at once: every CPR number first, then the special categories,
    so a form learns of a refusal before it asks "save anyway?"."""
    for field, value in values.items():
        screen(field, value, allow_special=True)  # CPR anywhere is refused regardless
    found = {}
    for field, value in values.items():
        kinds = screen(field, value, allow_special=allow_special)
        if kinds:
            found[field] = kinds
    return found


def flag(scope: Scope, entity: str, entity_id: int, found: dict[str, tuple[str, ...]]) -> None:
    """Record, inside the write's transaction, that special-category text was saved anyway."""
    for field, kinds in sorted(found.items()):
        audit.record(scope.user_id, FLAG_ACTION, entity, entity_id, field=field, kinds=list(kinds))


@dataclass(frozen=True)
class Flag:
    entity: str
    entity_id: int
    field: str
    kinds: tuple[str, ...]   # what the detector finds in the text now
    flagged_at: dt.datetime
    contact_id: int | None   # the person it is about, where there is one


def _current_text(entity: str, entity_id: int, field: str) -> tuple[str | None, int | None]:
    """(the field's text now, the contact it belongs to); (None, None) if the record is gone."""
    if entity == "note":
        note = Note.get_or_none(Note.id == entity_id)
        return (note.body, note.contact_id) if note else (None, None)
    if entity == "deal":
        deal = Deal.get_or_none(Deal.id == entity_id)
        return (deal.title, deal.contact_id) if deal else (None, None)
    if entity == "follow_up":
        follow_up = FollowUp.get_or_none(FollowUp.id == entity_id)
        return (follow_up.body, follow_up.contact_id) if follow_up else (None, None)
    if entity == "company":
        company = Company.get_or_none(Company.id == entity_id)
        return (company.name, None) if company else (None, None)
    if entity == "contact":
        contact = Contact.get_or_none(Contact.id == entity_id)
        if contact is None:
            return None, None
        if field == "tags":
            names = [t for (t,) in tuples(Tag.select(Tag.name).join(ContactTag)
                                          .where(ContactTag.contact == entity_id))]
            return " ".join(names), entity_id
        return getattr(contact, field, None), entity_id
    return None, None


def flagged(scope: Scope) -> list[Flag]:
    """The hygiene report's list: records saved with special-category text that still hold it.

    For the privacy and admin roles (audit.read).  A record since edited clean, or
    erased, drops out.
    """
    scope.require("audit.read")
    seen: dict[tuple[str, int, str], dt.datetime] = {}
    for entity, entity_id, detail, at in tuples(AuditEvent.select(AuditEvent.entity, AuditEvent.entity_id,
                                                                  AuditEvent.detail, AuditEvent.at)
                                                .where(AuditEvent.action == FLAG_ACTION)
                                                .order_by(AuditEvent.id)):
        field = json.loads(detail).get("field", "")
        seen.setdefault((entity, entity_id, field), at)
    out = []
    for (entity, entity_id, field), at in seen.items():
        text, contact_id = _current_text(entity, entity_id, field)
        kinds = tuple(k for k in scan_free_text(text or "") if k != "cpr")
        if kinds:
            out.append(Flag(entity, entity_id, field, kinds, at, contact_id))
    return out


__all__ = ["screen", "screen_all", "flag", "flagged", "Flag", "FLAG_ACTION"]
