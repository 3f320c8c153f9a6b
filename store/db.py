"""The SQLCipher connection: key handling, pragmas, IMMEDIATE transactions, a busy file.

The models bind to `database`, a deferred SqlCipherDatabase (initialised once
by `open_database`).  Every transaction Peewee opens on it starts with
BEGIN IMMEDIATE, so a write never fails half-way with "database is locked".

Many processes share the file.  When another one holds the write lock, SQLite
waits up to the busy timeout (`database.busy_timeout_ms`); a busy error that
comes sooner (SQLite skips its wait in some cases) is retried here up to the
same deadline.  Past it the caller gets `DatabaseBusy`, one line ("the database
is busy; try again"): no `OperationalError` ever leaves this module for a busy file.

`after_transaction` callbacks run once the outermost transaction has ended,
committed or rolled back: the audit trail writes there what must survive a
rollback (a refusal is raised inside the transaction it then undoes).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import peewee
from peewee import BaseQuery
from playhouse.sqlcipher_ext import SqlCipherDatabase

from .errors import DatabaseBusy, KeyFileError, StoreError, WrongKey

MIN_SQLCIPHER = (4, 5, 0)
BUSY_TIMEOUT_MS = 10_000  # the default of `database.busy_timeout_ms`
_T = TypeVar("_T")


def new_key_file(path: Path) -> bytes:
    """Create a key file with a random 256-bit key, mode 0600, never overwriting."""
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    return key


def read_key_file(path: Path) -> bytes:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} does not exist (run `minicrm init`?)") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is readable by group or others; fix with: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"key file {path} does not hold a 64-digit hex key") from None
    if len(key) != 32:
        raise KeyFileError(f"key file {path} does not hold a 64-digit hex key")
    return key


class _KeyHolder:
    """Keeps the raw key out of reprs and tracebacks (a plain str would show in locals)."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes):
        self._key = key

    def __repr__(self) -> str:
        return "<database key>"

    @property
    def pragma(self) -> str:
        return f"x'{self._key.hex()}'"


# SQLCipher 4 page layout (we never change the defaults): 4 KiB pages ending in
# a 16-byte IV and a 64-byte HMAC-SHA512; page 1 starts with the 16-byte salt.
_PAGE_SIZE = 4096
_SALT = 16
_RESERVE = 16 + 64


def key_opens_file(path: Path, key: bytes) -> bool | None:
    """Check a raw key against page 1's HMAC by reading the file, without SQLite.

    A SQLite connection opened with a wrong key still attaches the WAL: it
    rewrites read marks in -shm and, when no other process has the database
    open (say after a crash), checkpoints the WAL into the file and deletes it.
    Checking first leaves every file untouched.  None: no full page 1 yet.
    """
    try:
        with open(path, "rb") as fh:
            page = fh.read(_PAGE_SIZE)
    except FileNotFoundError:
        return None
    if len(page) < _PAGE_SIZE:
        return None
    salt = page[:_SALT]
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)
    end = _PAGE_SIZE - _RESERVE + 16  # ciphertext and IV are authenticated
    mac = hmac.new(hmac_key, page[_SALT:end] + (1).to_bytes(4, "little"), hashlib.sha512).digest()
    return hmac.compare_digest(mac, page[end:end + 64])


# path -> fingerprint of the key already checked against it in this process
_checked: dict[str, str] = {}


def _check_key(path: Path, key: bytes) -> None:
    """Once per file and key per process, before this process's first connection:
    closing any descriptor of the file drops all of this process's POSIX locks
    on it, SQLite's included, so the file is never opened while one is live."""
    fingerprint = hashlib.sha256(key).hexdigest()
    if _checked.get(str(path)) == fingerprint:
        return
    # A checkpoint in another process may be rewriting page 1 as we read it:
    # only a mismatch that persists means a wrong key.
    for attempt in range(3):
        if key_opens_file(path, key) is not False:
            _checked[str(path)] = fingerprint
            return
        time.sleep(0.05 * (attempt + 1))
    raise WrongKey(f"this key does not open {path}")


_quiet_log = False


def _silence_sqlcipher_log(sqlcipher) -> None:
    """SQLCipher logs decryption failures to stderr, which would garble the
    terminal UI and add lines to one-line console errors; our exceptions say it."""
    global _quiet_log
    if not _quiet_log:
        probe = sqlcipher.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE")  # process-wide setting
        finally:
            probe.close()
        _quiet_log = True


