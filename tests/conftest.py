"""Shared fixtures: a fresh encrypted store per test, one user per role, and
helpers that run code or the `minicrm` command in a separate process.

Every test gets its own files under tmp_path (pytest-xdist runs tests in
parallel, so nothing is shared).  Nothing here mocks the store.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from child_env import _env, minicrm_command, python_command  # also imported by tests directly
from sample_exports import missing_samples_line, samples_folder

from store.config import Config, load_config, write_config

ROLES = ("admin", "manager", "sales", "finance", "privacy")
SUBPROCESS_TIMEOUT = 120

# --- the UI language -------------------------------------------------------------------

@pytest.fixture(autouse=True)
def ui_language_restored():
    """The UI language is process-global (tui/i18n.py): a Danish test must not leave the
    next test in the same worker speaking Danish.  Only touches tui.i18n if it is loaded,
    so store and console tests never import the UI because of this fixture."""
    before = sys.modules.get("tui.i18n")
    saved = (before._language, before._translation) if before is not None else None
    yield
    i18n = sys.modules.get("tui.i18n")
    if i18n is None:
        return
    if saved is None:  # first loaded during the test: back to the module's own default
        import gettext

        saved = ("en", gettext.NullTranslations())
    i18n._language, i18n._translation = saved


# --- the vendor sample exports (where: tests/sample_exports.py) -------------------------

@pytest.fixture(scope="session")
def samples() -> Path:
    """The sample exports' folder.  Absent: the test is skipped with one line saying where
    they are expected; under CI=true their absence is a failure (CI never silently skips)."""
    folder = samples_folder()
    if not folder.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing_samples_line(folder), pytrace=False)
        pytest.skip(missing_samples_line(folder))
    return folder



@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """A config file for a store that does not exist yet (`minicrm init` creates it)."""
    path = tmp_path / "minicrm.toml"
    write_config(path, "crm.db", "crm.key")
    return path


@pytest.fixture
def store(config_path: Path):
    """A new encrypted store with the latest schema, open in this process; yields its Config."""
    from store import audit, runtime

    config = load_config(config_path)
    runtime.create_store(config)
    try:
        yield config
    finally:
        audit._pending_searches.clear()  # a test's unflushed searches are not the next test's
        runtime.close_store()


@pytest.fixture
def closed_store(store):
    """A new store that this process has closed again: for tests that only use
    other processes (the `minicrm` command, concurrent writers) on the file."""
    from store import runtime

    runtime.close_store()
    return store


@pytest.fixture
def users(store) -> dict:
    """One user per role, plus a second seller: {"admin": User, ..., "sales2": User}.

    Created directly (no password): these tests are about scopes, not logins,
    and bcrypt at the production cost would take a second per test.
    """
    from store.db import database
    from store.models import User

    made = {}
    with database.atomic():
        for name in (*ROLES, "sales2"):
            role = name.rstrip("2")
            made[name] = User.create(username=f"{name}-user", role=role, must_change_password=False)
    return made


# --- other processes ------------------------------------------------------------

def _run_python(config, code: str, *args, timeout: float = SUBPROCESS_TIMEOUT,
               check: bool = True) -> subprocess.CompletedProcess:
    """Run a snippet in a fresh interpreter with MINICRM_CONFIG pointing at `config`.

    The snippet opens the store itself (`runtime.open_store()`), so it goes
    through the same start-up as the real program.
    """
    proc = subprocess.run(python_command(code, *args), env=_env(config), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"snippet failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _spawn_python(config, code: str, *args) -> subprocess.Popen:
    """Start a snippet without waiting (for tests that need processes at the same time)."""
    return subprocess.Popen(python_command(code, *args), env=_env(config), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def _run_cli(config, *args: str, timeout: float = SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    """`minicrm --config <config> args...` with no terminal and no standard input."""
    path = config.source if isinstance(config, Config) else Path(config)
    return subprocess.run([*minicrm_command(), "--config", str(path), *args], env=_env(path),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def run_python():
    """run_python(config, code, *args) -> CompletedProcess (raises unless exit 0; check=False to allow)."""
    return _run_python


@pytest.fixture
def spawn_python():
    """spawn_python(config, code, *args) -> Popen, for processes that must overlap."""
    return _spawn_python


@pytest.fixture
def run_cli():
    """run_cli(config, *args) -> CompletedProcess of `minicrm --config <config> args...`."""
    return _run_cli


# --- the suites' figure lines (tests/suites) --------------------------------------------------
# Each suite reports one line of figures ("crash: 100 kills, ..."), printed in the terminal
# summary.  Under pytest-xdist the lines are written by the workers, so they go through a
# file the controller names before the workers start (they inherit the environment).
FIGURES_ENV = "MINICRM_SUITE_FIGURES"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        folder = Path(tempfile.mkdtemp(prefix="minicrm-figures-"))
        os.environ[FIGURES_ENV] = str(folder / "figures.jsonl")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput"):
        return
    path = Path(os.environ.get(FIGURES_ENV, ""))
    if not path.is_file():
        return
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if lines:
        terminalreporter.write_sep("-", "suite figures")
        for entry in sorted(lines, key=lambda e: e["suite"]):
            terminalreporter.write_line(f"{entry['suite']}: {entry['figures']}")
    path.unlink()
    path.parent.rmdir()


@pytest.fixture
def suite_figures():
    """suite_figures(suite, text): the suite's one line for the terminal summary."""

    def report(suite: str, figures: str) -> None:
        with open(os.environ[FIGURES_ENV], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"suite": suite, "figures": figures}) + "\n")

    return report
