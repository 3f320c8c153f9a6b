"""The contact as read, not edited: every field of the form as one block of text.

A contact opens browsing, and most opens are to read it: building the form's ~120
widgets (inputs, selects, buttons) and laying them out was most of Enter to the
contact painted (bench/profile_tui, issue 17).  Reading needs one widget; the form is
built the first time the user edits (screen.py), and kept for the next edit.

The card shows what the form would show, in the same words (the first-name line and
the status line with its version among them), so a reader sees no difference but the
look of a record that cannot be typed into.  Stored text is cleaned (tui/safe.py) and
put in Rich Text, never parsed as markup.
"""
from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.strip import Strip
from textual.widgets import Static

from ... import safe, vocab
from ...i18n import _, fmt_date, fmt_datetime


class ContactCard(Static):
    """The Details tab while browsing."""

    DEFAULT_CSS = """
    ContactCard { padding: 0 1; height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", id="card", **kwargs)
        self.plain = ""  # what the card shows, as text (tests read it as a user would)
        self.fields: dict[str, str] = {}  # field name -> the text shown (a field's first line)
        self._showing: tuple = ()
        self._shown: Group | None = None
        self._lines: tuple = (None, [])  # ((width, style), its lines) for what is shown: _wrapped

    # The card's lines are wrapped once for a width: Textual measured its height by rendering
    # the whole card, then rendered it again to paint it (a tenth of a save's layout and paint).
    def _wrapped(self, width: int) -> list[Strip]:
        style = self.rich_style
        key = (width, style)
        if self._lines[0] != key:
            strips: list[Strip] = []
            if self._shown is not None and width > 0:
                console = self.app.console
                rendered = console.render_lines(self._shown, console.options.update_width(width),
                                                style=style, pad=False)
                strips = [Strip(line).extend_cell_length(width, style.background_style) for line in rendered]
            self._lines = (key, strips)
        return self._lines[1]

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._wrapped(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        strips = self._wrapped(width)
        return strips[y] if y < len(strips) else Strip.blank(width, self.rich_style)

    def show(self, d, *, owners=(), show_owner: bool = False) -> None:
        """Show the contact detail `d` (None: nothing yet)."""
        shown = (d, tuple(owners), show_owner)
        if d is not None and shown == self._showing:
            return  # the same version again: no new layout
        self._showing = shown
        self._lines = (None, [])  # wrapped again for what is shown now
        if d is None:
            self.plain, self.fields, self._shown = "", {}, None
            self.update("")
            return
        # (field, label, value): a field of several lines has its label on the first only
        rows: list[tuple[str, str, Text | str]] = [
            ("first_name", _("First name"), safe.text(d.first_name)),
            ("last_name", _("Last name"), safe.text(d.last_name)),
            ("title", _("Job title"), safe.text(d.title))]
        for field, title, points in (("email", _("Email"), d.emails), ("phone", _("Phone"), d.phones)):
            if not points:
                rows.append((field, title, ""))
            for n, point in enumerate(points):
                line = safe.text(point.value)
                if point.label:
                    line.append(f"  ({vocab.label(point.label)})", style="dim")
                rows.append((field if n == 0 else "", title if n == 0 else "", line))
        address = [safe.clean(d.address), " ".join(p for p in (safe.clean(d.postcode), safe.clean(d.city)) if p),
                   safe.clean(d.country)]
        address = [line for line in address if line] or [""]
        rows += [("address" if n == 0 else "", _("Address") if n == 0 else "", line)
                 for n, line in enumerate(address)]
        rows += [("lifecycle", _("Lifecycle"), vocab.label(d.lifecycle)),
                 ("lawful_basis", _("Lawful basis"), vocab.label(d.lawful_basis))]
        if show_owner:
            owner = next((safe.clean(o.username) for o in owners if o.id == d.owner_id), _("(none)"))
            rows.append(("owner", _("Owner"), owner))
        rows.append(("tags", _("Tags"), ", ".join(safe.clean(t) for t in d.tags)))
        company = (_("{name} (CVR {cvr})").format(name=safe.clean(d.company), cvr=d.company_cvr)
                   if d.company_cvr else safe.clean(d.company) if d.company else _("No company"))
        rows.append(("company", _("Company"), company))
        shown = [(field, label, value if isinstance(value, Text) else Text(value)) for field, label, value in rows]
        # Lines of Text, not a Rich Table: measuring and rendering a grid of ~15 rows was a
        # tenth of the contact's layout and paint (bench/profile_tui open).  The one thing
        # given up: a value wider than the card (~60 characters at 80 columns) wraps to the
        # card's left edge, where the grid folded it under its own column.
        lines = Text("\n").join(_line(label, value) for _field, label, value in shown)
        self.fields = {field: value.plain for field, _label, value in shown if field}
        status = _("Status: {status} · Source: {source} · Created {created} · Changed {changed} · "
                   "Version {version}").format(status=vocab.label(d.status), source=safe.clean(d.source),
                                               created=fmt_date(d.created_at),
                                               changed=fmt_datetime(d.updated_at), version=d.version)
        self.plain = "\n".join(f"{label:<13} {value.plain}" for _f, label, value in shown) + "\n\n" + status
        self._shown = Group(lines, Text(""), Text(status, style="dim"))
        self.update(self._shown)


LABEL_WIDTH = 13


def _line(label: str, value: Text) -> Text:
    """`label` in bold in its column (cut with an ellipsis, as a table's cell), then the value."""
    if len(label) > LABEL_WIDTH:
        label = label[:LABEL_WIDTH - 1] + "…"
    line = Text(label.ljust(LABEL_WIDTH), style="bold")
    line.append(" ")
    line.append_text(value)
    return line
