"""Helpers for the importer tests (imported by the test modules)."""

from __future__ import annotations

from pathlib import Path

from store.importing import Candidate, ImportSummary, read_candidates


def read_all(path: Path, **kwargs) -> tuple[list[Candidate], ImportSummary]:
    with read_candidates(path, **kwargs) as reader:
        cands = list(reader)
    return cands, reader.summary


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write ``text`` (with ``\\n`` line ends turned into ``newline``) in ``encoding``."""
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def header_of(samples: Path, name: str) -> str:
    """A header-only sample file's text (LinkedIn's preamble included), as text."""
    return (samples / "headers" / name).read_bytes().decode("utf-8")
