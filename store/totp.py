"""TOTP (RFC 6238) second factor and recovery codes (pure functions, no database).

* :func:`new_secret` — a random 160-bit secret, base32 (32 characters).
  Store it sealed (``store.secretbox.seal`` with a key derived for "totp").
* :func:`provisioning_uri` / :func:`qr_text` — enrolment: the otpauth:// URI
  and its QR code drawn with Unicode half blocks for the terminal.
* :func:`match_step` — checks a 6-digit code (30 s steps, one step of skew
  either way) and returns the matched time step.  Store that step as the
  user's ``last_step`` and pass it back next time: a code for a step at or
  before it is refused, so a code cannot be replayed.
* Recovery codes — :func:`new_recovery_codes` gives ``xxxx-xxxx-xxxx`` codes
  (Crockford base32, 60 bits); keep only :func:`hash_recovery_code` of each,
  check with :func:`recovery_code_matches` / :func:`find_recovery_code`.

No secret or code ever appears in an exception message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from collections.abc import Sequence

import pyotp

from store.errors import TotpSecretError

__all__ = [
    "DIGITS",
    "RECOVERY_ALPHABET",
    "STEP_SECONDS",
    "TotpSecretError",
    "find_recovery_code",
    "hash_recovery_code",
    "match_step",
    "new_recovery_codes",
    "new_secret",
    "normalise_recovery_code",
    "provisioning_uri",
    "qr_text",
    "recovery_code_matches",
]

STEP_SECONDS = 30
DIGITS = 6
#: Steps of clock skew accepted either side of the current step.
SKEW_STEPS = 1
_SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
_MIN_SECRET_BYTES = 16  # refuse anything weaker than 128 bits
_CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)

#: Crockford's base32 alphabet (lower case): no i, l, o, u.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_GROUPS = 3
_RECOVERY_GROUP_LEN = 4  # 3 x 4 x 5 bits = 60 bits
_RECOVERY_LEN = _RECOVERY_GROUPS * _RECOVERY_GROUP_LEN
_RECOVERY_KEY = b"minicrm-recovery-code-v1"
# Crockford decoding of look-alikes typed by mistake.
_RECOVERY_LOOKALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})

_QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def _secret_bytes(secret: object) -> str:
    """Validate ``secret`` and return it in canonical form (upper case, no
    spaces or padding)."""
    if not isinstance(secret, str):
        raise TotpSecretError("TOTP secret must be a str")
    canonical = "".join(secret.split()).upper().rstrip("=")
    if not canonical.isascii():
        raise TotpSecretError("TOTP secret is not valid base32")
    padded = canonical + "=" * (-len(canonical) % 8)
    try:
        raw = base64.b32decode(padded)
    except (binascii.Error, ValueError):
        raise TotpSecretError("TOTP secret is not valid base32") from None
    if len(raw) < _MIN_SECRET_BYTES:
        raise TotpSecretError(
            f"TOTP secret is too short (need at least {_MIN_SECRET_BYTES * 8} bits)"
        )
    return canonical


def new_secret() -> str:
    """A fresh random TOTP secret: 160 bits as 32 base32 characters."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def provisioning_uri(secret: str, username: str, issuer: str = "MiniCRM") -> str:
    """The ``otpauth://totp/...`` URI an authenticator app enrols from.

    It contains the secret: show it (or its QR code) only during enrolment.
    """
    canonical = _secret_bytes(secret)
    return pyotp.TOTP(
        canonical, digits=DIGITS, interval=STEP_SECONDS
    ).provisioning_uri(name=username, issuer_name=issuer)


