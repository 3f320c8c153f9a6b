"""Small authenticated-encryption helpers built on ``cryptography``.

* :func:`derive_key` turns the database key into independent sub-keys, one per
  purpose ("totp", "ledger", ...), with HKDF-SHA256.  A key derived for one
  purpose is useless for another.
* :func:`seal` / :func:`open_sealed` encrypt small values (TOTP secrets, ...)
  with AES-GCM.  Blob layout::

      version (1 byte, 0x01) | nonce (12 random bytes) | ciphertext + 16-byte tag

  The version byte is authenticated too (it is prepended to the caller's
  associated data), so it cannot be swapped without detection.  Pass a
  context such as ``b"user:42"`` as ``aad`` to bind a blob to its row, so that a
  sealed value copied to another row fails to open.
* :func:`keyed_hash` is HMAC-SHA256 in hex, for look-ups that must not reveal
  the value (the erasure ledger).

No function here puts a key, plaintext or secret into an exception message.
Errors raised on purpose are `store.errors.StoreError`s, which also render
itself without a traceback in Rich/Textual crash screens (Textual prints the
local variables of every frame for other exceptions, which could expose
secrets held in those locals).

Pure functions: no database access, no UI imports.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from store.errors import SealedDataError

__all__ = [
    "KEY_BYTES",
    "SealedDataError",
    "derive_key",
    "keyed_hash",
    "open_sealed",
    "seal",
]

#: Length of every key produced by :func:`derive_key` (AES-256 / HMAC-SHA256).
KEY_BYTES = 32

_VERSION = 1
_VERSION_BYTE = bytes([_VERSION])
_NONCE_BYTES = 12  # 96-bit nonce, the size AES-GCM is designed for
_TAG_BYTES = 16
_MIN_BLOB = 1 + _NONCE_BYTES + _TAG_BYTES

# HKDF salt: a fixed, public domain-separation value.  The input key material
# (the database key) is already uniformly random, so a fixed salt is fine.
_HKDF_SALT = b"minicrm-secretbox-hkdf-salt-v1"
_MIN_DB_KEY_BYTES = 16
_MAX_PURPOSE_CHARS = 64


def _as_bytes(value: object, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


def _check_key(key: object) -> bytes:
    key = _as_bytes(key, "key")
    if len(key) not in (16, 24, 32):
        raise ValueError(
            f"key must be 16, 24 or 32 bytes long (got {len(key)} bytes)"
        )
    return key


def derive_key(db_key: bytes, purpose: str) -> bytes:
    """Derive a 32-byte key for ``purpose`` from the database key (HKDF-SHA256).

    Different purposes give independent keys; the same inputs always give the
    same key.  ``purpose`` is a short label such as ``"totp"`` or ``"ledger"``.
    """
    db_key = _as_bytes(db_key, "db_key")
    if len(db_key) < _MIN_DB_KEY_BYTES:
        raise ValueError(f"db_key must be at least {_MIN_DB_KEY_BYTES} bytes long")
    if not isinstance(purpose, str):
        raise TypeError(f"purpose must be str, not {type(purpose).__name__}")
    if not purpose or len(purpose) > _MAX_PURPOSE_CHARS or not purpose.isprintable():
        raise ValueError(
            f"purpose must be 1 to {_MAX_PURPOSE_CHARS} printable characters"
        )
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=_HKDF_SALT,
        info=b"minicrm/v1/" + purpose.encode("utf-8"),
    )
    return hkdf.derive(db_key)


def seal(key: bytes, plaintext: bytes, *, aad: bytes = b"") -> bytes:
    """Encrypt and authenticate ``plaintext`` with AES-GCM.

    Returns ``version || nonce || ciphertext+tag``; a fresh random nonce is
    used on every call, so sealing the same value twice gives different blobs.
    """
    key = _check_key(key)
    plaintext = _as_bytes(plaintext, "plaintext")
    aad = _as_bytes(aad, "aad")
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _VERSION_BYTE + aad)
    return _VERSION_BYTE + nonce + ciphertext


def open_sealed(key: bytes, blob: bytes, *, aad: bytes = b"") -> bytes:
    """Decrypt a blob made by :func:`seal`; raise :class:`SealedDataError` if
    it is malformed, of an unknown version, or fails authentication."""
    key = _check_key(key)
    try:
        blob = _as_bytes(blob, "blob")
    except TypeError:
        raise SealedDataError("sealed data is not bytes") from None
    aad = _as_bytes(aad, "aad")
    if len(blob) < _MIN_BLOB:
        raise SealedDataError("sealed data is truncated or malformed")
    if blob[0] != _VERSION:
        raise SealedDataError(f"sealed data has unsupported format version {blob[0]}")
    nonce = blob[1 : 1 + _NONCE_BYTES]
    ciphertext = blob[1 + _NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _VERSION_BYTE + aad)
    except InvalidTag:
        raise SealedDataError(
            "sealed data failed authentication "
            "(wrong key or context, or the data was altered)"
        ) from None


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` (UTF-8) under ``key``, as 64 lowercase hex digits.

    The value is hashed exactly as given: normalise it (case, Unicode, spaces)
    before calling if equivalent spellings must give the same hash.
    """
    key = _as_bytes(key, "key")
    if len(key) < 16:
        raise ValueError("key must be at least 16 bytes long")
    if not isinstance(value, str):
        raise TypeError(f"value must be str, not {type(value).__name__}")
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