def _pragmas(cache_mb: int, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> list[tuple[str, object]]:
    return [
        ("journal_mode", "wal"),
        ("busy_timeout", busy_timeout_ms),
        ("foreign_keys", 1),
        ("synchronous", "full"),
        ("temp_store", "memory"),
        ("secure_delete", 1),
        ("cache_size", -1024 * cache_mb),
    ]


def _is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED as the driver words them (it gives no error code)."""
    text = str(exc)
    return "database is locked" in text or "database is busy" in text or "table is locked" in text


_waits = threading.local()  # a shorter busy timeout for this thread's writes, inside short_wait()


class _Database(SqlCipherDatabase):
    """SqlCipherDatabase whose key lives in a holder, never in connect_params,
    and whose busy errors are retried up to the busy timeout, then raised as DatabaseBusy."""

    key_holder: _KeyHolder | None = None
    busy_timeout_ms: int = BUSY_TIMEOUT_MS

    def _connect(self):
        from sqlcipher3 import dbapi2 as sqlcipher

        _silence_sqlcipher_log(sqlcipher)
        assert self.key_holder is not None, "open_database sets the key before any connection"
        _check_key(Path(self.database), self.key_holder._key)
        conn = sqlcipher.connect(self.database, isolation_level=None, check_same_thread=False)
        try:
            # The key first: SQLCipher >= 4.7 ignores it after any other statement.
            conn.execute(f'PRAGMA key = "{self.key_holder.pragma}"')
            try:
                self._retry_busy(lambda: conn.execute("SELECT count(*) FROM sqlite_master").fetchone(),
                                 sqlcipher.OperationalError, conn)
            except DatabaseBusy:
                raise
            except sqlcipher.DatabaseError:
                raise WrongKey(f"this key does not open {self.database}") from None
            self._retry_busy(lambda: self._add_conn_hooks(conn), sqlcipher.OperationalError, conn)
        except BaseException:
            conn.close()
            raise
        return conn

    # -- a busy file: retried up to the timeout, then one clear error ---------------------

    def _timeout_ms(self) -> int:
        return getattr(_waits, "ms", None) or self.busy_timeout_ms

    def _retry_busy(self, run: Callable[[], _T], error: type[BaseException] | tuple = peewee.OperationalError,
                    conn=None) -> _T:
        """run(), again while the file is busy and the deadline not passed; never inside a
        transaction (its earlier statements would be lost), where busy is DatabaseBusy at once."""
        deadline = time.monotonic() + self._timeout_ms() / 1000
        delay = 0.005
        while True:
            try:
                return run()
            except error as exc:
                if not _is_busy(exc):
                    raise
                conn = conn if conn is not None else self._state.conn
                in_transaction = bool(conn is not None and conn.in_transaction)
                if in_transaction or time.monotonic() + delay > deadline:
                    raise DatabaseBusy() from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def begin(self, lock_type=None):
        return self._retry_busy(lambda: super(_Database, self).begin(lock_type))

    def execute_sql(self, sql, params=None):
        return self._retry_busy(lambda: super(_Database, self).execute_sql(sql, params))

    # -- after the outermost transaction --------------------------------------------------

    # peewee ends an outermost transaction with commit() + _run_commit_callbacks(), or
    # rollback() + _clear_commit_callbacks(): the callbacks below come after both.
    def _run_commit_callbacks(self):
        try:
            super()._run_commit_callbacks()
        finally:
            self._transaction_ended()

    def _clear_commit_callbacks(self):
        super()._clear_commit_callbacks()
        self._transaction_ended()

    def _transaction_ended(self) -> None:
        conn = self._state.conn
        # a failed COMMIT is rolled back next: not yet
        if self.transaction_depth() == 0 and not (conn is not None and conn.in_transaction):
            for callback in _after_transaction:
                callback()


# Called with no transaction open, after each outermost one ends; they must not raise.
_after_transaction: list[Callable[[], None]] = []


def after_transaction(callback: Callable[[], None]) -> None:
    """Run `callback()` each time this thread's outermost transaction has ended (either way)."""
    if callback not in _after_transaction:
        _after_transaction.append(callback)


@contextlib.contextmanager
def short_wait(ms: int) -> Iterator[None]:
    """This thread's statements wait at most `ms` for a busy file (a write that can be put off)."""
    previous = getattr(_waits, "ms", None)
    database.execute_sql(f"PRAGMA busy_timeout = {int(ms)}")
    _waits.ms = ms
    try:
        yield
    finally:
        _waits.ms = previous
        database.execute_sql(f"PRAGMA busy_timeout = {int(previous or database.busy_timeout_ms)}")


database = _Database(None, lock_type="IMMEDIATE")


def open_database(db_path: Path, key: bytes, *, cache_mb: int = 64, create: bool = False,
                  busy_timeout_ms: int = BUSY_TIMEOUT_MS):
    """Bind the models' database to an encrypted file and check it opens."""
    db_path = Path(db_path)
    if not create and not db_path.exists():
        raise StoreError(f"database {db_path} does not exist (run `minicrm init`?)")
    if not database.is_closed():
        database.close()
    database.key_holder = _KeyHolder(key)
    database.busy_timeout_ms = busy_timeout_ms
    database.init(str(db_path), pragmas=_pragmas(cache_mb, busy_timeout_ms))
    database.connect(reuse_if_open=True)
    check_cipher(database)
    return database


def check_cipher(db) -> None:
    row = db.execute_sql("PRAGMA cipher_version").fetchone()
    if not row or not row[0]:
        raise StoreError("the SQLite library in use is not SQLCipher; refusing to store data unencrypted")
    version = tuple(int(p) for p in row[0].split()[0].split(".")[:3])
    if version < MIN_SQLCIPHER:
        raise StoreError(
            f"SQLCipher {'.'.join(map(str, version))} is older than the minimum "
            f"{'.'.join(map(str, MIN_SQLCIPHER))}"
        )


def tuples(query: BaseQuery) -> Iterable[tuple[Any, ...]]:
    """`query.tuples()`, typed as what it yields: one plain tuple per row.

    Peewee's `.tuples()` returns the query itself, so its stubs type the rows as model
    instances and `for a, b in q.tuples()` or `dict(q.tuples())` would not type-check.
    Same object, same laziness: the query still runs when it is iterated."""
    return cast("Iterable[tuple[Any, ...]]", query.tuples())


def close_database() -> None:
    if not database.is_closed():
        database.close()


def data_version() -> int:
    """Changes when another connection commits: a cheap 'anything new?' check."""
    return database.execute_sql("PRAGMA data_version").fetchone()[0]


def checkpoint() -> None:
    """Move the WAL into the main file and truncate it (old page images go too)."""
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