def match_step(
    secret: str,
    code: str,
    *,
    now: float | None = None,
    last_step: int | None = None,
) -> int | None:
    """Return the time step ``code`` is valid for, or None.

    ``code`` must be exactly 6 ASCII digits once surrounding whitespace is
    stripped; anything else gives None (never an exception).  The current
    step and one step either side are tried; a step ``<= last_step`` is never
    accepted (replay).  All candidate codes are computed and compared in
    constant time.  An invalid *secret* raises :class:`TotpSecretError`.
    """
    canonical = _secret_bytes(secret)
    if not isinstance(code, str):
        return None
    code = code.strip()
    if _CODE_RE.fullmatch(code) is None:
        return None
    if now is None:
        now = time.time()
    current = int(now // STEP_SECONDS)
    totp = pyotp.TOTP(canonical, digits=DIGITS, interval=STEP_SECONDS)
    entered = code.encode("ascii")
    matched: int | None = None
    # Preference: current step, then the previous one, then the next one.
    for offset in (0, -1, 1):
        step = current + offset
        if step < 0:
            continue
        fresh = last_step is None or step > last_step
        ok = hmac.compare_digest(totp.generate_otp(step).encode("ascii"), entered)
        if ok and fresh and matched is None:
            matched = step
    return matched


# --------------------------------------------------------------------------
# QR code


def qr_text(uri: str, *, invert: bool = False) -> str:
    """Draw the QR code for ``uri`` with Unicode half blocks (one text line
    per two module rows), including a 4-module quiet zone.

    Default (``invert=False``): the block glyphs draw the *light* modules and
    spaces are the *dark* ones.  Shown as light glyphs on a dark background —
    the usual terminal, or a widget styled ``color: white; background: black``
    — this is the standard dark-on-light code every phone reads, and the
    quiet zone shows as a solid light frame.

    ``invert=True``: the glyphs draw the *dark* modules; use it for dark text on
    a light background (``color: black; background: white``).

    Both modes give a dark-on-light code only with the matching colours; a UI
    should set foreground and background explicitly instead of relying on the
    terminal theme (the wrong pairing shows a light-on-dark code, which some
    scanners refuse).
    """
    import segno  # a first login's QR code only: not on every login's path

    qr = segno.make_qr(uri, error="m")
    rows = [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=_QR_BORDER)]
    width = len(rows[0])
    if len(rows) % 2:
        rows.append([False] * width)  # pad with light modules (quiet zone)
    glyphs = {  # (top drawn, bottom drawn) -> character
        (True, True): "\u2588",  # █
        (True, False): "\u2580",  # ▀
        (False, True): "\u2584",  # ▄
        (False, False): " ",
    }
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        # A module is "drawn" when it is dark (invert) / light (default).
        lines.append(
            "".join(glyphs[(t == invert, b == invert)] for t, b in zip(top, bottom, strict=True))
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Recovery codes


def new_recovery_codes(n: int = 10) -> list[str]:
    """``n`` random recovery codes such as ``"7k3m-9qxp-2d4h"`` (60 bits each,
    Crockford base32: no i, l, o, u)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100:
        raise ValueError("n must be an int between 1 and 100")
    codes: list[str] = []
    while len(codes) < n:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(_RECOVERY_LEN))
        code = "-".join(
            raw[i : i + _RECOVERY_GROUP_LEN] for i in range(0, _RECOVERY_LEN, _RECOVERY_GROUP_LEN)
        )
        if code not in codes:
            codes.append(code)
    return codes


def normalise_recovery_code(code: str) -> str | None:
    """Canonical form of a typed recovery code (lower case, no dashes or
    spaces, o->0, i/l->1), or None if it cannot be a recovery code."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    text = unicodedata.normalize("NFKC", code).casefold()
    text = "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Pd"
    )
    text = text.translate(_RECOVERY_LOOKALIKES)
    if len(text) != _RECOVERY_LEN or any(ch not in RECOVERY_ALPHABET for ch in text):
        return None
    return text


def _recovery_hmac(canonical: str) -> str:
    return hmac.new(_RECOVERY_KEY, canonical.encode("ascii"), hashlib.sha256).hexdigest()


def hash_recovery_code(code: str) -> str:
    """HMAC-SHA256 (hex) of the normalised code, for storage.

    Raises ``ValueError`` (without echoing the input) if ``code`` is not a
    well-formed recovery code.
    """
    canonical = normalise_recovery_code(code)
    if canonical is None:
        raise ValueError("not a well-formed recovery code")
    return _recovery_hmac(canonical)


_DUMMY_CANONICAL = "0" * _RECOVERY_LEN


def recovery_code_matches(code: str, stored_hash: str) -> bool:
    """True if ``code`` (typed in any case, with or without dashes/spaces)
    hashes to ``stored_hash``; compared in constant time.  Never raises."""
    canonical = normalise_recovery_code(code)
    candidate = _recovery_hmac(canonical or _DUMMY_CANONICAL)
    if not isinstance(stored_hash, str) or not stored_hash.isascii():
        return False
    return hmac.compare_digest(candidate, stored_hash.lower()) and canonical is not None


def find_recovery_code(code: str, stored_hashes: Sequence[str]) -> int | None:
    """Index of the stored hash that ``code`` matches, or None.  Hashes the
    code once and compares it with every stored hash (no early exit)."""
    canonical = normalise_recovery_code(code)
    candidate = _recovery_hmac(canonical or _DUMMY_CANONICAL)
    found: int | None = None
    for index, stored in enumerate(stored_hashes):
        if not isinstance(stored, str) or not stored.isascii():
            continue
        if hmac.compare_digest(candidate, stored.lower()) and found is None:
            found = index
    return found if canonical is not None else None
