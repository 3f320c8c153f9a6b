"""Turn one source record (values tagged with their column and target) into candidates.

Shared by the CSV, XLSX and vCard readers, so every format gets the same
special-category screening and the same normalisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..contact_points import label_of
from .mapping import LABEL_TARGETS, Target
from .model import Candidate, Flag, Issue
from .normalise import (
    ValueProblem,
    normalise_cvr,
    normalise_email,
    normalise_ip,
    normalise_phone,
    normalise_postcode,
    normalise_timestamp,
    split_emails,
    split_full_name,
    split_phones,
    split_postcode_city,
    split_tags,
    tidy_name,
    tidy_text,
)
from .sensitive import _CPR_RE, looks_like_cpr, scan_free_text

_CPR_SEARCH = _CPR_RE.search  # a cheap first look: most values hold no ten-digit run

__all__ = ["Slot", "CandidateBuilder"]

#: fields that belong to the company/row and are shared by every person on it
SHARED_FIELDS = ("company_name", "company_cvr", "address", "postcode", "city", "country", "tags", "owner",
                 "lifecycle")


@dataclass(frozen=True)
class Slot:
    """Where a value comes from and where it goes."""

    column: str  # header (CSV/XLSX) or property name (vCard), used in flags and errors
    target: Target
    index: int = -1  # position in the row (tabular formats)
    sensitive: str | None = None  # the header names special-category data: never kept
    cpr_column: bool = False  # the header says CPR: undashed CPR numbers count too
    label: str = ""  # an e-mail's or phone's label the reader knows (vCard TYPE), else from the header
    # what build() does with a value, worked out once per column instead of once per value
    route: int = field(init=False, repr=False, compare=False, default=0)
    # [(label, primary)] for an e-mail or phone with no label column: from the reader's label,
    # the target's key or the header, worked out once per column
    labels: tuple = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        f = self.target.field
        if self.sensitive:
            route = _SENSITIVE
        elif f == "drop":
            route = _DROPPED
        elif f == "note":
            route = _NOTE
        elif f in _PERSON_ROUTES:
            route = _PERSON_ROUTES[f]
        elif f in LABEL_TARGETS:
            route = _LABEL
        elif f in ("address", "postcode", "city", "country"):
            route = _BLOCK
        else:
            route = _SINGLE
        object.__setattr__(self, "route", route)
        if route in (_EMAIL, _PHONE):
            block = self.target.block
            label = self.label or (label_of(block) if block and not block.isdigit() else "other")
            object.__setattr__(self, "labels", ((label if label != "other" else label_of(self.column), False),))


# Slot routes (see build()).
_SENSITIVE, _DROPPED, _NOTE, _FIRST, _LAST, _TITLE, _NAME, _EMAIL, _PHONE, _BLOCK, _SINGLE, _LABEL = range(12)
_PERSON_ROUTES = {"first_name": _FIRST, "last_name": _LAST, "title": _TITLE, "name": _NAME,
                  "email": _EMAIL, "phone": _PHONE}


class _Person:
    __slots__ = ("first", "last", "name", "title", "email", "phone", "labels")

    def __init__(self) -> None:
        self.labels: dict[tuple[str, str], str] = {}  # ("email"|"phone", key) -> the label column's text
        self.first: list[str] = []
        self.last: list[str] = []
        self.name: list[tuple[Slot, str]] = []
        self.title: list[str] = []
        self.email: list[tuple[Slot, str]] = []
        self.phone: list[tuple[Slot, str]] = []


_NO_PERSON = _Person()


class CandidateBuilder:
    """Builds candidates for one file.  ``prefix_notes``: label each note part with its
    column (when several columns feed ``note``)."""

    def __init__(self, source: str, *, region: str = "DK", prefix_notes: bool = False) -> None:
        self.source = source
        self.region = region
        self.prefix_notes = prefix_notes

    def build(self, line: int, values: Iterable[tuple[Slot, str]]) -> tuple[list[Candidate], Issue | None]:
        """Candidates for one record, or ``([], reason)`` when it has nothing to import.
        A record with no values at all gives ``([], None)``."""
        flags: list[Flag] = []
        errors: list[Issue] = []
        persons: dict[int, _Person] = {}
        blocks: dict[str, dict[str, list[tuple[Slot, str]]]] = {}
        single: dict[str, list[tuple[Slot, str]]] = {}
        notes: list[tuple[Slot, str]] = []
        seen_any = False
        if not isinstance(values, list):
            values = list(values)
        # One look for a CPR-shaped digit run in the whole record (a C call) instead of one per
        # value: most records hold none, and then no value needs the closer check below.
        cpr_shaped = _CPR_SEARCH("\x00".join([raw for slot, raw in values
                                               if raw and slot.route >= _FIRST and slot.route != _PHONE])) is not None

        for slot, raw in values:
            if not raw:
                continue
            value = raw.strip()
            if not value:
                continue
            seen_any = True
            route = slot.route
            if route == _SENSITIVE:
                assert slot.sensitive is not None  # the route is _SENSITIVE only when a kind was named
                flags.append(Flag(line, slot.column, slot.sensitive))
                continue
            if route == _DROPPED:
                continue
            if route == _NOTE:
                kinds = scan_free_text(value)
                if kinds:
                    flags.extend(Flag(line, slot.column, k) for k in kinds)
                else:
                    notes.append((slot, value))
                continue
            # Phone numbers are ten-digit runs too: a phone value is checked for a CPR number only
            # when it is no phone number (see _fill_person), never on the way in.
            if cpr_shaped and route != _PHONE and len(value) >= 10 and looks_like_cpr(
                    value, cpr_column=slot.cpr_column):
                flags.append(Flag(line, slot.column, "cpr"))
                continue
            tgt = slot.target
            if route == _LABEL:
                p = persons.get(tgt.person)
                if p is None:
                    p = persons[tgt.person] = _Person()
                p.labels[(tgt.field[:-6], tgt.block)] = value
                continue
            if route == _SINGLE:
                f = tgt.field
                if f in single:
                    single[f].append((slot, value))
                else:
                    single[f] = [(slot, value)]
            elif route == _BLOCK:
                blocks.setdefault(tgt.block, {}).setdefault(tgt.field, []).append((slot, value))
            else:
                p = persons.get(tgt.person)
                if p is None:
                    p = persons[tgt.person] = _Person()
                if route == _FIRST:
                    p.first.append(value)
                elif route == _LAST:
                    p.last.append(value)
                elif route == _TITLE:
                    p.title.append(value)
                elif route == _EMAIL:
                    p.email.append((slot, value))
                elif route == _PHONE:
                    p.phone.append((slot, value))
                else:
                    p.name.append((slot, value))

        if not seen_any:
            return [], None

        def err(slot: Slot, fieldname: str, problem: Exception, value: str | None) -> Issue:
            return Issue(self.source, line, str(problem), slot.column, fieldname, value)

        main = Candidate(self.source, line)
        self._fill_person(main, persons.get(0, _NO_PERSON), errors, err, flags)
        self._fill_shared(main, single, blocks, errors, err)
        if notes:
            if self.prefix_notes:
                main.note = "\n".join(f"{s.column}: {tidy_text(v)}" for s, v in notes)
            else:
                main.note = "\n".join(tidy_text(v) for _, v in notes)
        # an individual filed with their own name as "company" (Xero, TimeOut)
        full = " ".join(p for p in (main.first_name, main.last_name) if p)
        if main.company_name and full and main.company_name.casefold() == full.casefold():
            main.company_name = None

        out: list[Candidate] = []
        main_is_person = bool(main.first_name or main.last_name or main.email or main.phone)
        extra = [(n, persons[n]) for n in sorted(persons) if n > 0]
        built_extra: list[Candidate] = []
        for n, pdata in extra:
            cand = Candidate(self.source, line, person=n)
            perrors: list[Issue] = []
            self._fill_person(cand, pdata, perrors, err, flags)
            if not (cand.first_name or cand.last_name or cand.email or cand.phone):
                errors.extend(perrors)
                continue
            if main_is_person and _same_person(main, cand):
                continue
            for name in SHARED_FIELDS:
                value = getattr(main, name)
                setattr(cand, name, list(value) if isinstance(value, list) else value)
            cand.errors = perrors
            built_extra.append(cand)
        if main_is_person or not built_extra:
            out.append(main)
        out.extend(built_extra)
        out[0].flags = flags + out[0].flags
        out[0].errors = errors + out[0].errors

        if not any(c.has_identity() for c in out):
            kinds = sorted({f.kind for f in flags})
            reason = "no name, e-mail, phone or company to import"
            if kinds:
                reason += f" (special-category data was not kept: {', '.join(kinds)})"
            problems = [str(e) for e in errors][:3]
            if problems:
                reason += "; " + "; ".join(problems)
            return [], Issue(self.source, line, reason)
        return out, None

    # -- helpers --
    def _fill_person(self, cand: Candidate, p: _Person, errors: list[Issue], err: Callable,
                     flags: list[Flag]) -> None:
        if p.first:
            cand.first_name = tidy_name(" ".join(p.first)) or None
        if p.last:
            cand.last_name = tidy_name(" ".join(p.last)) or None
        if not cand.first_name and not cand.last_name and p.name:
            first, last = split_full_name(p.name[0][1])
            cand.first_name = tidy_name(first) or None
            cand.last_name = tidy_name(last) or None
        if p.title:
            cand.title = " ".join(tidy_text(p.title[0]).split()) or None

        emails: list[str] = []
        email_labels: list[str] = []
        first_email: str | None = None  # the one a label marked primary ("* Work")
        label_columns = p.labels  # empty unless the file has label columns (Google)
        for slot, raw in p.email:
            labels = (_label_column(label_columns[("email", slot.target.block)])
                      if label_columns and ("email", slot.target.block) in label_columns else slot.labels)
            top = len(labels) - 1  # a value past the labels takes the last one
            for n, part in enumerate(split_emails(raw)):
                try:
                    addr = normalise_email(part)
                except ValueProblem as exc:
                    errors.append(err(slot, "email", exc, part))
                    continue
                if addr not in emails:
                    label, primary = labels[min(n, top)]
                    emails.append(addr)
                    email_labels.append(label)
                    if primary and first_email is None:
                        first_email = addr
        if first_email is not None and emails[0] != first_email:
            _primary_first(emails, email_labels, first_email)
        if emails:
            cand.email, cand.extra_emails, cand.email_labels = emails[0], emails[1:], email_labels

        phones: list[str] = []
        phone_labels: list[str] = []
        first_phone: str | None = None
        for slot, raw in p.phone:
            labels = (_label_column(label_columns[("phone", slot.target.block)])
                      if label_columns and ("phone", slot.target.block) in label_columns else slot.labels)
            top = len(labels) - 1  # a value past the labels takes the last one
            for n, part in enumerate(split_phones(raw)):
                try:
                    num = normalise_phone(part, self.region)
                except ValueProblem as exc:
                    if looks_like_cpr(part, cpr_column=slot.cpr_column):  # never shown, never kept
                        flags.append(Flag(err(slot, "phone", exc, None).line, slot.column, "cpr"))
                    else:
                        errors.append(err(slot, "phone", exc, part))
                    continue
                if num not in phones:
                    label, primary = labels[min(n, top)]
                    phones.append(num)
                    phone_labels.append(label)
                    if primary and first_phone is None:
                        first_phone = num
        if first_phone is not None and phones[0] != first_phone:
            _primary_first(phones, phone_labels, first_phone)
        if phones:
            cand.phone, cand.extra_phones, cand.phone_labels = phones[0], phones[1:], phone_labels

    def _fill_shared(self, cand: Candidate, single: dict, blocks: dict, errors: list[Issue], err: Callable) -> None:
        for _slot, raw in single.get("company_name", [])[:1]:
            cand.company_name = " ".join(raw.split()) or None
        for slot, raw in single.get("company_cvr", []):
            try:
                cvr = normalise_cvr(raw)
            except ValueProblem as exc:
                errors.append(err(slot, "company_cvr", exc, raw))
                continue
            if cand.company_cvr is None:
                cand.company_cvr = cvr
        for _slot, raw in single.get("owner", [])[:1]:
            cand.owner = " ".join(raw.split()) or None
        for _slot, raw in single.get("lifecycle", [])[:1]:
            cand.lifecycle = " ".join(raw.split()).lower() or None
        tags: list[str] = []
        for _slot, raw in single.get("tags", []):
            for tag in split_tags(raw):
                if tag not in tags:
                    tags.append(tag)
        cand.tags = tags
        for name, fn in (
            ("consent_optin_time", normalise_timestamp),
            ("consent_optin_ip", normalise_ip),
            ("consent_confirm_time", normalise_timestamp),
            ("consent_confirm_ip", normalise_ip),
        ):
            for slot, raw in single.get(name, [])[:1]:
                try:
                    setattr(cand, name, fn(raw))
                except ValueProblem as exc:
                    errors.append(err(slot, name, exc, raw))

        for block in blocks.values():  # the first block with any value, used whole
            parts = [
                ", ".join(x.strip(" ,") for x in tidy_text(v).split("\n") if x.strip(" ,"))
                for _, v in block.get("address", [])
            ]
            cand.address = ", ".join(p for p in parts if p) or None
            if block.get("postcode"):
                cand.postcode = normalise_postcode(block["postcode"][0][1]) or None
            if block.get("city"):
                cand.city = " ".join(block["city"][0][1].split()) or None
            if block.get("country"):
                cand.country = " ".join(block["country"][0][1].split()) or None
            if cand.city and not cand.postcode:
                split = split_postcode_city(cand.city)
                if split:
                    cand.postcode, cand.city = split
            break


@lru_cache(maxsize=1024)
def _label_column(text: str) -> tuple[tuple[str, bool], ...]:
    """Google's "* Home ::: Work": a label per value, "*" marking the primary (texts repeat a lot)."""
    parts = [t.strip() for t in text.split(":::")] if ":::" in text else [text.strip()]
    return tuple((label_of(t), t.startswith("*")) for t in parts) or (("other", False),)


def _primary_first(values: list[str], labels: list[str], primary: str | None) -> None:
    """Move the value a label marked primary to the front (with its label)."""
    if primary is None or values[0] == primary:
        return
    n = values.index(primary)
    values.insert(0, values.pop(n))
    labels.insert(0, labels.pop(n))


def _same_person(a: Candidate, b: Candidate) -> bool:
    if a.email and b.email:
        return a.email == b.email
    names_a = ((a.first_name or "").casefold(), (a.last_name or "").casefold())
    names_b = ((b.first_name or "").casefold(), (b.last_name or "").casefold())
    return any(names_a) and names_a == names_b
