"""`minicrm server install`: a fresh Debian or Ubuntu machine made into a MiniCRM server, as root.

Every step first looks at what is there and only changes what is wrong, so a
second run changes nothing and says so; `--dry-run` prints every step and
changes nothing.  One line per step:

    ok       directory /var/lib/minicrm (crm:crm 0700)
    change   directory /var/lib/minicrm: mode 0755 -> 0700
    would    ...                         (the same, under --dry-run)

The steps, in order: the program under --prefix (a venv, unless one is there),
the service account, the directories with their owners and modes (the
database directory 0700), the config (written once, never overwritten), the
database (`init` the first time; `upgrade` after that: migrations under the
write lock with a backup first), the sshd `Match` block (checked with
`sshd -t` before it is put in place, then sshd reloaded), and the systemd
units and timers (audit checkpoint, backups, hygiene and, with --web, the web
endpoint).
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from store.errors import CommandFailed

SSHD = "/usr/sbin/sshd"
BEGIN = "# BEGIN MiniCRM (managed by `minicrm server install`; edits here are replaced)"
END = "# END MiniCRM"
REPO = Path(__file__).resolve().parents[1]  # the source tree this program runs from


@dataclass
class Layout:
    account: str
    prefix: Path
    config: Path
    data: Path
    logs: Path
    sshd_config: Path
    systemd: Path
    admin: str
    web: bool

    @property
    def program(self) -> Path:
        return self.prefix / "bin" / "minicrm"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    @property
    def exports(self) -> Path:
        return self.data / "exports"


class Installer:
    def __init__(self, layout: Layout, *, dry_run: bool, out=None):
        self.l = layout
        self.dry_run = dry_run
        self.out = out or sys.stdout
        self.changes = 0

    # -- reporting -----------------------------------------------------------------------

    def ok(self, what: str) -> None:
        print(f"ok       {what}", file=self.out)

    def change(self, what: str, action: Callable[[], None]) -> None:
        self.changes += 1
        if self.dry_run:
            print(f"would    {what}", file=self.out)
            return
        print(f"change   {what}", file=self.out, flush=True)
        action()

    def note(self, what: str) -> None:
        print(f"note     {what}", file=self.out)

    # -- the steps -----------------------------------------------------------------------------

    def run(self) -> int:
        if os.geteuid() != 0 and not self.dry_run:
            raise CommandFailed("server install must run as root (or try --dry-run)")
        self.program()
        self.account()
        self.directories()
        self.config_file()
        self.database()
        self.sshd()
        self.systemd()
        if self.changes == 0:
            print("nothing to change: the server is set up as it should be", file=self.out)
        elif self.dry_run:
            print(f"{self.changes} changes to make (dry run: nothing was changed)", file=self.out)
        else:
            print(f"{self.changes} changes made", file=self.out)
        return 0

    def program(self) -> None:
        prog = self.l.program
        if prog.exists():
            self.ok(f"program {prog}")
        else:
            source = REPO if (REPO / "pyproject.toml").is_file() else None
            if source is None:
                raise CommandFailed(f"{prog} does not exist and this program has no source tree to "
                                    f"install from: `python3 -m venv {self.l.prefix} && "
                                    f"{self.l.prefix}/bin/pip install minicrm` first")

            def make_venv() -> None:
                _run([sys.executable, "-m", "venv", str(self.l.prefix)])
                _run([str(self.l.prefix / "bin" / "pip"), "install", "--quiet", str(source)])

            self.change(f"program {prog}: a venv in {self.l.prefix} with MiniCRM from {source}", make_venv)
        if not self.dry_run or prog.exists():
            self._check_root_owned(prog)
        link = Path("/usr/local/bin/minicrm")
        if link.is_symlink() and os.readlink(link) == str(prog):
            self.ok(f"{link} -> {prog} (minicrm on root's PATH)")
        elif link.exists() and not link.is_symlink():
            self.note(f"{link} exists and is not ours: left alone")
        else:
            def make_link() -> None:
                link.parent.mkdir(parents=True, exist_ok=True)
                link.unlink(missing_ok=True)
                link.symlink_to(prog)

            self.change(f"{link} -> {prog} (minicrm on root's PATH; commands run as {self.l.account})",
                        make_link)

    def _check_root_owned(self, prog: Path) -> None:
        """sshd runs the AuthorizedKeysCommand only if it and every folder above it are root's."""
        path = Path(os.path.abspath(prog))
        for part in [path, *path.parents]:
            st = part.lstat() if part == path else part.stat()
            if st.st_uid != 0 or st.st_mode & 0o022:
                raise CommandFailed(f"{part} must be owned by root and not writable by group or others "
                                    f"(sshd refuses an AuthorizedKeysCommand otherwise)")
        self.ok(f"{prog} and every folder above it are root's and not writable by others")

    def account(self) -> None:
        name = self.l.account
        try:
            pwd.getpwnam(name)
            self.ok(f"service account {name}")
        except KeyError:
            self.change(f"service account {name} (system user, home {self.l.data}, shell /bin/sh)",
                        lambda: _run(["useradd", "--system", "--home-dir", str(self.l.data), "--no-create-home",
                                      "--shell", "/bin/sh", "--comment", "MiniCRM service account", name]))
        # "!" (locked) makes sshd refuse the account when UsePAM is off; "*" only means "no password".
        field = _shadow_password(name)
        if field == "*":
            self.ok(f"{name} has no password (\"*\": keys only, not locked)")
        else:
            self.change(f"{name}: password field set to \"*\" (no password; not locked, so keys work)",
                        lambda: _run(["usermod", "-p", "*", name]))

    def _ids(self, owner: str, group: str) -> tuple[int, int] | None:
        try:
            return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
        except KeyError:
            return None  # dry run: the account is not there yet

    def _path(self, path: Path, owner: str, group: str, mode: int, *, directory: bool) -> None:
        what = f"{'directory' if directory else 'file'} {path} ({owner}:{group} {mode:04o})"
        ids = self._ids(owner, group)
        if not path.exists():
            def create() -> None:
                if directory:
                    path.mkdir(mode=0o700, parents=True)
                uid, gid = self._ids(owner, group) or (0, 0)
                os.chown(path, uid, gid)
                os.chmod(path, mode)

            self.change(f"create {what}", create)
            return
        st = path.stat()
        wrong = []
        if ids is None or (st.st_uid, st.st_gid) != ids:
            wrong.append(f"owner {_name(st.st_uid, st.st_gid)} -> {owner}:{group}")
        if st.st_mode & 0o7777 != mode:
            wrong.append(f"mode {st.st_mode & 0o7777:04o} -> {mode:04o}")
        if not wrong:
            self.ok(what)
            return

        def fix() -> None:
            uid, gid = self._ids(owner, group) or (0, 0)
            os.chown(path, uid, gid)
            os.chmod(path, mode)

        self.change(f"{path}: {', '.join(wrong)}", fix)

    def directories(self) -> None:
        a = self.l.account
        self._path(self.l.config.parent, "root", "root", 0o755, directory=True)
        self._path(self.l.data, a, a, 0o700, directory=True)
        self._path(self.l.backups, a, a, 0o700, directory=True)
        self._path(self.l.exports, a, a, 0o700, directory=True)
        self._path(self.l.logs, a, a, 0o750, directory=True)

    def config_text(self) -> str:
        from store.config import SCHEMA, _toml_str

        lines = ["# Written by `minicrm server install`; every setting: config.example.toml.",
                 "[database]", f"path = {_toml_str(str(self.l.data / 'crm.db'))}",
                 f"key_file = {_toml_str(str(self.l.data / 'crm.key'))}", "",
                 "[export]", f"folder = {_toml_str(str(self.l.exports))}", "",
                 "[audit]", "# copy this file off the machine now and then (rsync, a log collector)",
                 f"checkpoint_file = {_toml_str(str(self.l.logs / 'audit-checkpoints.jsonl'))}", ""]
        if "backup" in SCHEMA and "folder" in SCHEMA["backup"]:
            lines += ["[backup]", f"folder = {_toml_str(str(self.l.backups))}", ""]
        return "\n".join(lines)

    def config_file(self) -> None:
        path = self.l.config
        if path.exists():
            self.ok(f"config {path} (kept as it is)")
        else:
            def write() -> None:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(self.config_text())
                os.chown(path, 0, (self._ids(self.l.account, self.l.account) or (0, 0))[1])

            self.change(f"config {path} (root:{self.l.account} 0640; database in {self.l.data}, "
                        f"audit checkpoints in {self.l.logs})", write)
            return
        # root's file, readable by the account: the account cannot point itself elsewhere
        self._path(path, "root", self.l.account, 0o640, directory=False)

    def as_account(self, *args: str) -> subprocess.CompletedProcess:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.l.data)}
        return subprocess.run(check=False, args=[runuser, "-u", self.l.account, "--", str(self.l.program),
                               "--config", str(self.l.config), *args],
                              env=env, cwd="/", capture_output=True, text=True, timeout=600)

    def database(self) -> None:
        from store.config import load_config

        if not self.l.config.exists():
            self.change(f"database {self.l.data / 'crm.db'}: `minicrm init --admin {self.l.admin}` as "
                        f"{self.l.account}", lambda: None)
            return
        cfg = load_config(self.l.config)
        if not cfg.db_path.exists():
            def init() -> None:
                res = self.as_account("init", "--admin", self.l.admin)
                if res.returncode != 0:
                    raise CommandFailed(f"init failed: {res.stderr.strip()}")
                print(res.stdout, end="", file=self.out)  # the recovery copy of the key: shown this once
                first = self.as_account("audit", "checkpoint")  # the anchor starts with the trail
                if first.returncode != 0:
                    raise CommandFailed(f"audit checkpoint failed: {first.stderr.strip()}")

            self.change(f"database {cfg.db_path}: `minicrm init --admin {self.l.admin}` as {self.l.account}",
                        init)
            return
        self.ok(f"database {cfg.db_path}")
        self._path(cfg.key_path, self.l.account, self.l.account, 0o600, directory=False)
        res = self.as_account("upgrade", "--check")
        if res.returncode == 0:
            self.ok("schema up to date")
        else:
            def upgrade() -> None:
                done = self.as_account("upgrade")
                if done.returncode != 0:
                    raise CommandFailed(f"upgrade failed: {done.stderr.strip()}")
                print(done.stdout, end="", file=self.out)

            self.change(f"schema: {res.stdout.strip() or 'migrations pending'} (backup first)", upgrade)

    # -- sshd ------------------------------------------------------------------------------

    def sshd_block(self) -> str:
        from .ssh import sshd_config_block

        block = sshd_config_block(str(self.l.program), self.l.config, self.l.account, self.l.account)
        return f"{BEGIN}\n{block}{END}\n"

    def sshd(self) -> None:
        conf = self.l.sshd_config
        try:
            current = conf.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandFailed(f"{conf} does not exist: install openssh-server first") from None
        block = self.sshd_block()
        if block in current:
            self.ok(f"sshd Match block for {self.l.account} in {conf}")
            return
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            # A Match block runs to the end of the file: ours always goes last.
            wanted = head.rstrip("\n") + ("\n" + tail.rstrip("\n") if tail.strip() else "") + "\n\n" + block
            what = f"sshd Match block for {self.l.account} in {conf}: replaced (it differed)"
        else:
            wanted = current.rstrip("\n") + "\n\n" + block
            what = f"sshd Match block for {self.l.account}: appended to {conf}, checked with sshd -t, sshd reloaded"

        def write() -> None:
            with tempfile.NamedTemporaryFile("w", dir=conf.parent, prefix=".sshd_config.", delete=False) as fh:
                fh.write(wanted)
                candidate = Path(fh.name)
            try:
                os.chmod(candidate, conf.stat().st_mode & 0o7777)
                # sshd -t wants its privilege separation folder, which ssh.service makes only when it runs
                Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
                check = subprocess.run([SSHD, "-t", "-f", str(candidate)], check=False, capture_output=True, text=True)
                if check.returncode != 0:
                    raise CommandFailed(f"sshd -t refused the new {conf} (left unchanged): "
                                        f"{check.stderr.strip().splitlines()[-1:]}")
                shutil.copy2(conf, conf.with_name(conf.name + ".before-minicrm"))
                os.replace(candidate, conf)
            finally:
                candidate.unlink(missing_ok=True)
            self.note(reload_sshd(conf))

        self.change(what, write)

    # -- systemd (the units' text: console/units.py) -----------------------------------------------

    def systemd(self) -> None:
        folder = self.l.systemd
        from .units import units_for

        units = units_for(self.l)
        changed = False
        for name, text in units.items():
            path = folder / name
            if path.exists() and path.read_text(encoding="utf-8") == text:
                self.ok(f"systemd unit {path}")
                continue
            changed = True

            def write(path=path, text=text) -> None:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                path.chmod(0o644)

            self.change(f"systemd unit {path} ({'updated' if path.exists() else 'new'})", write)
        enable = [n for n in units if n.endswith(".timer") or n in ("minicrm-web.service", "minicrm-sessions.service")]
        if not Path("/run/systemd/system").is_dir():
            if changed or not self.dry_run:
                self.note(f"systemd is not running here: enable later with "
                          f"systemctl daemon-reload && systemctl enable --now {' '.join(enable)}")
            return
        if changed:
            self.change("systemctl daemon-reload", lambda: _run(["systemctl", "daemon-reload"]))
        for name in enable:
            state = subprocess.run(["systemctl", "is-enabled", name], check=False, capture_output=True, text=True)
            if state.stdout.strip() == "enabled":
                self.ok(f"{name} enabled")
            else:
                self.change(f"systemctl enable --now {name}", _enabler(name))


