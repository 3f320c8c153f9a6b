"""store.passwords.hash_password / verify_password / dummy_verify.

Only a handful of hashes use the production cost 12 (~0.25 s each); the rest
use the ``fast_bcrypt`` fixture, which lowers the floor for one test.
"""

from __future__ import annotations

import bcrypt
import pytest

from store import passwords
from store.passwords import DEFAULT_COST, dummy_verify, hash_password, needs_rehash, verify_password

PREFIX_72 = "Ä" * 36  # 72 UTF-8 bytes
LONG_A = PREFIX_72 + "a" * 64  # 100 characters, 136 bytes
LONG_B = PREFIX_72 + "a" * 63 + "b"


@pytest.fixture(scope="module")
def real_hash() -> str:
    """One production-cost hash of LONG_A."""
    return hash_password(LONG_A)


def test_production_hash_format_and_cost(real_hash):
    stored = real_hash
    assert stored.startswith("hmac-bcrypt-v1:$2b$12$")
    assert len(stored) == 75
    assert DEFAULT_COST == 12 and passwords.MIN_COST == 12
    assert not needs_rehash(stored)
    assert needs_rehash(stored, cost=13)


def test_long_passwords_sharing_first_72_bytes_are_told_apart(real_hash):
    stored = real_hash
    assert len(LONG_A) == len(LONG_B) == 100
    assert LONG_A.encode()[:72] == LONG_B.encode()[:72]
    assert verify_password(LONG_A, stored) is True
    assert verify_password(LONG_B, stored) is False


def test_dummy_verify_costs_a_real_verify(real_hash, monkeypatch):
    stored = real_hash
    # Deterministic part: dummy_verify runs bcrypt against a cost-12 hash.
    assert not needs_rehash(passwords._DUMMY_HASH)
    seen: list[bytes] = []
    real_checkpw = bcrypt.checkpw

    def spy(candidate, hashed):
        seen.append(hashed)
        return real_checkpw(candidate, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    assert dummy_verify() is False
    assert verify_password("wrong password", stored) is False
    # The same work: one bcrypt check at the production cost each (the time ratio,
    # near 1, is measured in bench/bench_passwords.py).
    assert len(seen) == 2 and seen[0][:7] == seen[1][:7] == b"$2b$12$"


def test_cost_below_12_is_refused_in_production():
    with pytest.raises(ValueError):
        hash_password("violet Orbit kettle 47", cost=11)
    with pytest.raises(ValueError):
        hash_password("violet Orbit kettle 47", cost=4)


def test_fast_cost_round_trip(fast_bcrypt):
    stored = hash_password("violet Orbit kettle 47", cost=fast_bcrypt)
    assert stored.startswith("hmac-bcrypt-v1:$2b$04$")
    assert verify_password("violet Orbit kettle 47", stored)
    assert not verify_password("violet orbit kettle 47", stored)  # case matters
    assert not verify_password("violet Orbit kettle 4", stored)
    assert needs_rehash(stored)  # below the production cost
    # salted: same password, different hash
    assert hash_password("violet Orbit kettle 47", cost=fast_bcrypt) != stored


def test_nfkc_equivalent_passwords_verify(fast_bcrypt):
    stored = hash_password("ｖｉｏｌｅｔ　Ｏｒｂｉｔ　４７", cost=fast_bcrypt)
    assert verify_password("violet Orbit 47", stored)
    stored = hash_password("Ame\u0301lie's kettle", cost=fast_bcrypt)  # decomposed é
    assert verify_password("Am\u00e9lie's kettle", stored)  # precomposed é


def test_any_allowed_length_hashes(fast_bcrypt):
    p128 = "x" * 127 + "y"
    stored = hash_password(p128, cost=fast_bcrypt)
    assert verify_password(p128, stored)
    assert not verify_password("x" * 127 + "z", stored)
    with pytest.raises(ValueError):
        hash_password("x" * 129, cost=fast_bcrypt)
    with pytest.raises(ValueError):
        hash_password("", cost=fast_bcrypt)
    with pytest.raises(ValueError):
        hash_password("ab\ud800cd", cost=fast_bcrypt)


def test_hash_errors_do_not_echo_the_password(fast_bcrypt):
    secret = "Sup3r-Secr3t-" * 11
    with pytest.raises(ValueError) as info:
        hash_password(secret, cost=fast_bcrypt)
    assert "Secr3t" not in str(info.value) and "Secr3t" not in repr(info.value)


def test_verify_never_raises_on_bad_input(fast_bcrypt):
    stored = hash_password("violet Orbit kettle 47", cost=fast_bcrypt)
    huge = "a" * (1024 * 1024)
    assert verify_password(huge, stored) is False  # how fast: bench/bench_passwords.py
    assert verify_password("", stored) is False
    assert verify_password(None, stored) is False  # type: ignore[arg-type]
    assert verify_password("ab\ud800cd", stored) is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        None,
        "$2b$04$" + "a" * 53,  # bcrypt hash without our scheme prefix
        "hmac-bcrypt-v1:$2b$04$tooshort",
        "hmac-bcrypt-v1:$2b$99$" + "a" * 53,
        "hmac-bcrypt-v1:" + "é" * 60,
    ],
)
def test_verify_against_malformed_hash_is_false(stored, monkeypatch):
    # Keep the malformed-hash path fast: it falls back to the dummy hash.
    fast = bcrypt.hashpw(b"x", bcrypt.gensalt(4)).decode()
    monkeypatch.setattr(passwords, "_DUMMY_HASH", passwords._SCHEME + fast)
    assert verify_password("violet Orbit kettle 47", stored) is False
    assert needs_rehash(stored) is True


def test_fixture_floor_is_restored_after_tests():
    assert passwords.MIN_COST == 12
