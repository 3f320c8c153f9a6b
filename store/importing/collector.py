"""Python's cyclic garbage collector while an import runs.

An import makes tens of container objects a row (candidates, their lists, rows, search
documents) that are freed as soon as their chunk is in, by reference counting, never in a
cycle.  The collector, run after every 700 of them, spent 7-9% of the importing
process's time scanning them (50,000 rows, bench/bench_import.py), and 6% of the reading
process's: while an import runs it waits for IMPORT_THRESHOLD instead, so garbage in a
cycle (there is little) is still collected, later.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

IMPORT_THRESHOLD = 50_000
_lock = threading.Lock()
_running = 0  # imports running in this process (the TUI or the web server may run two)
_saved: tuple[int, ...] = (700, 10, 10)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The young generation collected less often while the block runs; as before afterwards
    (when the last import running in this process ends)."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(IMPORT_THRESHOLD, _saved[0]), *_saved[1:])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)


def for_reading_process() -> None:
    """The reading process (pipeline.py) lives for one file: what it imported at start-up is
    never garbage (frozen: never scanned again), and its young generation waits as above."""
    gc.freeze()
    gc.set_threshold(IMPORT_THRESHOLD, *gc.get_threshold()[1:])
