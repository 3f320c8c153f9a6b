"""Encryption at rest: `minicrm init`, the key file's mode, a wrong key, what the
raw files hold (nothing readable), and the connection's pragmas."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from store.config import load_config, write_config

KEY_LINE = re.compile(r"^\s+([0-9a-f]{64})\s*$", re.M)


def files_of(db: Path) -> dict[str, str | None]:
    """sha256 of the database, its -wal and its -shm (None: absent)."""
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{db}{suffix}")
        out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- minicrm init ------------------------------------------------------------------

def test_init_creates_a_0600_key_and_shows_recovery_key_and_password_once(config_path, run_cli):
    proc = run_cli(config_path, "init", "--admin", "mette")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    config = load_config(config_path)
    key_file, db = config.key_path, config.db_path

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.stat().st_mode) == 0o600              # -wal and -shm inherit this
    key_hex = key_file.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key_hex)
    assert KEY_LINE.findall(proc.stdout) == [key_hex]          # the recovery copy, once
    assert proc.stdout.count(key_hex) == 1
    password = re.search(r"One-time password.*: (\S+)$", proc.stdout, re.M)
    assert password and len(password.group(1)) >= 12
    assert proc.stdout.count(password.group(1)) == 1
    assert "mette" in proc.stdout

    header = db.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"                   # page 1 is encrypted too


def test_init_with_a_bad_admin_name_creates_nothing(config_path, run_cli):
    proc = run_cli(config_path, "init", "--admin", "Bad Name!")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    config = load_config(config_path)
    assert not config.db_path.exists() and not config.key_path.exists()


def test_init_refuses_to_overwrite_an_existing_store(config_path, run_cli):
    assert run_cli(config_path, "init").returncode == 0
    config = load_config(config_path)
    before = (config.key_path.read_bytes(), files_of(config.db_path))
    proc = run_cli(config_path, "init")
    assert proc.returncode != 0
    assert "already exists" in one_line(proc.stderr)
    assert (config.key_path.read_bytes(), files_of(config.db_path)) == before


def test_init_refuses_an_existing_key_file_without_a_database(config_path, run_cli):
    config = load_config(config_path)
    config.key_path.write_text("ab" * 32 + "\n")
    config.key_path.chmod(0o600)
    proc = run_cli(config_path, "init")
    assert proc.returncode != 0
    assert str(config.key_path) in one_line(proc.stderr)
    assert config.key_path.read_text() == "ab" * 32 + "\n"


# --- the key file ----------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o640, 0o604])
def test_refuses_to_start_with_a_key_readable_by_others(closed_store, run_cli, mode):
    key_file = closed_store.key_path
    key_file.chmod(mode)
    proc = run_cli(closed_store, "user", "list")
    assert proc.returncode != 0
    line = one_line(proc.stderr)
    assert str(key_file) in line and f"chmod 600 {key_file}" in line
    assert key_file.read_text().strip() not in proc.stderr + proc.stdout


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    ("not a key\n", "64-digit hex key"),
    ("ab" * 31 + "\n", "64-digit hex key"),
])
def test_a_missing_or_malformed_key_file_is_one_clear_line(closed_store, run_cli, content, problem):
    key_file = closed_store.key_path
    key_file.unlink()
    if content is not None:
        key_file.write_text(content)
        key_file.chmod(0o600)
    proc = run_cli(closed_store, "user", "list")
    assert proc.returncode != 0
    line = one_line(proc.stderr)
    assert problem in line and str(key_file) in line


# --- a wrong key ---------------------------------------------------------------------------

HOLDER = """
from store import contacts
from store.models import User
from store.scope import Scope
runtime.open_store()
with database.atomic():
    user = User.create(username="holder", role="sales")
for n in range(20):
    contacts.create_contact(Scope(user), first_name=f"Holder{n}", email=f"h{n}@holder.dk")
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
if sys.argv[2] == "crash":
    os._exit(0)          # no close, no checkpoint: -wal and -shm stay as after a crash
