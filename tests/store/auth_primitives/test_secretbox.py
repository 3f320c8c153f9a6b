"""store.secretbox: HKDF sub-keys, AES-GCM sealing, keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from store.errors import StoreError
from store.secretbox import KEY_BYTES, SealedDataError, derive_key, keyed_hash, open_sealed, seal

DB_KEY = bytes(range(32))
TOTP_SECRET = b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def key() -> bytes:
    return derive_key(DB_KEY, "totp")


def test_derive_key_is_deterministic_and_32_bytes():
    k = derive_key(DB_KEY, "totp")
    assert isinstance(k, bytes) and len(k) == KEY_BYTES == 32
    assert derive_key(DB_KEY, "totp") == k
    assert derive_key(bytearray(DB_KEY), "totp") == k
    assert k != DB_KEY


def test_derive_key_separates_purposes_and_db_keys():
    purposes = ["totp", "ledger", "Totp", "totp ", "export", "x"]
    keys = {derive_key(DB_KEY, p) for p in purposes}
    assert len(keys) == len(purposes)
    assert derive_key(b"\x01" * 32, "totp") != derive_key(b"\x02" * 32, "totp")


@pytest.mark.parametrize(
    "db_key, purpose, error",
    [
        (b"short", "totp", ValueError),
        ("a string key of enough length", "totp", TypeError),
        (DB_KEY, "", ValueError),
        (DB_KEY, "x" * 65, ValueError),
        (DB_KEY, "tab\there", ValueError),
        (DB_KEY, b"totp", TypeError),
    ],
)
def test_derive_key_rejects_bad_input(db_key, purpose, error):
    with pytest.raises(error) as info:
        derive_key(db_key, purpose)
    if isinstance(db_key, str):
        assert db_key not in str(info.value)


def test_seal_open_round_trip(key):
    blob = seal(key, TOTP_SECRET)
    assert open_sealed(key, blob) == TOTP_SECRET
    assert TOTP_SECRET not in blob
    assert open_sealed(key, seal(key, b"")) == b""
    big = bytes(range(256)) * 100
    assert open_sealed(key, seal(key, big)) == big


def test_blob_layout_version_and_random_nonce(key):
    a = seal(key, TOTP_SECRET)
    b = seal(key, TOTP_SECRET)
    assert a != b
    assert a[0] == b[0] == 1
    assert a[1:13] != b[1:13]  # 96-bit nonce
    assert len(a) == 1 + 12 + len(TOTP_SECRET) + 16


def test_aad_binds_the_context(key):
    blob = seal(key, TOTP_SECRET, aad=b"user:42")
    assert open_sealed(key, blob, aad=b"user:42") == TOTP_SECRET
    with pytest.raises(SealedDataError):
        open_sealed(key, blob, aad=b"user:43")
    with pytest.raises(SealedDataError):
        open_sealed(key, blob)


def test_every_single_bit_flip_is_detected(key):
    blob = seal(key, b"0123456789")
    for i in range(len(blob)):
        for bit in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[i] ^= bit
            with pytest.raises(SealedDataError):
                open_sealed(key, bytes(tampered))


def test_truncated_extended_and_malformed_blobs(key):
    blob = seal(key, TOTP_SECRET)
    for bad in (b"", b"\x01", blob[:28], blob[:-1], blob + b"\x00", b"\x01" + b"\x00" * 40):
        with pytest.raises(SealedDataError):
            open_sealed(key, bad)
    with pytest.raises(SealedDataError) as info:
        open_sealed(key, b"\x02" + blob[1:])
    assert "version" in str(info.value)
    with pytest.raises(SealedDataError):
        open_sealed(key, "not bytes")  # type: ignore[arg-type]


def test_key_from_another_purpose_cannot_open(key):
    ledger_key = derive_key(DB_KEY, "ledger")
    blob = seal(key, TOTP_SECRET)
    with pytest.raises(SealedDataError):
        open_sealed(ledger_key, blob)
    with pytest.raises(SealedDataError):
        open_sealed(derive_key(b"\xff" * 32, "totp"), blob)


def test_errors_reveal_no_secret(key):
    blob = seal(key, TOTP_SECRET)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(SealedDataError) as info:
        open_sealed(key, tampered)
    exc = info.value
    text = str(exc) + repr(exc) + repr(exc.args)
    for secret in (key, TOTP_SECRET, DB_KEY):
        assert repr(secret) not in text
        assert secret.hex() not in text
    assert TOTP_SECRET.decode() not in text
    assert exc.__cause__ is None and exc.__suppress_context__
    assert "authentication" in str(exc)
    assert isinstance(exc, StoreError)


def test_bad_key_size_error_reveals_no_key():
    bad_key = b"k" * 20
    with pytest.raises(ValueError) as info:
        seal(bad_key, b"x")
    assert repr(bad_key) not in str(info.value) and "kkkk" not in str(info.value)
    with pytest.raises(TypeError):
        seal("a text key of 32 characters!!!!!", b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        open_sealed(bad_key, b"\x01" * 40)


def test_safe_error_renders_only_its_message_in_rich():
    from rich.console import Console

    console = Console(record=True, width=120, color_system=None)
    console.print(SealedDataError("sealed data failed authentication"))
    assert console.export_text().strip() == "SealedDataError: sealed data failed authentication"


def test_keyed_hash():
    k = derive_key(DB_KEY, "ledger")
    h = keyed_hash(k, "anna@example.com")
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == hmac.new(k, b"anna@example.com", hashlib.sha256).hexdigest()
    assert keyed_hash(k, "anna@example.com") == h
    assert keyed_hash(k, "Anna@example.com") != h  # hashed exactly as given
    assert keyed_hash(derive_key(DB_KEY, "totp"), "anna@example.com") != h
    assert keyed_hash(k, "Åsa 🦊") != keyed_hash(k, "Asa 🦊")
    with pytest.raises(ValueError):
        keyed_hash(b"short", "x")
    with pytest.raises(TypeError):
        keyed_hash(k, b"bytes")  # type: ignore[arg-type]
