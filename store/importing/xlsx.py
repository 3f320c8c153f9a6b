"""XLSX workbooks (first sheet, or a named one) as a stream of ``(row number, cells)``.

Uses openpyxl in read-only mode, which streams the sheet XML: memory stays bounded.
Cell values become strings the way a person reads them: ``4520123456`` (not
``4520123456.0``), dates as ISO 8601, empty cells as ``""``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Generator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from .model import ImportFileError

__all__ = ["open_sheet", "sheet_names", "cell_text"]

MAX_CELL_CHARS = 128 * 1024


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _load(path: Path):
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise ImportFileError(path, "reading .xlsx needs the openpyxl package") from None
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise ImportFileError(path, "not a readable .xlsx workbook (damaged or truncated ZIP)") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises a variety of errors on broken files
        raise ImportFileError(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None


def sheet_names(path: str | Path) -> list[str]:
    """The workbook's sheet names (for a "which sheet?" question)."""
    p = Path(path)
    wb = _load(p)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def open_sheet(path: Path, sheet: str | None) -> tuple[str, Generator[tuple[int, list[str]], None, None]]:
    """The sheet name in use and a generator of ``(row number, cells)``."""
    wb = _load(path)
    try:
        if sheet is None:
            if not wb.worksheets:
                raise ImportFileError(path, "the workbook has no sheets")
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise ImportFileError(
                path, f"no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})"
            )
        if not hasattr(ws, "iter_rows"):
            raise ImportFileError(path, f"sheet {ws.title!r} is a chart, not a table")
    except BaseException:
        wb.close()
        raise
    return ws.title, _generate(path, wb, ws)


def _generate(path: Path, wb, ws) -> Generator[tuple[int, list[str]], None, None]:
    try:
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # don't trust a stale <dimension> tag
        try:
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                for i, c in enumerate(cells, 1):
                    if len(c) > MAX_CELL_CHARS:
                        raise ImportFileError(
                            path,
                            f"a cell is larger than the field-size limit ({MAX_CELL_CHARS:,} characters)",
                            line=number,
                            column=i,
                        )
                yield number, cells
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as exc:
            raise ImportFileError(path, f"the workbook is damaged ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
