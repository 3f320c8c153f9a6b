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
from ..models import Company, utcnow
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
    """The companies one import has met: found by CVR, else by name, created when new.

    Look-ups go in bulk per chunk (`warm` before matching, `ensure` under the write lock,
    which also creates the new ones with one executemany); `id_of` then answers from
    memory.  `virtual` (a dry run): new companies get stand-in negative ids, nothing is
    written."""

    def __init__(self, *, virtual: bool = False) -> None:
        self.ids: dict[str, int] = {}  # "cvr:..." or "name:<casefolded>" -> id
        # id -> (name, cvr, street, postcode, city), for the search index
        self.index: dict[int, tuple[str, str | None, str | None, str | None, str | None]] = {}
        self.missing: set[str] = set()  # keys looked up (this chunk) and not found
        self.virtual = virtual
        self._next_virtual = -1
        self._key_cache: dict[tuple, tuple[str, list[str]]] = {}
        self.by_pair: dict[tuple, int] = {}  # (company name, CVR) as in the file -> id, once known

    def forget_if_full(self) -> None:
        self.missing.clear()  # a company may have been added since the last chunk
        if len(self.ids) >= COMPANY_CACHE:  # bounded memory, whatever the file
            self.ids.clear()
            self.index.clear()
            self.by_pair.clear()

    def _keys(self, c) -> tuple[str, list[str]]:
        """(the stored name, the cache keys) of a row's company; worked out once per distinct pair."""
        pair = (c.company_name, c.company_cvr)
        done = self._key_cache.get(pair)
        if done is None:
            if len(self._key_cache) >= COMPANY_CACHE:
                self._key_cache.clear()
            name = stored_line(c.company_name, 200)
            done = self._key_cache[pair] = (name, [k for k in (c.company_cvr and "cvr:" + c.company_cvr,
                                                                name and "name:" + name.casefold()) if k])
        return done

    def warm(self, cands, *, recheck: bool = False) -> None:
        """Find the companies of many rows with a few queries (their misses remembered)."""
        cvrs: dict[str, None] = {}
        names: dict[str, None] = {}
        by_pair = self.by_pair
        todo = [c for c in cands
                if (c.company_name or c.company_cvr) and (c.company_name, c.company_cvr) not in by_pair]
        if not todo:
            return
        cands = todo
        for c in cands:
            name, keys = self._keys(c)
            if any(k in self.ids for k in keys) or (not recheck and all(k in self.missing for k in keys)):
                continue
            if c.company_cvr:
                cvrs[c.company_cvr] = None
            if name:
                names[name] = None
        by_cvr: dict[str, tuple] = {}
        by_name: dict[str, list[tuple]] = {}
        for values, column in ((list(cvrs), "cvr"), (list(names), "name")):
            for start in range(0, len(values), 500):
                part = values[start:start + 500]
                for row in database.execute_sql(
                        f"SELECT id, name, cvr, address, postcode, city FROM company "
                        f"WHERE {column} IN ({','.join('?' * len(part))}) ORDER BY id", part):
                    if column == "cvr":
                        by_cvr[row[2]] = row
                    else:
                        by_name.setdefault(row[1], []).append(row)
        for c in cands:
            name, keys = self._keys(c)
            known = next((self.ids[k] for k in keys if k in self.ids), None)
            if known is not None:
                by_pair[(c.company_name, c.company_cvr)] = known
                continue
            found = by_cvr.get(c.company_cvr) if c.company_cvr else None
            if found is None and name:  # a namesake with another CVR is another company
                found = next((row for row in by_name.get(name, ()) if not c.company_cvr or row[2] is None), None)
            if found is None:
                self.missing.update(keys)
                continue
            self._remember(keys, *found)
            by_pair[(c.company_name, c.company_cvr)] = found[0]

    def _remember(self, keys: list[str], company_id: int, name: str, cvr: str | None,
                  street: str | None = None, postcode: str | None = None, city: str | None = None) -> None:
        for k in keys:
            self.ids[k] = company_id
            self.missing.discard(k)
        self.index[company_id] = (name, cvr, street, postcode, city)

    def values_of(self, c) -> tuple:
        """(name, cvr, street, postcode, city) of a company created from row `c`."""
        return (self._keys(c)[0] or c.company_cvr, c.company_cvr, stored_line(c.address, 200) or None,
                stored_line(c.postcode, 20) or None, stored_line(c.city, 100) or None)

    def ensure(self, cands) -> None:
        """Under the write lock: look again for the companies still missing, create the rest."""
        self.warm(cands, recheck=True)
        cands = [c for c in cands if (c.company_name or c.company_cvr)
                 and (c.company_name, c.company_cvr) not in self.by_pair]
        new: list[tuple] = []
        pending: dict[str, int] = {}  # key -> position in `new`
        for c in cands:
            _name, keys = self._keys(c)
            known = next((self.ids[k] for k in keys if k in self.ids), None)
            if known is not None:
                self.by_pair[(c.company_name, c.company_cvr)] = known
                continue
            if any(k in pending for k in keys):
                continue
            for k in keys:
                pending[k] = len(new)
            new.append(self.values_of(c))
        if not new:
            return
        if self.virtual:
            ids = [self._next_virtual - i for i in range(len(new))]
            self._next_virtual -= len(new)
        else:
            now = utcnow().isoformat(sep=" ")
            conn = database.connection()
            conn.executemany("INSERT INTO company (name, cvr, address, postcode, city, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", [(*row, now, now) for row in new])
            last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            ids = list(range(last - len(new) + 1, last + 1))  # one writer: consecutive rowids
        by_position: dict[int, list[str]] = {}
        for k, pos in pending.items():
            by_position.setdefault(pos, []).append(k)
        for pos, keys in by_position.items():
            self._remember(keys, ids[pos], *new[pos])

    def id_of(self, c, *, create: bool = True) -> int | None:
        """The company of a row: by CVR, else by name (created when new and `create`)."""
        if not c.company_name and not c.company_cvr:
            return None
        known = self.by_pair.get((c.company_name, c.company_cvr))
        if known is not None:
            return known
        _name, keys = self._keys(c)
        for k in keys:
            if k in self.ids:
                self.by_pair[(c.company_name, c.company_cvr)] = self.ids[k]
                return self.ids[k]
        if not create and all(k in self.missing for k in keys):
            return None
        (self.ensure if create else self.warm)([c])
        return next((self.ids[k] for k in keys if k in self.ids), None)

    def name_of(self, company_id: int | None) -> str:
        if company_id is None:
            return ""
        if company_id in self.index:
            return self.index[company_id][0]
        company = Company.get_or_none(Company.id == company_id)
        return company.name if company else ""


def visible_ids(scope, ids) -> set[int]:
    """Of these contacts, the ones `scope` may see."""
    from ..models import Contact

    ids = sorted(ids)
    out: set[int] = set()
    for start in range(0, len(ids), 500):
        out.update(cid for (cid,) in scope.contacts().select(Contact.id).where(
            Contact.id.in_(ids[start:start + 500])).tuples())
    return out


def ledger_mark() -> tuple:
    """Changes whenever an erasure adds to the ledger (its rows are never changed in place)."""
    return tuple(database.execute_sql("SELECT count(*), max(id) FROM erasure_ledger").fetchone())
