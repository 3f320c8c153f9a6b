"""Danish folding, the contact's search document, and safe substring queries.

People type `soren` for Søren, `aarhus` for Århus and `jose` for José.  Both
the indexed text and the query pass through `fold`, so whichever spelling is
typed the folded forms agree.

What is searched (issue 12): names, company with CVR, job title, every e-mail
and phone, addresses (street, postcode, city, country; the contact's own and
its company's) and tags; never notes (they may be private).  `contact_fields`
lists a contact's searchable values as named `Field`s; `index_text` makes the
indexed document from them, and `explain` tells from the same fields which
one a search matched.  That is the one place that decides what is searched.

The document is one column of words, each word preceded by two spaces:
`"  soren  kierkegaard  soren.k@filosofi.dk  k@filosofi.dk  filosofi.dk  dk"`.
Besides each whitespace-separated word come its tails from each inner letter
or digit run (at most MAX_TAILS a word): they are substrings of the word, so
they add no substring hit, but they make `fi` and `filosofi.dk` word starts
(short terms find the e-mail, and the prefix phase below finds the domain).
The index is FTS5's trigram tokenizer (case-sensitive: the text is already
folded, so SQLite's own case folding never disagrees with `fold`):

* a term of 3 or more characters matches anywhere inside a word (`hans` finds
  Johansen, `kola` Nikolaj, `gmail.com` and `a/s` as one unit each);
* a term of 1 or 2 characters matches the start of a word only: `" la"` is a
  trigram (`"  a"` for one letter), so `la` finds Lars and not Nikolaj;
* ranking is two phases: first the contacts where every term starts a word
  (exact and prefix matches), then, only if the page is not full, substring
  matches.  No `ORDER BY rank` over every hit.

Terms are whitespace-separated and ANDed; each is one quoted FTS5 phrase with
any `"` doubled, so nothing typed is ever query syntax.  A term never holds a
space and every word is fenced by two, so a term matches inside one word of
one value, never across two.

The index is a contentless FTS5 table (no copy of the text, only the index)
kept in step by `index_contacts` inside the same transaction as the write that
changed the contact.  Every statement that reads or writes the index is in this
module (migrations excepted): the contact search joins it through
`restrict_to_matches` (or `among_matches`, to walk the name order when many rows
match: `matches_more_than` tells), bulk inserts fill it through `index_new`,
erasure and undo empty it through `forget`, erasure merges it through `merge_step`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

MAX_TOKENS = 8
# No stored word is longer (an e-mail address is at most 254 characters): a longer term matches nothing.
MAX_TERM = 256
SUBSTRING_FROM = 3  # characters: shorter terms match word starts only (a trigram needs three)
SEP = "  "  # before every indexed word; two spaces make `"  a"` a trigram, so one letter is a prefix too

CREATE_INDEX = (
    "CREATE VIRTUAL TABLE contact_search USING fts5("
    "doc, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')"
)

_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "ð": "d", "þ": "th", "ł": "l"})
_RUN = re.compile(r"[^\W\d_]+|\d+")  # a word's letter runs and digit runs
MAX_TAILS = 8  # a word's tails indexed (an e-mail of many dotted parts would otherwise grow quadratically)
_PHONE_QUERY = re.compile(r"^[\d\s+()./-]*\d[\d\s+()./-]*$")
# Never in stored text (store/text.py refuses them); in a query they only separate terms.
_UNSAFE_QUERY = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def fold(text: str) -> str:
    """Lower-case, Danish letters spelled out, accents dropped, aa/oe collapsed."""
    if text.isascii():  # most emails and many names: the steps below would change nothing
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).lower().translate(_LETTERS)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # å=aa=a and ø=oe=o: collapse the spelled-out forms so every spelling meets.
    return text.replace("aa", "a").replace("oe", "o")


# --- the document ------------------------------------------------------------------------

class Field(NamedTuple):
    """One searchable value: `name` is what it is (FIELD_NAMES), `label` which one
    (an e-mail's "work"/"private", "company" for the company's address)."""
    name: str
    value: str
    label: str = ""


FIELD_NAMES = ("name", "company", "cvr", "title", "email", "phone", "address", "postcode", "city",
               "country", "tag")


_ADDRESS = ("address", "postcode", "city", "country")


def iter_contact_fields(first_name: str = "", last_name: str = "", *, title: str | None = "",
                        company: Sequence | None = None, emails: Iterable = (), phones: Iterable = (),
                        addresses: Iterable[Sequence] = (), tags: Iterable[str] = ()) -> Iterator[Field]:
    """A contact's searchable values, in the order `explain` reports them (lazily: a search
    explaining 50 hits by their names never builds the rest).

    `company` is (name, cvr, street, postcode, city, country), as long as known;
    `emails`/`phones` are values or (value, label) pairs; `addresses` are
    (street, postcode, city, country, label) tuples, as long as known."""
    name = f"{first_name or ''} {last_name or ''}".strip()
    if name:
        yield Field("name", name)
    if title:
        yield Field("title", title)
    if company:
        if company[0]:
            yield Field("company", company[0])
        if len(company) > 1 and company[1]:
            yield Field("cvr", company[1])
    for kind, values in (("email", emails), ("phone", phones)):
        for v in values or ():
            if isinstance(v, str):
                yield Field(kind, v)
            elif v and v[0]:
                yield Field(kind, v[0], (v[1] if len(v) > 1 else "") or "")
    for a in addresses or ():
        label = (a[4] if len(a) > 4 else "") or ""
        for kind, v in zip(_ADDRESS, a[:4], strict=False):
            if v:
                yield Field(kind, v, label)
    if company and len(company) > 2:
        for kind, v in zip(_ADDRESS, company[2:6], strict=False):
            if v:
                yield Field(kind, v, "company")
    for t in tags or ():
        if t:
            yield Field("tag", t)


def contact_fields(*args, **kwargs) -> list[Field]:
    """`iter_contact_fields` as a list."""
    return list(iter_contact_fields(*args, **kwargs))


def value_words(value: str) -> str:
    """One value's indexed words: its folded words, then their tails from each inner
    letter/digit run, each after SEP (`"  jens.hansen@x.dk  hansen@x.dk  x.dk  dk"`)."""
    return _words_text(fold(value).split())


def _words_text(words: list[str]) -> str:
    out = [SEP + w for w in words]
    for w in words:  # a quarter faster than collecting the starts first (an import folds every value)
        tails = 0
        for m in _RUN.finditer(w):
            start = m.start()
            if start:
                out.append(SEP + w[start:])
                tails += 1
                if tails == MAX_TAILS:
                    break
    return "".join(out)


def phone_words(phone: str | None) -> str:
    """E.164 as stored plus the national number: `+4520123456` is indexed as
    `"  +4520123456  20123456  4520123456"`, so `+45 20`, `20123456` and `4520` all find it."""
    if not phone:
        return ""
    phone = phone.strip()
    if phone[:1] == "+" and phone[1:].isdigit():  # E.164 as stored: no regex (an import indexes one a row)
        digits = phone[1:]
        national = _national(digits)
        return f"{SEP}{phone}{SEP}{national}{SEP}{digits}" if national else f"{SEP}{phone}{SEP}{digits}"
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return value_words(phone)
    words = ["+" + digits if phone.startswith("+") else digits]
    if phone.startswith("+"):
        # Country codes are prefix-free: the first 1-3 digits that name one are it.
        # (A dict look-up: parsing with phonenumbers costs 30 us a row in bulk loads.)
        for n in (1, 2, 3):
            code = digits[:n]
            if code and code[0] != "0" and int(code) in _country_codes():
                national = digits[n:].lstrip("0")
                if national:
                    words.append(national)
                break
    return _words_text(words)


def _national(digits: str) -> str:
    """The national number of an E.164 number's digits (its country code dropped), or ""."""
    for n in (1, 2, 3):
        code = digits[:n]
        if code and code[0] != "0" and int(code) in _country_codes():
            return digits[n:].lstrip("0")
    return ""


