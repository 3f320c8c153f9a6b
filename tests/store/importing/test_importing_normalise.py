"""Single-value normalisation: phone, e-mail, names, CVR, postcode, consent evidence."""

from __future__ import annotations

import pytest

from store.importing.normalise import (
    ValueProblem,
    is_valid_cvr,
    normalise_cvr,
    normalise_email,
    normalise_ip,
    normalise_phone,
    normalise_postcode,
    normalise_timestamp,
    split_emails,
    split_full_name,
    split_postcode_city,
    split_tags,
    tidy_name,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("20 12 34 56", "+4520123456"),
        ("20123456", "+4520123456"),
        ("+45 20 12 34 56", "+4520123456"),
        ("0045 20 12 34 56", "+4520123456"),
        ("(+45) 2012-3456", "+4520123456"),
        # Danish Excel stripped the + / 00
        ("4512345678", "+4512345678"),
        ("4520123456", "+4520123456"),
        ("46701234567", "+46701234567"),  # a Swedish mobile that lost its +
        ("4520123456.0", "+4520123456"),  # a number cell written out as a float
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("tel:+4520123456", "+4520123456"),
        ("+1 212 555 0123", "+12125550123"),
    ],
)
def test_phone_to_e164(raw, expected):
    assert normalise_phone(raw, "DK") == expected


@pytest.mark.parametrize(
    "raw", ["mobile", "12", "905-555-1234", "4,51235E+09", "sip:bob@example.com", "p1234p5678w9"]
)
def test_phone_rejected(raw):
    with pytest.raises(ValueProblem):
        normalise_phone(raw, "DK")


def test_phone_scientific_notation_reason():
    with pytest.raises(ValueProblem, match="scientific notation"):
        normalise_phone("4,51235E+09")


def test_phone_default_region():
    assert normalise_phone("070 123 45 67", "SE") == "+46701234567"
    with pytest.raises(ValueProblem):
        normalise_phone("070 123 45 67", "DK")


def test_bare_digits_with_spaces_are_not_reinterpreted():
    # only a bare digit string (as a spreadsheet stores a number) gets a "+" added
    with pytest.raises(ValueProblem):
        normalise_phone("555 555 1111", "DK")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("jens@firma.dk", "jens@firma.dk"),
        ("  Jens.Hansen@Firma.DK ", "jens.hansen@firma.dk"),
        ("Jens Hansen <jens@firma.dk>", "jens@firma.dk"),
        ('"Omega" <omega@example.com>', "omega@example.com"),
        ("mailto:info@firma.dk", "info@firma.dk"),
        ("søren@æblegården.dk", "søren@æblegården.dk"),
    ],
)
def test_email_normalised(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["jens@", "jens.firma.dk", "jens@localhost", "a b@c.dk", "@firma.dk"])
def test_email_rejected(raw):
    with pytest.raises(ValueProblem, match="invalid e-mail"):
        normalise_email(raw)


def test_split_emails():
    assert split_emails("a@x.dk ::: b@y.dk") == ["a@x.dk", "b@y.dk"]
    assert split_emails("a@x.dk; b@y.dk") == ["a@x.dk", "b@y.dk"]
    assert split_emails("a@x.dk, b@y.dk") == ["a@x.dk", "b@y.dk"]
    assert split_emails('"Hansen, Jens" <j@x.dk>') == ['"Hansen, Jens" <j@x.dk>']


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("jens hansen", "Jens Hansen"),
        ("JENS HANSEN", "Jens Hansen"),
        ("  jens   hansen ", "Jens Hansen"),
        ("MCDONALD", "McDonald"),
        ("o'brien", "O'Brien"),
        ("anne-marie", "Anne-Marie"),
        ("VAN DER BERG", "van der Berg"),
        ("jan van der berg", "Jan van der Berg"),
        ("søren ærø", "Søren Ærø"),
        # mixed case is kept as typed
        ("McDonald", "McDonald"),
        ("van der Berg", "van der Berg"),
        ("O'Brien", "O'Brien"),
        ("DeAngelo", "DeAngelo"),
        ("Macintosh", "Macintosh"),
    ],
)
def test_tidy_name(raw, expected):
    assert tidy_name(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Jens Hansen", ("Jens", "Hansen")),
        ("Anne Marie Hansen", ("Anne Marie", "Hansen")),
        ("Hansen, Jens", ("Jens", "Hansen")),
        ("Jan van der Berg", ("Jan", "van der Berg")),
        ("Madonna", ("Madonna", "")),
        ("", ("", "")),
    ],
)
def test_split_full_name(raw, expected):
    assert split_full_name(raw) == expected


