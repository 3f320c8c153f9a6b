"""Danish folding and safe full-text queries.

People type `soren` for Søren, `aarhus` for Århus and `jose` for José.  Both
the indexed text and the query pass through `fold`, so whichever spelling is
typed the folded forms agree.  Query text is split into plain word tokens that
are each quoted and prefix-matched: nothing the user types is ever parsed as
FTS5 syntax.

The index is a contentless FTS5 table (it stores no copy of the text, only the
index) kept in step by `index_contacts` inside the same transaction as the
write that changed the contact.  Every statement that reads or writes the
index is in this module (migrations excepted): the contact search joins it
through `restrict_to_matches` (or `among_matches`, to walk the name order when
many rows match: `matches_more_than` tells), bulk inserts fill it through `index_new`,
erasure and undo empty it through `forget`, erasure merges it through
`merge_step`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

MAX_TOKENS = 8

CREATE_INDEX = (
    "CREATE VIRTUAL TABLE contact_search USING fts5("
    "name, company, email, phone, tags, "
    "content='', contentless_delete=1, "
    "tokenize=\"unicode61 remove_diacritics 2\", prefix='1 2 3')"
)

_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "ð": "d", "þ": "th", "ł": "l"})
_TOKEN = re.compile(r"[^\W_]+")
_LETTERS_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_PHONE_QUERY = re.compile(r"^[\d\s+()./-]*\d[\d\s+()./-]*$")


def fold(text: str) -> str:
    """Lower-case, Danish letters spelled out, accents dropped, aa/oe collapsed."""
    if text.isascii():  # most emails and many names: the steps below would change nothing
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).lower().translate(_LETTERS)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # å=aa=a and ø=oe=o: collapse the spelled-out forms so every spelling meets.
    return text.replace("aa", "a").replace("oe", "o")


def words(folded: str) -> str:
    """Letters and digits as separate words: `hansen123` indexes as `hansen 123`.

    Otherwise every `name+number` e-mail address adds its own term to the index,
    and a prefix such as `hansen` must merge tens of thousands of them (38 ms p95
    at 1M contacts, 6 ms with this split).
    """
    return _LETTERS_DIGITS.sub(" ", folded)


def phone_terms(phone: str | None) -> str:
    """E.164 digits plus the national number, so `20123456` finds `+4520123456`."""
    if not phone:
        return ""
    digits = phone[1:] if phone[1:].isdigit() and phone[0] == "+" else re.sub(r"\D", "", phone)  # E.164 as stored
    if phone.lstrip().startswith("+"):
        # Country codes are prefix-free: the first 1-3 digits that name one are it.
        # (A dict look-up: parsing with phonenumbers costs 30 us a row in bulk loads.)
        for n in (1, 2, 3):
            code = digits[:n]
            if code and code[0] != "0" and int(code) in _country_codes():
                national = digits[n:].lstrip("0") if n < len(digits) else ""
                if national and national != digits:
                    return f"{digits} {national}"
                break
    return digits


@lru_cache(maxsize=1)
def _country_codes():
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE  # 30 ms to import: only when needed

    return COUNTRY_CODE_TO_REGION_CODE


def match_expression(text: str) -> str | None:
    """Turn anything typed into a safe FTS5 prefix query, or None if nothing to search."""
    if _PHONE_QUERY.match(text) and sum(c.isdigit() for c in text) >= 3:
        digits = re.sub(r"\D", "", text)
        if digits.startswith("00"):  # 0045 ... is how +45 ... is dialled from a Danish phone
            digits = digits[2:]
        return f'"{digits}"*'
    tokens = _TOKEN.findall(words(fold(text)))[:MAX_TOKENS]
    if not tokens:
        return None
    # Tokens hold only letters and digits, so quoting them is enough.
    return " ".join(f'"{t}"*' for t in tokens)


def row_for(first_name, last_name, company_name, company_cvr, email, phone, tags: Iterable[str]):
    return (
        words(fold(f"{first_name} {last_name}")),
        words(fold(f"{company_name or ''} {company_cvr or ''}")),
        words(fold(email or "")),
        phone_terms(phone),
        words(fold(" ".join(tags))),
    )


_ROWS_SQL = """
SELECT c.id, c.first_name, c.last_name, co.name, co.cvr, c.email, c.phone,
       (SELECT group_concat(t.name, ' ') FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
         WHERE ct.contact_id = c.id)
