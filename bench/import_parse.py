"""Importer parsing benchmark: rows/s and peak RSS for a generated Danish CSV.

    .venv/bin/python bench/import_parse.py [ROWS]      (default 1,000,000)

Writes a cp1252 ';'-separated sheet (the Danish Excel case, with phone numbers that
lost their '+', a CVR, notes of which some hold special-category words) to a temp
folder, reads it through ``store.importing.read_candidates`` and prints the rate and
the peak resident memory.  Peak RSS should not grow with ROWS: the reader streams.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store.importing import read_candidates  # noqa: E402

NOTES = ("Ring efter kl. 16", "", "Interesseret i varmepumper", "Har diabetes", "", "Medlem af 3F")


def generate(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write("Navn;Firma;Telefon;Mobil;E-mail;Stilling;CVR;Postnr;By;Noter\r\n")
        for i in range(rows):
            fh.write(
                f"Jørgen Hansen {i};Firma {i % 977} ApS;45{20000000 + i % 9_000_000};"
                f"{30000000 + i % 9_000_000};person{i}@firma{i % 97}.dk;Indkøber;24256790;"
                f"{1000 + i % 8999};Århus C;{NOTES[i % len(NOTES)]}\r\n"
            )


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kunder.csv"
        t0 = time.perf_counter()
        generate(path, rows)
        size = path.stat().st_size
        print(f"generated {rows:,} rows, {size / 2**20:.1f} MiB in {time.perf_counter() - t0:.1f} s")
        rss_before = peak_rss_mib()
        t0 = time.perf_counter()
        count = flagged = errors = 0
        with read_candidates(path) as reader:
            for cand in reader:
                count += 1
                flagged += bool(cand.flags)
                errors += bool(cand.errors)
        elapsed = time.perf_counter() - t0
        print(f"import_parse: {count:,} candidates ({flagged:,} flagged, {errors:,} with errors) "
              f"in {elapsed:.1f} s = {count / elapsed:,.0f} rows/s")
        print(f"peak RSS: {peak_rss_mib():.1f} MiB (before reading: {rss_before:.1f} MiB)")


if __name__ == "__main__":
    main()
