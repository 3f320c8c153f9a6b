"""Fixtures for the review's findings: a store whose busy timeout is short, and another
process that holds the write lock until told to let go (the import that used to stop the office)."""
from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from waiting import wait_for

from store.config import write_config

BUSY_TIMEOUT_MS = 400  # short, so "busy past the timeout" takes well under a second


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "minicrm.toml"
    write_config(path, "crm.db", "crm.key", database={"busy_timeout_ms": BUSY_TIMEOUT_MS})
    return path


HOLDER = """
runtime.open_store()
release = sys.argv[1]
database.execute_sql("BEGIN IMMEDIATE")
database.execute_sql("UPDATE contact SET version = version WHERE id = -1")  # a writer, like an import
print("holding", flush=True)
while not os.path.exists(release):
    time.sleep(0.01)
database.execute_sql("COMMIT")
print("released", flush=True)
"""


@pytest.fixture
def write_lock_held(store, tmp_path, spawn_python):
    """A context manager: inside it another process holds BEGIN IMMEDIATE on the store's file."""

    @contextlib.contextmanager
    def held():
        release = tmp_path / f"release-{id(held)}"
        proc = spawn_python(store, HOLDER, release)
        try:
            assert proc.stdout.readline().strip() == "holding", proc.stderr.read()
            yield proc
        finally:
            release.touch()
            out, err = proc.communicate(timeout=60)
            assert "released" in out, err
            wait_for(lambda: proc.returncode is not None, what="the lock holder to end")

    return held
