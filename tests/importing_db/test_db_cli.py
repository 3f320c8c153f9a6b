"""`minicrm import` as a real process: the report, the batch id, undo, roles, one-line errors,
and a process killed mid-import leaving whole batches that resume."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from importing_db_helpers import write

SHEET = ("Navn;Firma;Telefon;E-mail;Noter;Fax\x1b[2J\n"
         "Jørgen Hansen;Firma ApS;45 20 12 34 56;jh@firma.dk;Har diabetes;\n"
         "Mette Lund;Firma ApS;;mette@firma.dk;Ring fredag;\n"
         ";;;;;\n"
         "Uden Navn;;;ikke-en-adresse;;\n")


def _batches(config):
    from store import runtime
    from store.db import database

    runtime.open_store(config)
    try:
        return database.execute_sql("SELECT count(*) FROM import_batch").fetchone()[0], \
            database.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
    finally:
        runtime.close_store()


def test_import_dry_run_import_and_undo_from_the_console(users, closed_store, run_cli, tmp_path):
    path = write(tmp_path, "kunder.csv", SHEET, encoding="cp1252", newline="\r\n")
    dry = run_cli(closed_store, "import", str(path), "--dry-run", "--save-mapping", str(tmp_path / "m.toml"))
    assert dry.returncode == 0, dry.stderr
    out = dry.stdout
    assert "Dry run of kunder.csv (csv, cp1252, ';', layout danish_sheet)" in out and "nothing was written" in out
    for label, n in (("rows", 3), ("new", 3), ("flagged", 1), ("invalid", 0)):
        assert f"  {label:<11}{n:>9,}" in out, label
    assert "line 2: column 'Noter': special-category data (health) found" in out
    assert "line 5: column 'E-mail': invalid e-mail address" in out and "ikke-en-adresse" not in out
    assert "Columns not imported (1): Fax\u241b[2J" in out and "\x1b" not in out  # shown, never acted on
    assert "diabetes" not in out.lower() and "Import batch" not in out
    assert _batches(closed_store) == (0, 0)

    real = run_cli(closed_store, "import", str(path), "--mapping", str(tmp_path / "m.toml"), "--policy", "skip",
                   "--lawful-basis", "contract", "--owner", users["sales"].username)
    assert real.returncode == 0, real.stderr
    batch = int(real.stdout.split("Import batch ")[1].split(".")[0])
    assert f"Undo it with: minicrm import undo {batch}" in real.stdout
    assert _batches(closed_store) == (1, 3)

    again = run_cli(closed_store, "import", str(path), "--policy", "update", "--show-values")
    assert again.returncode == 0 and "Nothing new to import" in again.stdout
    assert "already in MiniCRM as contact" in again.stdout

    listing = run_cli(closed_store, "import", "undo")
    assert listing.returncode == 0 and f"{batch:>5}" in listing.stdout and "kunder.csv  (3 contacts)" in listing.stdout
    undo = run_cli(closed_store, "import", "undo", str(batch))
    assert undo.returncode == 0, undo.stderr
    assert f"Undid import batch {batch}: removed 3 contacts" in undo.stdout
    assert _batches(closed_store) == (1, 0)
    twice = run_cli(closed_store, "import", "undo", str(batch))
    assert (twice.returncode, twice.stderr) == (1, f"minicrm: import batch {batch} was already undone\n")


def test_console_import_acts_as_a_named_user_with_their_role(users, closed_store, run_cli, tmp_path):
    path = write(tmp_path, "k.csv", "Navn,E-mail\nA A,a@x.dk\n")
    finance = run_cli(closed_store, "import", str(path), "--as", users["finance"].username)
    assert (finance.returncode, finance.stdout) == (1, "")
    assert finance.stderr == "minicrm: your role (finance) may not do this: import\n"
    sales = run_cli(closed_store, "import", str(path), "--as", users["sales"].username)
    assert sales.returncode == 0, sales.stderr
    from store import runtime
    from store.db import database

    runtime.open_store(closed_store)
    try:
        owner, batch_by = database.execute_sql(
            "SELECT c.owner_id, b.imported_by_id FROM contact c JOIN import_batch b ON b.id = c.import_batch_id"
        ).fetchone()
    finally:
        runtime.close_store()
    assert owner == batch_by == users["sales"].id


def test_bad_file_is_one_line_naming_file_line_and_column(closed_store, run_cli, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b'Navn,E-mail,Noter\nA A,a@x.dk,"ok"\nB B,b@x.dk,"never closed\n')
    proc = run_cli(closed_store, "import", str(path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == ("minicrm: broken.csv, line 3, column 'Noter': the file ends inside a quoted field "
                           "(truncated file, or a quote that is never closed)\n")


def test_a_process_killed_mid_import_leaves_whole_batches_and_resumes(users, closed_store, run_cli, tmp_path):
    rows = 30_000
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("Navn,E-mail,Telefon,Firma\n")
        for i in range(rows):
            fh.write(f"Person {i} Hansen,p{i}@firma{i % 50}.dk,{20000000 + i},Firma {i % 300} ApS\n")
    minicrm = Path(sys.executable).with_name("minicrm")
    command = [str(minicrm)] if minicrm.exists() else [sys.executable, "-m", "console"]
    env = dict(os.environ, MINICRM_CONFIG=str(closed_store.source), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([*command, "--config", str(closed_store.source), "import", str(big)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        line = proc.stderr.readline()  # the first progress line: some batches are in
        assert "rows read" in line, line
        assert int(line.split("import: ")[1].split(" ")[0].replace(",", "")) > 0
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    from store import runtime
    from store.db import database
    from store.importing import batch as importing
    from store.scope import Scope

    def counts():
        return [database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("contact", "company", "import_batch", "note")]

    runtime.open_store(closed_store)
    try:
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        contacts, _companies, batches, notes = counts()
        # whole write batches only, and the batch says exactly how far it got
        assert 0 < contacts < rows and batches == 1 and notes == 0
        from store.models import ImportBatch

        assert json.loads(ImportBatch.get().progress)["cursor"] == contacts  # whole chunks, and it says so
        (listed,) = importing.list_batches(Scope(users["admin"]))
        assert (listed["state"], listed["contacts"]) == ("interrupted", contacts)
        batch_id = listed["id"]
        # the write lock went with the process: an import by someone else runs meanwhile
        report = importing.import_file(Scope(users["admin"]), write(tmp_path, "small.csv", "Navn,E-mail\nA A,a@x.dk\n"))
        assert report.new == 1
    finally:
        runtime.close_store()

    proc = run_cli(closed_store, "import", "resume", str(batch_id), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert f"{rows:>9,}" in proc.stdout and f"Import batch {batch_id}." in proc.stdout
    runtime.open_store(closed_store)
    try:
        assert counts() == [rows + 1, 300, 2, 0]
        assert database.execute_sql("SELECT count(DISTINCT email) FROM contact").fetchone()[0] == rows + 1
        assert database.execute_sql("SELECT count(*) FROM contact_search WHERE contact_search MATCH '\"29999\"'"
                                    ).fetchone()[0] == 1
        again = run_cli(closed_store, "import", "resume", str(batch_id))
        assert again.returncode == 1 and "complete: nothing to resume" in again.stderr
    finally:
        runtime.close_store()
    undone = run_cli(closed_store, "import", "undo", str(batch_id))
    assert undone.returncode == 0 and f"removed {rows:,} contacts" in undone.stdout, undone.stderr
