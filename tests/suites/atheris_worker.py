"""The coverage-guided importer fuzzer (run as a script by test_fuzz_atheris.py, `make soak` only).

    atheris_worker.py CORPUS_DIR WORK_DIR [libFuzzer flags...]

libFuzzer mutates the seed files (the vendor samples) guided by the branches it reaches in
store/ and openpyxl.  Each input is written to a file named by its content (PK: .xlsx,
BEGIN:VCARD: .vcf, else .csv), parsed by `read_candidates`, and when it parses, imported
for real by the whole pipeline (matching, suppression, batches) into the real SQLCipher store
MINICRM_CONFIG names.  A clean refusal is a `StoreError` on one line naming the file; any
other exception is a crash (libFuzzer keeps the input), as is a hang past -timeout or
memory past -rss_limit_mb.
"""
from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["store", "openpyxl"]):
    from store import runtime
    from store.errors import StoreError
    from store.importing import ImportFileError, read_candidates
    from store.importing.batch import import_file
    from store.models import User
    from store.scope import Scope

WORK = Path(sys.argv[2])
runs = {"parsed": 0, "refused": 0}


def _suffix(data: bytes) -> str:
    if data[:2] == b"PK":
        return ".xlsx"
    return ".vcf" if b"begin:vcard" in data[:4096].lower() else ".csv"


def _check(path: Path, exc: StoreError) -> None:
    message = str(exc)
    if "\n" in message or "Traceback" in message:
        raise AssertionError(f"refusal over several lines: {message[:300]!r}")
    if isinstance(exc, ImportFileError) and not message.startswith(path.name):
        raise AssertionError(f"refusal that does not name its file: {message[:300]!r}")


def one_input(data: bytes) -> None:
    path = WORK / f"fuzz{_suffix(data)}"
    path.write_bytes(data)
    try:
        with read_candidates(path) as reader:
            for _ in reader:
                pass
        import_file(MANAGER, path)  # the whole pipeline, each batch its own transaction
        runs["parsed"] += 1
    except StoreError as exc:
        _check(path, exc)
        runs["refused"] += 1
    (WORK / "counts").write_text(f"{runs['parsed']} {runs['refused']}")  # libFuzzer exits from C: no finally


if __name__ == "__main__":
    runtime.open_store()
    MANAGER = Scope(User.get(User.username == "manager-user"))
    argv = [sys.argv[0], *sys.argv[3:], sys.argv[1]]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
