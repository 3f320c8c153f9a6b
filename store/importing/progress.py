"""Where an import batch got to, kept on its import_batch row so it can be resumed.

Every write batch of an import commits its rows together with the position it
reached in the file and the report's counts so far (lines, columns and contact
ids only, never a field value), so after a crash or a kill the row says exactly
which candidates are in and what the report said at that point.

A batch is `running` while its process lives; a running batch whose process is
gone (killed, crashed, the machine rebooted) is interrupted, as is one whose
import stopped on an error that was not the file's fault.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path

from .report import ImportReport, RowNote

# The report's counters that a resumed import carries on from.
COUNTERS = ("rows", "new", "updated", "duplicates", "merged", "suppressed", "review", "flagged", "invalid",
            "warnings", "extra_values", "unstored_addresses", "changes_total", "possible_duplicates")


def scan_file(path: Path, fmt: str) -> tuple[int | None, str]:
    """(about how many records the file holds, for a progress bar; its SHA-256), in one pass."""
    digest = hashlib.sha256()
    count = 0
    needle = b"\n" if fmt == "csv" else b"BEGIN:VCARD"
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            if fmt != "xlsx":
                count += block.count(needle) + (block.count(b"begin:vcard") if fmt == "vcard" else 0)
    return (None if fmt == "xlsx" else max(count, 1)), digest.hexdigest()


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (tells a reused pid apart)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def this_process() -> dict:
    pid = os.getpid()
    return {"pid": pid, "pid_start": _start_ticks(pid)}


def process_alive(state: dict) -> bool:
    pid = state.get("pid")
    if not pid:
        return False
    started = _start_ticks(int(pid))
    return started is not None and started == state.get("pid_start")


def dump(state: dict, report: ImportReport) -> str:
    state = dict(state)
    state["report"] = {name: getattr(report, name) for name in COUNTERS}
    state["notes"] = [[n.line, n.kind, n.text] for n in report.notes]
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


def load(text: str | None) -> dict:
    return json.loads(text) if text else {}


def restore(report: ImportReport, state: dict) -> None:
    """Put the counts and reasons of the batches already written back into `report`."""
    names = {f.name for f in fields(ImportReport)}
    for name, value in state.get("report", {}).items():
        if name in names:
            setattr(report, name, value)
    for line, kind, text in state.get("notes", []):
        report.note(kind, line, text)
    report.notes = [RowNote(n.line, n.kind, n.text) for n in report.notes]
