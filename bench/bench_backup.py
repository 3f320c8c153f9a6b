"""Backups: time and size of `minicrm backup create`, restore and drill, beside sqlite3's `.backup`.

    .venv/bin/python -m bench.bench_backup [--contacts 100000] [--repeat 3]

A fresh encrypted store is filled with `store.demo.generate` (companies, deals,
invoices, consents, notes and the search index: a realistic file).  Measured,
medians of `--repeat`:

* baseline: the sqlite3 command line's `.backup` of a plain (unencrypted) copy of
  the same database (made once with `sqlcipher_export`), in the same run: the floor
  of copying this many pages with no encryption and no checks;
* copy:     the online backup API copy into a keyed file alone (files.copy_database);
* create:   `create_backup` whole: the copy, integrity_check + cipher_integrity_check,
            counts, SHA-256, manifest, fsyncs, audit row;
* drill:    `drill` (verify the newest, restore it to a temporary place, check it);
* restore:  `restore_backup` (verify, copy under the key, migrate, ledger, swap).
Sizes: the live file, the backup, the plain copy.  Printed and written to
bench/results/bench_backup.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli is None:
        print("bench_backup: the sqlite3 command line is not installed (apt-get install sqlite3)")
        return 1

    from store import backup, demo, runtime
    from store.backup import files
    from store.config import load_config, write_config
    from store.db import checkpoint, database

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cfg_path = tmp / "minicrm.toml"
        write_config(cfg_path, "crm.db", "crm.key")
        rt = runtime.create_store(load_config(cfg_path))
        t = timed(lambda: demo.generate(args.contacts))
        checkpoint()
        print(f"store: {args.contacts:,} demo contacts in {t:.1f} s")

        plain = tmp / "plain.db"
        database.execute_sql(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        database.execute_sql("SELECT sqlcipher_export('plain')")
        database.execute_sql("DETACH DATABASE plain")

        def sqlite3_backup():
            out = tmp / "plain-copy.db"
            out.unlink(missing_ok=True)
            subprocess.run([sqlite3_cli, str(plain), f".backup '{out}'"], check=True)

        def copy_only():
            out = tmp / "copy.db"
            out.unlink(missing_ok=True)
            files.copy_database(rt.config.db_path, rt.key, out, rt.key)

        manifests = []
        base = [timed(sqlite3_backup) for _ in range(args.repeat)]
        copy = [timed(copy_only) for _ in range(args.repeat)]
        create = [timed(lambda: manifests.append(backup.create_backup())) for _ in range(args.repeat)]
        drill = [timed(backup.drill) for _ in range(args.repeat)]
        newest = manifests[-1].path_in(rt.config.backup_dir)
        restore = [timed(lambda: backup.restore_backup(newest)) for _ in range(args.repeat)]

        sizes = {"live": rt.config.db_path.stat().st_size, "backup": manifests[-1].size,
                 "plain": plain.stat().st_size}
        m = {k: statistics.median(v) for k, v in
             {"sqlite3_backup_plain": base, "copy": copy, "create": create, "drill": drill,
              "restore": restore}.items()}
        floor = m["sqlite3_backup_plain"]
        print(f"baseline sqlite3 .backup of a plain copy   {floor * 1000:8.0f} ms")
        for name, label in (("copy", "backup API copy under the key      "),
                            ("create", "backup create (copy+checks+manifest)"),
                            ("drill", "backup drill                       "),
                            ("restore", "backup restore                     ")):
            print(f"{label}       {m[name] * 1000:8.0f} ms  {m[name] / floor:5.1f}x baseline")
        print(f"size: live {sizes['live'] / 1e6:.1f} MB, backup {sizes['backup'] / 1e6:.1f} MB "
              f"({sizes['backup'] / sizes['plain']:.2f}x the plain copy's {sizes['plain'] / 1e6:.1f} MB)")
        runtime.close_store()

    RESULTS.mkdir(exist_ok=True)
    report = {"contacts": args.contacts, "repeat": args.repeat, "seconds": m, "bytes": sizes,
              "ratio_to_baseline": {k: v / floor for k, v in m.items()}}
    (RESULTS / "bench_backup.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
