"""A real OpenSSH server in front of MiniCRM, set up the way the README says.

`Server.start()` (root only):
* creates a service account (`crm-t<random>`, a system user with a home and
  /bin/sh: sshd runs the forced command through the account's shell);
* installs a root-owned wrapper `/usr/local/libexec/minicrm-test-<random>/minicrm`
  (sshd refuses an AuthorizedKeysCommand that is not root-owned all the way up);
* creates the config, key file and encrypted database as that account;
* asks `minicrm ssh sshd-config` for the Match block and starts
  `/usr/sbin/sshd -D -f <config> -p <free port>` on 127.0.0.1 with a host key
  made in a temporary folder;
* `stop()` undoes all of it (processes by pid, the account, the wrapper).

Used by tests/e2e (one server per pytest worker) and bench/bench_ssh.py.
Nothing here mocks the store: every change goes through `minicrm` or the
store's own functions, run as the service account.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: waiting (bench_ssh imports this too)
from waiting import accepts, wait_for

from console.session_server import CODE_DIRS  # what a session imports from the tree

REPO = Path(__file__).resolve().parents[2]
SSHD = Path("/usr/sbin/sshd")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
LIBEXEC = Path("/usr/local/libexec")
SYSTEM_PACKAGES = {"sshd": "openssh-server", "ssh": "openssh-client", "ssh-keygen": "openssh-client",
                   "tmux": "tmux"}
LOCK = Path(tempfile.gettempdir()) / "minicrm-e2e-setup.lock"


class Unavailable(Exception):
    """The machine cannot run these tests; the message says why (used to skip)."""


@contextlib.contextmanager
def _machine_lock():
    """apt-get and useradd/userdel take global locks: one pytest worker at a time."""
    with open(LOCK, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _which(tool: str) -> str | None:
    if tool == "sshd":
        return str(SSHD) if SSHD.exists() else None
    return shutil.which(tool)


def ensure_tools(tools=("sshd", "ssh", "ssh-keygen", "tmux")) -> None:
    """Install missing OpenSSH/tmux packages when root with apt-get; else Unavailable."""
    missing = sorted({SYSTEM_PACKAGES[t] for t in tools if _which(t) is None})
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise Unavailable(f"missing {', '.join(missing)} and not root with apt-get to install them "
                          f"(apt-get install -y {' '.join(missing)})")
    with _machine_lock():
        missing = sorted({SYSTEM_PACKAGES[t] for t in tools if _which(t) is None})
        if not missing:
            return
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        cmd = ["apt-get", "install", "-y", "-qq", *missing]
        if subprocess.run(cmd, env=env, capture_output=True, timeout=600).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                raise Unavailable(f"apt-get install {' '.join(missing)} failed: "
                                  f"{res.stderr.strip().splitlines()[-1:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Staff:
    name: str
    role: str
    password: str
    secret: str
    key: Path  # private key file (the client side)
    key_id: int = 0
    last_step: int = 0

    def code(self) -> str:
        """A TOTP code not used before (codes are single-use per 30 s step).

        The server accepts the current step and one either side, each once; so
        a user has two fresh codes at any moment and then waits for the clock.
        """
        while True:
            now_step = int(time.time() // 30)
            step = max(now_step, self.last_step + 1)
            if step <= now_step + 1:
                self.last_step = step
                return pyotp.TOTP(self.secret).at(step * 30)
            time.sleep((now_step + 1) * 30 - time.time() + 0.05)


@dataclass
class Server:
    work: Path
    account: str = ""
    home: Path = Path("/")
    port: int = 0
    program: str = ""
    python: list[str] = field(default_factory=list)
    bootstrap: str = ""  # code run first by every interpreter (adds the venv's packages if needed)
    interpreter_note: str = ""
    staff: dict[str, Staff] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    sshd: subprocess.Popen | None = None
    sessions: subprocess.Popen | None = None  # the session server (console/session_server.py)
    _libexec: Path | None = None

    # -- paths -----------------------------------------------------------------------

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def config(self) -> Path:
        return self.data / "minicrm.toml"

    @property
    def sshd_log(self) -> Path:
        return self.work / "sshd.log"

    # -- running things as the service account -------------------------------------------

    def _env(self) -> dict:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8",
                "MINICRM_CONFIG": str(self.config), "USER": self.account, "LOGNAME": self.account}

    def as_account(self, argv: list[str], *, input: str | bytes | None = None, timeout: float = 120,
                   check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([RUNUSER, "-u", self.account, "--", *argv], env=self._env(),
                              cwd=self.home, input=input, capture_output=True, timeout=timeout,
                              text=not isinstance(input, bytes))
        if check and proc.returncode != 0:
            raise AssertionError(f"{argv[:3]}... failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
        return proc

    def minicrm(self, *args: str, **kw) -> subprocess.CompletedProcess:
        """`minicrm --config ... args` as the service account (the server console)."""
        return self.as_account([self.program, "--config", str(self.config), *args], **kw)

    def python_code(self, code: str, *args: str, **kw) -> subprocess.CompletedProcess:
        """A Python snippet with the store open, as the service account."""
        prelude = self.bootstrap + "\nimport sys, json\nfrom store.runtime import open_store\nrt = open_store()\n"
        return self.as_account([*self.python, "-c", prelude + textwrap.dedent(code), *args], **kw)

    # -- the client side -----------------------------------------------------------------

    def ssh_argv(self, key: Path | str, *remote: str, tty: bool = False, options=()) -> list[str]:
        # ssh keeps the first value given for an option: the caller's come first
        argv = ["ssh", *options, "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=20", "-i", str(key), "-p", str(self.port)]
        if tty:
            argv.append("-tt")
        return [*argv, f"{self.account}@127.0.0.1", *remote]

    def ssh(self, key, *remote: str, input: bytes | None = None, timeout: float = 60,
            options=()) -> subprocess.CompletedProcess:
        return subprocess.run(self.ssh_argv(key, *remote, options=options), input=input or b"",
                              capture_output=True, timeout=timeout)

    # -- set-up ----------------------------------------------------------------------

    def start(self, *, contacts: int = 40) -> Server:
        if os.geteuid() != 0:
            raise Unavailable("needs root: the tests create a service account and run sshd on a port")
        ensure_tools()
        self.work.mkdir(parents=True, exist_ok=True)
        tag = secrets.token_hex(3)
        self.account = f"crm-t{tag}"
        with _machine_lock():
            _run(["useradd", "--system", "--create-home", "--shell", "/bin/sh",
                  "--comment", "MiniCRM e2e test service account", self.account])
            # A locked password ("!") makes sshd refuse the account when UsePAM is off; "*" only
            # means "no password", so keys still work.
            _run(["usermod", "-p", "*", self.account])
        self.home = Path(pwd.getpwnam(self.account).pw_dir)
        self._install_wrapper(tag)
        self._create_store()
        self.start_session_server()
        self._start_sshd()
        return self

    @property
    def session_socket(self) -> Path:
        return self.data / "sessions.sock"

    def start_session_server(self) -> None:
        """`minicrm ssh session-server` as the service account, as its systemd unit runs it:
        logins are forked from it (console/session_server.py); without it they start cold."""
        self.sessions = subprocess.Popen(
            [RUNUSER, "-u", self.account, "--", self.program, "--config", str(self.config),
             "ssh", "session-server"], env=self._env(), cwd=self.home,
            stdout=subprocess.DEVNULL, stderr=(self.work / "sessions.log").open("ab"))
        wait_for(lambda: self.sessions.poll() is not None or accepts(self.session_socket), 60,
                 what="the session server listening")
        if self.sessions.poll() is not None:
            raise AssertionError(f"the session server exited: {(self.work / 'sessions.log').read_text()}")

    def session_processes(self) -> list[int]:
        """The processes running a login's session: each forced command (`session --key`) and,
        when the session server ran it, the copy it forked (a child of the server, which has the
        server's command line)."""
        found = []
        mine = set(self.account_pids())
        for pid in mine:
            argv = _cmdline(pid)
            if (b"session" in argv and b"--key" in argv) or (b"session-server" in argv and _parent(pid) in mine):
                found.append(pid)
        return found

    def session_server_process(self) -> int | None:
        """The session server itself (its parent is runuser, not one of the account's)."""
        mine = set(self.account_pids())
        return next((pid for pid in mine if b"session-server" in _cmdline(pid) and _parent(pid) not in mine),
                    None)

    def stop_session_server(self) -> None:
        if self.sessions is not None and self.sessions.poll() is None:
            self.sessions.terminate()
            self.sessions.wait(20)
        self.sessions = None

    def _install_wrapper(self, tag: str) -> None:
        self.python, self.bootstrap, self.interpreter_note = self._choose_python()
        # the tree's bytecode, as `pip install` leaves it in production: the service account
        # cannot write __pycache__ here, and each forced command, key look-up and session
        # server compiled MiniCRM's modules from source again (the key look-up's imports:
        # 119 ms of CPU from source, 68 ms from bytecode, measured directly)
        subprocess.run([self.python[0], "-m", "compileall", "-q", *(str(REPO / d) for d in CODE_DIRS)],
                       capture_output=True, check=False)
        LIBEXEC.mkdir(mode=0o755, parents=True, exist_ok=True)
        folder = LIBEXEC / f"minicrm-test-{tag}"
        folder.mkdir(mode=0o755)
        self._libexec = folder
        wrapper = folder / "minicrm"
        launch = " ".join(_sh_quote(a) for a in self.python)
        entry = 'import sys; from console.main import main; sys.argv[0] = "minicrm"; sys.exit(main())'
        wrapper.write_text(textwrap.dedent(f"""\
            #!/bin/sh
            # MiniCRM end-to-end tests: runs the working tree's minicrm (removed after the tests).
            MINICRM_PROGRAM={wrapper}
            export MINICRM_PROGRAM
            exec {launch} -c '{self.bootstrap}{entry}' "$@"
            """))
        os.chown(wrapper, 0, 0)
        wrapper.chmod(0o755)
        self.program = str(wrapper)

    def _choose_python(self) -> tuple[list[str], str, str]:
        """The venv's interpreter if the service account may run it, else the system
        Python of the same version with the venv's packages added (the venv's base
        interpreter may live somewhere private, e.g. pyenv under /root)."""
        probe = [RUNUSER, "-u", self.account, "--", sys.executable, "-I", "-c", "import store, console, tui"]
        if subprocess.run(probe, capture_output=True, cwd="/").returncode == 0:
            return [sys.executable, "-I"], "", f"venv interpreter {sys.executable}"
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        system = shutil.which(version, path="/usr/local/bin:/usr/bin")
        if system is None:
            raise Unavailable(f"the service account cannot run {sys.executable} and there is no "
                              f"system {version}: install MiniCRM where the service account can read it")
        site = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
        bootstrap = f"import site; site.addsitedir(\"{site}\"); "
        assert "'" not in site[1:-1] and '"' not in site
        argv = [system, "-I", "-c"]
        probe = [RUNUSER, "-u", self.account, "--", *argv, bootstrap + "import store, console, tui"]
        res = subprocess.run(probe, capture_output=True, text=True, cwd="/")
        if res.returncode != 0:
            raise Unavailable(f"the service account cannot import MiniCRM with {system}: "
                              f"{res.stderr.strip().splitlines()[-1:]}")
        return [system, "-I"], bootstrap, (
            f"system {system} with the venv's packages ({sys.executable} is not readable "
            f"by the service account)")

    def _create_store(self) -> None:
        self.data.mkdir(mode=0o700)
        self.config.write_text(textwrap.dedent("""\
            [database]
            path = "crm.db"
            key_file = "crm.key"

            [company]
            name = "Testfirma ApS"

            [ui]
            language = "en"
            """))
        _run(["chown", "-R", f"{self.account}:{self.account}", str(self.data)])
        self.config.chmod(0o600)
        self.minicrm("init", "--admin", "boss")

    def add_staff(self, specs: list[tuple[str, str]]) -> None:
        """Users with a password, an enrolled TOTP secret and an SSH key each (one process)."""
        spec = []
        for name, role in specs:
            key = self.work / f"id_{name}"
            _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(key)])
            self.staff[name] = Staff(name, role, "Pw-" + secrets.token_urlsafe(12), pyotp.random_base32(),
                                     key)
            spec.append({"name": name, "role": role, "password": self.staff[name].password,
                         "secret": self.staff[name].secret,
                         "key": Path(f"{key}.pub").read_text().strip()})
        out = self.python_code("""
            from store import accounts, passwords, secretbox, sshkeys
            from store.auth import factors
            from store.db import database
            from store.models import User
            from store.scope import Scope
            ids = {}
            for u in json.loads(sys.stdin.read()):
                made = accounts.add_user(Scope.console(), u["name"], u["role"])
                hashed = passwords.hash_password(u["password"], cost=rt.config["auth.bcrypt_cost"])
                sealed = secretbox.seal(factors.totp_key(), u["secret"].encode("ascii"), aad=factors.aad(made.user_id))
                with database.atomic():
                    User.update(password_hash=hashed, must_change_password=False, totp_enrolled=True,
                                totp_secret=sealed).where(User.id == made.user_id).execute()
                ids[u["name"]] = sshkeys.add_key(Scope.console(), u["name"], u["key"]).id
            print(json.dumps(ids))
            """, input=json.dumps(spec))
        for name, key_id in json.loads(out.stdout).items():
            self.staff[name].key_id = key_id

    def add_contacts(self, people: list[dict], *, filler: int = 0) -> None:
        out = self.python_code("""
            from store import contacts, demo
            from store.models import User
            from store.scope import Scope
            boss = Scope(User.get(User.username == "boss"))
            ids = {}
            for p in json.loads(sys.stdin.read()):
                owner = p.pop("owner", None)
                if owner:
                    p["owner_id"] = User.get(User.username == owner).id
                ids[p["first_name"] + " " + p["last_name"]] = contacts.create_contact(boss, **p)
            if int(sys.argv[1]):
                demo.generate(int(sys.argv[1]))
            print(json.dumps(ids))
            """, str(filler), input=json.dumps(people))
        self.contacts.update(json.loads(out.stdout))

    def _start_sshd(self) -> None:
        self.port = free_port()
        host_key = self.work / "ssh_host_ed25519_key"
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
        block = self.minicrm("ssh", "sshd-config").stdout
        assert f"Match User {self.account}" in block, block
        conf = self.work / "sshd_config"
        conf.write_text(textwrap.dedent(f"""\
            # MiniCRM end-to-end test server (generated)
            ListenAddress 127.0.0.1
            HostKey {host_key}
            PidFile none
            UsePAM no
            StrictModes yes
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            AuthorizedKeysFile none
            AllowUsers {self.account}
            LogLevel VERBOSE
            MaxStartups 100:30:200
            MaxAuthTries 4
            ClientAliveInterval 5
            """) + block)
        conf.chmod(0o600)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
        log = open(self.sshd_log, "wb")  # noqa: SIM115 -- sshd holds its own copy for its whole life
        self.sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(conf), "-p", str(self.port)],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.sshd.poll() is not None:
                raise AssertionError(f"sshd exited: {self.sshd_log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5):
                return
            time.sleep(0.05)
        raise AssertionError("sshd did not start listening within 20 s")

    # -- tear-down -------------------------------------------------------------------------

    def account_pids(self) -> list[int]:
        """Processes of the service account (found by uid, ended by pid)."""
        if not self.account:
            return []
        try:
            uid = pwd.getpwnam(self.account).pw_uid
        except KeyError:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        pids.append(int(entry.name))
        return pids

    def stop(self) -> None:
        self.stop_session_server()
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.sshd.wait(10)
            if self.sshd.poll() is None:
                self.sshd.kill()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = self.account_pids()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            if pids:
                time.sleep(0.5)
        if self.account:
            with _machine_lock():
                subprocess.run(["userdel", "--remove", self.account], capture_output=True)
        if self._libexec is not None:
            shutil.rmtree(self._libexec, ignore_errors=True)


def _cmdline(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _run(argv: list[str]) -> None:
    res = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise AssertionError(f"{argv[0]} failed: {res.stderr.strip()}")


def _sh_quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


# --- a real terminal: tmux -----------------------------------------------------------------

class Tmux:
    """A private tmux server (its own socket); panes stay readable after their command exits."""

    def __init__(self, work: Path):
        self.sock = work / "tmux.sock"
        self.env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.env.pop("TMUX", None)
        self("new-session", "-d", "-s", "keeper", "-x", "80", "-y", "24", "sleep 3600")
        self("set-option", "-g", "remain-on-exit", "on")
        self("set-option", "-g", "escape-time", "0")
        self("set-option", "-g", "default-terminal", "xterm-256color")
        self.panes: list[Pane] = []

    def __call__(self, *args: str) -> str:
        res = subprocess.run(["tmux", "-u", "-S", str(self.sock), *args], env=self.env,
                             capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise AssertionError(f"tmux {args[0]} failed: {res.stderr.strip()}")
        return res.stdout

    def open(self, name: str, argv: list[str], width: int = 120, height: int = 34) -> Pane:
        import shlex

        self("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), shlex.join(argv))
        pane = Pane(self, name)
        self.panes.append(pane)
        return pane

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.sock), "kill-server"], env=self.env, capture_output=True)


class Pane:
    def __init__(self, tmux: Tmux, name: str):
        self.tmux, self.name = tmux, name

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def history(self) -> str:
        """The screen and everything scrolled off it (what was printed after the TUI left)."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-t", self.name)

    def info(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, fmt).strip()

    def wait_for(self, pattern, timeout: float = 20) -> str:
        """Until the screen matches (a regex string, or a callable on the text)."""
        import re

        check = pattern if callable(pattern) else (lambda s: re.search(pattern, s) is not None)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            if self.dead:
                text = self.screen()
                if check(text):
                    return text
                raise AssertionError(f"pane {self.name} exited while waiting for {pattern!r}:\n{text}")
            time.sleep(0.1)
        raise AssertionError(f"pane {self.name}: no {pattern!r} within {timeout} s:\n{text}")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    @property
    def dead(self) -> bool:
        return self.info("#{pane_dead}") == "1"

    @property
    def exit_status(self) -> int | None:
        value = self.info("#{pane_dead_status}")
        return int(value) if value.lstrip("-").isdigit() else None

    def cursor(self) -> tuple[int, int]:
        """Where the terminal cursor is (Textual puts it in the focused input)."""
        x, y = self.info("#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    @property
    def pid(self) -> int:
        return int(self.info("#{pane_pid}"))

    def terminal_modes(self) -> dict[str, str]:
        """Mouse reporting and alternate screen, as tmux sees the pane's terminal now."""
        names = ("mouse_any_flag", "mouse_button_flag", "mouse_standard_flag", "mouse_sgr_flag",
                 "mouse_all_flag", "alternate_on")
        values = self.info(" ".join(f"#{{{n}}}" for n in names)).split()
        return dict(zip(names, values, strict=False))  # tmux leaves out what it does not know

    def wait_dead(self, timeout: float) -> float:
        """Seconds until the pane's command exited (AssertionError after timeout)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.dead:
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"pane {self.name} still running after {timeout} s:\n{self.screen()}")


# --- flows the tests and the bench share ------------------------------------------------------

def log_in(tmux, server, name: str, *, code: str | None = None):
    """Connect with the user's key and log in through the real TUI; returns the pane."""
    staff = server.staff[name]
    pane = tmux.open(f"{name}-{time.monotonic_ns()}", server.ssh_argv(staff.key, tty=True))
    pane.wait_for(rf"User name\s+{name}\b", timeout=30)
    pane.type(staff.password)
    pane.wait_for(lambda s: "•" * len(staff.password) in s, timeout=10)
    row = pane.cursor()[1]
    pane.keys("Enter")
    # Enter moves the focus to the code field in its own time: wait for the cursor to follow
    deadline = time.monotonic() + 10
    while pane.cursor()[1] == row and time.monotonic() < deadline:
        time.sleep(0.05)
    code = code if code is not None else staff.code()
    pane.type(code)
    pane.wait_for(rf"Code\s+{code}\b", timeout=10)  # an Enter in the same burst can get lost
    pane.keys("Enter")
    return pane


SEARCH_READY = r"\d+ contacts?\b|No contacts found"


def audit_rows(server, *actions: str, since: int = 0) -> list[dict]:
    """Audit rows (as dicts) with these actions, read as the service account."""
    import json

    out = server.python_code("""
        from store.models import AuditEvent
        actions = json.loads(sys.argv[1]); since = int(sys.argv[2])
        q = AuditEvent.select().where(AuditEvent.id > since)
        if actions:
            q = q.where(AuditEvent.action.in_(actions))
        print(json.dumps([dict(id=e.id, actor=e.actor_id, action=e.action, entity=e.entity,
                               entity_id=e.entity_id, detail=json.loads(e.detail))
                          for e in q.order_by(AuditEvent.id)]))
        """, json.dumps(list(actions)), str(since))
    return json.loads(out.stdout)


def last_audit_id(server) -> int:
    out = server.python_code("""
        from store.models import AuditEvent
        print(AuditEvent.select().order_by(AuditEvent.id.desc()).first().id)
        """)
    return int(out.stdout)
