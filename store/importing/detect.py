"""Detect an input file's format, text encoding and CSV delimiter.  Each can be overridden.

- format: ``"xlsx"`` (a ZIP container), ``"vcard"`` (starts with ``BEGIN:VCARD``, or a
  ``.vcf``/``.vcard`` name) or ``"csv"`` (any other text).
- encoding: a BOM decides (UTF-8, UTF-16, UTF-32); else UTF-16 without BOM is
  recognised by its zero bytes; else UTF-8 if the start decodes as UTF-8; else cp1252
  (what Danish Excel writes).
- delimiter: ``,`` ``;`` or tab, whichever gives a consistent column count.

Refuses with :class:`ImportFileError`: missing or empty files, binary files (images,
PDF, old ``.xls``, anything with NUL bytes that is not UTF-16), unknown encodings.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .model import ImportFileError

__all__ = ["FileInfo", "sniff", "detect_encoding", "detect_delimiter", "FORMATS", "SAMPLE_BYTES"]

FORMATS = ("csv", "xlsx", "vcard")
SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or other Office 97) file: save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass(frozen=True)
class FileInfo:
    path: Path
    fmt: str
    encoding: str | None  # None for xlsx
    size: int


def _read_sample(path: Path) -> tuple[bytes, int]:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise ImportFileError(path, "file not found") from None
    except IsADirectoryError:
        raise ImportFileError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise ImportFileError(path, f"cannot read the file ({exc.strerror or exc})") from None
    return sample, size


def _looks_utf16_without_bom(sample: bytes) -> str | None:
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    z_even = even.count(0) / len(even)
    z_odd = odd.count(0) / max(len(odd), 1)
    if z_odd > 0.3 and z_even < 0.05:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(path: Path, sample: bytes, size: int, *, complete: bool) -> str:
    """The text encoding of ``sample`` (the start of ``path``).  ``complete``: the sample
    is the whole file (so a cut-off multi-byte character at its end is a real error)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    utf16 = _looks_utf16_without_bom(sample)
    if utf16:
        return utf16
    if b"\x00" in sample:
        raise ImportFileError(path, "not a text file (it contains NUL bytes; binary data?)")
    data = sample
    if not complete:
        # the sample may end inside a multi-byte UTF-8 character
        for cut in range(0, 4):
            try:
                (data[: len(data) - cut] if cut else data).decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                continue
    else:
        try:
            data.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _check_text(path: Path, text: str) -> None:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f\x1a")
    if text and bad / len(text) > 0.02:
        raise ImportFileError(path, "not a text file (too many control characters; binary data?)")


def _validate_encoding(path: Path, encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ImportFileError(path, f"unknown encoding {encoding!r}") from None


def sniff(path: str | Path, *, fmt: str | None = None, encoding: str | None = None) -> FileInfo:
    """Work out format and encoding (``fmt``/``encoding`` given: checked, not guessed)."""
    p = Path(path)
    sample, size = _read_sample(p)
    if fmt is not None and fmt not in FORMATS:
        raise ImportFileError(p, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if size == 0:
        raise ImportFileError(p, "the file is empty")
    if fmt == "xlsx" or (fmt is None and sample.startswith(b"PK\x03\x04")):
        if not sample.startswith(b"PK\x03\x04"):
            raise ImportFileError(p, "not an .xlsx workbook (no ZIP signature)")
        return FileInfo(p, "xlsx", None, size)
    if sample.startswith(b"PK"):
        raise ImportFileError(p, "a ZIP archive: unpack it, or import it as xlsx")
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            raise ImportFileError(p, f"not a contact list: this is {what}")

    if encoding is not None:
        enc = _validate_encoding(p, encoding)
    else:
        enc = detect_encoding(p, sample, size, complete=size <= len(sample))
    text = sample.decode(enc, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ImportFileError(p, "the file is empty (only white space)")
    _check_text(p, text[:4096])

    if fmt is None:
        head = text.lstrip()[:11].upper()
        if head.startswith("BEGIN:VCARD") or p.suffix.lower() in (".vcf", ".vcard"):
            fmt = "vcard"
        elif p.suffix.lower() in (".xlsx", ".xlsm"):
            raise ImportFileError(p, "not an .xlsx workbook (no ZIP signature; damaged or renamed?)")
        else:
            fmt = "csv"
    return FileInfo(p, fmt, enc, size)


def detect_delimiter(sample_text: str) -> str:
    """``,``, ``;`` or tab: the one that splits the header into most columns and keeps
    the following rows at that width (Danish ``;`` files with decimal commas included)."""
    lines = sample_text.splitlines(keepends=True)
    if len(sample_text) >= SAMPLE_BYTES // 2 and lines:
        lines = lines[:-1]  # possibly cut off
    body = "".join(lines[:200])
    best = ","
    best_score: tuple[float, int] = (-1.0, 0)
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(body), delimiter=delim))
        except csv.Error:
            continue
        rows = [r for r in rows if any(c.strip() for c in r)]
        rows = _skip_preamble_rows(rows)
        if not rows:
            continue
        width = len(rows[0])
        while width > 1 and not rows[0][width - 1].strip():
            width -= 1  # trailing separator
        if width < 2:
            continue
        data = rows[1:21]
        consistent = sum(1 for r in data if width <= len(r) <= width + 1) / len(data) if data else 1.0
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _skip_preamble_rows(rows: list[list[str]]) -> list[list[str]]:
    """Drop LinkedIn's "Notes:" preamble (a note paragraph before the header)."""
    if rows and len(rows[0]) == 1 and rows[0][0].strip().lower() == "notes:":
        return rows[2:] if len(rows) > 2 else []
    return rows
