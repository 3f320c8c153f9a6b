"""Every command of the README's "Running it on a server" runs as written on a fresh machine.

The machine is a throwaway root environment (tests/e2e/throwaway.py: /etc, /var, /opt, /run
and /usr/local are private overlays), the folder is a copy of this source tree, and each line
of each `sh` block runs on its own, as root, in that folder, so a failure names its line.
The one file a reader brings, `sofie.pub` (the key a staff member sent), is made first.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from needs import unavailable
from sshd_harness import REPO, Unavailable, ensure_tools
from throwaway import Throwaway

SECTION = "## Running it on a server"


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_section_shows_the_commands_this_test_runs():
    commands = readme_commands()
    assert any(c.startswith("make install") for c in commands)
    assert any("server install" in c for c in commands)
    assert any(c.startswith("minicrm doctor") for c in commands)


@pytest.fixture
def fresh_machine(tmp_path):
    box = Throwaway(tmp_path)
    try:
        ensure_tools(("sshd", "ssh-keygen"))
        box.start()
    except Unavailable as exc:
        box.stop()
        unavailable(f"README test: {exc}")
    try:
        yield box
    finally:
        box.stop()


def test_every_command_runs_as_written_on_a_fresh_machine(fresh_machine, tmp_path):
    folder = tmp_path / "minicrm"
    shutil.copytree(REPO, folder, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".demo", "build", "*.egg-info", "__pycache__", ".*_cache", "tests", "bench"))
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sofie@example", "-f",
                    str(folder / "sofie")], check=True)
    ran = []
    for command in readme_commands():
        proc = fresh_machine.run(["bash", "-c", command], check=False, cwd=folder, timeout=900)
        assert proc.returncode == 0, f"README command failed: {command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ran.append((command, proc.stdout))
    doctor = next(o for c, o in ran if c.startswith("minicrm doctor"))
    assert "FAIL" not in doctor and "WARN" not in doctor, doctor
    assert "audit trail intact" in next(o for c, o in ran if c.startswith("minicrm audit verify"))
    keys = next(o for c, o in ran if c.startswith("minicrm user keys"))
    assert "sofie" in keys and "ED25519" in keys.upper()
    assert (folder / "audit-2026.csv").read_text().startswith("id,at,actor_id,action")
    # root never opened the database: every file in its folder is the service account's
    listing = fresh_machine.sh("find /var/lib/minicrm ! -user crm").stdout
    assert listing.strip() == "", listing
