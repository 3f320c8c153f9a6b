"""Every e-mail address and phone number of a contact, and their postal address.

A contact has any number of e-mails and phones (tables `email_address`, `phone_number`),
each with a label (contact_points.LABELS) and exactly one primary per kind.
`Contact.email` and `Contact.phone` stay as the copy of the primary one: search results,
mailings and the import's look-ups read one column, and triggers keep the primary row
equal to it (migrations/m0014_contact_points.py), so a writer that only knows the one
column still leaves both right.  This module writes the rest: the labels, the order and
the other addresses, inside the caller's transaction.

Values are normalised by store.contact_points alone (through store.validate), and a
raw value that looks like a CPR number is refused before it is parsed: a ten-digit
run typed into a phone field must not become a stored "number".

`searchable(db, ids)` is what the search index reads: every e-mail, phone and the
address of each contact, in one query per kind.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import validate
from .contact_points import LABELS
from .errors import CprInText, Invalid
from .importing.sensitive import looks_like_cpr
from .views import ContactPoint

KINDS = {"emails": ("email_address", "email", "email"), "phones": ("phone_number", "phone", "phone")}
MAX_POINTS = 20  # per kind and contact: a form, not a mailing list
ADDRESS_FIELDS = {"address": 200, "postcode": 20, "city": 100, "country": 100}
SCREENED_ADDRESS = ("address", "city", "country")  # free text (a postcode is digits)

__all__ = ["KINDS", "ADDRESS_FIELDS", "SCREENED_ADDRESS", "MAX_POINTS", "Searchable", "clean_points",
           "clean_address", "points_of", "replace_points", "add_points", "searchable"]


def _as_point(item: Any) -> tuple[str, str, bool]:
    if isinstance(item, str):
        return item, "other", False
    if isinstance(item, dict):
        return str(item.get("value") or ""), str(item.get("label") or "other"), bool(item.get("primary"))
    value, *rest = item
    return str(value or ""), str((rest[0] if rest else None) or "other"), bool(rest[1] if len(rest) > 1 else False)


def clean_points(kind: str, items: Iterable[Any] | None, region: str = "DK") -> tuple[ContactPoint, ...]:
    """Validate a form's or a caller's list of e-mails ("emails") or phones ("phones").

    Each item is a ContactPoint, a (value, label, primary) tuple, a dict with those keys or
    a plain string.  Empty values are left out, a repeated value is kept once (the first),
    and exactly one comes back primary (the first one when none was marked).  Errors
    name the field as ``email_<n>``/``phone_<n>`` (the position given, from 0), never the value.
    """
    singular = KINDS[kind][2]
    out: list[ContactPoint] = []
    seen: set[str] = set()
    marked = 0
    for n, item in enumerate(items or ()):
        raw, label, primary = _as_point(item)
        field = f"{singular}_{n}"
        if not raw.strip():
            continue
        if looks_like_cpr(raw):
            raise CprInText(field)
        value = validate.email(raw, field) if singular == "email" else validate.phone(raw, field, region=region)
        validate.choice(f"{field}_label", label, LABELS)
        if value is None or value in seen:
            continue
        seen.add(value)
        marked += primary
        out.append(ContactPoint(value, label, primary))
    if marked > 1:
        raise Invalid(kind, "may have only one primary")
    if len(out) > MAX_POINTS:
        raise Invalid(kind, f"may hold at most {MAX_POINTS}")
    if out and not marked:
        out[0] = out[0]._replace(primary=True)
    return tuple(out)


def primary_of(points: tuple[ContactPoint, ...]) -> str | None:
    return next((p.value for p in points if p.primary), None)


def clean_address(fields: dict) -> dict[str, str | None]:
    """The address fields present in `fields`, as single-line text (None when empty)."""
    return {k: validate.text(k, fields[k], max_length=n) or None for k, n in ADDRESS_FIELDS.items() if k in fields}


def points_of(db, contact_ids: Iterable[int]) -> dict[int, dict[str, tuple[ContactPoint, ...]]]:
    """{contact id: {"emails": (...), "phones": (...)}}, each list in the order it was saved."""
    ids = sorted(set(contact_ids))
    out: dict[int, dict[str, list[ContactPoint]]] = {i: {"emails": [], "phones": []} for i in ids}
    for kind, (table, column, _) in KINDS.items():
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for cid, value, label, primary in db.execute_sql(
                    f'SELECT contact_id, "{column}", label, is_primary FROM "{table}" '
                    f"WHERE contact_id IN ({','.join('?' * len(part))}) ORDER BY contact_id, position, id", part):
                out[cid][kind].append(ContactPoint(value, label, bool(primary)))
    return {cid: {k: tuple(v) for k, v in kinds.items()} for cid, kinds in out.items()}


def replace_points(db, contact_id: int, kind: str, points: tuple[ContactPoint, ...]) -> None:
    """Make the contact's e-mails or phones exactly `points` (inside the caller's transaction,
    after `Contact.email`/`phone` was set to the primary: its trigger already moved that row)."""
    table, column, _ = KINDS[kind]
    values = [p.value for p in points]
    if values:
        db.execute_sql(f'DELETE FROM "{table}" WHERE contact_id = ? AND "{column}" NOT IN '
                       f"({','.join('?' * len(values))})", [contact_id, *values])
    else:
        db.execute_sql(f'DELETE FROM "{table}" WHERE contact_id = ?', [contact_id])
        return
    db.execute_sql(f'UPDATE "{table}" SET is_primary = 0 WHERE contact_id = ?', [contact_id])
    add_points(db, kind, [(contact_id, p.value, p.label, False, n) for n, p in enumerate(points)])
    db.execute_sql(f'UPDATE "{table}" SET is_primary = 1 WHERE contact_id = ? AND "{column}" = ?',
                   [contact_id, primary_of(points)])


def add_points(db, kind: str, rows: list[tuple[int, str, str, bool, int]]) -> None:
    """(contact id, value, label, primary, position) rows in one executemany: a value the
    contact already has (the primary its trigger wrote) takes the label and position given."""
    if not rows:
        return
    table, column, _ = KINDS[kind]
    db.connection().executemany(
        f'INSERT INTO "{table}" (contact_id, "{column}", label, is_primary, position) VALUES (?, ?, ?, ?, ?) '
        f'ON CONFLICT (contact_id, "{column}") DO UPDATE SET label = excluded.label, position = excluded.position',
        rows)


@dataclass(frozen=True)
class Searchable:
    """What the search index may hold of a contact's ways to reach them (never notes)."""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


def searchable(db, contact_ids: Iterable[int]) -> dict[int, Searchable]:
    """{contact id: Searchable} for every given contact that exists: all its e-mails and
    phones (primary first) and its address; three queries per 500 contacts."""
    ids = sorted(set(contact_ids))
    out: dict[int, Searchable] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        values: dict[int, dict[str, list[str]]] = {}
        for kind, (table, column, _) in KINDS.items():
            for cid, value in db.execute_sql(
                    f'SELECT contact_id, "{column}" FROM "{table}" WHERE contact_id IN ({marks}) '
                    "ORDER BY contact_id, is_primary DESC, position, id", part):
                values.setdefault(cid, {"emails": [], "phones": []})[kind].append(value)
        for cid, address, postcode, city, country in db.execute_sql(
                f"SELECT id, address, postcode, city, country FROM contact WHERE id IN ({marks})", part):
            got = values.get(cid, {"emails": [], "phones": []})
            out[cid] = Searchable(tuple(got["emails"]), tuple(got["phones"]), address or "", postcode or "",
                                  city or "", country or "")
    return out
