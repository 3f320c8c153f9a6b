"""The contact's notes: one row each, and the highlighted note's whole text below."""
from __future__ import annotations

from textual.widgets import DataTable, Static

from ... import safe, vocab
from ...i18n import _, fmt_date


class NotesTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="notes", cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(_("Date"), _("Category"), _("Visible to"), _("Author"), _("Note"))

    def show(self, notes) -> None:
        self.clear()
        for note in notes:
            first_line = note.body.splitlines()[0] if note.body else ""
            self.add_row(safe.text(fmt_date(note.created_at)), safe.text(vocab.label(note.category)),
                         safe.text(vocab.label(note.visibility)), safe.text(note.author),
                         safe.text(first_line[:60]), key=str(note.id))


class NoteBody(Static):
    """The highlighted note in full (several lines, as typed)."""

    def __init__(self) -> None:
        super().__init__("", id="note-body", markup=False)

    def show(self, note) -> None:
        self.update(safe.content(note.body if note else "", multiline=True))
