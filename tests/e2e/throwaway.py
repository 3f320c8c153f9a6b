"""A throwaway root environment: this machine, with /etc, /var, /opt, /run and /usr/local made private.

A keeper process holds a private mount namespace in which each of those folders
is an overlay whose writes land in a temporary folder; every command runs in it
through `nsenter`.  So `useradd`, `/etc/ssh/sshd_config`, `/etc/minicrm`,
`/var/lib/minicrm` and `/opt/minicrm` are real paths for the programs under test
(a fresh machine, as the README describes it), and all of it is gone when the
keeper ends: nothing is left on the machine, no account to delete.
The network is shared: an sshd started inside listens on the machine's 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sshd_harness import REPO, RUNUSER, Unavailable

PRIVATE = ("/etc", "/var", "/opt", "/run", "/usr/local")


class Throwaway:
    def __init__(self, work: Path, private: tuple[str, ...] = PRIVATE):
        self.work = work
        self.private = private
        self.keeper: subprocess.Popen | None = None
        self.ns = ""

    def start(self) -> Throwaway:
        if os.geteuid() != 0:
            raise Unavailable("needs root: the throwaway environment is a private mount namespace")
        for tool in ("unshare", "nsenter"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} (util-linux) is missing")
        mounts = []
        for folder in self.private:
            upper, lower = self.work / "upper" / folder.strip("/"), self.work / "overlay-work" / folder.strip("/")
            upper.mkdir(parents=True)
            lower.mkdir(parents=True)
            mounts.append(f"mount -t overlay overlay -o lowerdir={folder},upperdir={upper},workdir={lower} {folder}")
        script = "set -e\n" + "\n".join(mounts) + "\necho ready\nexec sleep 86400\n"
        self.keeper = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.keeper.stdout is not None
        line = self.keeper.stdout.readline().strip()
        if line != "ready":
            err = self.keeper.stderr.read() if self.keeper.stderr else ""
            self.keeper.kill()
            raise Unavailable(f"cannot make a private mount namespace with overlays: {err.strip()[-200:]}")
        self.ns = os.readlink(f"/proc/{self.keeper.pid}/ns/mnt")
        return self

    def argv(self, argv: list[str], cwd: str | Path = "/") -> list[str]:
        assert self.keeper is not None
        # entering a mount namespace starts at its root: --wd says where to be
        return ["nsenter", "-t", str(self.keeper.pid), "-m", f"--wd={cwd}", "--", *argv]

    def run(self, argv: list[str], *, check: bool = True, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("env", {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                              "LANG": "C.UTF-8", "HOME": "/root"})
        proc = subprocess.run(self.argv(argv, kw.pop("cwd", "/")), timeout=timeout, **kw)
        if check and proc.returncode != 0:
            raise AssertionError(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def sh(self, script: str, **kw) -> subprocess.CompletedProcess:
        return self.run(["sh", "-c", script], **kw)

    def popen(self, argv: list[str], **kw) -> subprocess.Popen:
        return subprocess.Popen(self.argv(argv), **kw)

    def install_program(self, prefix: str = "/opt/minicrm") -> str:
        """A root-owned `<prefix>/bin/minicrm` that runs this working tree (in place of
        `pip install`, which would take minutes): what the README's venv step leaves behind."""
        launch, bootstrap = interpreter()
        entry = 'import sys; from console.main import main; sys.argv[0] = "minicrm"; sys.exit(main())'
        program = f"{prefix}/bin/minicrm"
        wrapper = textwrap.dedent(f"""\
            #!/bin/sh
            # MiniCRM install test: runs the working tree {REPO}
            MINICRM_PROGRAM={program}
            export MINICRM_PROGRAM
            exec {launch} -I -c '{bootstrap}{entry}' "$@"
            """)
        self.sh(f"install -d -m 0755 {prefix}/bin && cat > {program} && chmod 0755 {program}", input=wrapper)
        return program

    def pids(self) -> list[int]:
        """Every process inside the namespace (found by namespace, ended by pid)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if os.readlink(entry / "ns" / "mnt") == self.ns:
                        found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.keeper is not None:
            keeper = self.keeper.pid
            for sig in (signal.SIGTERM, signal.SIGKILL):
                pids = [p for p in self.pids() if p != keeper]
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, sig)
                deadline = time.monotonic() + 5
                while pids and time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
                    time.sleep(0.05)
            self.keeper.kill()
            self.keeper.wait(10)
        shutil.rmtree(self.work / "upper", ignore_errors=True)
        shutil.rmtree(self.work / "overlay-work", ignore_errors=True)


def interpreter() -> tuple[str, str]:
    """The venv's Python if any account may run it, else the system Python of the same
    version with the venv's packages added (the venv may sit on a private interpreter)."""
    probe = [RUNUSER, "-u", "nobody", "--", sys.executable, "-I", "-c", "import store, console, tui"]
    if subprocess.run(probe, capture_output=True, cwd="/").returncode == 0:
        return sys.executable, ""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/local/bin:/usr/bin")
    if system is None:
        raise Unavailable(f"no system {version} the service account could run")
    site = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    bootstrap = f'import site; site.addsitedir("{site}"); '
    return system, bootstrap