"""


@pytest.mark.parametrize("holder_state", ["live", "crashed"])
def test_a_wrong_key_is_one_error_and_changes_no_file(tmp_path, closed_store, run_cli, spawn_python,
                                                     holder_state):
    """With a WAL in use (a live session, or one that crashed), opening with a
    wrong key must neither checkpoint, delete nor touch -wal/-shm."""
    config = closed_store
    config_path = config.source
    stop = tmp_path / "stop"
    holder = spawn_python(config_path, HOLDER, stop, "crash" if holder_state == "crashed" else "live")
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        if holder_state == "crashed":
            stop.touch()
            assert holder.wait(timeout=60) == 0
        before = files_of(config.db_path)
        assert before["crm.db-wal"] is not None and before["crm.db-shm"] is not None

        wrong = tmp_path / "wrong.key"
        wrong.write_text("11" * 32 + "\n")
        wrong.chmod(0o600)
        wrong_config = tmp_path / "wrong.toml"
        write_config(wrong_config, str(config.db_path), str(wrong))
        proc = run_cli(wrong_config, "user", "list")

        assert proc.returncode != 0
        assert one_line(proc.stderr) == f"minicrm: this key does not open {config.db_path}"
        assert proc.stdout == ""
        assert files_of(config.db_path) == before
    finally:
        stop.touch()
        holder.wait(timeout=60)
    if holder_state == "crashed":  # the right key still opens it with everything in it
        out = run_cli(config_path, "audit", "verify")
        assert out.returncode == 0, out.stderr


def test_a_wrong_key_on_a_closed_database_creates_no_files(tmp_path, closed_store, run_cli):
    config = closed_store
    before = files_of(config.db_path)
    assert before["crm.db-wal"] is None            # closed cleanly: WAL checkpointed away
    listing = sorted(os.listdir(tmp_path))
    config.key_path.write_text("22" * 32 + "\n")
    proc = run_cli(config, "user", "list")
    assert one_line(proc.stderr) == f"minicrm: this key does not open {config.db_path}"
    assert files_of(config.db_path) == before
    assert sorted(os.listdir(tmp_path)) == listing


# --- nothing readable on disk -----------------------------------------------------------------

CANARY = {
    "first_name": "Quixbeldørte",
    "last_name": "Zanzibarsen-Kvæk",
    "title": "Fuglefløjtemester",
    "email": "quixbel.zanzibar@kanarie-proeve.dk",
    "phone": "+45 29 87 65 43",
}
CANARY_COMPANY = "Kanariefabrikken Æblegård ApS"
CANARY_NOTE = "Hemmelig kanarienote om hjertemedicin"


def _needles() -> list[bytes]:
    from store.search import fold

    texts = [CANARY["first_name"], CANARY["last_name"], CANARY["title"], CANARY["email"],
             "quixbel", "zanzibar", "+4529876543", "29876543", CANARY_COMPANY, "Kanariefabrikken",
             CANARY_NOTE, "kanarienote", fold(CANARY["first_name"]), fold(CANARY["last_name"])]
    needles = set()
    for text in texts:
        for variant in (text, text.lower(), text.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                needles.add(variant.encode(encoding))
    return sorted(needles)


def _found(data: bytes, needles) -> list[bytes]:
    return [n for n in needles if n in data]


def test_no_canary_in_the_raw_files_and_all_of_them_in_a_decrypted_copy(store, users, tmp_path):
    from store import contacts, search
    from store.db import checkpoint, database
    from store.models import Company, Note
    from store.scope import Scope

    db = store.db_path
    wal = Path(f"{db}-wal")
    checkpoint()
    wal_before = wal.stat().st_size if wal.exists() else 0

    scope = Scope(users["sales"])
    with database.atomic():
        company = Company.create(name=CANARY_COMPANY, cvr="12345674")
    cid = contacts.create_contact(scope, company_id=company.id, tags=["kanarie-tag"], **CANARY)
    with database.atomic():
        Note.create(contact=cid, author=users["sales"].id, body=CANARY_NOTE)
        search.index_contacts(database, [cid])
    assert contacts.search_contacts(scope, "quixbel")[0].id == cid

    # The rows are in the WAL (no checkpoint since): check it and the others.
    assert wal.stat().st_size > wal_before
    needles = _needles()
    for path in (db, wal, Path(f"{db}-shm")):
        data = path.read_bytes()
        assert data, path
        assert _found(data, needles) == [], f"plaintext in {path.name}"
    assert not db.read_bytes().startswith(b"SQLite format 3")

    # After a checkpoint the rows live in the main file: still nothing readable.
    checkpoint()
    assert _found(db.read_bytes(), needles) == []

    # The same bytes decrypted do hold them: the scan above can see what it looks for.
    plain = tmp_path / "plain.db"
    database.execute_sql("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    try:
        database.execute_sql("SELECT sqlcipher_export('plain')").fetchall()
    finally:
        database.execute_sql("DETACH DATABASE plain")
    data = plain.read_bytes()
    assert data.startswith(b"SQLite format 3\x00")
    for text in (CANARY["first_name"], CANARY["last_name"], CANARY["title"], CANARY["email"],
                 "+4529876543", CANARY_COMPANY, CANARY_NOTE):
        assert text.encode("utf-8") in data, text


# --- connection settings -------------------------------------------------------------------------

PRAGMAS = ("journal_mode", "busy_timeout", "foreign_keys", "synchronous", "temp_store",
           "secure_delete", "cipher_version")


def _check_pragmas(values: dict) -> None:
    assert values["journal_mode"] == "wal"
    assert values["busy_timeout"] >= 5000
    assert values["foreign_keys"] == 1
    assert values["synchronous"] == 2          # FULL
    assert values["temp_store"] == 2           # MEMORY: no plaintext temp files
    assert values["secure_delete"] == 1
    assert values["cipher_version"]
    major = int(str(values["cipher_version"]).split(".")[0])
    assert major >= 4


def test_pragmas_after_a_real_start_up(store, run_python):
    from store.runtime import close_store

    close_store()
    proc = run_python(store, f"""
        import json
        runtime.open_store()
        print(json.dumps({{p: database.execute_sql(f"PRAGMA {{p}}").fetchone()[0] for p in {PRAGMAS!r}}}))
    """)
    _check_pragmas(json.loads(proc.stdout))


def test_pragmas_on_every_thread_connection(store):
    """Workers (Textual @work threads) get their own connection: same settings."""
    from store.db import database

    seen = {}

    def worker():
        try:
            seen.update({p: database.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS})
        finally:
            database.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    _check_pragmas(seen)
    _check_pragmas({p: database.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS})


def test_database_file_is_not_plain_sqlite(store):
    from sqlite3 import DatabaseError, connect

    from store.runtime import close_store

    close_store()
    conn = connect(store.db_path)
    try:
        with pytest.raises(DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
