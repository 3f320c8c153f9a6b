"""Header row, column plan and row loop shared by the CSV and XLSX readers.

A row source yields ``(line, cells)``; :class:`Table` finds the header (skipping blank
rows and LinkedIn's "Notes:" preamble), checks it really is a header, works out what
each column becomes, and then turns each data row into candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .layouts import Layout, detect_layout
from .mapping import Mapping, header_key, parse_target
from .model import Candidate, ImportFileError, ImportSummary, Issue
from .rows import CandidateBuilder, Slot
from .sensitive import header_kind

__all__ = ["Table", "plan_columns"]

_EMAILISH = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_NUMBERISH = re.compile(r"^\+?[\d\s().\-]{6,}$")


def plan_columns(
    headers: list[str], mapping: Mapping, layout: Layout
) -> tuple[list[Slot], list[str], list[tuple[str, str]]]:
    """Slots for the columns that are read (in mapping priority order), the dropped
    columns, and the columns whose header names special-category data."""
    by_key: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        if h:
            by_key.setdefault(header_key(h), []).append(i)
    used: set[int] = set()
    slots: list[Slot] = []
    sensitive: list[tuple[str, str]] = []

    def kind_of(h: str) -> str | None:
        return header_kind(h) or layout.sensitive_kind(h)

    for source, target in mapping:
        t = parse_target(target)
        for i in by_key.get(header_key(source), []):
            if i in used:
                continue
            used.add(i)
            h = headers[i]
            kind = kind_of(h)
            if kind:
                sensitive.append((h, kind))
                slots.append(Slot(h, parse_target("drop"), i, kind, kind == "cpr"))
            elif not t.dropped:
                slots.append(Slot(h, t, i))
    for i, h in enumerate(headers):
        if h and i not in used:
            kind = kind_of(h)
            if kind:
                sensitive.append((h, kind))
                slots.append(Slot(h, parse_target("drop"), i, kind, kind == "cpr"))
    kept = {s.index for s in slots if not s.sensitive}
    dropped = [h for i, h in enumerate(headers) if h and i not in kept]
    return slots, dropped, sensitive


class Table:
    """Reads the header eagerly (errors surface on open), rows lazily on iteration."""

    def __init__(
        self,
        path: Path,
        rows: Iterator[tuple[int, list[str]]],
        summary: ImportSummary,
        *,
        mapping: Mapping | None,
        region: str,
    ) -> None:
        self.path = path
        self._rows = rows
        self.summary = summary
        self.header_line, headers = self._read_header()
        self.headers = headers
        self.width = len(headers)
        layout = detect_layout(headers)
        if mapping is None:
            mapping = layout.mapping_for(headers)
            summary.layout = layout.name
        else:
            summary.layout = mapping.layout or "custom"
        self.mapping = mapping
        self.slots, dropped, sensitive = plan_columns(headers, mapping, layout)
        summary.columns = [h for h in headers if h]
        summary.mapping = mapping
        for h in dropped:
            summary.drop_column(h)
        summary.sensitive_columns = sensitive
        notes = sum(1 for s in self.slots if s.target.field == "note")
        self.builder = CandidateBuilder(path.name, region=region, prefix_notes=notes > 1)

    def _read_header(self) -> tuple[int, list[str]]:
        preamble = False
        for line, cells in self._rows:
            if not any(c.strip() for c in cells):
                preamble = False  # a blank row ends LinkedIn's preamble
                continue
            if preamble:
                continue
            if len(cells) == 1 and cells[0].strip().lower() == "notes:":
                preamble = True
                continue
            headers = [c.replace("\ufeff", "").strip() for c in cells]
            while headers and not headers[-1]:
                headers.pop()  # trailing separators
            self._check_header(line, headers)
            return line, [h if h else "" for h in headers]
        raise ImportFileError(self.path, "no header row (the file has no rows)")

    def _check_header(self, line: int, headers: list[str]) -> None:
        for i, h in enumerate(headers, 1):
            if _EMAILISH.search(h) or _NUMBERISH.match(h):
                raise ImportFileError(
                    self.path,
                    "missing header row: the first row holds data (an e-mail address or a "
                    "number), not column names; add a header row",
                    line=line,
                    column=i,
                )
        if not any(headers):
            raise ImportFileError(self.path, "missing header row: the first row is empty", line=line)

    def __iter__(self) -> Iterator[Candidate]:
        summary = self.summary
        build = self.builder.build
        slots = self.slots
        width = self.width
        for line, cells in self._rows:
            n = len(cells)
            if not any(cells):
                continue
            values = [(s, cells[s.index] if s.index < n else "") for s in slots]
            if not any(v for _, v in values) and not any(c.strip() for c in cells):
                continue
            summary.records += 1
            cands, skipped = build(line, values)
            if n > width and any(c.strip() for c in cells[width:]):
                extra = Issue(
                    self.path.name,
                    line,
                    f"the row has {n} values but the header has {width} columns; "
                    "the extra values were not imported",
                )
                if cands:
                    cands[0].errors.append(extra)
            if skipped is not None:
                summary.add_skipped(skipped)
            elif not cands:
                summary.add_skipped(
                    Issue(self.path.name, line, "nothing to import in the mapped columns")
                )
            for cand in cands:
                summary.count(cand)
                yield cand
        summary.finished = True
