"""Possible duplicates among the contacts a scope sees, for the hygiene report and the merge screen.

Four signs, strongest first (the fourth: a pair the importer kept apart, below):

* the same e-mail address (stored normalised by contact_points: lower-cased, no display name);
* the same phone number (stored as E.164);
* similar names at the same company: both names folded the Danish way (store.search.fold:
  Ø=oe=o, Æ=ae, Å=aa=a, accents dropped), then compared with rapidfuzz's token-sort
  ratio, so `Søren Ærbøl` and `Soeren Aerboel` fold to the same words and `Hansen, Mette`
  meets `Mette Hansen`.  NAME_SCORE was tuned on Danish pairs (tests/store/test_duplicates.py):
  one typo in a common name scores 95, `Mette Hansen` / `Mette Jensen` 83 (two people).

Pairs are (lower id, higher id), each listed once with its strongest reason.  Names are
compared only within a company, so the work grows with the size of the largest company,
not with the register (rapidfuzz's C loops: about a million pairs a second).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from . import audit, changes, search
from .db import database, tuples
from .errors import StoreError
from .models import Contact, PossibleDuplicate, utcnow
from .scope import Scope

NAME_SCORE = 90  # token_sort_ratio on folded names, 0-100
REASONS = ("email", "phone", "name", "import")  # "import": a pair the importer set aside for review


@dataclass(frozen=True)
class DuplicatePair:
    first_id: int
    second_id: int
    reason: str      # one of REASONS
    score: int = 100  # the name similarity (100 for an identical e-mail or phone)


def _raw(query):
    """The scoped query's rows from a plain cursor: at 100,000 contacts peewee's row objects cost
    more than the matching (bench/bench_hygiene.py)."""
    sql, params = query.sql()
    return database.execute_sql(sql, params).fetchall()


def _same_value(scope: Scope, column) -> list[list[int]]:
    """Groups of ids in the scope sharing a non-empty value of `column`."""
    visible = scope.contacts()
    shared = (visible.select(column).where(column.is_null(False) & (column != ""))
              .group_by(column).having(fn.COUNT(Contact.id) > 1))
    groups: dict[str, list[int]] = {}
    for value, cid in _raw(visible.select(column, Contact.id).where(column.in_(shared))
                           .order_by(column, Contact.id)):
        groups.setdefault(value, []).append(cid)
    return list(groups.values())


def _similar_names(scope: Scope) -> list[DuplicatePair]:
    from rapidfuzz import fuzz, process

    by_company: dict[int, list[tuple[int, str]]] = {}
    crowded = (scope.contacts().select(Contact.company).where(Contact.company.is_null(False))
               .group_by(Contact.company).having(fn.COUNT(Contact.id) > 1))
    rows = _raw(scope.contacts().select(Contact.company, Contact.id, Contact.first_name, Contact.last_name)
                .where(Contact.company.in_(crowded)).order_by(Contact.company, Contact.id))
    folded: dict[str, str] = {}  # names repeat: each distinct one folded once
    for company, cid, first, last in rows:
        name = f"{first} {last}".strip()
        if name not in folded:
            folded[name] = search.fold(name)
        by_company.setdefault(company, []).append((cid, folded[name]))
    pairs = []
    for people in by_company.values():
        names = [name for _, name in people]
        for i, (cid, name) in enumerate(people[:-1]):
            for _match, score, j in process.extract(name, names[i + 1:], scorer=fuzz.token_sort_ratio,
                                                    score_cutoff=NAME_SCORE, limit=None):
                pairs.append(DuplicatePair(cid, people[i + 1 + j][0], "name", round(score)))
    return pairs


def imported_pairs(scope: Scope) -> list[DuplicatePair]:
    """The importer's review list (`possible_duplicate`): a row it kept apart because it shares
    only an e-mail or only a phone with a contact of another name, until someone decides."""
    return [DuplicatePair(min(p.contact_id, p.other_id), max(p.contact_id, p.other_id), "import")
            for p in open_pairs(scope)]


# --- the importer's review list ------------------------------------------------------------
# A company switchboard or a family landline is not one person: an import keeps such a row
# apart (store/importing/matching.py) and lists the pair here.  Ids only: whoever decides
# reads the two contacts through the same Scope as everything else.

@dataclass(frozen=True)
class Pair:
    id: int
    contact_id: int  # the contact the import kept apart
    other_id: int    # the contact it shares a value with
    shared: str      # "email" | "phone"
    import_batch_id: int | None
    found_at: dt.datetime


def open_pairs(scope: Scope, limit: int = 200) -> list[Pair]:
    """Pairs not decided yet whose two contacts this user may both see, oldest first."""
    scope.require("contact.edit")
    visible = scope.contacts().select(Contact.id)
    q = (PossibleDuplicate.select(PossibleDuplicate.id, PossibleDuplicate.contact, PossibleDuplicate.other,
                                  PossibleDuplicate.shared, PossibleDuplicate.import_batch,
                                  PossibleDuplicate.found_at)
         .where(PossibleDuplicate.resolved_at.is_null() & PossibleDuplicate.contact.in_(visible)
                & PossibleDuplicate.other.in_(visible))
         .order_by(PossibleDuplicate.id).limit(limit))
    return [Pair(*row) for row in tuples(q)]


def resolve(scope: Scope, pair_id: int) -> None:
    """Two people after all: the pair leaves the list (kept, with when, for the audit)."""
    scope.require("contact.edit")
    pair = PossibleDuplicate.get_or_none(PossibleDuplicate.id == pair_id)
    if pair is None or not all(scope.contacts().where(Contact.id == cid).exists()
                               for cid in (pair.contact_id, pair.other_id)):
        raise StoreError(f"possible duplicate {pair_id} not found")
    with database.atomic():
        PossibleDuplicate.update(resolved_at=utcnow()).where(PossibleDuplicate.id == pair_id).execute()
        changes.record("contact", pair.contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "duplicate.resolve", "contact", pair.contact_id, other=pair.other_id)


def find(scope: Scope) -> list[DuplicatePair]:
    """Every possible duplicate pair in the scope, strongest reason first, then by id."""
    scope.require("contact.read")
    best: dict[tuple[int, int], DuplicatePair] = {}

    def add(pair: DuplicatePair) -> None:
        key = (pair.first_id, pair.second_id)
        if key not in best:  # the first reason found is the strongest
            best[key] = pair

    for column, reason in ((Contact.email, "email"), (Contact.phone, "phone")):
        for first, *others in _same_value(scope, column):
            for other in others:  # each with the oldest: a shared info@ address stays linear
                add(DuplicatePair(first, other, reason))
    for pair in _similar_names(scope):
        add(pair)
    for pair in imported_pairs(scope):
        add(pair)
    order = {reason: n for n, reason in enumerate(REASONS)}
    return sorted(best.values(), key=lambda p: (order[p.reason], -p.score, p.first_id, p.second_id))


def similar(a: str, b: str) -> int:
    """How alike two names are, 0-100, compared as `find` compares them."""
    from rapidfuzz import fuzz

    return round(fuzz.token_sort_ratio(search.fold(a), search.fold(b)))


__all__ = ["DuplicatePair", "Pair", "find", "similar", "imported_pairs", "open_pairs", "resolve", "NAME_SCORE",
           "REASONS"]
