"""De-duplication for the import: who in MiniCRM (or earlier in the file) a row is.

A row matches an existing contact by any of its e-mails, else any of its phones
(every address and number a contact has, not only the primary), else first name +
last name + company; a company by CVR, else by name.  A match on e-mail alone or
phone alone with a contact of another name is no match (`apart`): a switchboard or
a family landline is shared by different people, so the row becomes its own contact
and the pair is listed for review (`PossibleDuplicate`), never merged silently.  The e-mail and phone
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
from .prepared import keys_in_file as keys_in_file  # re-exported: the file's own repeats

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


_LOOKUP = {"email": ("email_address", "email"), "phone": ("phone_number", "phone")}


def existing_by(column: str, values: list[str]) -> dict[str, Match]:
    """Existing contacts with one of `values` among their e-mails ("email") or phones ("phone"):
    value -> match (the oldest such contact)."""
    table, value_column = _LOOKUP[column]
    found: dict[str, Match] = {}
    for start in range(0, len(values), 500):
        part = values[start:start + 500]
        marks = ",".join("?" * len(part))
        rows = database.execute_sql(  # the primary (the contact's own column), then the others
            f"SELECT {column}, id, import_batch_id FROM contact WHERE {column} IN ({marks}) "
            f'UNION ALL SELECT p."{value_column}", c.id, c.import_batch_id FROM "{table}" p '
            f'JOIN contact c ON c.id = p.contact_id WHERE p."{value_column}" IN ({marks}) ORDER BY 2',
            part + part)
        for value, cid, batch_id in rows:
            found.setdefault(value, (cid, batch_id))
    return found


def existing_by_contact_points(cands) -> tuple[dict[str, Match], dict[str, Match]]:
    """Existing contacts by every e-mail and every phone of the candidates."""
    emails: set[str] = set()
    phones: set[str] = set()
    for c in cands:  # one pass, no list a row: it runs for every row of the file
        if c.email:
            emails.add(c.email)
        if c.extra_emails:
            emails.update(c.extra_emails)
        if c.phone:
            phones.add(c.phone)
        if c.extra_phones:
            phones.update(c.extra_phones)
    return existing_by("email", sorted(emails)), existing_by("phone", sorted(phones))


def find(c, by_email: dict[str, Match], by_phone: dict[str, Match]) -> tuple[Match | None, str, int]:
    """(the match, "e-mail" or "phone", how many kinds point at it) for a candidate: the
    contact most of its e-mails and phones lead to, e-mails first."""
    votes: dict[Match, set[str]] = {}
    order: list[Match] = []
    for kind, values, found in (("e-mail", [c.email, *c.extra_emails], by_email),
                                ("phone", [c.phone, *c.extra_phones], by_phone)):
        for value in values:
            match = found.get(value) if value else None
            if match is not None:
                if match not in votes:
                    votes[match] = set()
                    order.append(match)
                votes[match].add(kind)
    if not order:
        return None, "", 0
    best = max(order, key=lambda m: (len(votes[m]), -order.index(m)))
    kinds = votes[best]
    return best, "e-mail" if "e-mail" in kinds else "phone", len(kinds)


def names_of(ids) -> dict[int, tuple[str, str]]:
    """(first name, last name) of these contacts: whether a match is the same person."""
    ids = sorted(set(ids))
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for cid, first, last in database.execute_sql(
                f"SELECT id, first_name, last_name FROM contact WHERE id IN ({','.join('?' * len(part))})", part):
            out[cid] = (first or "", last or "")
    return out


def same_name(first_a: str | None, last_a: str | None, first_b: str | None, last_b: str | None) -> bool:
    """Could these be one person's names?  Folded (Ågaard = Aagaard); a missing part agrees
    with anything ("Mads" is Mads Ågaard, a row without a name is whoever it matches), and
    an initial or a shortening with its start ("J. Hansen" is Jens Hansen, "Pia K" Pia Kjær)."""
    a = (_name_part(first_a), _name_part(last_a))
    b = (_name_part(first_b), _name_part(last_b))
    if not any(a) or not any(b):
        return True
    return all(x.startswith(y) or y.startswith(x) for x, y in zip(a, b, strict=True))


def _name_part(text: str | None) -> str:
    return search.fold(text or "").replace(".", "").strip()


def apart(c, kinds: int, name: tuple[str, str] | None) -> bool:
    """A match on one kind alone (only an e-mail, or only a phone) with another name: a
    shared switchboard or family landline, not the same person."""
    return kinds == 1 and name is not None and not same_name(c.first_name, c.last_name, *name)


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


def initials(c) -> str:
    """The folded first letters of first and last name, a space for a missing one."""
    return "".join(part[:1] or " " for part in (_name_part(c.first_name), _name_part(c.last_name)))


def initials_differ(a: str, b: str) -> bool:
    """Two rows' initials (`initials`) that cannot be one person's: a part both have differs."""
    return any(x != " " and y != " " and x != y for x, y in zip(a, b, strict=True))


def apart_in_file(first, c) -> bool:
    """Two rows of a file that share only e-mails or only phones, under different names."""
    mine = {"e:" + e for e in ([c.email] if c.email else []) + c.extra_emails}
    theirs = {"e:" + e for e in ([first.email] if first.email else []) + first.extra_emails}
    mine_p = {"p:" + p for p in ([c.phone] if c.phone else []) + c.extra_phones}
    theirs_p = {"p:" + p for p in ([first.phone] if first.phone else []) + first.extra_phones}
    kinds = bool(mine & theirs) + bool(mine_p & theirs_p)
    return kinds == 1 and not same_name(c.first_name, c.last_name, first.first_name, first.last_name)


def merge_repeat(into, other) -> None:
    """Fill what the first occurrence lacks from a later one (never overwrite); its other
    e-mails and phones join the first's, with their labels."""
    for name in ("first_name", "last_name", "title", "email", "phone", "company_name", "company_cvr",
                 "address", "postcode", "city", "country", "note", "owner", "lifecycle"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    for kind in ("email", "phone"):
        have = getattr(into, f"{kind}s")()
        values = {v for v, _ in have}
        more = [(v, label) for v, label in getattr(other, f"{kind}s")() if v not in values]
        if more:
            merged = have + more
            setattr(into, kind, merged[0][0])
            setattr(into, f"extra_{kind}s", [v for v, _ in merged[1:]])
            setattr(into, f"{kind}_labels", [label for _, label in merged])
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
        # id -> (name, cvr, street, postcode, city, country), for the search index
        self.index: dict[int, tuple] = {}
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
                        f"SELECT id, name, cvr, address, postcode, city, country FROM company "
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
                  street: str | None = None, postcode: str | None = None, city: str | None = None,
                  country: str | None = None) -> None:
        for k in keys:
            self.ids[k] = company_id
            self.missing.discard(k)
        self.index[company_id] = (name, cvr, street, postcode, city, country)

    def values_of(self, c) -> tuple:
        """(name, cvr, street, postcode, city, country) of a company created from row `c`."""
        return (self._keys(c)[0] or c.company_cvr, c.company_cvr, stored_line(c.address, 200) or None,
                stored_line(c.postcode, 20) or None, stored_line(c.city, 100) or None,
                stored_line(c.country, 100) or None)

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
            conn.executemany("INSERT INTO company (name, cvr, address, postcode, city, country, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*row, now, now) for row in new])
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
