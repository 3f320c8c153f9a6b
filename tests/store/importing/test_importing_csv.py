"""CSV reading: delimiters, encodings, quoting, the Danish cp1252 sheet, bad files."""

from __future__ import annotations

import pytest
from importing_helpers import read_all, write

from store.importing import ImportFileError, read_candidates
from store.importing.delimited import FIELD_SIZE_LIMIT

DANISH_SHEET = (
    "Navn;Firma;Telefon;Mobil;E-mail;Stilling;CVR;Postnr;By;Omsætning;Bemærkninger\n"
    "Jørgen Ærbø;Ærbø Tømrer ApS;4586123456;4520123456;jorgen@aerboe.dk;Tømrermester;24256790;8000;Århus C;1.234.567,50;Ring efter kl. 16\n"  # noqa: E501 -- one row a line, as in the sheet
    "SØREN ØSTERGÅRD;;46701234567;;soren@ostergaard.se;Indkøber;;2100;København Ø;12,5;\n"
    "mette hansen;Hansen & Co;70 20 30 40;;mette(at)hansen.dk;;12345678;;;0,0;\n"
)


def test_danish_cp1252_semicolon_sheet_with_stripped_phone_prefixes(tmp_path):
    path = write(tmp_path, "kunder.csv", DANISH_SHEET, encoding="cp1252", newline="\r\n")
    cands, summary = read_all(path)
    assert (summary.fmt, summary.encoding, summary.delimiter, summary.layout) == (
        "csv", "cp1252", ";", "danish_sheet")
    assert summary.dropped_columns == ["Omsætning"]

    jorgen, soren, mette = cands
    assert jorgen.line == 2
    assert jorgen.first_name == "Jørgen"
    assert jorgen.last_name == "Ærbø"
    assert jorgen.company_name == "Ærbø Tømrer ApS"
    assert jorgen.phone == "+4586123456"  # "4586123456": Excel ate the "+"
    assert jorgen.extra_phones == ["+4520123456"]
    assert jorgen.email == "jorgen@aerboe.dk"
    assert jorgen.title == "Tømrermester"
    assert jorgen.company_cvr == "24256790"
    assert (jorgen.postcode, jorgen.city) == ("8000", "Århus C")
    assert jorgen.note == "Ring efter kl. 16"
    assert jorgen.errors == [] and jorgen.flags == []

    assert (soren.first_name, soren.last_name) == ("Søren", "Østergård")
    assert soren.phone == "+46701234567"
    assert soren.company_name is None
    assert (soren.postcode, soren.city) == ("2100", "København Ø")

    assert (mette.first_name, mette.last_name) == ("Mette", "Hansen")
    assert mette.phone == "+4570203040"
    assert mette.email is None and mette.company_cvr is None
    problems = {(e.column, e.field): e for e in mette.errors}
    assert set(problems) == {("E-mail", "email"), ("CVR", "company_cvr")}
    err = problems[("E-mail", "email")]
    assert err.file == "kunder.csv" and err.line == 4 and err.value == "mette(at)hansen.dk"
    assert "kunder.csv, line 4, column 'E-mail'" in str(err)
    assert "modulus-11" in problems[("CVR", "company_cvr")].message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_detected(tmp_path, delimiter):
    rows = [["Fornavn", "Efternavn", "E-mail", "Noter"],
            ["Jens", "Hansen", "jens@firma.dk", "Pris 1,5 kr; levering 2,5"]]
    text = "".join(delimiter.join(f'"{c}"' for c in r) + "\n" for r in rows)
    cands, summary = read_all(write(tmp_path, "k.csv", text))
    assert summary.delimiter == delimiter
    assert cands[0].first_name == "Jens" and cands[0].email == "jens@firma.dk"
    assert cands[0].note == "Pris 1,5 kr; levering 2,5"


def test_delimiter_and_encoding_can_be_forced(tmp_path):
    path = write(tmp_path, "k.txt", "Navn|E-mail\nJens Hansen|jens@firma.dk\n")
    cands, summary = read_all(path, delimiter="|", encoding="utf-8", fmt="csv")
    assert summary.delimiter == "|"
    assert cands[0].email == "jens@firma.dk"


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
     ("cp1252", b"")],
)
def test_encodings(tmp_path, encoding, bom):
    text = "Navn,E-mail,By\r\nSøren Ærø,soren@firma.dk,Århus\r\n"
    path = tmp_path / "k.csv"
    path.write_bytes(bom + text.encode(encoding))
    cands, summary = read_all(path)
    assert cands[0].first_name == "Søren" and cands[0].last_name == "Ærø"
    assert cands[0].city == "Århus"
    assert summary.columns == ["Navn", "E-mail", "By"]  # no BOM left in the first header


