"""`minicrm user add-key|remove-key|keys`, `minicrm ssh authorized-keys|sshd-config`,
run as real processes against a real encrypted store (no sshd here)."""
from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def minicrm_command() -> list[str]:
    script = Path(sys.executable).with_name("minicrm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "console"]


def _env(config) -> dict:
    env = dict(os.environ)
    env["MINICRM_CONFIG"] = str(config.source)
    env.pop("MINICRM_PROGRAM", None)
    return env


@pytest.fixture
def seeded(store, users):
    """The store is open in this process too; commands below run in fresh processes."""
    return store


def _cli(config, *args, stdin=None, env_extra=None):
    env = _env(config)
    env.update(env_extra or {})
    return subprocess.run([*minicrm_command(), "--config", str(config.source), *args], env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_add_key_list_remove(seeded, users, keys):
    pub = f"{keys.path('ed25519')}.pub"
    out = _cli(seeded, "user", "add-key", users["sales"].username, pub)
    assert out.returncode == 0, out.stderr
    assert keys.keygen_fingerprint("ed25519") in out.stdout
    key_id = int(re.search(r"Added key (\d+)", out.stdout).group(1))

    listing = _cli(seeded, "user", "keys", users["sales"].username)
    assert listing.returncode == 0 and keys.keygen_fingerprint("ed25519").split()[1] in listing.stdout
    assert _cli(seeded, "user", "keys").stdout.count("SHA256:") == 1

    gone = _cli(seeded, "user", "remove-key", str(key_id))
    assert gone.returncode == 0, gone.stderr
    assert "no SSH keys" in _cli(seeded, "user", "keys", users["sales"].username).stdout


def test_add_key_from_stdin_and_refusals_are_one_line(seeded, users, keys):
    ok = _cli(seeded, "user", "add-key", users["sales"].username, "-", stdin=keys.line("ecdsa521"))
    assert ok.returncode == 0, ok.stderr
    for args, stdin, reason in [
        ((users["manager"].username, "-"), keys.line("ecdsa521"), "already registered to another user"),
        ((users["manager"].username, "-"), keys.line("rsa2048"), "at least 3072 bits"),
        ((users["manager"].username, "-"), keys.line("ed25519") + "\n" + keys.line("ecdsa256"), "one key"),
        (("nobody", "-"), keys.line("ed25519"), "no user named"),
        ((users["manager"].username, "/nonexistent.pub"), None, "cannot read"),
    ]:
        out = _cli(seeded, "user", "add-key", *args, stdin=stdin)
        assert out.returncode == 1, out
        assert out.stderr.count("\n") == 1 and reason in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    bad = _cli(seeded, "user", "remove-key", "4242")
    assert bad.returncode == 1 and "no SSH key with id 4242" in bad.stderr


def test_authorized_keys_prints_the_restricted_line_only_for_active_keys(seeded, users, keys):
    from store.scope import Scope

    me = getpass.getuser()
    view = sshkeys_add(users["sales"].username, keys.line("ed25519"))
    typ, b64 = keys.line("ed25519").split()[:2]
    program = "/usr/local/bin/minicrm"
    out = _cli(seeded, "ssh", "authorized-keys", me, typ, b64, env_extra={"MINICRM_PROGRAM": program})
    assert out.returncode == 0, out.stderr
    assert out.stdout == (f'restrict,pty,command="{program} --config {seeded.source} session '
                          f'--key {view.id}" {typ} {b64}\n')

    other_typ, other_b64 = keys.line("ecdsa256").split()[:2]
    unknown = _cli(seeded, "ssh", "authorized-keys", me, other_typ, other_b64,
                   env_extra={"MINICRM_PROGRAM": program})
    assert unknown.returncode == 0 and unknown.stdout == ""
    garbage = _cli(seeded, "ssh", "authorized-keys", me, "ssh-ed25519", "%%%",
                   env_extra={"MINICRM_PROGRAM": program})
    assert garbage.returncode == 0 and garbage.stdout == ""
    # asked about another account (sshd misconfigured): nothing
    root_ask = _cli(seeded, "ssh", "authorized-keys", "someone-else", typ, b64,
                    env_extra={"MINICRM_PROGRAM": program})
    assert root_ask.stdout == ""

    from store import sshkeys

    sshkeys.remove_key(Scope.console(), view.id)
    after = _cli(seeded, "ssh", "authorized-keys", me, typ, b64, env_extra={"MINICRM_PROGRAM": program})
    assert after.returncode == 0 and after.stdout == ""


def sshkeys_add(username, line):
    from store import sshkeys
    from store.scope import Scope

    return sshkeys.add_key(Scope.console(), username, line)


def test_sshd_config_block(seeded):
    out = _cli(seeded, "ssh", "sshd-config", "--account", "crm",
               env_extra={"MINICRM_PROGRAM": "/usr/local/bin/minicrm"})
    assert out.returncode == 0, out.stderr
    lines = [ln.strip() for ln in out.stdout.splitlines()]
    assert "Match User crm" in lines
    assert "AuthorizedKeysFile none" in lines
    assert (f"AuthorizedKeysCommand /usr/local/bin/minicrm --config {seeded.source} "
            "ssh authorized-keys %u %t %k") in lines
    assert "AuthorizedKeysCommandUser crm" in lines
    for setting in ("DisableForwarding yes", "PermitTTY yes", "PermitUserRC no",
                    "SetEnv COLORTERM=truecolor"):
        assert setting in lines
    assert not any(ln.startswith("ForceCommand") for ln in lines)  # command= in the key line instead


def test_sshd_config_refuses_paths_sshd_would_split(seeded, tmp_path):
    out = _cli(seeded, "ssh", "sshd-config", "--account", "crm", "--program", "/opt/my minicrm/bin")
    assert out.returncode == 1 and "spaces or quotes" in out.stderr


def test_sshd_accepts_the_printed_block(seeded, tmp_path):
    """`sshd -t` parses the block (syntax only: it does not run the command)."""
    sshd = Path("/usr/sbin/sshd")
    if not sshd.exists():
        pytest.skip("OpenSSH server not installed (apt-get install openssh-server)")
    block = _cli(seeded, "ssh", "sshd-config", "--account", "crm",
                 env_extra={"MINICRM_PROGRAM": "/usr/local/bin/minicrm"}).stdout
    host_key = tmp_path / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    conf = tmp_path / "sshd_config"
    conf.write_text(f"HostKey {host_key}\nUsePAM no\nPidFile none\n" + block)
    if os.geteuid() != 0:
        pytest.skip("sshd -t needs root to read its config checks")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    res = subprocess.run([str(sshd), "-t", "-f", str(conf)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
