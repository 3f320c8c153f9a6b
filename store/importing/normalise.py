"""Normalising single values: e-mail, phone, names, CVR, postcode, consent evidence.

E-mail and phone are store.contact_points' (re-exported here): the forms and the
erasure ledger use the very same two functions.

Every ``normalise_*`` function takes the raw string and returns the clean value, or
raises :class:`ValueProblem` with a short English reason.  No I/O, no database.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime

from ..contact_points import normalise_email, normalise_phone  # the one of each (import, forms, ledger)
from ..errors import ValueProblem

__all__ = [
    "ValueProblem",
    "normalise_email",
    "split_emails",
    "normalise_phone",
    "split_phones",
    "tidy_name",
    "split_full_name",
    "normalise_cvr",
    "is_valid_cvr",
    "normalise_postcode",
    "split_postcode_city",
    "normalise_timestamp",
    "normalise_ip",
    "split_tags",
    "tidy_text",
]


def tidy_text(value: str) -> str:
    """Trim and collapse runs of spaces/tabs (newlines inside are kept)."""
    if "\n" not in value and "\r" not in value:  # one line: the common case
        return " ".join(value.split())
    lines = [" ".join(part.split()) for part in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


# --- e-mail ----------------------------------------------------------------------------

_MULTI_SEP = re.compile(r"\s+:::\s+|[;\n]")


def split_emails(raw: str) -> list[str]:
    """Split a cell holding several addresses (Google's ``" ::: "``, ``;``, ``,``, newline)."""
    if "," not in raw and not _MULTI_SEP.search(raw):  # one address: the common case
        one = raw.strip()
        return [one] if one else []
    parts: list[str] = []
    for chunk in _MULTI_SEP.split(raw):
        chunk = chunk.strip()
        if not chunk:
            continue
        # "a@x.dk, b@y.dk" but not '"Hansen, Jens" <j@x.dk>'
        if "," in chunk and "<" not in chunk and chunk.count("@") > 1:
            parts.extend(p.strip() for p in chunk.split(",") if p.strip())
        else:
            parts.append(chunk)
    return parts


# --- phone -----------------------------------------------------------------------------

_FLOAT_ZERO = re.compile(r"^(\+?[0-9]+)[.,]0+$")  # a number cell written out as a float
_PHONE_SPLIT = re.compile(r"\s+:::\s+|[;,/\n]|\s+(?:or|eller)\s+", re.IGNORECASE)
def split_phones(raw: str) -> list[str]:
    if not _PHONE_SPLIT.search(raw):  # one number: the common case
        one = raw.strip()
        return [one] if one else []
    return [p.strip() for p in _PHONE_SPLIT.split(raw) if p and p.strip()]


# --- names -----------------------------------------------------------------------------

NAME_PARTICLES = frozenset(
    "van von der den de del della di da du dos das af zu ten ter la le".split()
)


def _cap_part(word: str) -> str:
    if not word:
        return word
    low = word.lower()
    if low.startswith("mc") and len(low) > 3:
        return "Mc" + low[2].upper() + low[3:]
    return low[0].upper() + low[1:]


def _cap_word(word: str) -> str:
    # Anne-Marie, O'Brien, D'Angelo
    out = []
    for piece in re.split(r"([-'’])", word):
        out.append(piece if piece in "-'’" else _cap_part(piece))
    return "".join(out)


_NAME_CACHE: dict[str, str] = {}
_CACHE_MAX = 20_000  # values remembered per cache (names, CVRs repeat; memory stays bounded)


def tidy_name(raw: str) -> str:
    """Trim and capitalise a name sensibly (cached: names repeat a lot in a contact list).

    See :func:`_tidy_name`."""
    done = _NAME_CACHE.get(raw)
    if done is None:
        if len(_NAME_CACHE) >= _CACHE_MAX:
            _NAME_CACHE.clear()
        done = _NAME_CACHE[raw] = _tidy_name(raw)
    return done


def _tidy_name(raw: str) -> str:
    """Trim and capitalise a name sensibly.

    Mixed-case input is kept as typed ("McDonald", "van der Berg", "deBoer").  All
    lower or ALL UPPER input is capitalised word by word, keeping particles such as
    "van der" lower case and handling "Mc", "O'" and hyphens:
    ``"JENS O'BRIEN-MCDONALD"`` -> ``"Jens O'Brien-McDonald"``.
    """
    s = " ".join(raw.replace("\u00a0", " ").split()).strip(" ,;")
    if not s:
        return ""
    if s.isascii():
        if not s.islower() and not s.isupper():
            # mixed case is kept as typed; so is text without letters (nothing to capitalise)
            return s
    else:
        letters = [c for c in s if c.isalpha()]
        if any(c.isupper() for c in letters) and any(c.islower() for c in letters):
            return s
    words = s.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        if word.lower() in NAME_PARTICLES and i < len(words) - 1:
            out.append(word.lower())
        else:
            out.append(_cap_word(word))
    return " ".join(out)


def split_full_name(raw: str) -> tuple[str, str]:
    """``"Jens Hansen"`` -> ``("Jens", "Hansen")``; ``"Hansen, Jens"`` -> the same;
    ``"Jan van der Berg"`` -> ``("Jan", "van der Berg")``; one word -> (word, "")."""
    s = " ".join(raw.split()).strip(" ,")
    if not s:
        return "", ""
    if s.count(",") == 1:
        last, first = (p.strip() for p in s.split(","))
        if first and last:
            return first, last
    words = s.split(" ")
    if len(words) == 1:
        return words[0], ""
    for i in range(1, len(words) - 1):
        if words[i].lower() in NAME_PARTICLES:
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words[:-1]), words[-1]