def test_utf16_as_excel_writes_it(tmp_path):
    # Excel's "Unicode text": UTF-16 LE with BOM, tab separated, CRLF
    text = "Navn\tE-mail\tTelefon\r\nSøren Ærø\tsoren@firma.dk\t20 12 34 56\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    cands, summary = read_all(path)
    assert summary.encoding == "utf-16" and summary.delimiter == "\t"
    assert cands[0].fields() == {"first_name": "Søren", "last_name": "Ærø",
                                 "email": "soren@firma.dk", "phone": "+4520123456"}


def test_utf16_without_bom(tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("Navn,E-mail\nJens Hansen,jens@firma.dk\n".encode("utf-16-le"))
    cands, summary = read_all(path)
    assert summary.encoding == "utf-16-le"
    assert cands[0].email == "jens@firma.dk"


def test_quoting_multiline_doubled_quotes_trailing_separators_stray_spaces(tmp_path):
    text = (
        ' Fornavn , Efternavn ,E-mail, Adresse ,Noter,\n'
        'Jens,Hansen,jens@firma.dk,"Vestergade 12\n2. th.","Sagde ""ja tak""\nRing igen i maj",\n'
        '"Anne","Berg","anne@firma.dk","Nørregade 1",,\n'
    )
    cands, summary = read_all(write(tmp_path, "k.csv", text, newline="\r\n"))
    jens, anne = cands
    assert summary.columns == ["Fornavn", "Efternavn", "E-mail", "Adresse", "Noter"]
    assert jens.line == 2 and anne.line == 5  # Jens' record spans lines 2-4
    assert jens.address == "Vestergade 12, 2. th."
    assert jens.note == 'Sagde "ja tak"\nRing igen i maj'
    assert anne.address == "Nørregade 1" and anne.note is None


def test_extra_values_beyond_header_are_reported(tmp_path):
    cands, _ = read_all(write(tmp_path, "k.csv", "Navn,E-mail\nJens Hansen,jens@firma.dk,hemmelig\n"))
    assert [e.message for e in cands[0].errors] == [
        "the row has 3 values but the header has 2 columns; the extra values were not imported"]
    assert "hemmelig" not in repr(cands[0])


def test_empty_rows_and_rows_without_data_are_skipped(tmp_path):
    text = "Navn,E-mail,Fax\n\n,,\nJens Hansen,jens@firma.dk,\n,,12345678\n"
    cands, summary = read_all(write(tmp_path, "k.csv", text))
    assert [c.line for c in cands] == [4]
    assert summary.records == 2 and summary.candidates == 1
    assert summary.skipped_count == 1 and summary.skipped[0].line == 5
    assert summary.finished


def test_summary_counts(tmp_path):
    text = "Navn,E-mail,Noter\nJens Hansen,jens@,\nAnne Berg,anne@firma.dk,Gravid\n"
    _cands, summary = read_all(write(tmp_path, "k.csv", text))
    assert (summary.records, summary.candidates, summary.candidates_with_errors,
            summary.candidates_flagged) == (2, 2, 1, 1)


# --- bad files ---------------------------------------------------------------------------

def _error(path, **kw) -> ImportFileError:
    with pytest.raises(ImportFileError) as info, read_candidates(path, **kw) as reader:
        list(reader)
    return info.value


def test_empty_file(tmp_path):
    err = _error(write(tmp_path, "tom.csv", ""))
    assert str(err) == "tom.csv: the file is empty"
    err = _error(write(tmp_path, "blank.csv", "\n\n  \n"))
    assert "empty" in str(err)


def test_missing_file(tmp_path):
    assert "file not found" in str(_error(tmp_path / "nope.csv"))


@pytest.mark.parametrize(
    "content, words",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (bytes(range(256)) * 20, "NUL bytes"),
        (b"Navn,E-mail\n" + bytes(range(1, 32)) * 50, "control characters"),
    ],
)
def test_binary_files(tmp_path, content, words):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    err = _error(path)
    assert words in str(err) and err.path == str(path)


def test_truncated_inside_quoted_field(tmp_path):
    path = write(tmp_path, "cut.csv", 'Navn,E-mail,Noter\nJens Hansen,jens@firma.dk,"Ring til\nmig i')
    err = _error(path)
    assert (err.line, err.column) == (2, "Noter")
    assert str(err).startswith("cut.csv, line 2, column 'Noter': the file ends inside a quoted field")


