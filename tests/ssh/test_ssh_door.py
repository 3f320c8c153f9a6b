"""What sshd's forced command does with a key and a client's words, as a real process on a
real encrypted store (no sshd here): refusals end in one line and exit 2, and the store
records each one (console/ and tui/ write no audit rows themselves)."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from test_ssh_cli import _cli

ROOT = Path(__file__).resolve().parents[2]


def _refusals(since: int = 0) -> list[tuple]:
    from store.models import AuditEvent

    return [(r.actor_id, r.entity, r.entity_id, json.loads(r.detail))
            for r in AuditEvent.select().where((AuditEvent.action == "ssh.refused") & (AuditEvent.id > since))
            .order_by(AuditEvent.id)]


def test_an_unknown_key_is_refused_and_recorded(store, users):
    out = _cli(store, "session", "--key", "4242", env_extra={"SSH_ORIGINAL_COMMAND": "import --otp 1"})
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "no longer allowed" in out.stderr
    assert _refusals() == [(None, "ssh_key", 4242, {"reason": "key", "command": "-"})]


def test_a_command_not_on_the_list_is_refused_and_recorded_without_its_text(store, users, keys):
    added = _cli(store, "user", "add-key", users["sales"].username, f"{keys.path('ed25519')}.pub")
    assert added.returncode == 0, added.stderr
    key_id = int(re.search(r"Added key (\d+)", added.stdout).group(1))
    words = "cat /etc/passwd; echo Søren"
    out = _cli(store, "session", "--key", str(key_id), env_extra={"SSH_ORIGINAL_COMMAND": words})
    assert out.returncode == 2 and out.stderr.startswith("minicrm: refused: not an allowed command")
    assert _refusals() == [(users["sales"].id, "ssh_key", key_id,
                            {"reason": "unknown_command", "command": "unknown", "chars": len(words)})]
    assert "Søren" not in json.dumps(_refusals(), ensure_ascii=False)


def test_the_ssh_front_ends_write_no_audit_rows_themselves():
    """The store records what happened at the SSH door (store/sshaccess.py)."""
    offenders = []
    for path in (ROOT / "console" / "batch.py", ROOT / "tui" / "sshsession.py", ROOT / "tui" / "ssh_app.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "record" \
                    and isinstance(node.value, ast.Name) and node.value.id == "audit":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
