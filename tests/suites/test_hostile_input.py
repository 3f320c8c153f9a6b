"""Hostile input everywhere: one corpus through every way in, checked at every way out.

Ways in: the contact form's save (what the app's form calls), search, an import file (values
and the file's own name), the command line, the SSH batch command line.  Ways out: the
screen (tui/safe.py, rendered by Rich as a terminal would get it), the mailing CSV, the
person's export bundle (CSV, JSON, report.txt), the audit trail, the console's stdout and
stderr.  Data is stored literally where it is data (markup, formulas, FTS syntax, paths),
refused where it cannot be (control and bidi characters, 1 MB), shown inert, exported
neutralised, and never produces a traceback.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shlex
import zipfile
from collections import Counter

import consent_text_helper
import pytest

from store.text import UNSAFE_CHARACTERS

from .profile import PROFILE

CORPUS = {
    "markup bold": "[bold]Fed[/bold]",
    "markup link": "[link=https://ondt.example]Klik[/link]",
    "markup click": "[@click=app.quit]Luk[/]",
    "CSI": "Rød\x1b[31m\x1b[2J",
    "OSC 52": "Kopi\x1b]52;c;ZXZpbA==\x07",
    "OSC 8": "\x1b]8;;https://ondt.example\x07Link\x1b]8;;\x07",
    "C1 CSI": "Enkel\x9b2J",
    "bare CR": "Over\rskrevet",
    "bidi override": "Fil\u202egnp.exe",
    "bidi isolate": "Iso\u2066lat\u2069",
    "formula =": "=HYPERLINK(\"https://ondt.example\";\"Klik\")",
    "formula +": "+45+1",
    "formula -": "-2+3",
    "formula @": "@SUM(A1:A9)",
    "leading tab": "\tTab",
    "leading CR": "\rCR",
    "FTS NEAR": "NEAR(holm jensen)",
    "FTS quote": "\"ubalanceret",
    "FTS star OR": "hol* OR x",
    "FTS column": "name:holm",
    "FTS caret": "^holm",
    "relative path": "../../etc/passwd",
    "absolute path": "/etc/shadow",
    "NUL": "nul\x00byte",
    "1 MB": "A" * 1_000_000,
}
ACTIVE = ("\x1b", "\x07", "\x9b", "\r", "\x00", *(ch for ch in UNSAFE_CHARACTERS if ord(ch) > 0x2000))
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> bool:
    """Nothing in it a terminal or a reader's eye would act on."""
    return not any(ch in UNSAFE_CHARACTERS and ch not in "\n\t" for ch in text)


def _screen(value: str) -> str:
    """What the app's widgets send to a terminal for this stored value."""
    from rich.console import Console

    from tui import safe

    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=200).print(safe.text(value))
    return out.getvalue()