def test_truncated_in_the_middle_of_a_character(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes("Navn,By\nJens,Århus\nAnne,Ø".encode()[:-1])
    err = _error(path, encoding="utf-8")
    assert "truncated" in str(err)


def test_wrong_encoding(tmp_path):
    path = write(tmp_path, "k.csv", "Navn;E-mail\nJens;jens@firma.dk\nJørgen;j@firma.dk\n", encoding="cp1252")
    err = _error(path, encoding="utf-8")
    assert (err.line, err.column) == (3, "Navn")
    assert "not valid utf-8" in str(err) and "cp1252" in str(err)
    with pytest.raises(ImportFileError, match="unknown encoding"):
        read_candidates(path, encoding="klingon")


def test_bad_utf8_far_into_the_file_reports_its_line(tmp_path):
    lines = ["Navn,E-mail"] + [f"Person {i},p{i}@firma.dk" for i in range(5000)]
    data = ("\n".join(lines) + "\n").encode("utf-8") + "Jørgen,j@firma.dk\n".encode("cp1252")
    path = tmp_path / "k.csv"
    path.write_bytes(data)
    err = _error(path)  # the sample decoded as UTF-8, the bad byte comes much later
    assert err.line == 5002 and err.column == "Navn"


def test_missing_header(tmp_path):
    err = _error(write(tmp_path, "k.csv", "jens@firma.dk;Jens Hansen\nanne@firma.dk;Anne Berg\n"))
    assert (err.line, err.column) == (1, 1)
    assert "missing header row" in str(err)
    err = _error(write(tmp_path, "k2.csv", "Jens Hansen,20123456\n"))
    assert (err.line, err.column) == (1, 2)


def test_ten_megabyte_field_on_one_line(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text('Navn,E-mail,Noter\nJens,jens@firma.dk,"' + "x" * (10 * 1024 * 1024) + '"\n')
    err = _error(path)
    assert (err.line, err.column) == (2, "Noter")
    assert "field-size limit" in str(err)


def test_oversized_multiline_field(tmp_path):
    path = tmp_path / "big.csv"
    body = ("y" * 999 + "\n") * (FIELD_SIZE_LIMIT // 1000 + 10)
    path.write_text('Navn,E-mail,Noter\nJens,jens@firma.dk,"' + body + '"\nAnne,a@firma.dk,\n')
    err = _error(path)
    assert (err.line, err.column) == (2, "Noter")
    assert f"field-size limit ({FIELD_SIZE_LIMIT:,}" in str(err)


def test_field_below_the_limit_is_fine(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text('Navn,E-mail,Noter\nJens,jens@firma.dk,"' + "z" * 100_000 + '"\n')
    cands, _ = read_all(path)
    assert len(cands[0].note) == 100_000


def test_only_a_header(tmp_path):
    cands, summary = read_all(write(tmp_path, "k.csv", "Navn,E-mail\n"))
    assert cands == [] and summary.records == 0 and summary.finished


def test_unknown_format_and_delimiter(tmp_path):
    path = write(tmp_path, "k.csv", "Navn,E-mail\n")
    with pytest.raises(ImportFileError, match="unknown format"):
        read_candidates(path, fmt="pdf")
    with pytest.raises(ImportFileError, match="unsupported delimiter"):
        read_candidates(path, delimiter="#")


def test_bare_cr_line_ends(tmp_path):
    cands, _ = read_all(write(tmp_path, "mac.csv", "Navn,E-mail\nJens Hansen,jens@firma.dk\n", newline="\r"))
    assert cands[0].email == "jens@firma.dk"


def test_streams_lazily(tmp_path):
    rows = "".join(f"Person {i},p{i}@firma.dk\n" for i in range(20000))
    path = write(tmp_path, "big.csv", "Navn,E-mail\n" + rows + 'Sidste,"uafsluttet\n')
    reader = read_candidates(path)
    first = next(reader)  # the truncated end is not read yet
    assert first.email == "p0@firma.dk" and reader.summary.candidates == 1
    reader.close()


def test_repeated_header_names_and_single_column(tmp_path):
    path = write(tmp_path, "k.csv", "Navn;Telefon;Telefon;E-mail\nJens Hansen;20123456;30123456;j@firma.dk\n")
    with read_candidates(path) as reader:
        (c,) = list(reader)
        assert reader.dropped_columns == [] == reader.summary.dropped_columns
    assert (c.phone, c.extra_phones) == ("+4520123456", ["+4530123456"])
    cands, summary = read_all(write(tmp_path, "one.csv", "E-mail\nfoo@firma.dk\n"))
    assert cands[0].fields() == {"email": "foo@firma.dk"} and summary.layout == "generic"
