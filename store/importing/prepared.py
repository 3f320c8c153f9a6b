"""A candidate's values made ready to insert, from the candidate alone (no database, no
run state): its columns as stored, its sort key, its note as stored, its search document
but for the company's words, its other e-mails and phones, its keys for repeats in the
file.

For a big file the reading process (pipeline.py) makes them beside reading, on the other
core, and they travel on the candidate (`Candidate.prepared`), so the importing process
only matches and inserts; a small file's candidates are made ready in the importing
process by the very same `Preparer` (planner.py), so both store the same rows.  Anything
that depends on the database or the run (the company's id and words, the owner, the
import batch) is added by the importing process.
"""
from __future__ import annotations

from typing import NamedTuple

from .. import search
from ..processing import LIFECYCLES
from ..sorting import person_key
from ..text import stored_line, stored_multiline
from .model import Candidate

ADDRESS = (("address", 200), ("postcode", 20), ("city", 100), ("country", 100))  # as stored, max length
_CACHE = 50_000  # distinct values remembered per cache (names, towns repeat; memory stays bounded)


class Prepared(NamedTuple):
    """What a new contact's row is made of (see store.bulk.IMPORT_COLUMNS)."""
    head: tuple  # first name, last name, title, e-mail, phone: the columns before company_id
    lifecycle: str  # as stored ("lead" for none or an unknown one)
    tail: tuple  # address, postcode, city, country, e-mail label, phone label, sort key
    # the search document around the company's words: before them, between the company's
    # name and its address, after (search.index_text of the contact's fields, word for word)
    words: tuple[str, str, str]
    tags: list[str]  # as stored: lower case, cut, sorted
    note: str | None  # the note as stored, or None
    emails: tuple  # the other e-mails: (address, label, position) each (contact_details.add_points)
    phones: tuple  # the other phones, the same
    keys: list[str]  # matching.keys_in_file
    has_consent: bool  # carries consent evidence (Candidate.consent)
    unknown_lifecycle: bool  # a lifecycle stage MiniCRM does not know was given ("lead" used)


class Preparer:
    """Makes candidates ready, each distinct name, title, address and value folded once."""

    def __init__(self) -> None:
        self._lines: dict[str, str] = {}  # a name's or title's stored line
        self._addresses: dict[tuple, tuple] = {}  # an address as stored
        self._address_words: dict[tuple, str] = {}
        self._folded: dict[str, str] = {}  # search.value_words of a name, title, town, tag

    def __call__(self, c: Candidate) -> Prepared:
        line, fold = self.line, self.fold
        first, last, title = line(c.first_name), line(c.last_name), line(c.title)
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        unknown = lifecycle not in LIFECYCLES and bool(c.lifecycle)
        if lifecycle not in LIFECYCLES:
            lifecycle = None
        tags = sorted({t for t in (stored_line(t, 40).lower() for t in c.tags) if t}) if c.tags else []
        raw = (c.address, c.postcode, c.city, c.country)
        address = self._addresses.get(raw)
        if address is None:
            if len(self._addresses) >= _CACHE:
                self._addresses.clear()
            address = self._addresses[raw] = tuple(stored_line(v, n) or None
                                                   for v, (_, n) in zip(raw, ADDRESS, strict=True))
        name = f"{first} {last}".strip()
        before = (fold(name) if name else "") + (fold(title) if title else "")
        between = [search.value_words(c.email) if c.email else ""]
        between += [search.value_words(v) for v in c.extra_emails if v]
        if c.phone:
            between.append(search.phone_words(c.phone))
        between += [search.phone_words(v) for v in c.extra_phones if v]
        words = self._address_words.get(address)
        if words is None:
            if len(self._address_words) >= _CACHE:
                self._address_words.clear()
            words = self._address_words[address] = "".join(fold(v) for v in address if v)
        between.append(words)
        after = "".join(fold(t) for t in tags) if tags else ""
        return Prepared(
            (first, last, title, c.email, c.phone), lifecycle or "lead",
            (*address, c.email_labels[0] if c.email and c.email_labels else "other",
             c.phone_labels[0] if c.phone and c.phone_labels else "other", person_key(first, last)),
            (before, "".join(between), after), tags,
            (stored_multiline(c.note, 2000) or None) if c.note else None,
            _others(c.extra_emails, c.email, c.email_labels), _others(c.extra_phones, c.phone, c.phone_labels),
            keys_in_file(c), bool(c.consent_optin_time or c.consent_optin_ip or c.consent_confirm_time
                                  or c.consent_confirm_ip), unknown)

    def line(self, value: str | None) -> str:
        """stored_line(value, 100), once per distinct name or title."""
        if not value:
            return ""
        done = self._lines.get(value)
        if done is None:
            if len(self._lines) >= _CACHE:
                self._lines.clear()
            done = self._lines[value] = stored_line(value, 100)
        return done

    def fold(self, text: str) -> str:
        """search.value_words(text), once per distinct value."""
        done = self._folded.get(text)
        if done is None:
            if len(self._folded) >= _CACHE:
                self._folded.clear()
            done = self._folded[text] = search.value_words(text)
        return done


def _others(extra: list[str], primary: str | None, labels: list[str]) -> tuple:
    """(value, label, position) of each e-mail or phone but the first (Candidate.emails, .phones)."""
    if not extra:
        return ()
    values = [primary, *extra] if primary else extra
    top = len(labels)
    return tuple((v, labels[n] if n < top else "other", n) for n, v in enumerate(values) if n)


def keys_in_file(c) -> list[str]:
    """What makes two rows of one file the same person: any e-mail or phone, else folded name + company."""
    keys = ["e:" + c.email] if c.email else []
    if c.extra_emails:
        keys += ["e:" + e for e in c.extra_emails]
    if c.phone:
        keys.append("p:" + c.phone)
    if c.extra_phones:
        keys += ["p:" + p for p in c.extra_phones]
    if not keys and c.first_name:
        keys.append("n:" + search.fold(f"{c.first_name} {c.last_name or ''} {c.company_name or c.company_cvr or ''}"))
    return keys
