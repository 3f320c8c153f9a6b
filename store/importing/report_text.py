"""The import report in words: the one renderer the console, the SSH batch commands and the
app's import wizard all use.

`report_lines(report, reader)` gives plain lines in the reader's language: the app passes
its gettext (`translate=_`; the msgids are in tui/locale), the console and SSH print
English.  People appear by line and contact id only, field values only on request
(`show_values`).  Where the readers differ, it is in what their front end offers next (a
command to type, a button, the app) and in what it already shows elsewhere (the app has a
table of field changes and names special-category columns when the file is opened).

File-derived text (the file name, column names, reasons quoting them) comes back as it is:
each front end shows it through its display cleaner, which keeps control characters
visible and inert.  No Textual, no terminal, no database here.
"""
from __future__ import annotations

import enum
from collections.abc import Callable


class Reader(enum.Enum):
    CONSOLE = "console"  # `minicrm import`
    SSH = "ssh"  # `ssh crm@server import ...`
    APP = "app"  # the import wizard


def N_(message: str) -> str:
    """Mark a msgid for tui/i18n_tool without translating it here."""
    return message


NOTE_TITLES = {
    "invalid": N_("Invalid rows (not imported)"),
    "suppressed": N_("Suppressed (erased earlier; never re-imported)"),
    "review": N_("Not imported (a manager must review these rows)"),
    "flagged": N_("Flagged rows (special-category data or CPR; the values were not imported)"),
    "warning": N_("Values left out (the rest of the row was imported)"),
    "duplicate": N_("Duplicates"),
}


def _english(message: str) -> str:
    return message


def report_lines(report, reader: Reader = Reader.CONSOLE, *, show_values: bool = False,
                 translate: Callable[[str], str] = _english) -> list[str]:
    """The report (a store.importing ImportReport) as lines for `reader`."""
    _ = translate
    lines = _opening(report, reader, _)
    for kind, title in NOTE_TITLES.items():
        notes = report.reasons(kind)
        if notes:
            lines.append(_("{title}, first {n} by line:").format(title=_(title), n=len(notes)))
            lines.extend(f"  {n}" for n in notes)
    if report.changes and reader is not Reader.APP:
        lines += _change_lines(report, show_values, _)
    if report.possible_duplicates:
        lines.append(_("Possible duplicates: {n} new contacts share only an e-mail or a phone with a contact "
                       "of another name; each was kept apart and listed for review.").format(
                           n=f"{report.possible_duplicates:,}"))
    if report.rows == 0:
        lines.append(_("The file has no data rows."))
    if report.dropped_columns:
        columns = ", ".join(report.dropped_columns)
        if reader is Reader.APP:  # the wizard's mapping shows each dropped column already
            lines.append(_("Columns not imported: {cols}").format(cols=columns))
        else:
            lines.append(_("Columns not imported ({n}): {cols}").format(n=len(report.dropped_columns),
                                                                       cols=columns))
    if report.sensitive_columns and reader is not Reader.APP:  # the wizard says so on opening
        lines.append(_("Columns naming special-category data (never imported): {cols}").format(
            cols=", ".join(f"{c} ({k})" for c, k in report.sensitive_columns)))
    lines += _closing(report, reader, _)
    return lines


def _opening(report, reader: Reader, _) -> list[str]:
    if reader is Reader.SSH:
        text = _("dry run, nothing saved: {summary}") if report.dry_run else _("imported: {summary}")
        return [text.format(summary=report.summary())]
    if reader is Reader.APP:
        return [report.summary()] + ([_("Preview only: nothing was written.")] if report.dry_run else [])
    how = ", ".join(x for x in (report.fmt, report.encoding, report.delimiter and repr(report.delimiter),
                                report.layout and f"layout {report.layout}") if x)
    text = (_("Dry run of {file} ({how}); duplicates: {policy}; lawful basis: {basis} - nothing was "
              "written.") if report.dry_run else
            _("Imported {file} ({how}); duplicates: {policy}; lawful basis: {basis}."))
    lines = [text.format(file=report.file, how=how, policy=report.policy, basis=report.lawful_basis)]
    merged = _("  ({n} repeated in the file, merged)").format(n=f"{report.merged:,}") if report.merged else ""
    for label, value, extra in ((_("rows"), report.rows, ""), (_("new"), report.new, ""),
                                (_("updated"), report.updated, ""), (_("duplicate"), report.duplicates, merged),
                                (_("suppressed"), report.suppressed, ""),
                                *([(_("review"), report.review, "")] if report.review else []),
                                (_("flagged"), report.flagged, ""),
                                (_("invalid"), report.invalid, "")):
        lines.append(f"  {label:<11}{value:>9,}{extra}")
    return lines


def _change_lines(report, show_values: bool, _) -> list[str]:
    verb = _("would change") if report.dry_run else _("changed")
    lines = [_("Field changes ({total} in {contacts} contacts; the first {n}) - what the update {verb}:")
             .format(total=f"{report.changes_total:,}", contacts=f"{report.updated:,}",
                     n=len(report.changes), verb=verb)]
    by_contact: dict[tuple[int, int], list] = {}
    for ch in report.changes:
        by_contact.setdefault((ch.contact_id, ch.line), []).append(ch)
    where = _("line {line}, contact {contact}")
    for (contact_id, line), chs in by_contact.items():
        at = where.format(line=line, contact=contact_id)
        if show_values:
            lines.extend(f"  {at}: {ch.field}: {ch.old!r} -> {ch.new!r}" for ch in chs)
        else:
            lines.append(f"  {at}: {', '.join(ch.field for ch in chs)}")
    return lines


def _closing(report, reader: Reader, _) -> list[str]:
    if report.batch_id is not None:
        return [{Reader.CONSOLE: _("Import batch {id}. Undo it with: minicrm import undo {id}"),
                 Reader.SSH: _("import batch {id} (undo it in the app)"),
                 Reader.APP: _("Imported as batch {id}. You can undo it while its contacts are unchanged."),
                 }[reader].format(id=report.batch_id)]
    return [] if report.dry_run else [_("Nothing new to import: no batch was recorded.")]
