"""Importing a contact file through the database, beside a raw executemany of the same rows.

    .venv/bin/python -m bench.bench_import [--rows 100000] [--memory-rows 1000000]
    BENCH_IMPORT_ROWS=20000 BENCH_IMPORT_MEMORY_ROWS=0 python -m bench import

* rate: `store.importing.batch.import_file` (detect, parse, normalise, screen for
  special-category data, de-duplicate, suppress, insert contacts + companies +
  notes + search index, one IMMEDIATE transaction) for a generated Danish Excel
  sheet (cp1252, ';', phone numbers that lost their '+', CVR, notes of which
  some hold special-category words), next to a raw `executemany` of the same
  rows (the file's cells, read with the csv module beforehand) into a plain
  table of a SQLCipher file with the same key handling and pragmas, measured
  in the same run.  The parser alone (`read_candidates`, no database) is shown
  too, so the split between parsing and storing is visible.
  Target: import_file at least 1/4 of the raw rate.
* memory: peak RSS of a fresh interpreter that imports a file of --memory-rows
  rows (it streams: the peak should not grow with the file).  Target: < 150 MiB
  for 1,000,000 rows.

CPU seconds are printed beside wall seconds: on a shared machine the wall clock
also counts time other processes held the CPU.  Results go to
bench/results/bench_import.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = HERE / "results"
TARGET_RATIO = 0.25
TARGET_RSS_MIB = 150
NOTES = ("Ring efter kl. 16", "", "Interesseret i varmepumper", "Har diabetes", "", "Medlem af 3F")
FIRST = ("Jørgen", "Mette", "Søren", "Anne", "Lars", "Kirsten", "Mads", "Freja", "Niels", "Ida")
LAST = ("Hansen", "Nielsen", "Jensen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen")
HEADER = "Fornavn;Efternavn;Firma;Telefon;Mobil;E-mail;Stilling;CVR;Postnr;By;Noter"


def generate(path: Path, rows: int) -> None:
    """The Danish Excel case: cp1252, ';', CRLF, numbers without '+', one CVR per firm."""
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for i in range(rows):
            fh.write(
                f"{FIRST[i % 10]};{LAST[i % 8]} {i // 80};Firma {i % 977} ApS;45{20000000 + i % 9_000_000};"
                f"{30000000 + i % 9_000_000};person{i}@firma{i % 97}.dk;Indkøber;24256790;"
                f"{1000 + i % 8999};Århus C;{NOTES[i % len(NOTES)]}\r\n"
            )


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def new_store(folder: Path):
    from store import runtime
    from store.config import load_config, write_config

    folder.mkdir(parents=True)
    write_config(folder / "minicrm.toml", "crm.db", "crm.key")
    runtime.create_store(load_config(folder / "minicrm.toml"))


def bench_rate(work: Path, rows: int) -> dict:
    from store import runtime
    from store.db import database, new_key_file, open_database
    from store.importing import read_candidates
    from store.importing.batch import import_file
    from store.scope import Scope

    sheet = work / "kunder.csv"
    generate(sheet, rows)

    # the parser alone
    with Clock() as parse, read_candidates(sheet) as reader:
        parsed = sum(1 for _ in reader)
    assert parsed == rows, parsed

    # the import, through the store
    new_store(work / "store")
    with Clock() as full:
        report = import_file(Scope.console(), sheet)
    assert report.new == rows, report.summary()
    runtime.close_store()

    # the raw floor: the same rows (the file's cells), one executemany, one transaction
    with sheet.open(encoding="cp1252", newline="") as fh:
        cells = [tuple(r) for r in csv.reader(fh, delimiter=";")][1:]
    width = len(HEADER.split(";"))
    key = new_key_file(work / "raw.key")
    open_database(work / "raw.db", key, create=True)
    database.execute_sql(f"CREATE TABLE plain (id INTEGER PRIMARY KEY, "
                         f"{', '.join(f'c{i} TEXT' for i in range(width))})")
    with Clock() as raw, database.atomic():
        database.connection().executemany(
            f"INSERT INTO plain ({', '.join(f'c{i}' for i in range(width))}) "
            f"VALUES ({','.join('?' * width)})", cells)
    database.close()
    del cells
    return {
        "rows": rows,
        "file_mib": sheet.stat().st_size / 2**20,
        "flagged": report.flagged,
        "parse_rows_per_s": rows / parse.wall, "parse_rows_per_cpu_s": rows / parse.cpu,
        "import_rows_per_s": rows / full.wall, "import_rows_per_cpu_s": rows / full.cpu,
        "raw_rows_per_s": rows / raw.wall, "raw_rows_per_cpu_s": rows / raw.cpu,
        "ratio": (rows / full.wall) / (rows / raw.wall),
        "ratio_cpu": (rows / full.cpu) / (rows / raw.cpu),
    }


CHILD = """
import resource, sys, time
sys.path.insert(0, sys.argv[3])


