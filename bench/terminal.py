"""A program on a real pseudo-terminal, read the way the user's terminal reads it.

The bench times what the person at the keyboard waits for: from the moment a key's
bytes are written to the terminal to the moment the bytes that complete the answer
have come back.  Every chunk the program writes is fed to pyte (a VT100 emulator),
and a condition on the emulated screen ("the results for 'mette' are shown") is
checked after each chunk; the time of the chunk that made it true is the answer's.

A thread reads the terminal and times each chunk as it arrives; the emulation runs
apart from it.  Read and emulated in turn, a frame that came while the one before was
being emulated (pyte takes ~12 ms for a full 100x30 frame, a real terminal microseconds)
was timed when that ended: the harness's own time, added to the program's answer.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import queue
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]

ENTER, TAB, ESCAPE, BACKSPACE = b"\r", b"\t", b"\x1b", b"\x7f"
CTRL_S, CTRL_U = b"\x13", b"\x15"


# the reader thread gets the interpreter within this of a chunk's arrival, not Python's
# default 5 ms, while the main thread emulates (the chunk's time is taken on arrival)
sys.setswitchinterval(0.0002)


def ctrl(letter: str) -> bytes:
    return bytes([ord(letter.lower()) - 96])


class Terminal:
    """One program on its own pty of `cols` x `rows`."""

    def __init__(self, argv: list[str], *, cols: int = 100, rows: int = 30, env: dict | None = None):
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        environment = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows),
                           LANG="en_US.UTF-8", **(env or {}))
        environment.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program on a fresh terminal
            os.chdir(ROOT)
            try:
                os.execve(argv[0], argv, environment)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.closed = False
        self._chunks: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, name=f"pty-{self.pid}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """The reader thread: each chunk with the time it arrived; b"" when the program ended."""
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    continue
                chunk = os.read(self.fd, 1 << 16)
            except (OSError, ValueError):  # the program ended (EIO), or the terminal was closed
                chunk = b""
            self._chunks.put((time.perf_counter(), chunk))
            if not chunk:
                return

    def _next(self, timeout: float) -> tuple[float, bytes] | None:
        """The next chunk (emulated) and its arrival time; None if none came within `timeout`."""
        if self.closed:
            return None
        try:
            arrived, chunk = self._chunks.get(timeout=timeout) if timeout > 0 else self._chunks.get_nowait()
        except queue.Empty:
            return None
        if not chunk:
            self.closed = True
            return arrived, chunk
        self.stream.feed(chunk)
        return arrived, chunk

    # -- reading -------------------------------------------------------------------------

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, timeout: float = 0.0) -> float | None:
        """Emulate what is there (waiting up to `timeout`); the arrival of the last chunk, or None."""
        last = None
        while (got := self._next(timeout)) is not None and got[1]:
            last, timeout = got[0], 0.0
        return last

    def wait(self, condition: Callable[[str], bool], timeout: float = 60.0, what: str = "") -> float:
        """Seconds-clock time of the chunk after which `condition(screen text)` holds."""
        deadline = time.perf_counter() + timeout
        if condition(self.text()):
            return time.perf_counter()
        while time.perf_counter() < deadline:
            got = self._next(0.05)
            if got is None:
                if self.closed:
                    break
                continue
            arrived, chunk = got
            if not chunk:
                raise RuntimeError(f"the program ended while waiting for {what or condition}:\n{self.text()}")
            if condition(self.text()):
                return arrived
        if self.closed:
            raise RuntimeError(f"the program ended while waiting for {what or condition}:\n{self.text()}")
        raise RuntimeError(f"not on the screen within {timeout:.0f} s: {what or condition}\n{self.text()}")

    def wait_for(self, needle: str, timeout: float = 60.0) -> float:
        return self.wait(lambda text: needle in text, timeout, repr(needle))

    def idle(self, seconds: float) -> None:
        """Read (and emulate) what comes for `seconds`: a person's pause."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(left)

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Read until the program has written nothing for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.pump(quiet) is None:
                return

    # -- writing -------------------------------------------------------------------------

    def send(self, data: bytes | str) -> float:
        """Write keys; returns the time just before they were written."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        sent = time.perf_counter()
        os.write(self.fd, data)
        return sent

    def close(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self._reader.join(5)  # it ends at the EOF of the terminal the program left
            os.close(self.fd)
            self.pid = 0

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


MINIMAL_ECHO = """
from textual.app import App
from textual.widgets import Input, Static
class Echo(App):
    def compose(self):
        yield Static("MiniCRM minimal")
        yield Input(id="box")
    def on_mount(self):
        self.query_one("#box").focus()
Echo().run()
"""


def minimal_echo(**kw) -> Terminal:
    """A minimal Textual app (a label and a focused Input): the baseline for every figure."""
    return Terminal([sys.executable, "-c", MINIMAL_ECHO], **kw)


def app(config: Path, *, language: str = "en", **kw) -> Terminal:
    code = ("import sys; from console.main import main; "
            "sys.exit(main(['--config', sys.argv[1], 'run', '--language', sys.argv[2]]))")
    return Terminal([sys.executable, "-c", code, str(config), language], **kw)