FROM contact c LEFT JOIN company co ON co.id = c.company_id
"""


def index_contacts(db, contact_ids: Iterable[int]) -> None:
    """Re-index the given contacts (deleted ones just leave the index)."""
    ids = list(contact_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        forget(db, chunk)
        rows = db.execute_sql(f"{_ROWS_SQL} WHERE c.id IN ({marks})", chunk).fetchall()
        _insert(db, rows)


def rebuild(db) -> None:
    """Empty and refill the whole index (after a migration or a bulk load)."""
    db.execute_sql("DELETE FROM contact_search")
    cursor = db.execute_sql(_ROWS_SQL + " ORDER BY c.id")
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            break
        _insert(db, rows)


_INSERT = "INSERT INTO contact_search(rowid, name, company, email, phone, tags) VALUES (?,?,?,?,?,?)"


def _insert(db, rows) -> None:
    index_new(db, ((r[0], r[1], r[2], r[3], r[4], r[5], r[6], (r[7] or "").split()) for r in rows))


def index_new(db, contacts: Iterable[tuple]) -> None:
    """Index contacts just inserted, from the values in hand (no read back):
    (id, first name, last name, company name, CVR, e-mail, phone, tag names) each."""
    db.connection().executemany(_INSERT, [(c[0], *row_for(*c[1:])) for c in contacts])


def index_prepared(db, rows: Iterable[tuple[int, tuple]]) -> None:
    """Index contacts just inserted whose five columns the caller already folded (as
    `row_for` does: an import folds each distinct value once)."""
    db.connection().executemany(_INSERT, [(i, *cols) for i, cols in rows])


def forget(db, contact_ids: Iterable[int]) -> None:
    """Take contacts out of the index (before they are deleted)."""
    ids = list(contact_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.execute_sql(f"DELETE FROM contact_search WHERE rowid IN ({','.join('?' * len(chunk))})", chunk)


def merge_step(db, pages: int) -> None:
    """One FTS5 'merge' of up to `pages` leaf pages (negative: first one level); the
    caller counts total_changes to see whether it did any work."""
    db.execute_sql("INSERT INTO contact_search(contact_search, rank) VALUES('merge', ?)", (pages,))


def restrict_to_matches(query, contact_id, match_slot):
    """The Peewee query joined to the index, kept to rows matching `match_slot`
    (a parameter holding a `match_expression`); `contact_id` is the Contact.id column."""
    from peewee import Expression

    from .models import ContactSearch

    return query.join(ContactSearch, on=(ContactSearch.rowid == contact_id)).where(
        Expression(ContactSearch.contact_search, "MATCH", match_slot))


def among_matches(contact_id, match_slot):
    """`contact_id` is one of the rows matching `match_slot`, as a condition that lets the
    query walk another index (the name order) instead: SQLite builds the set of matches once
    and probes it per row.  The unary plus keeps the planner from driving the query by it."""
    from peewee import SQL, Expression, NodeList

    from .models import ContactSearch

    matches = ContactSearch.select(ContactSearch.rowid).where(
        Expression(ContactSearch.contact_search, "MATCH", match_slot))
    return Expression(NodeList((SQL("+"), contact_id), glue=""), "IN", matches)


def matches_more_than(db, expression: str, n: int) -> bool:
    """Whether more than `n` rows match: reads at most n + 1 entries of the index."""
    sql = "SELECT count(*) FROM (SELECT rowid FROM contact_search WHERE contact_search MATCH ? LIMIT ?)"
    return db.execute_sql(sql, (expression, n + 1)).fetchone()[0] > n