def test_the_corpus_everywhere(store, users, tmp_path, run_cli, suite_figures):
    from store import consent, contacts, notes
    from store.db import database
    from store.errors import StoreError
    from store.importing.batch import import_file
    from store.mailing import write_list_csv
    from store.models import AuditEvent, Contact
    from store.rights import write_export_zip
    from store.scope import Scope

    manager, console = Scope(users["manager"]), Scope.console()
    checks: Counter = Counter()
    stored_literally: dict[int, str] = {}

    # -- ways in: the form, search -------------------------------------------------------
    for name, value in CORPUS.items():
        for field in ("first_name", "last_name", "title", "company"):
            fields = {"first_name": "Karen", field: value}
            try:
                detail = contacts.save_contact(manager, None, None, fields)
            except StoreError as exc:
                assert _inert(str(exc)) and value[:20] not in str(exc), (name, field, str(exc))
                checks["form refused"] += 1
            else:
                got = detail.company if field == "company" else getattr(detail, field)
                assert got == value.strip(), (name, field)  # data is kept as typed
                stored_literally[detail.id] = name
                checks["form stored literally"] += 1
        try:
            notes.add_note(manager, next(iter(stored_literally), None) or
                           contacts.create_contact(manager, first_name="Note"), body=value)
            checks["note stored literally"] += 1
        except StoreError:
            checks["note refused"] += 1
        assert isinstance(contacts.search_contacts(manager, value), list), name
        checks["search answered"] += 1

    # -- ways in: an import file (values, and a hostile file name) -------------------------
    for n, file_name in enumerate(("import.csv", "..%2F..%2Fetc.csv", "Rød\x1b[2J.csv", "\u202egnp.csv")):
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(["Fornavn", "Efternavn", "Firma", "E-mail"])
        for m, value in enumerate(v for v in CORPUS.values() if "\x00" not in v):
            writer.writerow([value[:300], f"Import{m}", value[:300], f"imp{n}x{m}@eksempel.dk"])
        path = tmp_path / file_name
        path.write_bytes(text.getvalue().encode("utf-8"))
        try:
            report = import_file(manager, path)
            from console.importing import report_lines  # what `minicrm import` prints

            assert all(_inert(line) for line in report_lines(report, show_values=True)), report.file
            checks["import read, report inert"] += 1
        except StoreError as exc:
            assert _inert(str(exc)), str(exc)
            checks["import refused cleanly"] += 1
    broken = tmp_path / "ugyldig.csv"  # invalid UTF-8 and a NUL: refused in one clean line
    broken.write_bytes(b"Fornavn;E-mail\n\xff\xfe\xc3\x28;x@eksempel.dk\nnul\x00;y@eksempel.dk\n")
    with pytest.raises(StoreError) as refused:
        import_file(manager, broken)
    assert str(refused.value).startswith("ugyldig.csv") and _inert(str(refused.value))
    checks["import refused cleanly"] += 1
    for (first, last, title) in Contact.select(Contact.first_name, Contact.last_name, Contact.title).tuples():
        assert _inert(first + last + title), repr(first)
    checks["stored values without active characters"] += 1

    # Older data that never went through validation: written directly, must be harmless on the way out.
    with database.atomic():
        raw = [Contact.create(first_name=value[:300], last_name=name[:50], email=f"raw{n}@eksempel.dk").id
               for n, (name, value) in enumerate(CORPUS.items())]
    for cid in raw:
        consent.record_consent(console, cid, "newsletter", method="phone", given_on=dt.date.today(),
                               text_id=consent_text_helper.text_id(), evidence="telefon")

    # -- ways out: screen, mailing CSV, export bundle, audit ----------------------------------
    for cid in [*stored_literally, *raw]:
        c = Contact.get_by_id(cid)
        for value in (c.first_name, c.last_name, c.title):
            shown = _screen(value)
            assert "\x1b]" not in shown and "\x07" not in shown and "\x9b" not in shown, repr(shown)
            assert all(ch not in shown for ch in UNSAFE_CHARACTERS if ord(ch) > 0x2000), repr(shown)
            assert "\x1b[2J" not in shown and "\x1b[31m" not in shown
            if "[bold]" in value:
                assert "[bold]" in shown  # shown as typed: never parsed as markup
        checks["screen inert"] += 1

    out = io.BytesIO()
    write_list_csv(Scope(users["admin"]), "newsletter", out)
    for row in csv.reader(io.StringIO(out.getvalue().decode("utf-8"))):
        for cell in row:
            assert _inert(cell), repr(cell)
            assert not cell.startswith(FORMULA), repr(cell)
    checks["mailing CSV neutralised"] += 1

    for cid in raw[:6] + raw[10:14]:
        from store.rights import add_request, verify_identity

        admin = Scope(users["admin"])
        verify_identity(admin, add_request(admin, cid, "access"), "known_email")
        bundle = io.BytesIO()
        write_export_zip(admin, cid, bundle)
        with zipfile.ZipFile(bundle) as zf:
            for member in zf.namelist():
                data = zf.read(member).decode("utf-8")
                if member.endswith(".csv"):  # the person's data as held (Art. 15), but never a formula
                    for row in csv.reader(io.StringIO(data.lstrip("\ufeff"))):
                        for cell in row:
                            assert not cell.startswith(FORMULA) and _inert(cell[:1]), (member, repr(cell))
                elif member.endswith(".json"):
                    json.loads(data)  # data kept as data, escaped by JSON
                    assert "\x1b" not in data and "\x00" not in data
                elif member.endswith(".txt"):
                    assert _inert(data), member
        checks["export bundle neutralised"] += 1

    markers = [v for v in CORPUS.values() if len(v) > 6]
    for (detail,) in AuditEvent.select(AuditEvent.detail).tuples():
        assert not any(m[:12] in detail for m in markers), detail
    checks["audit rows without values"] += 1

    # -- ways in and out: the command line, the SSH batch command line ------------------------
    for name in ("CSI", "bidi override", "markup click", "relative path", "formula ="):
        proc = run_cli(store, "user", "add", CORPUS[name], "--role", "sales")
        assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
        assert _inert(proc.stdout + proc.stderr.replace("\n", "")), repr(proc.stderr)
        checks["command line refused cleanly"] += 1
    from console.batch import parse
    from store.errors import CommandRefused

    for value in CORPUS.values():
        for line in (f"export person {shlex.quote(value)} --otp 123456",
                     f"mailing export {shlex.quote(value)} --otp 123456",
                     f"import --name {shlex.quote(value)} --otp 123456"):
            try:
                cmd = parse(line)
            except CommandRefused as exc:
                assert (_inert(str(exc)) and value[:20] not in str(exc)) or len(value) < 4, str(exc)
                checks["SSH batch refused"] += 1
            else:
                assert "/" not in cmd.file_name and _inert(cmd.file_name), cmd.file_name
                checks["SSH batch accepted as data"] += 1

    suite_figures("hostile", f"[{PROFILE}] {len(CORPUS)} hostile values, {sum(checks.values()):,} checks: "
                  + ", ".join(f"{k} {v}" for k, v in checks.items()) + "; 0 tracebacks, 0 active outputs")


@pytest.mark.parametrize("value", ["[bold]x", "\x1b[2J", "\u202e"])
def test_search_treats_any_text_as_text(store, users, value):
    from store import contacts
    from store.scope import Scope

    assert contacts.search_contacts(Scope(users["manager"]), value) == []
