"""store.totp recovery codes: generation, normalisation, hashing, matching."""

from __future__ import annotations

import hashlib
import hmac
import math
import re

import pytest

from store.totp import (
    RECOVERY_ALPHABET,
    find_recovery_code,
    hash_recovery_code,
    new_recovery_codes,
    normalise_recovery_code,
    recovery_code_matches,
)

CODE_RE = re.compile(r"[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}")


def test_default_batch_shape_and_entropy():
    codes = new_recovery_codes()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert CODE_RE.fullmatch(code), code
    assert len(RECOVERY_ALPHABET) == 32 and len(set(RECOVERY_ALPHABET)) == 32
    assert not set(RECOVERY_ALPHABET) & set("ilou")
    bits = 12 * math.log2(len(RECOVERY_ALPHABET))
    assert bits >= 60


def test_batch_size_parameter():
    assert len(new_recovery_codes(3)) == 3
    for bad in (0, -1, 1000, True):
        with pytest.raises(ValueError):
            new_recovery_codes(bad)


def test_codes_are_random():
    seen = {c for _ in range(20) for c in new_recovery_codes()}
    assert len(seen) == 200


@pytest.mark.parametrize(
    "typed",
    [
        "7k3m-9qxp-2d40",
        "7K3M-9QXP-2D40",
        "7k3m9qxp2d40",
        "7k3m 9qxp 2d40",
        "  7k3m-9qxp-2d40\n",
        "7k3m\u20139qxp\u20142d40",  # en dash / em dash
        "７ｋ３ｍ－９ｑｘｐ－２ｄ４０",  # full width
        "7k3m-9qxp-2d4O",  # letter O for zero
        "7k3m-9qxp-2d4o",
    ],
)
def test_normalisation_gives_the_same_hash(typed):
    stored = hash_recovery_code("7k3m-9qxp-2d40")
    assert normalise_recovery_code(typed) == "7k3m9qxp2d40"
    assert hash_recovery_code(typed) == stored
    assert recovery_code_matches(typed, stored)


def test_i_and_l_read_as_one():
    stored = hash_recovery_code("1111-2222-3333")
    assert recovery_code_matches("IiLl-2222-3333", stored)


def test_hash_is_hmac_sha256_hex_of_normalised_code():
    stored = hash_recovery_code("7K3M-9QXP-2D40")
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored != hashlib.sha256(b"7k3m9qxp2d40").hexdigest()  # keyed, not plain
    key = b"minicrm-recovery-code-v1"
    assert stored == hmac.new(key, b"7k3m9qxp2d40", hashlib.sha256).hexdigest()


def test_single_hash_comparison():
    codes = new_recovery_codes(2)
    stored = hash_recovery_code(codes[0])
    assert recovery_code_matches(codes[0], stored) is True
    assert recovery_code_matches(codes[1], stored) is False
    assert recovery_code_matches(codes[0], stored.upper()) is True


@pytest.mark.parametrize(
    "typed",
    [
        "", "7k3m-9qxp", "7k3m-9qxp-2d40-0000", "7k3m-9qxp-2d4u", "7k3m-9qxp-2d4!",
        "x" * 10_000, None, 42,
    ],
)
def test_malformed_codes_never_match_and_never_raise(typed):
    stored = hash_recovery_code("7k3m-9qxp-2d40")
    assert recovery_code_matches(typed, stored) is False  # type: ignore[arg-type]
    assert find_recovery_code(typed, [stored]) is None  # type: ignore[arg-type]
    assert normalise_recovery_code(typed) is None  # type: ignore[arg-type]


def test_dummy_code_cannot_match_its_own_hash_by_accident():
    # malformed input is hashed as a fixed dummy; even a stored hash of that
    # dummy must not let malformed input through
    dummy_hash = hash_recovery_code("0000-0000-0000")
    assert recovery_code_matches("garbage", dummy_hash) is False
    assert find_recovery_code("garbage", [dummy_hash]) is None


def test_malformed_stored_hash_is_false():
    assert recovery_code_matches("7k3m-9qxp-2d40", "") is False
    assert recovery_code_matches("7k3m-9qxp-2d40", None) is False  # type: ignore[arg-type]
    assert recovery_code_matches("7k3m-9qxp-2d40", "é" * 64) is False


def test_hashing_a_malformed_code_raises_without_echo():
    with pytest.raises(ValueError) as info:
        hash_recovery_code("secret-code-zzzz-u")
    assert "secret" not in str(info.value) and "zzzz" not in repr(info.value)


def test_find_recovery_code_returns_index():
    codes = new_recovery_codes(5)
    stored = [hash_recovery_code(c) for c in codes]
    assert find_recovery_code(codes[3].upper().replace("-", " "), stored) == 3
    assert find_recovery_code(new_recovery_codes(1)[0], stored) is None
    assert find_recovery_code(codes[0], []) is None
    assert find_recovery_code(codes[1], [None, "", stored[1]]) == 2  # type: ignore[list-item]
