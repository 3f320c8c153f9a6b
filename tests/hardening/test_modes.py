"""Files and folders that hold secrets are private from the moment they exist (issue 16)."""
from __future__ import annotations

import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from store.config import load_config, write_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_folder_is_created_0700(tmp_path):
    from store import runtime

    config_path = tmp_path / "minicrm.toml"
    write_config(config_path, "data/crm.db", "data/crm.key")  # the key file in the same new folder
    runtime.create_store(load_config(config_path))
    try:
        assert _mode(tmp_path / "data") == 0o700
        assert _mode(tmp_path / "data" / "crm.db") == 0o600
        assert _mode(tmp_path / "data" / "crm.key") == 0o600
    finally:
        runtime.close_store()


# Every audit event while the demo is built: is demo-accounts.json, if it exists yet, private?
WATCH_DEMO = """
import os, stat, sys
from pathlib import Path
folder = Path(sys.argv[1])
target = folder / "demo-accounts.json"
seen = set()
def hook(event, args):
    try:
        seen.add(stat.S_IMODE(os.stat(target).st_mode))
    except OSError:
        pass
sys.addaudithook(hook)
os.umask(0o022)
from store import passwords
from tui import demo
passwords.MIN_COST = 4  # the test suite's fast bcrypt (as tests/tui/conftest.py)
demo.build(folder, contacts=3, bcrypt_cost=4)
hook("done", ())
print(sorted(seen))
"""


def test_the_demo_accounts_file_is_never_readable_by_others(tmp_path):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(WATCH_DEMO), str(tmp_path / "demo")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[384]", "modes seen (decimal): " + proc.stdout  # 384 == 0o600