def peak_mib():
    # VmHWM is this process's own high-water mark; ru_maxrss would also count the parent's
    # pages at fork time (Linux keeps that figure across exec)
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


from store import accounts, runtime
from store.config import load_config
from store.importing.batch import import_file
from store.scope import Scope
runtime.open_store(load_config(sys.argv[1]))
before = peak_mib()
t0, c0 = time.perf_counter(), time.process_time()
report = import_file(Scope.console(), sys.argv[2])
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(report.new, before, peak_mib(), wall, cpu)
"""


def bench_memory(work: Path, rows: int) -> dict:
    from store import runtime

    sheet = work / "big.csv"
    generate(sheet, rows)
    new_store(work / "big-store")
    runtime.close_store()
    out = subprocess.run([sys.executable, "-c", CHILD, str(work / "big-store" / "minicrm.toml"), str(sheet),
                          str(ROOT)], capture_output=True, text=True, check=True)
    new, before, peak, wall, cpu = out.stdout.split()
    assert int(new) == rows, out.stdout
    return {"rows": rows, "file_mib": sheet.stat().st_size / 2**20, "rss_start_mib": float(before),
            "peak_rss_mib": float(peak), "rows_per_s": rows / float(wall), "rows_per_cpu_s": rows / float(cpu)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_IMPORT_ROWS", "100000")))
    parser.add_argument("--memory-rows", type=int,
                        default=int(os.environ.get("BENCH_IMPORT_MEMORY_ROWS", "1000000")))
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "target_ratio": TARGET_RATIO, "target_peak_rss_mib": TARGET_RSS_MIB}
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        if args.rows:
            r = report["rate"] = bench_rate(work, args.rows)
            print(f"\nImport of {r['rows']:,} rows ({r['file_mib']:.1f} MiB cp1252 ';' sheet, "
                  f"{r['flagged']:,} rows with special-category notes); x = path / raw")
            print(table(("path", "rows/s (wall)", "rows/CPU-s", "x raw (wall)", "x raw (CPU)", "target"), [
                ("raw executemany, plain table", f"{r['raw_rows_per_s']:,.0f}", f"{r['raw_rows_per_cpu_s']:,.0f}",
                 "1.00", "1.00", ""),
                ("read_candidates (parse only)", f"{r['parse_rows_per_s']:,.0f}",
                 f"{r['parse_rows_per_cpu_s']:,.0f}", f"{r['parse_rows_per_s'] / r['raw_rows_per_s']:.3f}",
                 f"{r['parse_rows_per_cpu_s'] / r['raw_rows_per_cpu_s']:.3f}", ""),
                ("import_file (parse + store)", f"{r['import_rows_per_s']:,.0f}",
                 f"{r['import_rows_per_cpu_s']:,.0f}", f"{r['ratio']:.3f}", f"{r['ratio_cpu']:.3f}",
                 "ok" if r["ratio"] >= TARGET_RATIO else f"MISSED (>= {TARGET_RATIO})"),
            ]))
        if args.memory_rows:
            m = report["memory"] = bench_memory(work, args.memory_rows)
            print(f"\nPeak RSS importing {m['rows']:,} rows ({m['file_mib']:.0f} MiB) in a fresh interpreter: "
                  f"{m['peak_rss_mib']:.0f} MiB (after start-up: {m['rss_start_mib']:.0f} MiB; target < "
                  f"{TARGET_RSS_MIB} MiB: {'ok' if m['peak_rss_mib'] < TARGET_RSS_MIB else 'MISSED'}); "
                  f"{m['rows_per_s']:,.0f} rows/s, {m['rows_per_cpu_s']:,.0f} rows/CPU-s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = RESULTS / "bench_import.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
