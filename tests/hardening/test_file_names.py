"""A file's own name is text from outside: an import's refusal never carries its escape or
bidi characters to the console (found by the hostile-input suite)."""
from __future__ import annotations


def test_a_refusal_shows_the_file_name_as_plain_characters(tmp_path):
    from store.errors import ImportFileError

    message = str(ImportFileError(tmp_path / "Rød\x1b[2J\u202e.csv", "not a text file", line=3))
    assert message == "Rød\u241b[2J\ufffd.csv, line 3: not a text file"


def test_the_command_line_prints_no_escape_from_a_file_name(closed_store, run_cli, tmp_path):
    path = tmp_path / "Rød\x1b]52;c;ZXZpbA==\x07.csv"
    path.write_bytes(b"Fornavn\x00;E-mail\n")
    proc = run_cli(closed_store, "import", str(path), "--quiet")
    assert proc.returncode != 0
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr, repr(proc.stderr)
    assert proc.stderr.startswith("minicrm: Rød\u241b]52;c;ZXZpbA==\u2407.csv"), repr(proc.stderr)
