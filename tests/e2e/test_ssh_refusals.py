"""What the SSH door refuses: shells, unknown commands, forwarding, sftp."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from sshd_harness import audit_rows, free_port, last_audit_id

ONE_LINE = 1


REFUSED = [  # (what the client asks for, the reason code audited)
    ("/bin/sh", "unknown_command"),
    ("sh -c id", "unknown_command"),
    ("bash -i", "unknown_command"),
    ("rm -rf /", "unknown_command"),
    ("true", "unknown_command"),
    ("export person 1", "no_code"),
    ("export person ../../etc/passwd --otp 123456", "bad_arguments"),
    ("import --otp 123456 /etc/passwd", "bad_arguments"),
    ("import --otp 1 --shell", "bad_arguments"),
    ("export person 1 --otp 'unbalanced", "unparsable"),
    ("import --otp 123456; touch /tmp/minicrm-pwned", "bad_arguments"),
    ("$(touch /tmp/minicrm-pwned)", "unknown_command"),
    ("`touch /tmp/minicrm-pwned`", "unknown_command"),
]


def test_anything_but_the_batch_commands_is_refused_in_one_line_and_audited(server):
    """No command reaches a shell; each refusal is one line and one audit row (the
    connections run side by side: each costs a second of process start-up)."""
    from concurrent.futures import ThreadPoolExecutor

    before = last_audit_id(server)
    kim = server.staff["kim"]
    with ThreadPoolExecutor(len(REFUSED)) as pool:
        results = list(pool.map(lambda c: server.ssh(kim.key, c[0]), REFUSED))
    for (command, _), res in zip(REFUSED, results, strict=True):
        assert res.returncode == 2, (command, res)
        assert res.stdout == b"", command
        assert res.stderr.startswith(b"minicrm: refused") and res.stderr.count(b"\n") == ONE_LINE, (
            command, res.stderr)
    assert not Path("/tmp/minicrm-pwned").exists()
    rows = audit_rows(server, "ssh.refused", since=before)
    assert sorted(r["detail"]["reason"] for r in rows) == sorted(reason for _, reason in REFUSED)
    assert {r["actor"] for r in rows} == {rows[0]["actor"]} and rows[0]["actor"] is not None
    assert all(r["entity"] == "ssh_key" and r["entity_id"] == kim.key_id for r in rows)
    assert "passwd" not in json.dumps(rows) and "touch" not in json.dumps(rows)  # words not kept


def test_a_command_outside_the_role_is_refused_and_audited(server):
    before = last_audit_id(server)
    gina = server.staff["gina"]
    res = server.ssh(gina.key, f"export person 1 --otp {gina.code()}")
    assert res.returncode == 2 and b"may not do this: person.export" in res.stderr
    actions = [r["action"] for r in audit_rows(server, since=before)]
    assert "access.forbidden" in actions and "ssh.refused" in actions
    res = server.ssh(gina.key, f"mailing export kunder --otp {gina.code()}")
    assert res.returncode == 2 and b"mailing.export" in res.stderr


def test_sftp_and_scp_are_refused(server, tmp_path):
    kim = server.staff["kim"]
    res = subprocess.run(["sftp", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
                          "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-i", str(kim.key),
                          "-P", str(server.port), f"{server.account}@127.0.0.1"],
                         input=b"ls\n", capture_output=True, timeout=60)
    assert res.returncode != 0
    target = tmp_path / "copy"
    res = subprocess.run(["scp", "-O", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
                          "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-i", str(kim.key),
                          "-P", str(server.port), f"{server.account}@127.0.0.1:data/crm.key", str(target)],
                         capture_output=True, timeout=60)
    assert res.returncode != 0 and not target.exists()


def test_local_port_forwarding_is_refused(server):
    """`ssh -L`: the server may not open connections for the client."""
    hits = []
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen()
    target.settimeout(5)

    def accept():
        try:
            conn, _ = target.accept()
            hits.append(conn)
            conn.sendall(b"hello")
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    local = free_port()
    kim = server.staff["kim"]
    proc = subprocess.Popen(server.ssh_argv(kim.key, options=(
        "-N", "-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes",
        "-L", f"{local}:127.0.0.1:{target.getsockname()[1]}")),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        data = b""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", local), timeout=2) as c:
                    c.settimeout(3)
                    with contextlib.suppress(OSError):
                        data = c.recv(10)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert data == b"" and not hits
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # (seen once under load: ssh still in its exit) what it said so far
            proc.kill()
            _, err = proc.communicate(timeout=30)
        target.close()
    assert b"administratively prohibited" in err or b"open failed" in err, err


def test_remote_port_forwarding_is_refused(server):
    kim = server.staff["kim"]
    port = free_port()
    res = subprocess.run(server.ssh_argv(kim.key, options=(
        "-N", "-o", "ExitOnForwardFailure=yes", "-R", f"{port}:127.0.0.1:22")),
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert res.returncode != 0 and b"forwarding failed" in res.stderr


def test_agent_forwarding_is_refused(server, tmux, tmp_path):
    """`ssh -A`: no agent socket appears on the server for the session."""
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        kim = server.staff["kim"]
        subprocess.run(["ssh-add", str(kim.key)], env={**os.environ, "SSH_AUTH_SOCK": str(sock)},
                       check=True, capture_output=True)
        argv = server.ssh_argv(kim.key, tty=True, options=("-A", "-o", f"IdentityAgent={sock}",
                                                            "-o", f"ForwardAgent={sock}"))
        pane = tmux.open(f"agent-{time.monotonic_ns()}", argv)
        pane.wait_for(r"User name\s+kim", timeout=30)
        sessions = [p for p in server.account_pids() if b"--key" in _cmdline(p)]
        assert sessions
        for pid in sessions:
            env = _environ(pid)
            assert "SSH_AUTH_SOCK" not in env
            assert env.get("COLORTERM") == "truecolor"  # SetEnv from the Match block reached it
        assert not [p for p in Path("/tmp").glob("ssh-*") if p.stat().st_uid == _uid(server)]
        pane.keys("C-q")
        pane.wait_dead(10)
    finally:
        agent.terminate()
        agent.wait(10)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.decode(errors="replace").partition("=")[::2] for item in raw.split(b"\0") if item)


def _uid(server) -> int:
    import pwd

    return pwd.getpwnam(server.account).pw_uid
