"""The one normalisation of an e-mail address and of a phone number.

Import, the forms (store.validate) and the erasure ledger all store, compare
and hash what these two functions return, so a person erased as
``soren@x.dk`` / ``+4533123456`` is recognised when a file spells them
``SOREN@X.DK`` / ``0045 33 12 34 56``.  A second normaliser anywhere would
let an erased person back in through the difference.

Each takes the raw text and returns the normal form, or raises
:class:`store.errors.ValueProblem` with a short English reason naming no value.
`label_of` turns what an export calls an address or number ("Home", "Arbejde",
``TYPE=CELL``, "* Mobile") into one of LABELS.  No I/O, no database.
"""
from __future__ import annotations

import functools
import re
from email.utils import parseaddr

from .errors import ValueProblem

# phonenumbers and email-validator (about 65 ms of CPU to import) load at the first
# number or address that needs them: the search screen after a login needs neither.

__all__ = ["LABELS", "label_of", "normalise_email", "normalise_phone"]

#: The labels an e-mail address or phone number can carry (the database checks them too).
LABELS = ("work", "private", "mobile", "other")

_LABEL_WORDS = {
    "work": ("work", "business", "office", "arbejde", "firma", "job", "erhverv", "main", "company",
             "direct", "direkte", "assistant", "ddinumber", "direktenr", "arbejdsmail", "arbejdstelefon",
             "workphone", "businessphone"),
    "private": ("home", "private", "personal", "privat", "hjem", "hjemme", "family", "privatmail",
                "privattelefon", "homephone"),
    "mobile": ("mobile", "cell", "mobil", "mobiltelefon", "iphone", "cellular", "handy", "mobilenumber",
               "mobilnr", "mobilnummer", "mobilephone", "cellphone"),
}
_LABEL_INDEX = {word: label for label, words in _LABEL_WORDS.items() for word in words}


def label_of(text: str | None) -> str:
    """One of LABELS for a vendor's type word or words ("Home", "* Work", "TYPE=CELL,VOICE",
    "Mobiltelefon"); anything unknown or custom is "other"."""
    if not text:
        return "other"
    for word in re.split(r"[\s,;:=*()/_$!<>-]+", text.lower()):
        if word in LABELS:
            return word
        if word in _LABEL_INDEX:
            return _LABEL_INDEX[word]
    return "other"


# Plain ASCII addresses that email-validator certainly accepts (dot-atom local part,
# LDH domain labels, an alphabetic TLD, no punycode): checked here without its slower
# Unicode/IDNA machinery.  Everything else goes through email-validator.
_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_FAST_EMAIL = re.compile(
    rf"^(?=.{{1,64}}@)({_ATEXT}(?:\.{_ATEXT})*)@"
    r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$",
    re.IGNORECASE,
)


@functools.cache
def _special_domains() -> tuple[frozenset[str], tuple[str, ...]]:
    """email-validator's special-use domains, and the same as suffixes."""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return frozenset(SPECIAL_USE_DOMAIN_NAMES), tuple("." + d for d in SPECIAL_USE_DOMAIN_NAMES)


def _fast_email(s: str) -> str | None:
    if len(s) > 254:
        return None
    m = _FAST_EMAIL.match(s)
    if not m:
        return None
    low = s.lower()  # the pattern is anchored and s has no trailing newline: m spans all of s
    domain = low[m.start(2):]
    if "--" in domain:
        return None  # punycode and other IDNA cases: let email-validator decide
    special, suffixes = _special_domains()
    if domain in special or domain.endswith(suffixes):
        return None
    return low


