"""Fuzzing suite, coverage-guided half (`make soak` only: the file name keeps `make test` from
collecting it): atheris mutates the vendor sample files for ATHERIS_SECONDS, guided by the
branches reached in the importers, through the whole import on a real SQLCipher store
(atheris_worker.py).  Expected: no crash, no input over the per-input timeout, no memory past
the bound; its figures are the executions and the coverage features libFuzzer reached.
"""
from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

from child_env import _env
from needs import unavailable

from .profile import ATHERIS_SECONDS, PROFILE

WORKER = Path(__file__).with_name("atheris_worker.py")
PER_INPUT_SECONDS = 20
RSS_LIMIT_MB = 2048
SEEDS = (".csv", ".vcf", ".xlsx")


def _xlsx_seed(csv_file: Path) -> bytes:
    """The samples hold no workbook: one made from a CSV sample seeds the XLSX reader."""
    import csv

    from openpyxl import Workbook

    wb = Workbook()
    rows = csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig", errors="replace")))
    for row in list(rows)[:20]:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_atheris_over_the_importers_from_the_samples(samples, store, users, tmp_path, suite_figures):
    """`store` and `users`: a real store with a manager; the worker opens it itself."""
    if importlib.util.find_spec("atheris") is None:
        unavailable("atheris is not installed (make soak installs the [soak] extra)")
    corpus, work = tmp_path / "corpus", tmp_path / "work"
    corpus.mkdir()
    work.mkdir()
    seeds = sorted(p for p in samples.rglob("*") if p.suffix.lower() in SEEDS)
    for n, seed in enumerate(seeds):
        shutil.copyfile(seed, corpus / f"{n:03d}{seed.suffix}")
    (corpus / "workbook.xlsx").write_bytes(_xlsx_seed(next(p for p in seeds if p.suffix == ".csv")))
    proc = subprocess.run(
        [sys.executable, str(WORKER), str(corpus), str(work), f"-max_total_time={ATHERIS_SECONDS}",
         f"-timeout={PER_INPUT_SECONDS}", f"-rss_limit_mb={RSS_LIMIT_MB}", "-print_final_stats=1",
         f"-artifact_prefix={work}/"],
        env=_env(store), capture_output=True, text=True, timeout=ATHERIS_SECONDS + 600,
        stdin=subprocess.DEVNULL)
    log = proc.stderr
    found = sorted(p.name for p in work.iterdir() if p.name.split("-")[0] in ("crash", "timeout", "oom", "leak"))
    assert proc.returncode == 0 and not found, f"{found}\n{log[-4000:]}"
    runs = int(re.search(r"Done (\d+) runs", log).group(1))
    cov, ft = map(int, re.findall(r"cov: (\d+) ft: (\d+)", log)[-1])
    corp = re.findall(r"corp: (\d+)", log)[-1]
    parsed, refused = (work / "counts").read_text().split()
    suite_figures("fuzz-atheris", f"[{PROFILE}] {runs:,} executions in {ATHERIS_SECONDS} s from {len(seeds) + 1} "
                                  f"sample seeds; {cov:,} coverage edges, {ft:,} features, corpus {corp}; "
                                  f"{int(parsed):,} imported, {int(refused):,} refused cleanly; 0 crashes, "
                                  f"0 hangs over {PER_INPUT_SECONDS} s, 0 over {RSS_LIMIT_MB} MB")
