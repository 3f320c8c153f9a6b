"""The session server: each SSH login's app forked from a process that has loaded it already.

sshd starts `minicrm session --key N` for every login, and a fresh Python loading Textual,
the store and the screens spent about 0.4 s of CPU before the login screen was even useful
(bench/bench_ssh: at 9 o'clock, five logins on two cores queued behind each other's imports).
`minicrm ssh session-server` (a systemd service as the service account: minicrm-sessions)
loads all of it once and forks a copy per login: `minicrm session` hands its terminal over
(the three descriptors sshd gave it, passed over a Unix socket), and the copy runs the same
session in it, as it would have run in the process itself.

What the copy gets is what the forced command had: the terminal (its descriptors), the
environment sshd set, the working folder, the umask and the arguments.  Nothing else passes:
the server never opens the store nor reads its key (each session opens its own, after the
fork), holds no session, and serves only its own account (the socket's folder is the
database's, 0700; the peer's uid is checked as well).

The forced command stays, as a small process (its only imports: the config), for sshd and
for the terminal: it forwards the signals the terminal and sshd send it (the window's new
size, the hang-up) to the copy, and ends with the copy's exit status.  Whenever the handover
cannot be made (no server, a server left from older code, a path too long for a socket),
the session runs in the forced command itself, as before: the server only makes it faster.
A server that finds its code older than the caller's says so and exits (systemd starts the
new code); the sessions it forked live on, in their own session group (KillMode=process).
"""
from __future__ import annotations

import array
import contextlib
import io
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path

SOCKET_NAME = "sessions.sock"
IN_COPY = False  # set in a forked copy: its session runs here (never handed over again)
MAX_PATH = 100  # a Unix socket's path has room for 107 bytes on Linux
MAX_REQUEST = 1 << 20  # the environment sshd sets is a few kilobytes
FORWARDED = (signal.SIGWINCH, signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGCONT)
CODE_DIRS = ("store", "console", "tui", "web")  # the code a session runs (its fingerprint)
LOADED = (  # what a session imports on its way to the home screen, loaded once by the server
    "console.ssh", "console.batch", "store.runtime", "store.sshkeys", "store.sshaccess",
    "tui.sshsession", "tui.ssh_app", "tui.app", "tui.screens.login", "tui.screens.search",
    "tui.screens.contact", "tui.screens.invoices")


def socket_path(config) -> Path:
    """The server's socket: beside the database (its folder is the service account's, 0700)."""
    return config.db_path.parent / SOCKET_NAME