@lru_cache(maxsize=1)
def _country_codes():
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE  # 30 ms to import: only when needed

    return COUNTRY_CODE_TO_REGION_CODE


def field_text(field: Field, words: Callable[[str], str] = value_words) -> str:
    return phone_words(field.value) if field.name == "phone" else words(field.value)


def index_text(fields: Iterable[Field], words: Callable[[str], str] = value_words) -> str:
    """The indexed document of a contact.  `words` may be a cached `value_words`
    (an import folds each distinct name or firm once)."""
    return "".join(field_text(f, words) for f in fields)


# --- queries -------------------------------------------------------------------------------

def terms(text: str) -> list[str]:
    """What a search looks for: folded whitespace-separated terms (at most MAX_TOKENS),
    or one phone term (`+45 31` -> `+4531`, `0045 20 12` -> `+452012`, `20 12 34` -> `201234`).
    An empty list: nothing to search (everything listed)."""
    text = _UNSAFE_QUERY.sub(" ", text or "")
    if _PHONE_QUERY.match(text) and sum(c.isdigit() for c in text) >= 3:
        digits = re.sub(r"\D", "", text)
        stripped = text.strip()
        if stripped.startswith("+") or stripped.startswith("(+"):
            return ["+" + digits]
        if digits.startswith("00"):  # 0045 ... is how +45 ... is dialled from a Danish phone
            return ["+" + digits[2:]]
        return [digits]
    return fold(text).split()[:MAX_TOKENS]


