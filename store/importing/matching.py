"""De-duplication for the import: who in MiniCRM (or earlier in the file) a row is.

A row matches an existing contact by e-mail, else phone, else first name +
last name + company; a company by CVR, else by name.  The e-mail and phone
compared are already normalised by store.contact_points, as stored, so an
equality in SQL is the whole comparison.  Lookups go 500 values at a time
(SQLite's parameter limit, and bounded memory).  Erased people are
recognised through the erasure ledger's checker.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import search
from ..db import database
from ..models import Company
from ..text import stored_line

Match = tuple[int, int | None]  # (contact id, the import batch that added it)
COMPANY_CACHE = 50_000  # companies remembered per import (bounded memory for any file)


def erasure_checker() -> Callable[[str | None, str | None], bool]:
    """check(email, phone): is this person on the erasure ledger?  Candidates are
    already normalised (lower-case address, E.164 number), so the ledger may skip that."""
    from ..rights import ledger

    return ledger.erased_checker(normalised=True)


def is_erased(erased: Callable[[str | None, str | None], bool], c) -> bool:
    """A candidate any of whose addresses or numbers is on the ledger."""
    if erased(c.email, c.phone):
        return True
    return any(erased(e, None) for e in c.extra_emails) or any(erased(None, p) for p in c.extra_phones)


def existing_by(column: str, values: list[str]) -> dict[str, Match]:
    """Existing contacts whose `column` (email or phone) is one of `values`: value -> match."""
    found: dict[str, Match] = {}
    for start in range(0, len(values), 500):
        part = values[start:start + 500]
        rows = database.execute_sql(
            f"SELECT {column}, id, import_batch_id FROM contact WHERE {column} IN "
            f"({','.join('?' * len(part))}) ORDER BY id", part)
        for value, cid, batch_id in rows:
            found.setdefault(value, (cid, batch_id))
    return found


def existing_by_contact_points(cands) -> tuple[dict[str, Match], dict[str, Match]]:
    """Existing contacts by e-mail and by phone."""
    emails = sorted({c.email for c in cands if c.email})
    phones = sorted({c.phone for c in cands if c.phone})
    return existing_by("email", emails), existing_by("phone", phones)


def updated_in_batch(batch_id: int, ids: set[int]) -> set[int]:
    """Of these contacts, the ones this batch already updated (a repeat in the file)."""
    out: set[int] = set()
    ids_list = sorted(ids)
    for start in range(0, len(ids_list), 500):
        part = ids_list[start:start + 500]
        out.update(cid for (cid,) in database.execute_sql(
            f"SELECT contact_id FROM import_change WHERE batch_id = ? AND contact_id IN "
            f"({','.join('?' * len(part))})", [batch_id, *part]))
    return out


def name_key(c, companies: Companies) -> tuple | None:
    """(first, last, company id) for a row with neither e-mail nor phone, else None."""
    if c.email or c.phone or not c.first_name:
        return None
    return (stored_line(c.first_name, 100).lower(), stored_line(c.last_name, 100).lower(),
            companies.id_of(c, create=False))


def existing_by_names(cands, companies: Companies) -> dict[tuple, Match]:
    """Existing contacts by first name + last name + company (or no company), for rows with
    neither e-mail nor phone: (first, last, company id) -> match."""
    wanted: dict[tuple, None] = {}
    for c in cands:
        key = name_key(c, companies)
        if key is None or (key[2] is None and (c.company_name or c.company_cvr)):
            continue  # a company MiniCRM does not know: nobody there to match
        wanted[key] = None
    found: dict[tuple, Match] = {}
    firsts = sorted({k[0] for k in wanted})
    for start in range(0, len(firsts), 500):
        part = firsts[start:start + 500]
        rows = database.execute_sql(
            "SELECT lower(first_name), lower(last_name), company_id, id, import_batch_id FROM contact "
            f"WHERE lower(first_name) IN ({','.join('?' * len(part))}) ORDER BY id", part)
        for first, last, company_id, cid, batch_id in rows:
            key = (first, last, company_id)
            if key in wanted:
                found.setdefault(key, (cid, batch_id))
    return found


def keys_in_file(c) -> list[str]:
    """What makes two rows of one file the same person: e-mail, phone, else folded name + company."""
    keys = []
    if c.email:
        keys.append("e:" + c.email)
    if c.phone:
        keys.append("p:" + c.phone)
    if not keys and c.first_name:
        keys.append("n:" + search.fold(f"{c.first_name} {c.last_name or ''} {c.company_name or c.company_cvr or ''}"))
    return keys


def merge_repeat(into, other) -> None:
    """Fill what the first occurrence lacks from a later one (never overwrite)."""
    for name in ("first_name", "last_name", "title", "email", "phone", "company_name", "company_cvr",
                 "address", "postcode", "city", "note", "owner", "lifecycle"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    if other.tags:
        into.tags = sorted(set(into.tags) | set(other.tags))
    for name in ("consent_optin_time", "consent_optin_ip", "consent_confirm_time", "consent_confirm_ip"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))


class Companies:
    """The companies one import has met: found by CVR, else by name, created when new."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # "cvr:..." or "name:<casefolded>" -> id
        self.index: dict[int, tuple[str, str | None]] = {}  # id -> (name, cvr), for the search index

    def forget_if_full(self) -> None:
        if len(self.ids) >= COMPANY_CACHE:  # bounded memory, whatever the file
            self.ids.clear()
            self.index.clear()

    def id_of(self, c, *, create: bool = True) -> int | None:
        """The company of a row: by CVR, else by name (created when new and `create`)."""
        if not c.company_name and not c.company_cvr:
            return None
        name = stored_line(c.company_name, 200)
        keys = [k for k in (c.company_cvr and "cvr:" + c.company_cvr, name and "name:" + name.casefold()) if k]
        for k in keys:
            if k in self.ids:
                return self.ids[k]
        company = None
        if c.company_cvr:
            company = Company.get_or_none(Company.cvr == c.company_cvr)
        if company is None and name:  # a namesake with another CVR is another company
            same_name = Company.name == name
            if c.company_cvr:
                same_name &= Company.cvr.is_null()
            company = Company.select().where(same_name).order_by(Company.id).first()
        if company is None:
            if not create:
                return None
            company = Company.create(name=name or c.company_cvr, cvr=c.company_cvr,
                                     address=stored_line(c.address, 200) or None,
                                     postcode=stored_line(c.postcode, 20) or None,
                                     city=stored_line(c.city, 100) or None)
        for k in keys:
            self.ids[k] = company.id
        self.index[company.id] = (company.name, company.cvr)
        return company.id

    def name_of(self, company_id: int | None) -> str:
        if company_id is None:
            return ""
        if company_id in self.index:
            return self.index[company_id][0]
        company = Company.get_or_none(Company.id == company_id)
        return company.name if company else ""