def fingerprint() -> str:
    """Which code this is: a server started before an upgrade serves no session of the new code
    (its modules are the old ones).  The Python installation, and each source file's size and
    time; the packages' folder's time for an upgraded dependency (about 2 ms)."""
    import hashlib
    import sysconfig

    root = Path(__file__).resolve().parent.parent
    # (the interpreter by its installation: a venv's python and python3 are the same one)
    digest = hashlib.sha256(f"{sys.prefix}\0{sys.version}\0{root}".encode())
    for name in CODE_DIRS:
        for folder, dirs, files in os.walk(root / name):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(f for f in files if f.endswith((".py", ".tcss", ".mo", ".toml"))):
                st = os.stat(os.path.join(folder, file))
                digest.update(f"{folder}/{file}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    with contextlib.suppress(OSError):
        digest.update(str(os.stat(sysconfig.get_paths()["purelib"]).st_mtime_ns).encode())
    return digest.hexdigest()


# --- the forced command's side -----------------------------------------------------------

def hand_over(args) -> int | None:
    """Run this session in a copy forked by the server: the copy's exit status, or None when
    there is no server to take it (the caller runs the session itself)."""
    from store.config import load_config

    if IN_COPY:
        return None
    try:
        path = socket_path(load_config(args.config))
    except Exception:  # noqa: BLE001 -- the session itself reports a bad config, in its own words
        return None
    if len(os.fsencode(path)) > MAX_PATH or not path.exists():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(5)
        conn.connect(os.fspath(path))
        umask = os.umask(0o077)
        os.umask(umask)
        request = json.dumps({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(),
                              "umask": umask, "code": fingerprint()}).encode()
        fds = array.array("i", [0, 1, 2])
        conn.sendmsg([struct.pack("!I", len(request)), request],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
        reader = conn.makefile("rb")
        first = json.loads(reader.readline() or b"{}")
        pid = first.get("pid")
        if not isinstance(pid, int):
            return None  # a server of older code, or one that could not fork: run it here
    except (OSError, ValueError):
        conn.close()
        return None
    return _follow(conn, reader, pid)


def _follow(conn: socket.socket, reader, pid: int) -> int:
    """Forward the terminal's and sshd's signals to the copy until it ends; its exit status."""
    def forward(signum, _frame):
        with contextlib.suppress(OSError):  # (ended meanwhile: its exit status is on its way)
            os.kill(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    conn.settimeout(None)
    while True:
        line = reader.readline()  # (a signal forwarded meanwhile: retried by Python, PEP 475)
        if not line:
            return 1  # the copy died without a word (killed): as a crashed session would
        message = json.loads(line)
        if "exit" in message:
            return int(message["exit"])


# --- the server ----------------------------------------------------------------------------

def serve(config, *, ready=None) -> int:
    """Load the app, listen, fork a copy per handover; returns when its code is outdated."""
    import importlib

    path = socket_path(config)
    from store.errors import CommandFailed

    if len(os.fsencode(path)) > MAX_PATH:
        raise CommandFailed(f"{path}: too long for a Unix socket ({MAX_PATH} bytes at most); "
                            f"sessions run in their own processes instead")
    for name in LOADED:
        importlib.import_module(name)
    code = fingerprint()
    listener = _listen(path)
    inode = os.stat(path).st_ino  # ours to remove at the end, unless another took its place
    # forked copies' objects left where they are: a collection in a copy then writes to no
    # page it shares with the server (Python's advice for a fork without exec)
    import gc

    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if ready is not None:
        ready()
    try:
        while True:
            conn, _ = listener.accept()
            try:
                if _serve_one(conn, listener, code) == "outdated":
                    return 0
            finally:
                conn.close()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == inode:
                path.unlink()


def _reap(_signum, _frame) -> None:
    """Ended copies waited for (their CPU then counts in the server's children's times, where
    `ps` and the bench find it; ignoring SIGCHLD would drop it)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _listen(path: Path) -> socket.socket:
    """The socket, 0600 in the database's folder; refused if a live server holds it."""
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(os.fspath(path))
        except OSError:
            path.unlink()  # left by a server that died
        else:
            from store.errors import CommandFailed

            raise CommandFailed(f"{path}: a session server is running already")
        finally:
            probe.close()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(os.fspath(path))
    finally:
        os.umask(old)
    listener.listen(64)
    return listener


def _serve_one(conn: socket.socket, listener: socket.socket, code: str) -> str:
    """One handover: checked, then forked; the copy answers the caller from then on."""
    conn.settimeout(5)
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    if uid != os.getuid():
        return "refused"  # (the socket's folder lets no one else in; this says so again)
    fds: list[int] = []
    try:
        request, fds = _receive(conn)
        if not isinstance(request, dict) or len(fds) != 3:
            return "refused"
        if request.get("code") != code:
            conn.sendall(b'{"outdated": true}\n')
            return "outdated"
        pid = os.fork()
        if pid == 0:
            _become_session(conn, listener, fds, request)  # never returns
        return "forked"
    except (OSError, ValueError):
        return "refused"
    finally:
        for fd in fds:
            os.close(fd)


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    fds = array.array("i")
    data, ancillary, _flags, _addr = conn.recvmsg(4 + 65536, socket.CMSG_SPACE(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    received = list(fds)
    try:
        if len(data) < 4:
            raise ValueError("no request")
        (size,) = struct.unpack("!I", data[:4])
        if size > MAX_REQUEST:
            raise ValueError("request too large")
        body = data[4:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                raise ValueError("request cut short")
            body += more
        return json.loads(body), received
    except (OSError, ValueError):
        for fd in received:
            os.close(fd)
        raise


def _become_session(conn: socket.socket, listener: socket.socket, fds: list[int], request: dict) -> None:
    """In the copy: the forced command's terminal, environment and arguments, then its session."""
    global IN_COPY
    status = 1
    IN_COPY = True
    try:
        listener.close()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        os.setsid()  # out of the server's group: a restart of the server leaves it alone
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        fds.clear()
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # the caller's TZ, if sshd set one (local times on screen)
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))
        sys.argv = list(request["argv"])
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(line_buffering=True)  # a terminal now, no more the server's pipe
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        _hang_up_with(conn)
        from .main import main

        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 -- a session's failure is reported by main; this is the rest
        status = 1
    finally:
        # what the interpreter's exit would do (close_store's last flush and close), but not the
        # server's own `finally`s up this stack (its socket is still the server's): os._exit
        import atexit

        with contextlib.suppress(OSError):
            atexit._run_exitfuncs()  # (CPython's own exit step; no public name for it)
        with contextlib.suppress(OSError):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"exit": status}).encode() + b"\n")
        os._exit(status)


def _hang_up_with(conn: socket.socket) -> None:
    """The forced command gone (killed before it could forward the hang-up): hang up as well."""
    import threading

    def watch() -> None:
        try:
            while conn.recv(64):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGHUP)

    threading.Thread(target=watch, name="session-handover", daemon=True).start()
