"""store.passwords.check_password_policy and one_time_password."""

from __future__ import annotations

import random
import re
import string
from importlib import resources

import pytest

from store import passwords
from store.passwords import (
    MAX_LENGTH,
    REJECTION_MESSAGES,
    PasswordRejected,
    check_password_policy,
    is_common_password,
    one_time_password,
)

GOOD = "violet Orbit kettle 47"


def policy(password: str, *, username: str = "bob", company_name: str | None = None, **kw):
    return check_password_policy(password, username=username, company_name=company_name, **kw)


def rejected(password: str, **kw) -> PasswordRejected:
    with pytest.raises(PasswordRejected) as info:
        policy(password, **kw)
    return info.value


def random_password(length: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


def test_good_password_is_returned_unchanged():
    assert policy(GOOD) == GOOD


def test_empty_password():
    exc = rejected("")
    assert exc.code == "empty"
    assert "password" in str(exc).lower()


# How fast the check refuses huge input (by its length, before any other work) is
# measured in bench/bench_passwords.py, beside the check of an ordinary password.
def test_one_megabyte_password_is_rejected():
    huge = "a" * (1024 * 1024)
    exc = rejected(huge)
    assert exc.code == "too_long"
    assert exc.params == {"max_length": MAX_LENGTH}
    assert "128" in str(exc)
    assert len(str(exc)) < 200 and len(repr(exc)) < 250


def test_huge_non_ascii_input_is_rejected():
    assert rejected("\u00e9\u0301" * 500_000).code == "too_long"


@pytest.mark.parametrize(
    "ch", ["\x00", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
)
def test_control_characters_are_refused(ch):
    exc = rejected(f"violet Orbit{ch}kettle 47")
    assert exc.code == "control_chars"
    assert ch not in str(exc)


def test_ordinary_and_other_spaces_are_allowed():
    assert policy("violet orbit kettle river") == "violet orbit kettle river"
    # NO-BREAK SPACE is not a control character; NFKC turns it into a space.
    assert policy("violet\u00a0orbit kettle") == "violet orbit kettle"


def test_lone_surrogate_is_refused_without_echo():
    exc = rejected("violet Orbit \ud800 kettle")
    assert exc.code == "invalid_chars"


def test_any_unicode_is_allowed():
    assert policy("Åsa-Brännström-på-Öland") == "Åsa-Brännström-på-Öland"
    assert policy("пароль-лиса-и-журавль") == "пароль-лиса-и-журавль"
    assert policy("花子のとても長い秘密の言葉です") == "花子のとても長い秘密の言葉です"
    assert policy("🦊🐧🐙🦉🐢🦀🦑🐝🦋🐞🦗🕷") == "🦊🐧🐙🦉🐢🦀🦑🐝🦋🐞🦗🕷"


def test_no_composition_rules():
    # only lower-case letters, no digit, no symbol: fine
    assert policy("quietlymovingclouds")


def test_128_characters_accepted_129_refused():
    p128 = random_password(128)
    assert policy(p128) == p128
    exc = rejected(random_password(129))
    assert exc.code == "too_long"


def test_length_is_counted_after_nfkc():
    # U+FB03 LATIN SMALL LIGATURE FFI becomes 3 letters under NFKC.
    assert len("\ufb03" * 43) == 43
    assert rejected("\ufb03" * 43 + "zq").code == "too_long"  # 131 after NFKC
    # 6 code points that NFKC expands to 14 letters pass a minimum of 12
    assert policy("\ufb03\ufb03k\ufb03x\ufb03", min_length=12)


def test_minimum_length_default_and_configurable():
    eleven = random_password(11, seed=3)
    exc = rejected(eleven)
    assert exc.code == "too_short"
    assert exc.params == {"min_length": 12}
    assert "12" in str(exc)
    assert policy(eleven, min_length=8) == eleven
    assert policy(random_password(8, seed=4), min_length=8)
    exc = rejected(random_password(15, seed=5), min_length=16)
    assert exc.params == {"min_length": 16} and "16" in str(exc)


@pytest.mark.parametrize("bad", [7, 0, -1])
def test_minimum_length_below_eight_is_a_configuration_error(bad):
    with pytest.raises(ValueError) as info:
        policy(GOOD, min_length=bad)
    assert not isinstance(info.value, PasswordRejected)


def test_nfkc_full_width_letters_are_normalised():
    full_width = "ｖｉｏｌｅｔ　Ｏｒｂｉｔ　ｋｅｔｔｌｅ"  # incl. IDEOGRAPHIC SPACE
    assert policy(full_width) == "violet Orbit kettle"


def test_common_list_is_shipped_and_large():
    text = resources.files("store").joinpath("data", "common-passwords.txt").read_text("utf-8")
    entries = {line for line in text.splitlines() if line}
    assert len(entries) >= 10_000
    assert len(passwords._common_passwords()) >= 10_000
    assert "password123456" in entries


@pytest.mark.parametrize(
    "pw",
    [
        "password123456",
        "PASSWORD123456",
        "PassWord123456",
        "ｐａｓｓｗｏｒｄ１２３４５６",  # full-width: NFKC makes it the list entry
        "qwertyuiop123",  # list entry "qwertyuiop" + digits
        "Password2024!",  # list entry "password" + digits/punctuation
        "!!Sunshine!!2024",
        "1qaz2wsx3edc",
        "1QAZ2WSX3EDC4RFV",
        "iloveyou iloveyou",  # repeated common word
    ],
)
def test_common_passwords_are_refused_case_insensitively(pw):
    exc = rejected(pw, username="zed")
    assert exc.code in ("common", "repetitive")
    if pw != "iloveyou iloveyou":
        assert exc.code == "common"
    assert "common" in str(exc) or "pattern" in str(exc)


def test_every_long_list_entry_is_refused():
    text = resources.files("store").joinpath("data", "common-passwords.txt").read_text("utf-8")
    long_entries = [w for w in text.splitlines() if 12 <= len(w) <= MAX_LENGTH]
    assert len(long_entries) > 100
    for entry in long_entries:
        for variant in (entry, entry.upper(), entry.title()):
            with pytest.raises(PasswordRejected):
                policy(variant, username="zed")
        assert is_common_password(entry.upper())


def test_uncommon_password_with_common_word_inside_is_allowed():
    # "dragon" is on the list, but here it is part of a longer passphrase
    assert policy("dragon eats spicy noodles") == "dragon eats spicy noodles"
    assert not is_common_password("dragon eats spicy noodles")


def test_password_containing_username_is_refused():
    exc = rejected("my-Anna-horse-battery", username="anna")
    assert exc.code == "contains_username"
    assert "user name" in str(exc)
    # NFKC + case-insensitive on both sides
    assert rejected("my-ＡＮＮＡ-horse-battery", username="anna").code == "contains_username"
    assert rejected("my-anna-horse-battery", username="ＡＮＮＡ").code == "contains_username"
    # spaces are ignored
    assert rejected("the annalise river bank", username="anna lise").code == "contains_username"


def test_short_usernames_are_not_enforced():
    assert policy("al-horse-battery-x", username="al")
    assert policy("al-horse-battery-x", username="")


def test_password_containing_company_name_is_refused():
    exc = rejected("best ACME Ltd staple x", company_name="Acme Ltd")
    assert exc.code == "contains_company"
    assert "company" in str(exc)
    assert rejected("bestacmeltdstaplex", company_name="ACME  LTD").code == "contains_company"
    assert rejected("mein Müller-Bau gerät", company_name="MÜLLER-BAU").code == "contains_company"


def test_company_name_optional_and_short_names_ignored():
    assert policy("best acme staple x", company_name=None)
    assert policy("best ab staple xyz", company_name="AB")


@pytest.mark.parametrize("pw", ["aaaaaaaaaaaa", "abababababab", "abcdabcdabcdabcd", "            "])
def test_repetitive_passwords_are_refused(pw):
    assert rejected(pw, username="zed").code == "repetitive"


@pytest.mark.parametrize("pw", ["abcdefghijklm", "ZYXWVUTSRQPO", "234567890123", "987654321098"])
def test_sequential_passwords_are_refused(pw):
    assert rejected(pw, username="zed").code == "sequential"


def test_rejection_carries_code_params_and_no_password():
    secret = "Sup3r-Secr3t-anna-xyz"
    exc = rejected(secret, username="anna")
    assert exc.code == "contains_username"
    assert secret not in str(exc) and secret not in repr(exc)
    assert all(secret not in str(a) for a in exc.args)
    assert isinstance(exc, ValueError)


def test_every_code_has_a_message():
    codes = {
        "empty", "too_short", "too_long", "common", "contains_username",
        "contains_company", "control_chars", "invalid_chars", "repetitive", "sequential", "same_as_old",
    }
    assert codes == set(REJECTION_MESSAGES)
    for code in codes:
        exc = PasswordRejected(code, min_length=12, max_length=128)
        assert str(exc) and str(exc)[0].isupper() and str(exc).endswith(".")


def test_non_string_password_is_a_type_error():
    with pytest.raises(TypeError):
        policy(b"violet Orbit kettle")  # type: ignore[arg-type]


def test_one_time_password_shape_and_policy():
    seen = set()
    for _ in range(50):
        otp = one_time_password()
        assert re.fullmatch(r"[2-9a-hjkmnp-z]{5}(-[2-9a-hjkmnp-z]{5}){3}", otp)
        assert not set(otp) & set("0o1li")
        # names made of letters the alphabet lacks, so containment cannot trigger
        assert policy(otp, username="olli", company_name="Lio Oy") == otp
        seen.add(otp)
    assert len(seen) == 50
