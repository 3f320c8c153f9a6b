"""Every e-mail address and phone number of a contact, and their postal address.

A contact has any number of e-mails and phones, each with a label
(contact_points.LABELS) and exactly one primary per kind.  The primary ones are the
contact's own columns (`email` + `email_label`, `phone` + `phone_label`): search
results, mailings and the import's look-ups read one column, and most contacts, who
have one of each, write no other row.  The others live in `email_address` and
`phone_number`, in the order given.  This module reads and writes both halves inside
the caller's transaction.

Values are normalised by store.contact_points alone (through store.validate), and a
raw value that looks like a CPR number is refused before it is parsed: a ten-digit
run typed into a phone field must not become a stored "number".

`searchable(db, ids)` is what the search index reads: every e-mail, phone and the
address of each contact, in three queries per 500 contacts.
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
           "clean_address", "points_of", "primary_fields", "replace_points", "drop_values", "add_points",
           "merge_points", "searchable"]


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
    and exactly one comes back primary (the first one when none was marked), first.  Errors
    name the field as ``email``/``phone`` for the first and ``email_<n>``/``phone_<n>`` for the others
    (n from 1: the position given), never the value.
    """
    singular = KINDS[kind][2]
    out: list[ContactPoint] = []
    seen: set[str] = set()
    marked = 0
    for n, item in enumerate(items or ()):
        raw, label, primary = _as_point(item)
        field = singular if n == 0 else f"{singular}_{n}"  # the form's first row is "email", then "email_1"
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
    # the primary first, as points_of gives it back (it is the contact's own column)
    return tuple(sorted(out, key=lambda p: not p.primary))


def clean_address(fields: dict) -> dict[str, str | None]:
    """The address fields present in `fields`, as single-line text (None when empty)."""
    return {k: validate.text(k, fields[k], max_length=n) or None for k, n in ADDRESS_FIELDS.items() if k in fields}


def label_column(kind: str) -> str:
    """The contact's column holding the primary's label: email_label, phone_label."""
    return KINDS[kind][2] + "_label"


def points_of(db, contact_ids: Iterable[int]) -> dict[int, dict[str, tuple[ContactPoint, ...]]]:
    """{contact id: {"emails": (...), "phones": (...)}}: the primary first, then the others
    in the order they were saved."""
    ids = sorted(set(contact_ids))
    out: dict[int, dict[str, list[ContactPoint]]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for cid, email, email_label, phone, phone_label in db.execute_sql(
                f"SELECT id, email, email_label, phone, phone_label FROM contact WHERE id IN ({marks})", part):
            out[cid] = {"emails": [ContactPoint(email, email_label or "other", True)] if email else [],
                        "phones": [ContactPoint(phone, phone_label or "other", True)] if phone else []}
        for kind, (table, column, _) in KINDS.items():
            for cid, value, label in db.execute_sql(
                    f'SELECT contact_id, "{column}", label FROM "{table}" WHERE contact_id IN ({marks}) '
                    "ORDER BY contact_id, position, id", part):
                if cid in out and not (out[cid][kind] and out[cid][kind][0].value == value):
                    out[cid][kind].append(ContactPoint(value, label, False))
    return {cid: {k: tuple(v) for k, v in kinds.items()} for cid, kinds in out.items()}


def primary_fields(kind: str, points: tuple[ContactPoint, ...]) -> dict[str, str | None]:
    """The contact's columns for the primary of `points`: {"email": ..., "email_label": ...}."""
    primary = next((p for p in points if p.primary), None)
    return {KINDS[kind][2]: primary.value if primary else None,
            label_column(kind): primary.label if primary else "other"}


def replace_points(db, contact_id: int, kind: str, points: tuple[ContactPoint, ...]) -> None:
    """Make the contact's other e-mails or phones exactly the non-primary ones of `points`
    (inside the caller's transaction; the primary is the contact's own column, set by the caller)."""
    table, _column, _ = KINDS[kind]
    db.execute_sql(f'DELETE FROM "{table}" WHERE contact_id = ?', [contact_id])
    add_points(db, kind, [(contact_id, p.value, p.label, n) for n, p in enumerate(points) if not p.primary])


def drop_values(db, contact_id: int, kind: str, values: list[str]) -> None:
    """Take these values out of the contact's other e-mails or phones (one became the primary)."""
    table, column, _ = KINDS[kind]
    values = [v for v in values if v]
    if values:
        db.execute_sql(f'DELETE FROM "{table}" WHERE contact_id = ? AND "{column}" IN '
                       f"({','.join('?' * len(values))})", [contact_id, *values])


def add_points(db, kind: str, rows: list[tuple[int, str, str, int]]) -> None:
    """(contact id, value, label, position) rows of other e-mails or phones, in one
    executemany; a value the contact already has among them is left as it is."""
    if not rows:
        return
    table, column, _ = KINDS[kind]
    db.connection().executemany(
        f'INSERT OR IGNORE INTO "{table}" (contact_id, "{column}", label, position) VALUES (?, ?, ?, ?)', rows)


def merge_points(db, survivor_id: int, merged_id: int, primary: dict[str, str | None]) -> None:
    """Inside a merge's transaction (store/merge.py), before the merged contact goes: every
    e-mail and phone of both becomes the survivor's.  `primary` ({"email": ..., "phone": ...})
    is what the survivor keeps in its own columns; its label comes along."""
    both = points_of(db, [survivor_id, merged_id])
    for kind, (table, _column, single) in KINDS.items():
        points = [*both.get(survivor_id, {}).get(kind, ()), *both.get(merged_id, {}).get(kind, ())]
        keep = primary.get(single)
        chosen = next((p for p in points if p.value == keep), None)
        others: list[ContactPoint] = []
        for p in points:
            if p.value != keep and p.value not in {o.value for o in others}:
                others.append(p._replace(primary=False))
        if chosen is None and others:  # the survivor had none: the merged one's is its primary now
            chosen = others.pop(0)
            db.execute_sql(f"UPDATE contact SET {single} = ? WHERE id = ?", [chosen.value, survivor_id])
        db.execute_sql(f'DELETE FROM "{table}" WHERE contact_id IN (?, ?)', [survivor_id, merged_id])
        add_points(db, kind, [(survivor_id, p.value, p.label, n) for n, p in enumerate(others, 1)])
        db.execute_sql(f"UPDATE contact SET {label_column(kind)} = ? WHERE id = ?",
                       [chosen.label if chosen else "other", survivor_id])


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
    phones (the primary first) and its address; three queries per 500 contacts."""
    ids = sorted(set(contact_ids))
    out: dict[int, Searchable] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        others: dict[int, dict[str, list[str]]] = {}
        for kind, (table, column, _) in KINDS.items():
            for cid, value in db.execute_sql(
                    f'SELECT contact_id, "{column}" FROM "{table}" WHERE contact_id IN ({marks}) '
                    "ORDER BY contact_id, position, id", part):
                others.setdefault(cid, {"emails": [], "phones": []})[kind].append(value)
        for cid, email, phone, address, postcode, city, country in db.execute_sql(
                f"SELECT id, email, phone, address, postcode, city, country FROM contact WHERE id IN ({marks})",
                part):
            more = others.get(cid, {"emails": [], "phones": []})
            emails = ([email] if email else []) + [e for e in more["emails"] if e != email]
            phones = ([phone] if phone else []) + [p for p in more["phones"] if p != phone]
            out[cid] = Searchable(tuple(emails), tuple(phones), address or "", postcode or "", city or "",
                                  country or "")
    return out
