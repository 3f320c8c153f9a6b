"""Possible duplicates among the contacts a scope sees, for the hygiene report and the merge screen.

Three signs, strongest first:

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

from dataclasses import dataclass

from peewee import fn

from . import search
from .db import database
from .models import Contact
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
    """Hook for the importer's "possible duplicate" review list (issue: several e-mails and
    phones per contact, branch search-data): its pairs join this list once that lands."""
    return []


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


__all__ = ["DuplicatePair", "find", "similar", "imported_pairs", "NAME_SCORE", "REASONS"]
