"""Tests that read the vendor samples on a clone without them: one clear skip line naming
where they are expected; under CI=true their absence fails the run (CI never silently skips)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sample_exports import REPO_ROOT, SAMPLES_VARIABLE, missing_samples_line

ONE_SAMPLE_TEST = "tests/store/importing/test_importing_layouts.py::test_google_legacy_sample"


def _pytest_on_one_sample_test(samples: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, SAMPLES_VARIABLE: str(samples), **env}
    if "CI" not in env:
        environment.pop("CI", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-n", "0", "-p", "no:randomly",
                           "-p", "no:cacheprovider", ONE_SAMPLE_TEST],
                          cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_absent_samples_skip_with_one_line_saying_where(tmp_path):
    missing = tmp_path / "no-samples-here"
    proc = _pytest_on_one_sample_test(missing)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout and "error" not in proc.stdout.lower()
    assert missing_samples_line(missing.resolve()) in proc.stdout
    assert str(missing.resolve()) in proc.stdout


def test_absent_samples_fail_under_ci(tmp_path):
    missing = tmp_path / "no-samples-here"
    proc = _pytest_on_one_sample_test(missing, CI="true")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the run fails (the fixture errors)
    assert "skipped" not in proc.stdout and "passed" not in proc.stdout
    assert missing_samples_line(missing.resolve()) in proc.stdout
