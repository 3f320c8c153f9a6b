"""store.totp: secrets, provisioning URI, code matching, QR text."""

from __future__ import annotations

import base64
import math
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
import segno

from store import totp
from store.totp import TotpSecretError, match_step, new_secret, provisioning_uri, qr_text

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits
NOW = 1_700_000_015.0  # 15 s into a step
STEP = int(NOW // 30)


def code_at_step(step: int, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(step * 30)


def test_new_secret_is_160_bit_base32():
    secrets_seen = {new_secret() for _ in range(20)}
    assert len(secrets_seen) == 20
    for s in secrets_seen:
        assert len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert len(base64.b32decode(s)) == 20


def test_provisioning_uri():
    uri = provisioning_uri(SECRET, "anna@example.com")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert unquote(parsed.path) == "/MiniCRM:anna@example.com"
    query = parse_qs(parsed.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["MiniCRM"]
    other = provisioning_uri(SECRET, "bob", issuer="Acme CRM")
    assert parse_qs(urlparse(other).query)["issuer"] == ["Acme CRM"]


def test_current_code_matches_its_step():
    assert match_step(SECRET, code_at_step(STEP), now=NOW) == STEP


def test_surrounding_spaces_are_stripped():
    code = code_at_step(STEP)
    assert match_step(SECRET, f"  {code} ", now=NOW) == STEP
    assert match_step(SECRET, f"{code}\n", now=NOW) == STEP


def test_skew_of_one_step_is_accepted_either_way():
    assert match_step(SECRET, code_at_step(STEP - 1), now=NOW) == STEP - 1
    assert match_step(SECRET, code_at_step(STEP + 1), now=NOW) == STEP + 1
    # at the very edges of the current step too
    assert match_step(SECRET, code_at_step(STEP - 1), now=STEP * 30 + 29.999) == STEP - 1
    assert match_step(SECRET, code_at_step(STEP + 1), now=STEP * 30.0) == STEP + 1


def test_skew_of_two_steps_is_refused():
    for step in (STEP - 2, STEP + 2, STEP - 3, STEP + 10):
        code = code_at_step(step)
        assert code not in {code_at_step(s) for s in (STEP - 1, STEP, STEP + 1)}
        assert match_step(SECRET, code, now=NOW) is None


def test_replayed_step_is_refused():
    code = code_at_step(STEP)
    assert match_step(SECRET, code, now=NOW, last_step=STEP - 1) == STEP
    assert match_step(SECRET, code, now=NOW, last_step=STEP) is None
    assert match_step(SECRET, code, now=NOW + 20, last_step=STEP) is None  # next step, same code
    assert match_step(SECRET, code, now=NOW, last_step=STEP + 1) is None
    # an older-but-in-window code is refused once a newer step was used
    assert match_step(SECRET, code_at_step(STEP - 1), now=NOW, last_step=STEP - 1) is None
    assert match_step(SECRET, code_at_step(STEP + 1), now=NOW, last_step=STEP) == STEP + 1


def test_default_now_is_the_clock():
    assert match_step(SECRET, pyotp.TOTP(SECRET).now()) is not None


@pytest.mark.parametrize(
    "code",
    [
        "",
        "12345",
        "1234567",
        "12345a",
        "abcdef",
        "123 456",
        "12-3456",
        "+12345",
        "-12345",
        "１２３４５６",  # full-width digits
        "١٢٣٤٥٦",  # Arabic-Indic digits (str.isdigit() is True for these)
        "123456\x00",
        None,
        123456,
        b"123456",
    ],
)
def test_malformed_codes_give_none_without_exception(code):
    assert match_step(SECRET, code, now=NOW) is None  # type: ignore[arg-type]


def test_non_ascii_form_of_the_right_code_is_refused():
    code = code_at_step(STEP)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert match_step(SECRET, full_width, now=NOW) is None


def test_wrong_code_is_refused():
    code = code_at_step(STEP)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert match_step(SECRET, wrong, now=NOW) is None


def test_secret_is_accepted_in_lower_case_and_with_spaces():
    spaced = " ".join(SECRET[i : i + 4].lower() for i in range(0, 32, 4))
    assert match_step(spaced, code_at_step(STEP), now=NOW) == STEP


@pytest.mark.parametrize("bad", ["not base32!", "JBSWY3DP", "", "ÄÖÜ" * 12, None])
def test_invalid_secret_raises_without_echoing_it(bad):
    with pytest.raises(TotpSecretError) as info:
        match_step(bad, "123456", now=NOW)  # type: ignore[arg-type]
    message = str(info.value) + repr(info.value)
    if bad:
        assert bad not in message
    assert isinstance(info.value, ValueError)


def test_short_secret_message_does_not_contain_it():
    short = "JBSWY3DPEHPK3PXP"  # 80 bits
    with pytest.raises(TotpSecretError) as info:
        provisioning_uri(short, "anna")
    assert short not in str(info.value) and short not in repr(info.value)


# --------------------------------------------------------------------------
# QR text

GLYPH_BITS = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1), " ": (0, 0)}


def decode_qr_text(text: str, *, invert: bool) -> list[list[bool]]:
    """Turn qr_text output back into a module matrix (True = dark)."""
    rows: list[list[bool]] = []
    for line in text.split("\n"):
        top, bottom = [], []
        for ch in line:
            t, b = GLYPH_BITS[ch]
            # default mode draws light modules; invert mode draws dark ones
            top.append(bool(t) == invert)
            bottom.append(bool(b) == invert)
        rows += [top, bottom]
    return rows


@pytest.mark.parametrize("invert", [False, True])
def test_qr_text_matches_segno_matrix(invert):
    uri = provisioning_uri(new_secret(), "anna.svensson@example.com")
    text = qr_text(uri, invert=invert)
    assert text
    lines = text.split("\n")
    assert set(text) <= set(GLYPH_BITS) | {"\n"}
    qr = segno.make_qr(uri, error="m")
    width, height = qr.symbol_size(border=4)
    assert all(len(line) == width for line in lines)
    assert len(lines) == math.ceil(height / 2)
    expected = [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=4)]
    decoded = decode_qr_text(text, invert=invert)
    assert decoded[:height] == expected
    # any padding row is light (part of the quiet zone)
    assert all(not m for row in decoded[height:] for m in row)


def test_qr_text_quiet_zone_and_finder_pattern():
    uri = provisioning_uri(SECRET, "anna")
    matrix = decode_qr_text(qr_text(uri), invert=False)
    size = len(matrix[0])
    # 4-module light border all round
    for i in range(4):
        assert not any(matrix[i]) and not any(matrix[size - 1 - i])
        assert not any(row[i] or row[size - 1 - i] for row in matrix[:size])
    # top-left finder pattern: a 7x7 dark ring at (4, 4)
    assert all(matrix[4][4:11]) and all(matrix[10][4:11])
    assert all(matrix[r][4] and matrix[r][10] for r in range(4, 11))
    # default mode draws the light modules: the top border line is solid blocks
    assert set(qr_text(uri).split("\n")[0]) == {"\u2588"}
    assert set(qr_text(uri, invert=True).split("\n")[0]) == {" "}


def test_qr_text_contains_the_uri_data():
    uri = provisioning_uri(SECRET, "anna")
    assert qr_text(uri) != qr_text(provisioning_uri(SECRET, "bob"))
    assert totp.qr_text(uri) == qr_text(uri)  # deterministic
