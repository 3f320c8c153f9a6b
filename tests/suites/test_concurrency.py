"""Concurrency suite: a staff workload in many processes at once (8 for a short time in CI,
20 for ten minutes in soak) -- searches, opening contacts, optimistic edits, consent, notes,
a large import and small ones, one administrator adding, re-roling and revoking users.

Expected: no lock error and no traceback reaching a caller, no lost update (every
acknowledged edit is in the final state or was overwritten by a later acknowledged one;
the others were refused as conflicts), the audit chain linear, the -wal bounded.  The p95
of a save under load is reported beside its unloaded p95 from the same run (a figure, not
an assertion: speed lives in bench/).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from waiting import wait_for

from .profile import LOAD_BIG_IMPORT, LOAD_PROCESSES, LOAD_SECONDS, PROFILE

WORKER = Path(__file__).with_name("load_worker.py")
HOT = 12  # contacts everybody edits: conflicts are certain
WAL_BOUND = 256 * 1024 * 1024  # far above what a checkpointing WAL reaches; a runaway one passes it


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def _run(store, kinds: list[str], seconds: float, hot: list[int], folder: Path, wal: Path, big: int = 0):
    start = folder / f"start-{time.monotonic_ns()}"
    env = dict(os.environ, MINICRM_CONFIG=str(store.source), PYTHONUNBUFFERED="1",
               MINICRM_LOAD_BIG_IMPORT=str(big))
    procs = [subprocess.Popen([sys.executable, str(WORKER), kind, str(seconds), str(start), *map(str, hot)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              stdin=subprocess.DEVNULL) for kind in kinds]
    for proc in procs:
        line = proc.stdout.readline().strip()
        assert line == "ready", proc.stderr.read()
    # read what they write while they run: a worker blocked on a full pipe would never finish
    outputs: dict[int, tuple[str, str]] = {}
    readers = [threading.Thread(target=lambda n=n, p=p: outputs.__setitem__(n, p.communicate()), daemon=True)
               for n, p in enumerate(procs)]
    for reader in readers:
        reader.start()
    start.touch()
    wal_max = 0

    def all_done() -> bool:
        nonlocal wal_max
        wal_max = max(wal_max, wal.stat().st_size if wal.exists() else 0)
        return all(p.poll() is not None for p in procs)

    wait_for(all_done, timeout=seconds + 600, interval=0.1, what="the load processes to finish")
    results = []
    for reader in readers:
        reader.join(timeout=60)
    for n, (kind, proc) in enumerate(zip(kinds, procs, strict=True)):
        out, err = outputs[n]
        assert proc.returncode == 0, f"{kind}: {err[-3000:]}"
        assert "Traceback" not in err, f"{kind}: {err[-3000:]}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results, wal_max


def test_a_staff_workload_in_many_processes(store, users, tmp_path, suite_figures):
    from store import audit, contacts, demo
    from store.db import database
    from store.models import Contact
    from store.scope import Scope

    manager = Scope(users["manager"])
    demo.generate(300)  # something to search
    hot = [contacts.create_contact(manager, first_name=f"Varm{n}", last_name="Kontakt") for n in range(HOT)]
    wal = Path(str(store.db_path) + "-wal")

    alone, _ = _run(store, ["baseline"], 3, hot, tmp_path, wal)
    kinds = ["importer", "admin"] + ["staff"] * max(1, LOAD_PROCESSES - 2)
    loaded, wal_max = _run(store, kinds, LOAD_SECONDS, hot, tmp_path, wal, big=LOAD_BIG_IMPORT)

    errors: Counter = Counter()
    ops: Counter = Counter()
    conflicts = 0
    acks: list[tuple[int, int, str]] = []
    saves: list[float] = []
    imports: list[int] = []
    for figures in loaded:
        errors.update(figures["errors"])
        ops.update(figures["ops"])
        conflicts += figures["conflicts"]
        acks += [tuple(a) for a in figures["acks"]]
        saves += figures["saves_ms"]
        imports += figures["import_rows"]

    # Lost updates: two acknowledgements of one version, or a final state that is not the last one.
    lost = 0
    by_contact: dict[int, dict[int, str]] = {}
    for cid, version, token in acks:
        versions = by_contact.setdefault(cid, {})
        lost += version in versions
        versions[version] = token
    for cid, versions in by_contact.items():
        row = Contact.get_by_id(cid)
        lost += row.version != max(versions) or row.title != versions[max(versions)]

    chain = audit.verify()
    forks = database.execute_sql(
        "SELECT count(*) FROM (SELECT prev_hash FROM audit_event GROUP BY prev_hash HAVING count(*) > 1)"
    ).fetchone()[0]
    p95_alone, p95_loaded = _p95(alone[0]["saves_ms"]), _p95(saves)
    suite_figures("concurrency", (
        f"[{PROFILE}] {len(kinds)} processes x {LOAD_SECONDS} s: {sum(ops.values()):,} operations "
        f"({ops['search']:,} searches, {ops['open']:,} opens, {ops['save']:,} saves, {conflicts:,} refused as "
        f"conflicts, {ops['import']:,} imports incl. one of {max(imports or [0]):,} rows, "
        f"{ops['revoke']} revocations); "
        f"lock errors {errors['DatabaseBusy']}, other errors {sum(errors.values()) - errors['DatabaseBusy']}, "
        f"lost updates {lost}, audit chain {'linear' if chain.ok and not forks else 'BROKEN'} "
        f"({chain.rows:,} rows), WAL max {wal_max / 1e6:.1f} MB; save p95 {p95_loaded:.0f} ms loaded vs "
        f"{p95_alone:.0f} ms alone ({p95_loaded / max(p95_alone, 0.001):.1f}x)"))

    assert not errors, errors
    assert lost == 0
    assert chain.ok and forks == 0
    assert wal_max < WAL_BOUND
    assert ops["save"] and ops["import"] and ops["revoke"], ops