def _enabler(name: str) -> Callable[[], None]:
    return lambda: _run(["systemctl", "enable", "--now", name])


def reload_sshd(conf: Path) -> str:
    """Make the running sshd read its config again; says what it did."""
    if Path("/run/systemd/system").is_dir() and shutil.which("systemctl"):
        for unit in ("ssh", "sshd"):
            if subprocess.run(["systemctl", "reload", unit], check=False, capture_output=True).returncode == 0:
                return f"sshd reloaded (systemctl reload {unit})"
    pidfile = effective_sshd(conf).get("pidfile", "/run/sshd.pid")
    try:
        pid = int(Path(pidfile).read_text().strip())
        os.kill(pid, signal.SIGHUP)  # sshd re-executes itself and reads the config again
        return f"sshd reloaded (SIGHUP to pid {pid} from {pidfile})"
    except (OSError, ValueError):
        return f"sshd is not running (no pid in {pidfile}): start it to serve MiniCRM"


def effective_sshd(conf: Path, *, user: str | None = None) -> dict[str, str]:
    """`sshd -T` (for `user` when given): the config as sshd reads it, lower-case keys."""
    argv = [SSHD, "-T", "-f", str(conf)]
    if user:
        argv += ["-C", f"user={user},host=localhost,addr=127.0.0.1"]
    res = subprocess.run(argv, check=False, capture_output=True, text=True)
    if res.returncode != 0:
        return {}
    found: dict[str, str] = {}
    for line in res.stdout.splitlines():
        key, _, value = line.partition(" ")
        found.setdefault(key.lower(), value)
    return found