def normalise_email(raw: str) -> str:
    """Validate the syntax (no DNS) and return the normalised address.

    Accepts ``Name <addr>`` and ``mailto:`` forms.  The domain is lower-cased by
    email-validator; the local part is lower-cased too (mailboxes are case-insensitive
    in practice, and this makes duplicates findable).
    """
    s = raw.strip()
    if "<" in s and ">" in s:
        s = parseaddr(s)[1] or s
    s = s.strip().strip('"<>').strip()
    if s.lower().startswith("mailto:"):
        s = s[7:]
    if not s:
        raise ValueProblem("empty e-mail address")
    fast = _fast_email(s)
    if fast is not None:
        return fast
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(s, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueProblem(f"invalid e-mail address ({exc})") from None
    return result.normalized.lower()


# --- phone -----------------------------------------------------------------------------

_SCI = re.compile(r"^[0-9]([.,][0-9]+)?[eE]\+?[0-9]+$")
_FLOAT_ZERO = re.compile(r"^(\+?[0-9]+)[.,]0+$")


# A Danish number (8 digits, first 2-9), optionally with +45/0045/45 in front: every
# such number is valid or at least possible for libphonenumber, so the slow parse is
# skipped.  The "45" without + or 00 is what Danish Excel leaves of "+45".
_DK_FAST = re.compile(r"^(?:\+45|0045|45(?=\d{8}$))?([2-9]\d{7})$")
_DK_FAST_JUNK = re.compile(r"[\s.\-()/]")
_LEADING_00 = re.compile(r"^\s*00")
_EXTENSION = re.compile(r"(?i)\s*(ext\.?|x|lokal)\s*\d+$")
_NON_DIGITS = re.compile(r"\D")
_LETTER = re.compile(r"[A-Za-z]")


def warm_up() -> None:
    """The validators loaded and used once.  They load on first use (phonenumbers ~15 ms to
    import and more for its first number, email-validator ~20 ms), which kept them off the
    start and the login but put them in a session's first save (~45 ms, the next ~6: traced
    at 100,000 contacts); a front end calls this once a session has begun, off its way."""
    from .search import phone_words

    normalise_phone("+46 70 123 45 67")  # (a Danish number is checked without phonenumbers)
    phone_words("+4520123456")  # the search index's words for a phone (its country codes)
    _special_domains()


def normalise_phone(raw: str, region: str = "DK") -> str:
    """Return the number in E.164 (``+4520123456``).

    Handles what spreadsheets do to numbers: a stripped ``+``/``00`` (``4520123456``
    in a DK sheet becomes ``+4520123456``, ``46701234567`` becomes ``+46701234567``),
    ``4520123456.0``, and refuses Excel's lossy scientific notation (``4,52E+09``).
    Numbers that are a possible length for their country are accepted even when the
    range is not (yet) allocated in libphonenumber's data.
    """
    s = raw.strip()
    if region == "DK":
        m = _DK_FAST.match(_DK_FAST_JUNK.sub("", s))
        if m:
            return "+45" + m.group(1)
    if s.lower().startswith("tel:"):
        s = s[4:]
    if s.lower().startswith(("sip:", "http", "mailto:")):
        raise ValueProblem("not a phone number")
    if _SCI.match(s.replace(" ", "")):
        raise ValueProblem("phone number in scientific notation (Excel lost the digits)")
    m = _FLOAT_ZERO.match(s)
    if m:
        s = m.group(1)
    s = s.replace("(0)", " ")
    s = _LEADING_00.sub("+", s)
    s = _EXTENSION.sub("", s)  # extensions are not kept
    digits = _NON_DIGITS.sub("", s)
    if len(digits) < 3:
        raise ValueProblem("not a phone number")
    if _LETTER.search(s.replace("ext", "")):
        raise ValueProblem("not a phone number")

    import phonenumbers

    e164 = phonenumbers.PhoneNumberFormat.E164
    possible: phonenumbers.PhoneNumber | None = None
    try:
        num = phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException:
        num = None
    if num is not None:
        if phonenumbers.is_valid_number(num):
            return phonenumbers.format_number(num, e164)
        if phonenumbers.is_possible_number(num):
            possible = num
    if s.strip().isdigit() and len(digits) >= 9:
        # a bare number as a spreadsheet stores it, that lost its leading + or 00:
        # "46701234567" -> +46701234567 (only when that is a valid number)
        try:
            num = phonenumbers.parse("+" + digits, None)
            if phonenumbers.is_valid_number(num):
                return phonenumbers.format_number(num, e164)
        except phonenumbers.NumberParseException:
            pass
    if possible is not None:
        return phonenumbers.format_number(possible, e164)
    raise ValueProblem(f"not a valid phone number (default region {region})")
