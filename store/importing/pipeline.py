"""Reading a big file in a second process while this one matches and writes.

Reading, normalising and screening a row, and making it ready to insert, cost more
Python than storing it (bench/bench_import.py).  In one process they take turns; here a
child process reads the file, makes each candidate ready to insert (prepared.py: its
columns as stored, sort key, note, search words, carried as `Candidate.prepared`) and
sends the candidates over a pipe, a batch at a time, while the importing process matches
and writes the chunk before: on two cores the file goes in about as fast as the slower
half.  The pipe holds a few batches (PIPE_BYTES: the child reads on while this process
holds the write lock, and waits when it is full), so memory stays bounded.

The child only reads the file (no database, no key): the candidates and the reader's
summary travel in memory, never through a file on disk.  A file error in the child
comes back as the same ImportFileError; anything else as a StoreError naming its type.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportFileError, StoreError

# Below this many rows the child's start-up (a fresh interpreter) costs more than it saves.
MIN_ROWS = 20_000
_BATCH = 500  # candidates per message


def worth_it(path: Path, expected: int | None) -> bool:
    """A big file on disk (an SSH upload lives in this process's memory: read it here)."""
    if expected is None or expected < MIN_ROWS or os.cpu_count() == 1:
        return False
    try:
        real = path.resolve()  # an SSH upload's /proc/<pid>/fd link resolves to a memfd, no file
        return real.is_file() and not str(real).startswith("/proc/")
    except OSError:
        return False


class RemoteReader:
    """Iterates the candidates a child process reads; keeps `summary` (the parent's own
    reader's, from detection) up to date with the child's counts and skipped records.

    The child reads past the first `skip` candidates without making them ready or sending
    them (a resumed import's, already in); it sends every skipped record all the same."""

    def __init__(self, path: Path, summary, options: dict, *, skip: int = 0) -> None:
        self.summary = summary
        # A fresh interpreter (no fork: this process may hold threads and a database), the
        # same Python and the same store package; messages are pickles on its standard output.
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        self._proc = subprocess.Popen([sys.executable, "-m", "store.importing.pipeline"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        _widen(self._proc.stdout)
        pickle.dump((str(path), options, skip), self._proc.stdin)
        self._proc.stdin.close()
        self._out = self._proc.stdout

    def __iter__(self) -> Iterator:
        summary = self.summary
        while True:
            try:
                kind, payload = pickle.load(self._out)
            except (EOFError, pickle.UnpicklingError):
                raise StoreError("the import's reading process stopped unexpectedly") from None
            if kind == "rows":
                cands, state = payload
                _apply(summary, state)
                yield from cands
            elif kind == "done":
                _apply(summary, payload)
                return
            elif kind == "file_error":
                path, reason, line, column = payload
                raise ImportFileError(path, reason, line=line, column=column)
            else:
                raise StoreError(f"the import's reading process failed ({payload})")

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
        self._out.close()
        self._proc.wait(timeout=10)


PIPE_BYTES = 1 << 20  # a few messages: the child reads on while this process holds the write lock


def _widen(pipe) -> None:
    """A pipe of PIPE_BYTES instead of Linux's 64 KiB (one message is a few hundred KiB), where
    the system allows it; else the pipe stays as it is (the child then waits a little sooner)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux; above /proc/sys/fs/pipe-max-size
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _state(summary, sent: int) -> dict:
    return {"records": summary.records, "candidates": summary.candidates,
            "candidates_with_errors": summary.candidates_with_errors,
            "candidates_flagged": summary.candidates_flagged, "skipped_count": summary.skipped_count,
            "skipped": summary.skipped[sent:], "dropped_columns": list(summary.dropped_columns),
            "finished": summary.finished}


def _apply(summary, state: dict) -> None:
    skipped = state.pop("skipped")
    for name, value in state.items():
        setattr(summary, name, value)
    summary.skipped.extend(skipped)


class _Out:
    def __init__(self, stream) -> None:
        self.stream = stream

    def send(self, message) -> None:
        pickle.dump(message, self.stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()


def _send(conn, batch: list, prepare, state: dict) -> None:
    """A batch of candidates made ready to insert (here, on this core: the importing process
    then only matches and inserts), with the summary so far.  Made ready a batch at a time,
    not as each is read: each loop then runs 500 times over while the processor's caches
    hold it (an eighth less time for reading and preparing than taking turns row by row)."""
    for cand in batch:
        cand.prepared = prepare(cand)
    conn.send(("rows", (batch, state)))


def _produce(path: str, options: dict, conn, skip: int = 0) -> None:
    """The child: read the file, send candidates in batches with the summary so far (but
    the first `skip`: see RemoteReader)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importing process's to handle
    try:
        from store.importing import read_candidates
        from store.importing.collector import for_reading_process
        from store.importing.prepared import Preparer

        for_reading_process()
        prepare = Preparer()
        with read_candidates(path, mapping=options["mapping"], fmt=options["fmt"], encoding=options["encoding"],
                             delimiter=options["delimiter"], sheet=options["sheet"],
                             default_region=options["region"]) as reader:
            summary = reader.summary
            sent = 0
            batch = []
            for cand in reader:
                if skip:  # parsed (the counts and skipped records need it), neither made ready nor sent
                    skip -= 1
                    continue
                batch.append(cand)
                if len(batch) >= _BATCH:
                    _send(conn, batch, prepare, _state(summary, sent))
                    sent = len(summary.skipped)
                    batch = []
            _send(conn, batch, prepare, _state(summary, sent))
            conn.send(("done", _state(summary, len(summary.skipped))))
    except ImportFileError as exc:
        conn.send(("file_error", (exc.path, exc.reason, exc.line, exc.column)))
    except BaseException as exc:  # noqa: BLE001  (reported to the parent by type only: no values)
        with contextlib.suppress(OSError):
            conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


if __name__ == "__main__":
    _path, _options, _skip = pickle.load(sys.stdin.buffer)
    _produce(_path, _options, _Out(sys.stdout.buffer), _skip)
