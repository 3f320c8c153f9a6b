"""`minicrm server install` on a fresh machine (a throwaway root environment: tests/e2e/throwaway.py),
then a real `ssh` login through the sshd it configured, a second run that changes nothing, and
`minicrm doctor` on the result.

The machine's own sshd_config (Debian's, with UsePAM yes) is the one changed; sshd runs from the
start, on a free port on 127.0.0.1, so the install has to reload it for the login to work.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from needs import unavailable
from sshd_harness import SEARCH_READY, Server, Staff, Tmux, Unavailable, ensure_tools, free_port, log_in
from throwaway import Throwaway

ACCOUNT = "crm"
PROGRAM = "/opt/minicrm/bin/minicrm"
CONFIG = "/etc/minicrm/config.toml"


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    work = tmp_path_factory.mktemp("install")
    box = Throwaway(work)
    try:
        ensure_tools()
        box.start()
    except Unavailable as exc:
        box.stop()
        unavailable(f"server install test: {exc}")
    box.port = free_port()
    try:
        yield box
    finally:
        box.stop()


def _start_sshd(box) -> subprocess.Popen:
    box.sh("install -d -m 0755 /run/sshd")
    log = open(box.work / "sshd.log", "wb")  # noqa: SIM115 -- sshd keeps it for its whole life
    sshd = box.popen(["/usr/sbin/sshd", "-D", "-e", "-p", str(box.port), "-o", "ListenAddress=127.0.0.1"],
                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert sshd.poll() is None, (box.work / "sshd.log").read_text()
        try:
            with socket.create_connection(("127.0.0.1", box.port), 0.5):
                break
        except OSError:
            time.sleep(0.05)
    # the pid file appears once sshd listens: the install reloads sshd through it
    while time.monotonic() < deadline and box.sh("test -s /run/sshd.pid", check=False).returncode != 0:
        time.sleep(0.05)
    return sshd


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def installed(machine):
    machine.install_program()
    _start_sshd(machine)
    dry = machine.run([PROGRAM, "server", "install", "--account", ACCOUNT, "--prefix", "/opt/minicrm", "--dry-run"])
    assert machine.sh(f"test -e {CONFIG} || id {ACCOUNT}", check=False).returncode != 0  # the dry run changed nothing
    first = machine.run([PROGRAM, "server", "install", "--account", ACCOUNT, "--prefix", "/opt/minicrm"])
    return dry.stdout, first.stdout


def test_the_install_creates_what_it_said_it_would(machine, installed):
    dry, first = installed
    would = [line.split(None, 1)[1] for line in _lines(dry) if line.startswith("would")]
    done = [line.split(None, 1)[1] for line in _lines(first) if line.startswith("change")]
    assert would == done
    assert "RECOVERY COPY OF THE DATABASE KEY" in first   # shown to the operator once
    stat = machine.run(["stat", "-c", "%n %U:%G %a", "/etc/minicrm", CONFIG, "/var/lib/minicrm",
                        "/var/lib/minicrm/crm.key", "/var/lib/minicrm/crm.db", "/var/lib/minicrm/backups",
                        "/var/log/minicrm"]).stdout.splitlines()
    assert stat == ["/etc/minicrm root:root 755", f"{CONFIG} root:crm 640", "/var/lib/minicrm crm:crm 700",
                    "/var/lib/minicrm/crm.key crm:crm 600", "/var/lib/minicrm/crm.db crm:crm 600",
                    "/var/lib/minicrm/backups crm:crm 700", "/var/log/minicrm crm:crm 750"]
    sshd_config = machine.run(["cat", "/etc/ssh/sshd_config"]).stdout
    assert sshd_config.rstrip().endswith("# END MiniCRM")  # a Match block runs to the end of the file
    assert f"AuthorizedKeysCommand {PROGRAM} ssh authorized-keys %u %t %k" in sshd_config
    units = machine.run(["ls", "/etc/systemd/system"]).stdout.split()
    assert {"minicrm-audit-checkpoint.timer", "minicrm-hygiene.timer"} <= set(units)
    checkpoint = machine.run(["cat", "/var/log/minicrm/audit-checkpoints.jsonl"]).stdout
    assert json.loads(checkpoint.splitlines()[0])["seq"] >= 1  # the trail is anchored from the start


def test_a_second_run_changes_nothing_and_says_so(machine, installed):
    again = machine.run([PROGRAM, "server", "install", "--account", ACCOUNT, "--prefix", "/opt/minicrm"])
    lines = _lines(again.stdout)
    assert lines[-1] == "nothing to change: the server is set up as it should be"
    assert all(line.split()[0] in ("ok", "note", "nothing") for line in lines), again.stdout
    machine.run(["chmod", "0755", "/var/lib/minicrm"])  # somebody loosened it
    fixed = machine.run([PROGRAM, "server", "install", "--dry-run"])
    assert "would    /var/lib/minicrm: mode 0755 -> 0700" in fixed.stdout
    machine.run([PROGRAM, "server", "install"])
    assert machine.run(["stat", "-c", "%a", "/var/lib/minicrm"]).stdout.strip() == "700"


def _add_staff(machine, name: str, role: str, work: Path) -> Staff:
    """A user with a password, an enrolled TOTP secret and an SSH key (as the e2e harness makes them)."""
    import secrets

    import pyotp

    key = work / f"id_{name}"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    staff = Staff(name, role, "Pw-" + secrets.token_urlsafe(12), pyotp.random_base32(), key)
    machine.run(["runuser", "-u", ACCOUNT, "--", PROGRAM, "user", "add", name, "--role", role])
    machine.run(["runuser", "-u", ACCOUNT, "--", PROGRAM, "user", "add-key", name, "-"],
                input=Path(f"{key}.pub").read_text())
    code = """
        import json, sys
        from store import passwords, secretbox
        from store.auth import factors
        from store.db import database
        from store.models import User
        from store.runtime import open_store
        rt = open_store()
        u = json.loads(sys.stdin.read())
        user = User.get(User.username == u["name"])
        sealed = secretbox.seal(factors.totp_key(), u["secret"].encode("ascii"), aad=factors.aad(user.id))
        with database.atomic():
            User.update(password_hash=passwords.hash_password(u["password"], cost=rt.config["auth.bcrypt_cost"]),
                        must_change_password=False, totp_enrolled=True, totp_secret=sealed
                        ).where(User.id == user.id).execute()
        """
    wrapper = machine.run(["cat", PROGRAM]).stdout
    launch = re.search(r"^exec (\S+) -I -c '(.*?)import sys; from console", wrapper, re.M)
    assert launch, wrapper
    machine.run(["runuser", "-u", ACCOUNT, "--", "env", f"MINICRM_CONFIG={CONFIG}", launch.group(1), "-I", "-c",
                 launch.group(2) + __import__("textwrap").dedent(code)],
                input=json.dumps({"name": name, "password": staff.password, "secret": staff.secret}))
    return staff


def test_staff_log_in_over_real_ssh_through_the_installed_sshd(machine, installed):
    sofie = _add_staff(machine, "sofie", "sales", machine.work)
    server = Server(machine.work, account=ACCOUNT, port=machine.port)
    server.staff["sofie"] = sofie
    tmux = Tmux(machine.work)
    try:
        pane = log_in(tmux, server, "sofie")
        pane.wait_for(SEARCH_READY, timeout=60)
        pane.keys("C-q")
        pane.wait_dead(30)
    finally:
        tmux.close()
    refused = server.ssh(sofie.key, "/bin/sh", "-c", "id")  # no shell for anyone, a known key or not
    assert refused.returncode != 0 and b"uid=" not in refused.stdout


def test_doctor_checks_the_installed_server_line_by_line(machine, installed):
    proc = machine.run([PROGRAM, "doctor"], check=False)
    lines = _lines(proc.stdout)
    status = {line[6:].split(":")[0]: line.split()[0] for line in lines}
    for check in ("key file", "database folder", "sshd config", "sshd effective config", "AuthorizedKeysCommand",
                  "migrations", "audit trail", "WAL size", "disk space"):
        assert status.get(check) == "ok", proc.stdout
    assert status["access review"] == "ok"  # none yet, but the first is due 90 days after the start
    assert proc.returncode == 0, proc.stdout
    machine.run(["chmod", "0640", "/var/lib/minicrm/crm.key"])
    loose = machine.run([PROGRAM, "doctor"], check=False)
    assert loose.returncode == 1
    assert "FAIL  key file: /var/lib/minicrm/crm.key: mode 0640, owner crm (chmod 600 /var/lib/minicrm/crm.key)" \
        in loose.stdout
    machine.run(["chmod", "0600", "/var/lib/minicrm/crm.key"])
