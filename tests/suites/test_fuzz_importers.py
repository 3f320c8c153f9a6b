"""Fuzzing suite: property-based tests (hypothesis) of every importer -- CSV, XLSX, vCard.

Whatever the file holds, an import either reads it or stops with a clean `StoreError`
that names the file (and the line, where there is one) and none of the file's values:
no other exception, no traceback, no value in the message.  Every generated value carries
MARK, so a value that leaks into a message is seen.  The CI profile runs a few dozen
examples per importer; `make soak` thousands.
"""
from __future__ import annotations

import io
import string
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import ImportFileError, StoreError
from store.importing import read_candidates

from .profile import FUZZ_EXAMPLES, PROFILE

MARK = "Qzv"  # starts every generated value; never in a message the importer writes itself
HEADERS = ["Fornavn", "Efternavn", "Navn", "E-mail", "Email", "Telefon", "Mobil", "Firma", "CVR", "Titel",
           "Noter", "Adresse", "Postnr", "By", "Samtykke", "Ejer", "Tags", "Kolonne"]
NASTY = "\x00\x1b[2J\x9b\r\n\t\"';,|=+-@\u202e\u2066\ufeff\ud7ff\U0001f600æøåÆØÅ[bold]"
VALUE = st.builds(lambda s: MARK + s, st.text(alphabet=st.sampled_from(string.printable + NASTY), max_size=40))
SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=PROFILE == "ci",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
outcomes: Counter = Counter()


def _read(path: Path, fmt: str | None) -> str:
    """Read every candidate; returns "read" or the refusal's message, after checking it."""
    try:
        with read_candidates(path, fmt=fmt) as reader:
            for _ in reader:
                pass
        outcomes["read"] += 1
        return "read"
    except StoreError as exc:
        message = str(exc)
        assert "\n" not in message and "Traceback" not in message, message
        assert MARK not in message, f"a value leaked into the message: {message!r}"
        if isinstance(exc, ImportFileError):
            assert message.startswith(path.name), message
        outcomes["refused"] += 1
        return message


def _file(suffix: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(VALUE, min_size=0, max_size=len(header) + 2), max_size=12))
    quote = draw(st.booleans())

    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote else v

    text = "\n".join([delimiter.join(header), *(delimiter.join(cell(v) for v in row) for row in rows)])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # cut anywhere: a truncated upload
        data = data[:draw(st.integers(0, len(data)))]
    return data


@st.composite
def vcard_files(draw) -> bytes:
    cards = []
    for _ in range(draw(st.integers(0, 4))):
        lines = ["BEGIN:VCARD", f"VERSION:{draw(st.sampled_from(['2.1', '3.0', '4.0', 'x']))}"]
        for _ in range(draw(st.integers(0, 8))):
            name = draw(st.sampled_from(["FN", "N", "EMAIL;TYPE=work", "TEL;TYPE=cell", "ORG", "TITLE",
                                         "NOTE", "ADR", "X-ANY", "PHOTO;ENCODING=b", "item1.EMAIL",
                                         "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE", ""]))
            lines.append(f"{name}:{draw(VALUE)}")
            if draw(st.booleans()):
                lines.append(" " + draw(VALUE))  # a folded continuation
        if draw(st.booleans()):
            lines.append("END:VCARD")
        cards.append("\r\n".join(lines))
    data = "\r\n".join(cards).encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])), errors="replace")
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return data


@st.composite
def xlsx_files(draw) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    ws.append(header)
    cell = st.one_of(VALUE, st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.none(),
                     st.dates(), st.booleans())
    for row in draw(st.lists(st.lists(cell, max_size=len(header) + 1), max_size=8)):
        # control characters cannot be stored in a sheet at all (openpyxl refuses them)
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    try:
        wb.save(out)
    except Exception:
        from hypothesis import reject

        reject()
    data = out.getvalue()
    damage = draw(st.sampled_from(["none", "truncate", "not-a-zip", "drop-part"]))
    if damage == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == "not-a-zip":
        data = draw(st.binary(max_size=2000))
    elif damage == "drop-part":
        src = zipfile.ZipFile(io.BytesIO(data))
        names = src.namelist()
        drop = draw(st.sampled_from(names))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name in names:
                if name != drop:
                    dst.writestr(name, src.read(name))
        data = out.getvalue()
    return data


@SETTINGS
@given(data=csv_files())
def fuzz_csv(data):
    _read(_file(".csv", data), None)


@SETTINGS
@given(data=vcard_files())
def fuzz_vcard(data):
    _read(_file(".vcf", data), None)


@SETTINGS
@given(data=xlsx_files())
def fuzz_xlsx(data):
    _read(_file(".xlsx", data), None)


@SETTINGS
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".csv", ".vcf", ".xlsx", ".txt", ""]))
def fuzz_any_bytes(data, suffix):
    _read(_file(suffix, data), None)


# One test, so that its figure line counts every importer also when xdist spreads tests.
def test_every_importer_reads_or_refuses_cleanly(suite_figures):
    per_importer = {}
    for name, fuzz in (("CSV", fuzz_csv), ("vCard", fuzz_vcard), ("XLSX", fuzz_xlsx), ("any bytes", fuzz_any_bytes)):
        before = outcomes.copy()
        try:
            fuzz()
        finally:
            got = outcomes - before
            per_importer[name] = f"{got['read']} read/{got['refused']} refused"
    line = ", ".join(f"{k} {v}" for k, v in per_importer.items())
    suite_figures("fuzz", f"[{PROFILE}] {sum(outcomes.values()):,} generated files ({line}); "
                          f"0 crashes, 0 values in messages, every refusal names its file")
