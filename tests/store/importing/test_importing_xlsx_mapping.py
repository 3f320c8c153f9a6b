"""XLSX workbooks, and column mappings saved as JSON/TOML and used to read a file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from importing_helpers import read_all, write
from openpyxl import Workbook

from store.importing import ImportFileError, Mapping, MappingError, read_candidates, sheet_names
from store.importing.mapping import parse_target


def make_workbook(path, sheets: dict[str, list[list]]):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


SHEET = [
    ["Navn", "Firma", "Telefon", "E-mail", "CVR", "Postnr", "By", "Oprettet", "Noter"],
    ["Jens Hansen", "Hansen VVS ApS", 4520123456, "jens@hansenvvs.dk", 24256790, 8000, "Aarhus C",
     dt.datetime(2023, 5, 1), "Ring i maj"],
    [None, None, None, None, None, None, None, None, None],
    ["Anne Berg", None, 4586123456.0, "anne@", "DK10150817", 2100.0, "København Ø", None, "Gravid"],
]


def test_xlsx_first_sheet(tmp_path):
    path = make_workbook(tmp_path / "kunder.xlsx", {"Kunder": SHEET, "Andet": [["x"]]})
    cands, summary = read_all(path)
    assert (summary.fmt, summary.sheet, summary.layout, summary.encoding) == ("xlsx", "Kunder", "danish_sheet", None)
    assert summary.dropped_columns == ["Oprettet"]
    jens, anne = cands
    assert jens.line == 2 and anne.line == 4  # sheet row numbers
    assert jens.fields() == {
        "first_name": "Jens", "last_name": "Hansen", "email": "jens@hansenvvs.dk", "phone": "+4520123456",
        "company_name": "Hansen VVS ApS", "company_cvr": "24256790", "postcode": "8000", "city": "Aarhus C",
        "note": "Ring i maj"}
    assert anne.fields() == {
        "first_name": "Anne", "last_name": "Berg", "phone": "+4586123456", "company_cvr": "10150817",
        "postcode": "2100", "city": "København Ø"}
    assert [(e.line, e.column, e.value) for e in anne.errors] == [(4, "E-mail", "anne@")]
    assert [(f.column, f.kind) for f in anne.flags] == [("Noter", "health")]


def test_xlsx_named_sheet(tmp_path):
    path = make_workbook(tmp_path / "k.xlsx", {"Forside": [["Rapport"]], "Kontakter": SHEET})
    assert sheet_names(path) == ["Forside", "Kontakter"]
    cands, summary = read_all(path, sheet="Kontakter")
    assert summary.sheet == "Kontakter" and len(cands) == 2
    with pytest.raises(ImportFileError, match="no sheet named 'Nope'"):
        read_candidates(path, sheet="Nope")


def test_xlsx_damaged(tmp_path):
    good = make_workbook(tmp_path / "k.xlsx", {"Kunder": SHEET})
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:600])
    with pytest.raises(ImportFileError, match=r"not a readable \.xlsx"):
        read_candidates(cut)
    fake = write(tmp_path, "fake.xlsx", "Navn,E-mail\n")
    with pytest.raises(ImportFileError, match="no ZIP signature"):
        read_candidates(fake)


def test_xlsx_missing_header(tmp_path):
    path = make_workbook(tmp_path / "k.xlsx", {"A": [["jens@firma.dk", "Jens"]]})
    with pytest.raises(ImportFileError) as info:
        read_candidates(path)
    assert (info.value.line, info.value.column) == (1, 1)


# --- mappings --------------------------------------------------------------------------------

def test_mapping_round_trip_json_and_toml(tmp_path):
    mapping = Mapping([("Navn", "name"), ("Mobil", "phone"), ("Telefon \"fast\"", "phone"),
                       ("Gade", "address@work"), ("Person2Email", "person2.email"), ("Fax", "drop")],
                      layout="custom")
    for name in ("m.json", "m.toml"):
        mapping.save(tmp_path / name)
        loaded = Mapping.load(tmp_path / name)
        assert loaded == mapping
        assert loaded.columns[2] == ('Telefon "fast"', "phone")
    assert json.loads((tmp_path / "m.json").read_text())["minicrm_import_mapping"] == 1
    assert '[[columns]]' in (tmp_path / "m.toml").read_text()


def test_mapping_hand_written_table_forms(tmp_path):
    (tmp_path / "a.toml").write_text('[columns]\n"Kunde navn" = "name"\nMail = "email"\n')
    (tmp_path / "b.json").write_text('{"columns": {"Kunde navn": "name", "Mail": "email"}}')
    assert Mapping.load(tmp_path / "a.toml").columns == Mapping.load(tmp_path / "b.json").columns == [
        ("Kunde navn", "name"), ("Mail", "email")]


@pytest.mark.parametrize(
    "content, suffix, words",
    [("{not json", ".json", "not a valid mapping"), ('{"columns": {"A": "shoe_size"}}', ".json", "unknown target"),
     ('{"columns": {"A": "person2.company_name"}}', ".json", "a person can only have"),
     ('{"columns": {"A": "tags@home"}}', ".json", "only address, postcode, city, country, email, phone"),
     ('{"minicrm_import_mapping": 9, "columns": {}}', ".json", "unsupported mapping version"),
     ("columns = 3", ".toml", "needs 'columns'")],
)
def test_bad_mapping_files(tmp_path, content, suffix, words):
    path = tmp_path / f"m{suffix}"
    path.write_text(content)
    with pytest.raises(MappingError, match=words):
        Mapping.load(path)


def test_parse_target():
    assert str(parse_target("person3.first_name")) == "person3.first_name"
    assert parse_target("city@home").block == "home"
    assert parse_target("").dropped and parse_target("ignore").dropped


def test_saved_mapping_drives_an_unknown_sheet(tmp_path):
    text = ("Kunde;Kontakt;Mail;Mobil;Hemmeligt;Segment\n"
            "Hansen VVS ApS;jens hansen;jens@hansenvvs.dk;20123456;topsecret42;VVS, Aarhus\n")
    path = write(tmp_path, "eksport.csv", text)
    mapping_file = tmp_path / "eksport.mapping.toml"
    Mapping([("Kunde", "company_name"), ("Kontakt", "name"), ("Mail", "email"), ("Mobil", "phone"),
             ("Segment", "tags")]).save(mapping_file)
    cands, summary = read_all(path, mapping=mapping_file)
    assert summary.layout == "custom"
    assert summary.dropped_columns == ["Hemmeligt"]  # not in the mapping: dropped, and listed
    assert cands[0].fields() == {"first_name": "Jens", "last_name": "Hansen", "email": "jens@hansenvvs.dk",
                                 "phone": "+4520123456", "company_name": "Hansen VVS ApS",
                                 "tags": ["VVS", "Aarhus"]}
    assert "topsecret42" not in repr(cands[0])


def test_mapping_dict_and_drop(tmp_path):
    path = write(tmp_path, "k.csv", "Navn,E-mail,Telefon\nJens Hansen,jens@firma.dk,20123456\n")
    cands, summary = read_all(path, mapping={"Navn": "name", "E-mail": "email", "Telefon": "drop"})
    assert cands[0].phone is None and summary.dropped_columns == ["Telefon"]


def test_unusable_mapping_is_a_file_error(tmp_path):
    path = write(tmp_path, "k.csv", "Navn\nJens\n")
    with pytest.raises(ImportFileError, match="the mapping cannot be used"):
        read_candidates(path, mapping={"Navn": "nonsense"})


def test_mapping_editing_helpers():
    m = Mapping([("Navn", "name")]).with_target("navn", "first_name").with_target("Mail", "email")
    assert m.columns == [("Navn", "first_name"), ("Mail", "email")]
    assert m.target_for(" MAIL ") == "email" and m.target_for("Other") == "drop"


def test_xlsx_table_not_in_a1(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "Navn", "E-mail"
    ws["C4"], ws["D4"] = "Jens Hansen", "jens@firma.dk"
    wb.save(tmp_path / "k.xlsx")
    cands, summary = read_all(tmp_path / "k.xlsx")
    assert [(c.line, c.fields()) for c in cands] == [
        (4, {"first_name": "Jens", "last_name": "Hansen", "email": "jens@firma.dk"})]
    assert summary.columns == ["Navn", "E-mail"]
