"""Password policy and password hashing (pure functions, no database).

Policy (:func:`check_password_policy`), after NIST SP 800-63B section 5.1.1:

* length counted in Unicode code points after NFKC normalisation: at least
  ``min_length`` (default 12, never below 8), at most 128;
* any Unicode is allowed, ordinary spaces included; there are no composition
  rules (no "one digit, one symbol");
* refused: control characters (C0, DEL, C1 — so also tab and newline) and lone
  surrogates;
* refused: passwords on the shipped list of ~40,000 common passwords
  (``store/data/common-passwords.txt``, see ``store/data/README.md``), compared
  case-insensitively, also when the only additions are leading/trailing digits,
  punctuation or spaces ("Password2024!");
* refused: a password that contains the user name or the company name
  (case-insensitive, NFKC, spaces ignored; only for names of 3+ characters);
* refused: a password that is one short pattern repeated ("aaaaaaaaaaaa",
  "abcabcabcabc") or a plain run ("abcdefghijkl", "987654321098") — NIST lists
  "repetitive or sequential characters" among the values to refuse.

Each refusal raises :class:`PasswordRejected` with a plain-English message and
a machine-readable ``code`` (keys of :data:`REJECTION_MESSAGES`) plus
``params`` so that the UI can show its own translation.

Hashing (:func:`hash_password` / :func:`verify_password`): the NFKC-normalised
password is pre-hashed with HMAC-SHA256 under a fixed domain-separation key,
base64-encoded (44 ASCII bytes, no NUL) and given to bcrypt (cost >= 12).  The
pre-hash lifts bcrypt's 72-byte limit, so long passwords that share their
first 72 bytes are told apart.  Stored form::

    hmac-bcrypt-v1:$2b$12$<22-char salt><31-char hash>     (75 characters)

:func:`dummy_verify` spends the same time as a real verification and is meant
for logins of unknown users, so that timing does not reveal which users exist.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import re
import secrets
import string
import unicodedata
from importlib import resources

import bcrypt

from store.errors import PasswordRejected

__all__ = [
    "DEFAULT_COST",
    "MAX_LENGTH",
    "MIN_COST",
    "MIN_LENGTH_FLOOR",
    "PasswordRejected",
    "REJECTION_MESSAGES",
    "check_password_policy",
    "dummy_verify",
    "hash_password",
    "is_common_password",
    "needs_rehash",
    "one_time_password",
    "verify_password",
]

#: Longest accepted password, in code points after NFKC.
MAX_LENGTH = 128
#: ``min_length`` may never be set below this (NIST: 8 for user-chosen secrets).
MIN_LENGTH_FLOOR = 8
#: Default minimum length.
DEFAULT_MIN_LENGTH = 12
#: Production bcrypt cost.
DEFAULT_COST = 12
#: Lowest bcrypt cost :func:`hash_password` accepts.  Production code never
#: lowers it; a test may monkeypatch it to hash many passwords quickly.
MIN_COST = 12
_MAX_COST = 31

# Inputs longer than this are refused before any Unicode work: NFKC can at
# most shrink a string by a small factor (composition of combining sequences,
# Hangul jamo), so anything this long cannot be <= MAX_LENGTH afterwards.
_RAW_INPUT_LIMIT = 4 * MAX_LENGTH

_PREHASH_KEY = b"minicrm-password-v1"
_SCHEME = "hmac-bcrypt-v1:"
_BCRYPT_RE = re.compile(r"\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}", re.ASCII)

#: Unambiguous alphabet for one-time passwords: no 0/o, 1/l/i.
OTP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_OTP_GROUPS = 4
_OTP_GROUP_LEN = 5

_COMMON_LIST = "common-passwords.txt"
_AFFIX_CHARS = string.digits + string.punctuation + " "
_MIN_CORE_LEN = 4

REJECTION_MESSAGES: dict[str, str] = {
    "empty": "Please enter a password.",
    "too_short": "The password is too short: use at least {min_length} characters.",
    "too_long": "The password is too long: use at most {max_length} characters.",
    "control_chars": (
        "The password contains control characters (such as tab or newline), "
        "which are not allowed."
    ),
    "invalid_chars": "The password contains characters that are not valid text.",
    "common": (
        "This password is too common: it is on a list of frequently used "
        "passwords. Please choose another."
    ),
    "contains_username": "The password must not contain your user name.",
    "contains_company": "The password must not contain the company name.",
    "same_as_old": "Choose a new password: this is the one you were given or had before.",
    "repetitive": (
        "The password is a short pattern repeated over and over. Please choose "
        "something less predictable."
    ),
    "sequential": (
        "The password is a simple sequence of characters (like abcdef or "
        "123456). Please choose something less predictable."
    ),
}


# --------------------------------------------------------------------------
# Normalisation helpers


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _fold(text: str) -> str:
    """NFKC + case folding (Unicode "NFKC_Casefold"-style)."""
    return _nfkc(_nfkc(text).casefold())


def _compact(text: str) -> str:
    return "".join(text.split())


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _is_control(ch: str) -> bool:
    # Category Cc is exactly C0 (U+0000-U+001F), DEL (U+007F), C1 (U+0080-U+009F).
    return unicodedata.category(ch) == "Cc"


# --------------------------------------------------------------------------
# Common-password list


@functools.cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("store").joinpath("data", _COMMON_LIST).read_text(
        encoding="utf-8"
    )
    entries = (line.strip() for line in text.splitlines())
    return frozenset(_fold(entry) for entry in entries if entry)


def is_common_password(password: str) -> bool:
    """True if ``password`` (case-insensitive, NFKC) is on the common list,
    or is an entry with only digits/punctuation/spaces added around it."""
    if len(password) > _RAW_INPUT_LIMIT or _has_surrogates(password):
        return False
    common = _common_passwords()
    folded = _fold(password)
    for candidate in {folded, _compact(folded)}:
        if candidate in common:
            return True
        core = candidate.strip(_AFFIX_CHARS)
        if len(core) >= _MIN_CORE_LEN and core in common:
            return True
    return False


def _is_repetitive(folded: str) -> bool:
    """One unit repeated (spaces ignored or not): the unit is at most 4
    characters long or is itself a common password."""
    for text in (folded, _compact(folded)):
        n = len(text)
        for period in range(1, n // 2 + 1):
            if all(text[i] == text[i - period] for i in range(period, n)):
                unit = text[:period]
                if period <= 4 or is_common_password(unit):
                    return True
                break
    return False


def _is_sequential(folded: str) -> bool:
    """A plain ascending or descending run (abcdef, 654321, 890123)."""
    if len(folded) < 3:
        return False

    def step(a: str, b: str) -> int | None:
        if a.isdigit() and b.isdigit() and a.isascii() and b.isascii():
            d = (ord(b) - ord(a)) % 10
            return {1: 1, 9: -1}.get(d)
        d = ord(b) - ord(a)
        return d if d in (1, -1) else None

    steps = {step(a, b) for a, b in itertools.pairwise(folded)}
    return len(steps) == 1 and None not in steps


# --------------------------------------------------------------------------
# Policy


def _check_min_length(min_length: int) -> None:
    if isinstance(min_length, bool) or not isinstance(min_length, int):
        raise TypeError("min_length must be an int")
    if min_length < MIN_LENGTH_FLOOR:
        raise ValueError(f"min_length must be at least {MIN_LENGTH_FLOOR}")
    if min_length > MAX_LENGTH:
        raise ValueError(f"min_length must be at most {MAX_LENGTH}")


def check_password_policy(
    password: str,
    *,
    username: str,
    company_name: str | None,
    min_length: int = DEFAULT_MIN_LENGTH,
) -> str:
    """Return the NFKC-normalised password, or raise :class:`PasswordRejected`.

    Store/hash the returned value (hash_password normalises as well, so
    hashing the raw input gives the same result).  ``min_length`` below 8 is
    a ``ValueError`` (configuration error, not a rejection).
    """
    _check_min_length(min_length)
    if not isinstance(password, str):
        raise TypeError("password must be str")
    if not password:
        raise PasswordRejected("empty")
    if len(password) > _RAW_INPUT_LIMIT:
        raise PasswordRejected("too_long", max_length=MAX_LENGTH)
    if _has_surrogates(password):
        raise PasswordRejected("invalid_chars")

    normalised = _nfkc(password)
    if any(_is_control(ch) for ch in normalised):
        raise PasswordRejected("control_chars")
    if len(normalised) < min_length:
        raise PasswordRejected("too_short", min_length=min_length)
    if len(normalised) > MAX_LENGTH:
        raise PasswordRejected("too_long", max_length=MAX_LENGTH)

    folded = _fold(normalised)
    haystack = _compact(folded)
    for name, code in ((username, "contains_username"), (company_name, "contains_company")):
        if isinstance(name, str) and len(name) <= _RAW_INPUT_LIMIT and not _has_surrogates(name):
            needle = _compact(_fold(name))
            if len(needle) >= 3 and needle in haystack:
                raise PasswordRejected(code)

    if is_common_password(normalised):
        raise PasswordRejected("common")
    if _is_repetitive(folded):
        raise PasswordRejected("repetitive")
    if _is_sequential(folded):
        raise PasswordRejected("sequential")
    return normalised


# --------------------------------------------------------------------------
# Hashing


def _prehash(password: str) -> bytes:
    """HMAC-SHA256 of the NFKC password, base64: 44 ASCII bytes for bcrypt."""
    data = _nfkc(password).encode("utf-8", "surrogatepass")
    digest = hmac.new(_PREHASH_KEY, data, hashlib.sha256).digest()
    return base64.b64encode(digest)


def _check_cost(cost: int) -> None:
    if isinstance(cost, bool) or not isinstance(cost, int):
        raise TypeError("cost must be an int")
    if not MIN_COST <= cost <= _MAX_COST:
        raise ValueError(f"bcrypt cost must be between {MIN_COST} and {_MAX_COST}")


def hash_password(password: str, *, cost: int = DEFAULT_COST) -> str:
    """Hash a password for storage (HMAC-SHA256 pre-hash, then bcrypt).

    Does not apply the policy (call :func:`check_password_policy` first); it
    only refuses what cannot be a valid password: empty, longer than 128
    code points after NFKC, or not encodable as UTF-8.
    """
    _check_cost(cost)
    if not isinstance(password, str):
        raise TypeError("password must be str")
    if len(password) > _RAW_INPUT_LIMIT:
        raise ValueError(f"password is longer than {MAX_LENGTH} characters")
    if _has_surrogates(password):
        raise ValueError("password is not valid text (lone surrogate)")
    normalised = _nfkc(password)
    if not normalised:
        raise ValueError("password is empty")
    if len(normalised) > MAX_LENGTH:
        raise ValueError(f"password is longer than {MAX_LENGTH} characters")
    hashed = bcrypt.hashpw(_prehash(normalised), bcrypt.gensalt(rounds=cost))
    return _SCHEME + hashed.decode("ascii")


def _split_stored(stored: object) -> bytes | None:
    """The bcrypt part of a stored hash, or None if it is not ours."""
    if not isinstance(stored, str) or not stored.startswith(_SCHEME):
        return None
    inner = stored[len(_SCHEME) :]
    if _BCRYPT_RE.fullmatch(inner) is None:
        return None
    return inner.encode("ascii")


# A bcrypt hash (cost 12) of a random password nobody knows.  Used to spend the
# same time as a real check when there is no real hash to check against.
_DUMMY_HASH = (
    _SCHEME + "$2b$12$WTd8.rft1BdYNaOHwy4GOuJGZKWZGHiRbIu4ufZGvqLagiVieW27e"
)
_FILLER_PASSWORD = "x" * 16


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (from :func:`hash_password`).

    Never raises for bad input: a wrong type, an over-long password or a
    malformed stored hash just gives False, after the same bcrypt work as a
    real check.  The final comparison inside bcrypt is constant-time.
    """
    inner = _split_stored(stored)
    valid_input = (
        isinstance(password, str) and 0 < len(password) <= _RAW_INPUT_LIMIT
    )
    if inner is None:
        inner = _split_stored(_DUMMY_HASH)
        assert inner is not None
        valid_input = False
    candidate = _prehash(password if valid_input else _FILLER_PASSWORD)
    try:
        matched = bcrypt.checkpw(candidate, inner)
    except ValueError:  # unparseable salt/cost inside the stored string
        bcrypt.checkpw(candidate, _split_stored(_DUMMY_HASH))  # type: ignore[arg-type]
        return False
    return matched and valid_input


def dummy_verify(password: str = "") -> bool:
    """Spend the time of a real :func:`verify_password` (cost 12) and return
    False.  Call it when the user name is unknown."""
    verify_password(password or _FILLER_PASSWORD, _DUMMY_HASH)
    return False


def needs_rehash(stored: str, *, cost: int = DEFAULT_COST) -> bool:
    """True if ``stored`` is not in the current scheme or uses a lower cost
    than ``cost`` — re-hash the password after the next successful login."""
    inner = _split_stored(stored)
    if inner is None:
        return True
    try:
        stored_cost = int(inner[4:6])
    except ValueError:
        return True
    return stored_cost < cost


# --------------------------------------------------------------------------
# One-time passwords


def one_time_password() -> str:
    """A random initial password for first login or a reset, e.g.
    ``"k7mq3-x9fha-2bnrt-vw4pe"``: 4 groups of 5 characters from a 31-letter
    alphabet without look-alikes (no 0/o, 1/l/i), about 99 bits of entropy.
    It passes :func:`check_password_policy` with the default settings."""
    groups = (
        "".join(secrets.choice(OTP_ALPHABET) for _ in range(_OTP_GROUP_LEN))
        for _ in range(_OTP_GROUPS)
    )
    return "-".join(groups)
