"""CSV (``,`` ``;`` or tab separated) as a stream of ``(line, cells)`` rows.

Handles quoted multi-line fields, doubled quotes, trailing separators, BOMs, UTF-16,
CR/LF/CRLF line ends.  Memory stays bounded: one physical line is read at a time and
no line may exceed :data:`MAX_LINE_CHARS`, no field :data:`FIELD_SIZE_LIMIT`.
Line numbers are physical lines of the file (a record that spans lines is reported
at the line it starts on).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Generator
from pathlib import Path

from .detect import SAMPLE_BYTES, detect_delimiter
from .model import ImportFileError

__all__ = ["FIELD_SIZE_LIMIT", "MAX_LINE_CHARS", "read_sample_text", "iter_rows"]

#: the largest single field accepted (characters).  Contact data never comes near it;
#: a bigger field means a broken file (an unclosed quote) or a file that is not a list.
FIELD_SIZE_LIMIT = 128 * 1024
#: the longest physical line accepted (characters).
MAX_LINE_CHARS = 1024 * 1024
_HEAD_KEEP = 64 * 1024  # how much of the current record is kept for error messages


def _ascii_compatible(encoding: str) -> bool:
    name = codecs.lookup(encoding).name
    return not (name.startswith("utf-16") or name.startswith("utf-32"))


def read_sample_text(path: Path, encoding: str) -> str:
    with path.open("rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    text = raw.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


class _Lines:
    """Physical lines (newline kept) with a count, a size limit and precise decode errors."""

    def __init__(self, path: Path, encoding: str, delimiter: str, crlf_split: bool) -> None:
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.count = 0
        self.eof = False
        self.head: list[str] = []
        self.head_len = 0
        self.headers: list[str] = []
        self._raw = path.open("rb")
        if crlf_split:
            self._text = None
            self._decoder: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder(encoding)(errors="strict")
        else:  # UTF-16/32, or old Mac files with bare CR line ends
            self._text = io.TextIOWrapper(self._raw, encoding=encoding, errors="strict", newline="")
            self._decoder = None

    def close(self) -> None:
        (self._text or self._raw).close()

    def mark(self) -> None:
        """A new record starts with the next line."""
        self.head = []
        self.head_len = 0

    def column_at(self, text: str) -> tuple[int, str | None]:
        """Which column (1-based, and its header) the end of ``text`` falls in."""
        try:
            cells = next(csv.reader(io.StringIO(text), delimiter=self.delimiter), [""])
        except csv.Error:
            cells = [""]
        col = max(len(cells), 1)
        name = self.headers[col - 1] if col - 1 < len(self.headers) else None
        return col, name

    def _fail(self, reason: str, col: int | None = None, name: str | None = None) -> ImportFileError:
        column: str | int | None = name or col
        return ImportFileError(self.path, reason, line=self.count, column=column)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._text is not None:
            try:
                line = self._text.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError as exc:
                self.count += 1
                raise self._fail(
                    f"not valid {self.encoding} text near this line ({exc.reason}); "
                    "choose the file's real encoding"
                ) from None
        else:
            raw = self._raw.readline(MAX_LINE_CHARS + 1)
            assert self._decoder is not None  # set whenever there is no text wrapper
            try:
                line = self._decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                self.count += 1
                if not raw:
                    raise self._fail("the file ends in the middle of a character (truncated?)") from None
                prefix = raw[: exc.start].decode(self.encoding, errors="replace")
                col, name = self.column_at("".join(self.head) + prefix if self.head else prefix)
                raise self._fail(
                    f"not valid {self.encoding} text (byte {raw[exc.start:exc.start + 1]!r} "
                    f"at position {len(prefix) + 1}); choose the file's real encoding, "
                    "e.g. cp1252 for Danish Excel",
                    col,
                    name,
                ) from None
        if not line:
            self.eof = True
            raise StopIteration
        self.count += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            col, name = self.column_at(line[:_HEAD_KEEP])
            raise self._fail(
                f"a line longer than {MAX_LINE_CHARS:,} characters: a field this large is "
                f"not contact data (field-size limit {FIELD_SIZE_LIMIT:,} characters)",
                col,
                name,
            )
        if self.head_len < _HEAD_KEEP:
            self.head.append(line)
            self.head_len += len(line)
        return line


def iter_rows(path: Path, encoding: str,
              delimiter: str | None) -> tuple[str, Generator[tuple[int, list[str]], None, None]]:
    """The delimiter in use and a generator of ``(start line, cells)``."""
    sample = read_sample_text(path, encoding)
    if delimiter is None:
        delimiter = detect_delimiter(sample)
    elif delimiter not in (",", ";", "\t", "|"):
        raise ImportFileError(path, f"unsupported delimiter {delimiter!r} (use , ; tab or |)")
    crlf_split = _ascii_compatible(encoding) and not ("\r" in sample and "\n" not in sample)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    return delimiter, _generate(path, encoding, delimiter, crlf_split)


def _generate(path: Path, encoding: str, delimiter: str,
              crlf_split: bool) -> Generator[tuple[int, list[str]], None, None]:
    lines = _Lines(path, encoding, delimiter, crlf_split)
    try:
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        first = True
        while True:
            start = lines.count + 1
            lines.mark()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                col, name = lines.column_at("".join(lines.head))
                if "field larger than field limit" in str(exc):
                    reason = (
                        f"a field is larger than the field-size limit ({FIELD_SIZE_LIMIT:,} "
                        "characters): an unclosed quote, or not a contact list"
                    )
                else:
                    reason = f"not readable as CSV ({exc})"
                raise ImportFileError(path, reason, line=start, column=name or col) from None
            if lines.eof and lines.head_len < _HEAD_KEEP:
                _check_truncated(path, lines, delimiter, start)
            if first and row:
                row[0] = row[0].lstrip("\ufeff")
            if first and any(c.strip() for c in row):
                first = False
                lines.headers = [c.strip() for c in row]
            yield start, row
    finally:
        lines.close()


def _check_truncated(path: Path, lines: _Lines, delimiter: str, start: int) -> None:
    text = "".join(lines.head)
    try:
        for _ in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            col, name = lines.column_at(text)
            raise ImportFileError(
                path,
                "the file ends inside a quoted field (truncated file, or a quote that is never closed)",
                line=start,
                column=name or col,
            ) from None