# --- CVR -------------------------------------------------------------------------------

_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cvr(digits: str) -> bool:
    """8 digits whose weighted sum (2,7,6,5,4,3,2,1) is divisible by 11."""
    if len(digits) != 8 or not digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(digits, _CVR_WEIGHTS, strict=True)) % 11 == 0


_CVR_PREFIX = re.compile(r"^(DK|CVR)[-:.\s]*(NR\.?)?[-:.\s]*")
_CVR_JUNK = re.compile(r"[\s.\-]")
_CVR_CACHE: dict[str, str | ValueProblem] = {}


def normalise_cvr(raw: str) -> str:
    """Return the 8-digit CVR number; accepts ``DK12345678``, ``12 34 56 78``, ``12345678.0``."""
    done = _CVR_CACHE.get(raw)
    if done is None:
        if len(_CVR_CACHE) >= _CACHE_MAX:
            _CVR_CACHE.clear()
        try:
            done = _normalise_cvr(raw)
        except ValueProblem as exc:
            done = exc
        _CVR_CACHE[raw] = done
    if isinstance(done, ValueProblem):
        raise ValueProblem(str(done))
    return done


def _normalise_cvr(raw: str) -> str:
    s = raw.strip().upper()
    m = _FLOAT_ZERO.match(s)
    if m:
        s = m.group(1)
    s = _CVR_PREFIX.sub("", s)
    s = _CVR_JUNK.sub("", s)
    if not s.isdigit() or len(s) != 8:
        raise ValueProblem("a CVR number has 8 digits")
    if not is_valid_cvr(s):
        raise ValueProblem("not a valid CVR number (modulus-11 check fails)")
    return s


# --- address ---------------------------------------------------------------------------

_DK_POSTCODE_PREFIX = re.compile(r"^(DK)[-\s]?(?=\d{4}$)", re.IGNORECASE)


def normalise_postcode(raw: str) -> str:
    s = raw.strip()
    if len(s) == 4 and s.isdigit():  # a Danish postcode as written: nothing to do
        return s
    m = _FLOAT_ZERO.match(s)
    if m:
        s = m.group(1)
    s = _DK_POSTCODE_PREFIX.sub("", s)
    return " ".join(s.split())


_POSTCODE_CITY = re.compile(r"^(?:DK[-\s]?)?(\d{4})\s+(\D.*)$", re.IGNORECASE)


def split_postcode_city(city: str) -> tuple[str, str] | None:
    """``"2100 København Ø"`` -> ``("2100", "København Ø")``, else ``None``."""
    m = _POSTCODE_CITY.match(city.strip())
    return (m.group(1), m.group(2).strip()) if m else None


# --- tags ------------------------------------------------------------------------------

_TAG_SPLIT = re.compile(r"\s*:::\s*|[;,\n]")


def split_tags(raw: str) -> list[str]:
    """Split a tag cell; Google system groups (``* myContacts``, ``* Starred``) are dropped."""
    out: list[str] = []
    for part in _TAG_SPLIT.split(raw):
        tag = " ".join(part.split())
        if not tag or tag.startswith("*"):
            continue
        if tag not in out:
            out.append(tag)
    return out


# --- consent evidence ------------------------------------------------------------------

_TS_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
)


def normalise_timestamp(raw: str) -> str:
    """ISO 8601 in UTC (``2021-03-04T10:20:30+00:00``).  Mailchimp exports are in UTC,
    so a time without a zone is taken as UTC."""
    s = raw.strip()
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _TS_FORMATS:
            try:
                dt = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueProblem("not a date and time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def normalise_ip(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        raise ValueProblem("not an IP address") from None
