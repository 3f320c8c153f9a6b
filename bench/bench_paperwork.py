"""Generated paperwork: what reading the measures from the running system costs.

    .venv/bin/python -m bench.bench_paperwork [--audit-rows 100000] [--repeat 5]

A fresh encrypted store gets `--audit-rows` audit rows (the chain the record of processing
checks).  Medians of `--repeat`, in the same run:

* baseline: the privacy notice as Markdown (config, field metadata and retention rules only);
* ropa md:  the record of processing as Markdown, which also reads the system's measures
            (SQLCipher pragmas, 2FA enrolment, the whole audit chain verified, the last backup);
* verify:   `audit.verify()` alone, the part of the measures that grows with the trail;
* ropa pdf: the record of processing through WeasyPrint (skipped when it cannot load).
Printed and written to bench/results/bench_paperwork.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audit-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from store import audit, paperwork, runtime
    from store.config import load_config, write_config
    from store.db import database

    with tempfile.TemporaryDirectory() as tmp_name:
        cfg_path = Path(tmp_name) / "minicrm.toml"
        write_config(cfg_path, "crm.db", "crm.key", company={"name": "Bench ApS", "cvr": "35954716"})
        runtime.create_store(load_config(cfg_path))
        started = time.perf_counter()
        with database.atomic():
            for n in range(args.audit_rows):
                audit.record(None, "contact.view", "contact", n + 1)
        print(f"store: {args.audit_rows:,} audit rows in {time.perf_counter() - started:.1f} s")

        figures = {
            "baseline privacy-notice md": median_seconds(lambda: paperwork.render("privacy-notice", "en"),
                                                         args.repeat),
            "ropa md": median_seconds(lambda: paperwork.render("ropa", "en"), args.repeat),
            "audit.verify alone": median_seconds(audit.verify, args.repeat),
        }
        try:
            import weasyprint  # noqa: F401
        except (ImportError, OSError) as exc:
            print(f"ropa pdf: skipped, WeasyPrint cannot load ({type(exc).__name__})")
        else:
            figures["ropa pdf"] = median_seconds(lambda: paperwork.render("ropa", "en", "pdf"), args.repeat)
        runtime.close_store()

    base = figures["baseline privacy-notice md"]
    print(f"{'what':32} {'median ms':>10} {'x baseline':>11}")
    for name, seconds in figures.items():
        print(f"{name:32} {seconds * 1000:10.1f} {seconds / base:11.1f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_paperwork.json").write_text(json.dumps(
        {"audit_rows": args.audit_rows, "repeat": args.repeat,
         "seconds": figures}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
