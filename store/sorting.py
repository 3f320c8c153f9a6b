"""Danish alphabetical order as a sort key SQLite compares byte by byte.

Danish sorts æ, ø, å after z (in that order), and `aa` as å (Aagaard next to
Åberg, after Øster).  Lists sort by key columns that triggers compute from the
name itself with SQLite's own functions (`sort_name` on contact, company, user
and tag: migration m0017), so every write path, bulk inserts and imports
included, keeps them right without knowing, and the name order is an index walk.  A collation
function would have to be registered on every connection that ever writes the
indexed column and costs a Python call per comparison: a million calls to sort
100,000 rows.  Measured in bench/bench_store.py (`sorted pages`).

The key: lower case; æ/ä -> '{', ø/ö -> '|', å and aa -> '}' (the three code
points right after 'z'); other accented Latin letters as their base letter
(ü as y, as Danish does).  `danish_key` is the same key in Python, for tests
and for sorting a handful of values in hand; `key_sql` writes it as an SQL
expression (ASCII-only names skip the replace chain: one GLOB).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

_AFTER_Z = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "ő": "|", "å": "}"}
_SPECIAL = {"ü": "y", "ű": "y", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}
# Latin letters with diacritics as typed in Danish registers (names from the EU and beyond):
# each sorts as its base letter.  Anything not listed keeps its code point (after å).
_ACCENTED = ("áàâãāąăéèêëēęěíìîïīóòôõōúùûūůýÿçćčñńňśšşźžżřğťď")


def _base(letter: str) -> str:
    return unicodedata.normalize("NFKD", letter)[0]


_FOLD = {**_AFTER_Z, **_SPECIAL, **{c: _base(c) for c in _ACCENTED}}
# SQLite's lower() folds ASCII only: the capitals are listed beside the small letters
_TABLE = {**_FOLD, **{c.upper(): sub for c, sub in _FOLD.items() if len(c.upper()) == 1 and not c.upper().isascii()}}
_ESCAPE = {"{": " ", "|": " ", "}": " "}  # typed braces must not pass for æ, ø, å


@lru_cache(maxsize=65536)  # names repeat: a bulk load keys each distinct one once
def danish_key(text: str | None) -> str:
    """The sort key of one value (the same string the SQL expression computes)."""
    out = []
    for ch in (text or ""):
        ch = ch.lower() if ch.isascii() else ch
        ch = _ESCAPE.get(ch, ch)
        out.append(_TABLE.get(ch, ch))
    return "".join(out).replace("aa", "}")


def key_sql(column: str) -> str:
    """SQL computing `danish_key(column)` (NULL as '').  Deterministic: fit for a generated column."""
    expr = f"lower(coalesce({column}, ''))"
    for ch, sub in _ESCAPE.items():
        expr = f"replace({expr}, '{ch}', '{sub}')"
    chained = expr
    for ch, sub in _TABLE.items():
        chained = f"replace({chained}, '{ch}', '{sub}')"
    # GLOB with a class of printable ASCII: true when anything else is in the name
    expr = f"(CASE WHEN {expr} GLOB '*[^ -~]*' THEN {chained} ELSE {expr} END)"
    return f"replace({expr}, 'aa', '}}')"


# The derived columns (no model declares them: only the triggers write them).
KEY_COLUMNS = {"contact": "sort_name", "company": "sort_name", "user": "sort_name", "tag": "sort_name"}

# Name order: last name, then first name; someone with no last name sorts by the first.
SEPARATOR = "\x01"  # below every printable character: `Berg, Ziggy` before `Bergström, Anna`


def person_key(first_name: str | None, last_name: str | None) -> str:
    if not last_name:
        return danish_key(first_name)
    return danish_key(last_name) + SEPARATOR + danish_key(first_name)


def person_key_sql(first: str = "first_name", last: str = "last_name") -> str:
    return (f"(CASE WHEN coalesce({last}, '') = '' THEN {key_sql(first)} "
            f"ELSE {key_sql(last)} || char(1) || {key_sql(first)} END)")
