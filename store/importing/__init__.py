"""Importer, parsing half: turn a contact file into normalised candidate rows.

No database access and no UI here; de-duplication, suppression, batches and undo are
built on top of this API.

Typical use::

    from store.importing import read_candidates, ImportFileError

    try:
        with read_candidates("kunder.csv") as reader:     # detection happens here
            print(reader.summary.layout, reader.summary.dropped_columns)
            for cand in reader:                            # streamed, bounded memory
                if cand.flags: ...                         # special-category data seen (not kept)
                if cand.errors: ...                        # rejected values
                cand.fields()                              # {"first_name": ..., "email": ...}
            print(reader.summary.candidates, reader.summary.skipped_count)
    except ImportFileError as err:                         # "<file>, line 3, column 'E-mail': ..."
        ...

``ImportFileError`` can also come out of the loop (a truncated file is only noticed at
its end), so treat the whole file as failed when it does; a preview pass over the
file before writing anything catches this.

Formats: CSV (``,`` ``;`` tab; UTF-8 with/without BOM, UTF-16, cp1252), XLSX (first
sheet or ``sheet=``), vCard 2.1/3.0/4.0.  Known layouts are mapped without help
(:mod:`.layouts`); a saved :class:`Mapping` (JSON or TOML) overrides that for CSV/XLSX.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .detect import FORMATS, sniff
from .layouts import LAYOUTS, detect_layout, suggest_mapping
from .mapping import TARGETS, Mapping, MappingError
from .model import (
    CONSENT_FIELDS,
    CONTACT_FIELDS,
    SENSITIVE_KINDS,
    Candidate,
    Flag,
    ImportFileError,
    ImportSummary,
    Issue,
)
from .xlsx import sheet_names

__all__ = [
    "read_candidates",
    "CandidateReader",
    "Candidate",
    "Flag",
    "Issue",
    "ImportSummary",
    "ImportFileError",
    "Mapping",
    "MappingError",
    "suggest_mapping",
    "detect_layout",
    "sheet_names",
    "LAYOUTS",
    "TARGETS",
    "FORMATS",
    "CONTACT_FIELDS",
    "CONSENT_FIELDS",
    "SENSITIVE_KINDS",
]


class CandidateReader:
    """An iterator of :class:`Candidate` with a :class:`ImportSummary` beside it.

    Opening detects the format, encoding, delimiter, header and mapping, and raises
    :class:`ImportFileError` for files that cannot be read.  Iterating streams the
    rows.  Iterate once; use as a context manager (or call :meth:`close`) to release
    the file early.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        mapping: Mapping | dict[str, Any] | str | Path | None = None,
        fmt: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
        default_region: str = "DK",
    ) -> None:
        self.path = Path(path)
        info = sniff(self.path, fmt=fmt, encoding=encoding)
        self.summary = ImportSummary(path=str(self.path), fmt=info.fmt, encoding=info.encoding)
        region = (default_region or "DK").upper()
        if mapping is not None:
            try:
                mapping = Mapping.coerce(mapping)
            except MappingError as exc:
                raise ImportFileError(self.path, f"the mapping cannot be used: {exc}") from None
        self._iter: Iterator[Candidate]
        if info.fmt == "vcard":
            from .vcard import VCardReader

            self._source: Any = VCardReader(self.path, info.encoding or "utf-8", self.summary, region=region)
        else:
            from .tabular import Table

            if info.fmt == "xlsx":
                from .xlsx import open_sheet

                self.summary.sheet, rows = open_sheet(self.path, sheet)
            else:
                from .delimited import iter_rows

                self.summary.delimiter, rows = iter_rows(self.path, info.encoding or "utf-8", delimiter)
            self._rows = rows
            try:
                self._source = Table(self.path, rows, self.summary, mapping=mapping, region=region)
            except BaseException:
                rows.close()
                raise
        self._iter = iter(self._source)

    @property
    def dropped_columns(self) -> list[str]:
        """Shortcut for ``summary.dropped_columns`` (complete for vCard only after iterating)."""
        return self.summary.dropped_columns

    def __iter__(self) -> CandidateReader:
        return self

    def __next__(self) -> Candidate:
        return next(self._iter)

    def close(self) -> None:
        close = getattr(self._iter, "close", None)
        if close:
            close()
        rows = getattr(self, "_rows", None)
        if rows is not None:
            rows.close()

    def __enter__(self) -> CandidateReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_candidates(
    path: str | Path,
    *,
    mapping: Mapping | dict[str, Any] | str | Path | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    default_region: str = "DK",
) -> CandidateReader:
    """Open ``path`` and return an iterator of candidates (with ``.summary``).

    - ``mapping``: a :class:`Mapping`, a ``{column: target}`` dict, or a path to a saved
      ``.json``/``.toml`` mapping; default: the detected layout's mapping.  Ignored for
      vCard.  Columns it does not map are dropped and listed in ``summary.dropped_columns``.
    - ``fmt``: ``"csv"``, ``"xlsx"`` or ``"vcard"`` (default: detected).
    - ``encoding``: a Python codec name (default: detected: BOM, UTF-8, else cp1252).
    - ``delimiter``: ``","``, ``";"``, ``"\\t"`` or ``"|"`` (default: detected).
    - ``sheet``: XLSX sheet name (default: the first sheet).
    - ``default_region``: region for phone numbers without a country code.

    Raises :class:`ImportFileError` when the file cannot be read (also possible while
    iterating, e.g. for a truncated file).
    """
    return CandidateReader(
        path,
        mapping=mapping,
        fmt=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        default_region=default_region,
    )