def _shadow_password(name: str) -> str | None:
    try:
        for line in Path("/etc/shadow").read_text().splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return fields[1]
    except OSError:
        return None
    return None


def _name(uid: int, gid: int) -> str:
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"{user}:{group}"


def _run(argv: list[str]) -> None:
    res = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        raise CommandFailed(f"{Path(argv[0]).name} failed: {res.stderr.strip().splitlines()[-1:]}")


def cmd_server_install(args) -> int:
    from store.config import DEFAULT_PATH

    layout = Layout(account=args.account, prefix=Path(args.prefix), config=Path(args.config or DEFAULT_PATH),
                    data=Path(args.data_dir), logs=Path(args.log_dir), sshd_config=Path(args.sshd_config),
                    systemd=Path(args.systemd_dir), admin=args.admin, web=args.web)
    return Installer(layout, dry_run=args.dry_run).run()


def add_server_parsers(sub) -> None:
    server = sub.add_parser("server", help="setting up and checking the server").add_subparsers(
        dest="server_command", required=True)
    s = server.add_parser("install", help="service account, folders, config, database, sshd, systemd (as root)")
    s.add_argument("--account", default="crm", help="the service account staff log in as (default crm)")
    s.add_argument("--prefix", default="/opt/minicrm", help="where MiniCRM is installed (a venv; default /opt/minicrm)")
    s.add_argument("--data-dir", default="/var/lib/minicrm",
                   help="database, key file, backups (default /var/lib/minicrm)")
    s.add_argument("--log-dir", default="/var/log/minicrm", help="audit checkpoints (default /var/log/minicrm)")
    s.add_argument("--sshd-config", default="/etc/ssh/sshd_config")
    s.add_argument("--systemd-dir", default="/etc/systemd/system")
    s.add_argument("--admin", default="admin", help="the first administrator (first install only)")
    s.add_argument("--web", action="store_true", help="also run the public opt-in endpoint")
    s.add_argument("--dry-run", action="store_true", help="print every step, change nothing")
    s.set_defaults(func=cmd_server_install)
