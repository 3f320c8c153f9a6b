"""Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) never get into a name
through the API or an import, and never out through report.txt (issue 16): the same set as
the control characters, cleaned in the same places (store/text.py)."""
from __future__ import annotations

import io
import zipfile

import pytest

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("ch", BIDI, ids=lambda ch: f"U+{ord(ch):04X}")
def test_the_api_refuses_a_bidi_control_in_every_name(store, users, ch):
    from store import companies, contacts
    from store.errors import Invalid
    from store.models import Company, Contact
    from store.scope import Scope

    manager = Scope(users["manager"])
    for field in ("first_name", "last_name", "title"):
        with pytest.raises(Invalid, match=field):
            contacts.create_contact(manager, **{"first_name": "Karen", field: f"gnp{ch}exe"})
    cid = contacts.create_contact(manager, first_name="Karen")
    with pytest.raises(Invalid, match="last_name"):
        contacts.save_contact(manager, cid, 1, {"last_name": f"Holm{ch}"})
    with pytest.raises(Invalid):
        contacts.save_contact(manager, cid, 1, {"company": f"Firma{ch} ApS"})
    with pytest.raises(Invalid):
        companies.find_or_create(manager, f"Firma{ch} ApS", None)
    assert [c.first_name + (c.last_name or "") for c in Contact.select()] == ["Karen"]
    assert Company.select().count() == 0


def test_an_import_cleans_every_bidi_control(store, users, tmp_path):
    from store.importing.batch import import_file
    from store.models import Contact
    from store.scope import Scope

    path = tmp_path / "bidi.csv"
    rows = [f"Navn{n}{ch}x,Efter{ch}navn,navn{n}@firma.dk" for n, ch in enumerate(BIDI)]
    path.write_text("Fornavn,Efternavn,E-mail\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_file(Scope(users["manager"]), path)
    stored = [(c.first_name, c.last_name) for c in Contact.select()]
    assert len(stored) == len(BIDI)
    assert not any(ch in name for pair in stored for name in pair for ch in BIDI)


def test_report_txt_carries_no_bidi_control_even_from_old_data(store, users, tmp_path):
    """A name stored before validation covered the set (written directly here) is replaced on the way out."""
    from store import contacts
    from store.db import database
    from store.models import Contact
    from store.rights import add_request, verify_identity, write_export_zip
    from store.scope import Scope

    privacy = Scope(users["privacy"])
    cid = contacts.create_contact(Scope(users["manager"]), first_name="Karen", last_name="Holm")
    with database.atomic():
        Contact.update(first_name="Ka" + "".join(BIDI) + "ren").where(Contact.id == cid).execute()
    verify_identity(privacy, add_request(privacy, cid, "access"), "known_email")
    out = io.BytesIO()
    write_export_zip(privacy, cid, out)
    with zipfile.ZipFile(out) as zf:
        report = next(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith("report.txt"))
    assert "Ka" in report
    assert not any(ch in report for ch in BIDI)
