"""One renderer words the import report for the console, the SSH batch commands and the app:
the same rows, reasons and counts whoever reads them, in the reader's language."""
from __future__ import annotations

from importing_db_helpers import write

SHEET = ("Navn;E-mail;Noter;Fax\n"
         "Jørgen Hansen;jh@firma.dk;Har diabetes;\n"
         "Mette Lund;mette@firma.dk;Ring fredag;\n"
         "Uden Navn;ikke-en-adresse;;\n")


def _report(scopes, tmp_path, *, dry_run: bool):
    from store.importing import batch

    return batch.import_file(scopes["manager"], write(tmp_path, "kunder.csv", SHEET), dry_run=dry_run)


def test_every_reader_gets_the_same_reasons_and_counts(scopes, tmp_path):
    from store.importing.report_text import Reader, report_lines

    report = _report(scopes, tmp_path, dry_run=True)
    worded = {reader: report_lines(report, reader) for reader in Reader}
    reasons = [f"  {note}" for note in report.notes]
    assert reasons and all(line.startswith("  line ") for line in reasons)
    for reader, lines in worded.items():
        body = [line for line in lines if line.startswith("  line ")]
        assert body == reasons, reader  # the same rows, the same words, the same order
        assert "Jørgen" not in "\n".join(lines) and "diabetes" not in "\n".join(lines)  # ids, not people
    assert worded[Reader.SSH][0] == f"dry run, nothing saved: {report.summary()}"
    assert worded[Reader.APP][:2] == [report.summary(), "Preview only: nothing was written."]
    assert worded[Reader.CONSOLE][0].startswith("Dry run of kunder.csv (csv")


def test_the_undo_hint_names_what_each_reader_can_do(scopes, tmp_path):
    from store.importing.report_text import Reader, report_lines

    report = _report(scopes, tmp_path, dry_run=False)
    batch_id = report.batch_id
    assert report_lines(report, Reader.CONSOLE)[-1] == (
        f"Import batch {batch_id}. Undo it with: minicrm import undo {batch_id}")
    assert report_lines(report, Reader.SSH)[-1] == f"import batch {batch_id} (undo it in the app)"
    assert report_lines(report, Reader.APP)[-1].startswith(f"Imported as batch {batch_id}.")


def test_the_danish_app_reads_the_report_in_danish(scopes, tmp_path):
    from store.importing.report_text import Reader, report_lines
    from tui import i18n

    report = _report(scopes, tmp_path, dry_run=True)
    try:
        i18n.set_language("da")
        lines = report_lines(report, Reader.APP, translate=i18n._)
    finally:
        i18n.set_language("en")
    assert "Kun eksempel: intet blev gemt." in lines
    assert any(line.startswith("Markerede rækker (følsomme oplysninger eller CPR") for line in lines)
    assert "Kolonner der ikke importeres: Fax" in lines


def test_possible_duplicates_are_worded_for_every_reader_in_both_languages(scopes, tmp_path):
    from store import contacts
    from store.importing import batch
    from store.importing.report_text import Reader, report_lines
    from tui.i18n import _, set_language

    contacts.save_contact(scopes["manager"], None, None, {"first_name": "Mads", "last_name": "Ågaard",
                                                          "phones": ["86 12 34 56"]})
    path = write(tmp_path, "a.csv", "Navn;Telefon\nTove Christiansen;86123456\n")
    report = batch.import_file(scopes["manager"], path)
    for reader in Reader:
        assert any(line.startswith("Possible duplicates: 1 new contacts") for line in report_lines(report, reader))
    set_language("da")
    lines = report_lines(report, Reader.APP, translate=_)
    assert any(line.startswith("Mulige dubletter: 1 nye kontakter") for line in lines)
    assert "Tove" not in "\n".join(lines)