def _phrase(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _word_start(t: str) -> str:
    """`t` at the start of a word.  Every space in a document is one of a pair before a word
    and a term holds none, so one space before a term of 2+ characters finds the same words
    as two; it spares FTS5 the `"  x"` trigram, one of the longest lists in the index (every
    word starting with x): the prefix phase costs 30-45% less (bench/bench_search.py).  A
    one-letter term needs both spaces to make a trigram."""
    return (SEP if len(t) < 2 else " ") + t


def prefix_expression(found: Sequence[str]) -> str:
    """Every term starts a word (exact and prefix matches)."""
    return " ".join(_phrase(_word_start(t)) for t in found)


def substring_expression(found: Sequence[str]) -> str:
    """Terms of SUBSTRING_FROM characters anywhere in a word; shorter ones still at its start."""
    return " ".join(_phrase(t if len(t) >= SUBSTRING_FROM else _word_start(t)) for t in found)


class Plan(NamedTuple):
    """The FTS5 expressions of a search, best first: `prefix`, then `substring` when
    it can find more (None when every term is short).  `nothing`: no row can match."""
    terms: tuple[str, ...]
    prefix: str | None
    substring: str | None
    nothing: bool = False


def plan(text: str) -> Plan:
    found = terms(text)
    if not found:  # only control characters typed match nothing; only spaces list everyone
        return Plan((), None, None, nothing=bool((text or "").strip()))
    if any(len(t) > MAX_TERM for t in found):
        return Plan(tuple(found), None, None, nothing=True)
    long_terms = any(len(t) >= SUBSTRING_FROM for t in found)
    return Plan(tuple(found), prefix_expression(found), substring_expression(found) if long_terms else None)


def match_expression(text: str) -> str | None:
    """The widest safe FTS5 expression for `text` (substring where allowed), or None."""
    p = plan(text)
    return None if p.nothing else (p.substring or p.prefix)


def term_matches(term: str, text: str) -> bool:
    """Whether `term` matches an indexed `text` exactly as the index decides."""
    return (term in text) if len(term) >= SUBSTRING_FROM else (SEP + term in text)


@lru_cache(maxsize=16384)  # names, firms and cities repeat from hit to hit
def _cached_text(name: str, value: str) -> str:
    return field_text(Field(name, value))


_cached_fold = lru_cache(maxsize=16384)(fold)


_PHONE_TEXT = frozenset("+0123456789 ")  # all a phone's indexed words hold, when it has a digit


def _holds(needle: str, long: bool, numeric: bool, f: Field) -> bool:
    if f.name == "phone":
        # Phones rarely repeat, so their words miss the cache: a term with a letter skips the work.
        if not numeric and any(c.isdigit() for c in f.value):
            return False
        return needle in _cached_text(f.name, f.value)
    if long:  # a term holds no space: inside the folded value is inside one word
        return needle in _cached_fold(f.value)
    return needle in _cached_text(f.name, f.value)


def explain(fields: Iterable[Field], found: Sequence[str], *, whole: bool = False) -> tuple[Field, ...] | None:
    """The fields a hit matched, in field order, one per term (the first that holds it).
    `fields` may be lazy (`iter_contact_fields`): it is read only as far as needed.
    `whole`: None when some term is in none of them (the caller holds only some fields)."""
    rest = iter(fields)
    seen: list[Field] = []
    hit: list[Field] = []
    for t in found:
        long = len(t) >= SUBSTRING_FROM
        needle = t if long else SEP + t
        numeric = _PHONE_TEXT.issuperset(needle)
        match = next((f for f in seen if _holds(needle, long, numeric, f)), None)
        if match is None:
            for f in rest:
                seen.append(f)
                if _holds(needle, long, numeric, f):
                    match = f
                    break
        if match is None and whole:
            return None
        if match is not None and match not in hit:
            hit.append(match)
    if len(hit) > 1:
        hit.sort(key=seen.index)
    return tuple(hit)


# --- the index -----------------------------------------------------------------------------

# Every e-mail and phone with its label: the primary (contact.email, .email_label), then the
# others (store/contact_details.py); the contact's own address, the company's.  Values never
# hold control characters (store/text.py): char(31) and char(30) separate them safely.
_ROWS_SQL = """
SELECT c.id, c.first_name, c.last_name, c.title,
       c.email, c.email_label,
       (SELECT group_concat(email || char(31) || label, char(30)) FROM (SELECT email, label FROM email_address e
         WHERE e.contact_id = c.id ORDER BY e.position, e.id)),
       c.phone, c.phone_label,
       (SELECT group_concat(phone || char(31) || label, char(30)) FROM (SELECT phone, label FROM phone_number p
         WHERE p.contact_id = c.id ORDER BY p.position, p.id)),
       c.address, c.postcode, c.city, c.country,
       co.name, co.cvr, co.address, co.postcode, co.city, co.country,
       (SELECT group_concat(t.name, ' ') FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
         WHERE ct.contact_id = c.id)
FROM contact c LEFT JOIN company co ON co.id = c.company_id
"""


def _points(joined: str | None) -> list[tuple[str, str]]:
    return [tuple(p.split("\x1f", 1)) for p in joined.split("\x1e")] if joined else []  # type: ignore[misc]


def _fields_of(row) -> list[Field]:
    (_id, first, last, title, email, email_label, emails, phone, phone_label, phones, street, postcode, city,
     country, company, cvr, co_street, co_postcode, co_city, co_country, tags) = row
    return contact_fields(first, last, title=title,
                          emails=[(email, email_label)] * bool(email) + _points(emails),
                          phones=[(phone, phone_label)] * bool(phone) + _points(phones),
                          addresses=[(street, postcode, city, country)],
                          company=(company, cvr, co_street, co_postcode, co_city, co_country)
                          if company or cvr else None,
                          tags=(tags or "").split())


def fields_of(db, contact_ids: Sequence[int]) -> dict[int, list[Field]]:
    """The searchable fields of these contacts, read from the database."""
    out: dict[int, list[Field]] = {}
    ids = list(contact_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.execute_sql(f"{_ROWS_SQL} WHERE c.id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        out.update((r[0], _fields_of(r)) for r in rows)
    return out


def index_contacts(db, contact_ids: Iterable[int]) -> None:
    """Re-index the given contacts (deleted ones just leave the index)."""
    ids = list(contact_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        forget(db, chunk)
        index_new(db, fields_of(db, chunk).items())


def index_company(db, company_id: int) -> None:
    """Re-index the contacts of a company whose name, CVR or address changed."""
    ids = [cid for (cid,) in db.execute_sql("SELECT id FROM contact WHERE company_id = ?", (company_id,))]
    index_contacts(db, ids)


def rebuild(db) -> None:
    """Empty and refill the whole index (after a migration or a bulk load)."""
    db.execute_sql("DELETE FROM contact_search")
    cursor = db.execute_sql(_ROWS_SQL + " ORDER BY c.id")
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            break
        index_new(db, ((r[0], _fields_of(r)) for r in rows))


_INSERT = "INSERT INTO contact_search(rowid, doc) VALUES (?,?)"


def index_new(db, contacts: Iterable[tuple[int, Iterable[Field]]]) -> None:
    """Index contacts just inserted, from their fields in hand (no read back): (id, fields) each."""
    db.connection().executemany(_INSERT, [(i, index_text(fields)) for i, fields in contacts])


def index_prepared(db, rows: Iterable[tuple[int, str]]) -> None:
    """Index contacts just inserted whose document the caller already made (`index_text`
    with a cached `value_words`: an import folds each distinct value once)."""
    db.connection().executemany(_INSERT, rows)


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
    (a parameter holding a `Plan` expression); `contact_id` is the Contact.id column."""
    from peewee import Expression

    from .models import ContactSearch

    return query.join(ContactSearch, on=(ContactSearch.rowid == contact_id)).where(
        Expression(ContactSearch.contact_search, "MATCH", match_slot))


def in_index_order(query, after_slot=None):
    """A query joined by `restrict_to_matches`, in the index's own order (rowid), from after
    `after_slot`: FTS5 hands its matches in that order and seeks to the start itself, so a
    LIMIT stops it after one page (no sort of every match)."""
    from .models import ContactSearch

    if after_slot is not None:
        query = query.where(ContactSearch.rowid > after_slot)
    return query.order_by(ContactSearch.rowid)


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