@pytest.mark.parametrize("cvr", ["24256790", "61126228", "10150817"])
def test_valid_cvr(cvr):
    assert is_valid_cvr(cvr)
    assert normalise_cvr(cvr) == cvr


@pytest.mark.parametrize(
    "raw, expected",
    [("DK24256790", "24256790"), ("DK-24 25 67 90", "24256790"), ("24256790.0", "24256790"),
     ("CVR-nr. 24256790", "24256790")],
)
def test_cvr_forms(raw, expected):
    assert normalise_cvr(raw) == expected


def test_cvr_rejected():
    with pytest.raises(ValueProblem, match="8 digits"):
        normalise_cvr("1234567")
    with pytest.raises(ValueProblem, match="modulus-11"):
        normalise_cvr("24256791")
    assert not is_valid_cvr("2425679a")


def test_postcode_and_city():
    assert normalise_postcode("2100.0") == "2100"
    assert normalise_postcode("DK-2100") == "2100"
    assert split_postcode_city("2100 København Ø") == ("2100", "København Ø")
    assert split_postcode_city("København") is None


def test_tags():
    assert split_tags("* myContacts ::: Kunder ::: VIP") == ["Kunder", "VIP"]
    assert split_tags("Kunder; VIP, Kunder") == ["Kunder", "VIP"]


def test_consent_evidence():
    assert normalise_timestamp("2021-03-04 10:20:30") == "2021-03-04T10:20:30+00:00"
    assert normalise_timestamp("2021-03-04T11:20:30+01:00") == "2021-03-04T10:20:30+00:00"
    assert normalise_ip(" 192.168.1.10 ") == "192.168.1.10"
    assert normalise_ip("2001:db8::1") == "2001:db8::1"
    with pytest.raises(ValueProblem):
        normalise_ip("999.1.1.1")
    with pytest.raises(ValueProblem):
        normalise_timestamp("yesterday")


def test_email_fast_path_agrees_with_email_validator():
    """Plain addresses skip email-validator's slow path; the answer must be the same."""
    import random
    import string

    from email_validator import EmailNotValidError, validate_email

    from store.contact_points import _fast_email

    def slow(s: str) -> str | None:
        try:
            return validate_email(s, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            return None

    rnd = random.Random(7)
    chars = string.ascii_letters + string.digits + ".-_+@!#$%&'*/=?^`{|}~ \"(),:;<>[]\\æ"
    tlds = ["dk", "com", "test", "local", "x", "museum", "c0m", "", "d-k", "xn--p1ai", "arpa", "onion",
            "invalid", "localhost"]
    samples = ["a@b.dk", "a..b@c.dk", ".a@c.dk", "a.@c.dk", "a@-c.dk", "a@c-.dk", "a@c..dk", "a@c.dk.",
               "x" * 65 + "@c.dk", "a@" + "b" * 64 + ".dk", "a@b.test", "a@sub.localhost", "A@B.DK"]
    for _ in range(4000):
        local = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 10)))
        dom = "".join(rnd.choice(string.ascii_lowercase + string.digits + ".-") for _ in range(rnd.randint(0, 12)))
        tld = rnd.choice(tlds)
        samples.append(f"{local}@{dom}.{tld}" if tld else f"{local}@{dom}")
    hits = 0
    for s in samples:
        fast = _fast_email(s)
        if fast is not None:
            hits += 1
            assert fast == slow(s), s
    assert hits > 100
