"""Every output treats store.text's character set the same: validation refuses each
character, and display, the CSV files and the reports never hand one on."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest

from store.text import KEPT_IN_MULTILINE, UNSAFE_CHARACTERS

EVERY = "".join(sorted(UNSAFE_CHARACTERS))
CHOSEN = ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x9b", "\u202e", "\u2066", "\u200f", "\u061c"]


def test_the_set_is_the_union_of_controls_and_bidi_characters():
    assert {chr(c) for c in range(0x20)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)} <= UNSAFE_CHARACTERS
    assert set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c") <= UNSAFE_CHARACTERS
    assert not {" ", "æ", "ø", "å", "\u00a0", "\u200b"} & UNSAFE_CHARACTERS
    assert set(CHOSEN) <= UNSAFE_CHARACTERS


@pytest.mark.parametrize("ch", sorted(UNSAFE_CHARACTERS), ids=lambda c: f"U+{ord(c):04X}")
def test_validation_refuses_and_display_replaces_each_character(ch):
    from store import validate
    from store.errors import Invalid
    from tui import safe

    with pytest.raises(Invalid, match="control characters"):
        validate.text("Name", f"Søren{ch}Hansen")
    if ch in KEPT_IN_MULTILINE:
        assert validate.multiline("Note", f"a{ch}b") == f"a{ch}b"
        assert safe.clean(f"a{ch}b", multiline=True) == f"a{ch}b"
    else:
        with pytest.raises(Invalid, match="control characters"):
            validate.multiline("Note", f"a{ch}b")
        assert ch not in safe.clean(f"a{ch}b", multiline=True)
    assert ch not in safe.clean(f"a{ch}b") and not safe.is_clean(f"a{ch}b")


def _files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}


def test_csv_and_reports_hand_on_no_character_of_the_set(store, users, scopes, make_person, handled_by):
    from store import mailing
    from store.db import database
    from store.models import Consent, Contact, utcnow
    from store.rights import export_person
    from store.rights.export import neutralise

    p = make_person()
    planted = f"Q{EVERY}Q"  # past validation, as an old row or a restored backup might hold it
    with database.atomic():
        Contact.update(title=planted, first_name=f"Søren{EVERY}").where(Contact.id == p.id).execute()
        if not Consent.select().where((Consent.contact == p.id) & (Consent.purpose == "newsletter")).exists():
            Consent.create(contact=p.id, purpose="newsletter", channel="email", status="given",
                           given_at=utcnow(), method="paper", text_version="v1")

    out = io.BytesIO()
    mailing.write_list_csv(scopes["admin"], "newsletter", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert rows and all(not set(v) & UNSAFE_CHARACTERS for r in rows for v in r.values())

    handled_by("privacy", p.id, "access")
    for language in ("da", "en"):
        files = _files(export_person(scopes["privacy"], p.id, language=language))
        for name in ("report.txt", "report.html"):
            report = files[name].decode("utf-8")
            assert "Q" + "\ufffd" in report, name  # the planted title is there, replaced
            assert set(report) & UNSAFE_CHARACTERS <= {"\n"}, name
    # the bundle's CSV keeps the person's data as held, but no cell starts with one
    for ch in UNSAFE_CHARACTERS:
        assert neutralise(f"{ch}x") == f"'{ch}x"
