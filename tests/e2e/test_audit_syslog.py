"""`minicrm audit checkpoint` sends the head to the system log as well as to the file.

In a throwaway environment whose /dev is private (tests/e2e/throwaway.py), a listener holds
/dev/log, where syslog(3) and journald's syslog socket receive messages; the line it gets is
the one `journalctl -t minicrm-audit` shows on a real server, and it holds ids and hashes only.
"""
from __future__ import annotations

import json
import sys
import textwrap

import pytest
from needs import unavailable
from sshd_harness import REPO, Unavailable
from throwaway import PRIVATE, Throwaway

LISTEN = textwrap.dedent("""\
    import socket, subprocess, sys
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    s.settimeout(60)
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    print(done.stdout, end="")
    print(done.stderr, end="", file=sys.stderr)
    print("SYSLOG " + s.recv(4096).decode())
    """)


@pytest.fixture
def box(tmp_path):
    box = Throwaway(tmp_path / "box", private=(*PRIVATE, "/dev"))
    (tmp_path / "box").mkdir()
    try:
        box.start()
    except Unavailable as exc:
        box.stop()
        unavailable(f"syslog test: {exc}")
    try:
        yield box
    finally:
        box.stop()


def test_the_checkpoint_reaches_the_system_log(box, closed_store):
    minicrm = [sys.executable, "-m", "console"]
    proc = box.run([sys.executable, "-c", LISTEN, *minicrm, "--config", str(closed_store.source),
                    "audit", "checkpoint"], timeout=120,
                   cwd=REPO)
    assert "and the system log" in proc.stdout
    message = proc.stdout.split("SYSLOG ", 1)[1].strip()
    line = json.loads((closed_store.source.parent / "audit-checkpoints.jsonl").read_text().splitlines()[-1])
    assert message.startswith("<")  # priority: LOG_AUTH | LOG_NOTICE
    assert int(message[1:message.index(">")]) == 4 * 8 + 5
    assert "minicrm-audit[" in message
    assert message.endswith(f"audit checkpoint seq={line['seq']} head={line['head']} rows={line['rows']} "
                            f"database={closed_store.db_path}")
