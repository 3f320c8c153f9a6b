"""A fast table of search results, drawn line by line.

Textual's DataTable renders every visible cell through Rich (about 70 ms for a
screenful on this kind of machine); a keystroke must repaint results in well
under 33 ms, so this widget builds each line's segments directly: fixed column
widths, text cropped and padded by cell width.  Cells hold text already made
safe (tui/safe.py: controls shown as visible placeholders); nothing here parses
markup.  The API mirrors the parts of DataTable the screens and tests use.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from .. import safe


class ResultsTable(Widget, can_focus=True):
    """Columns are (label, weight, minimum width); the first line is the header."""

    DEFAULT_CSS = """
    ResultsTable { height: 1fr; background: $surface; }
    ResultsTable > .results--header { text-style: bold; background: $panel; }
    ResultsTable > .results--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    ResultsTable:blur > .results--cursor { background: $block-cursor-blurred-background; text-style: none; }
    ResultsTable > .results--odd { background: $surface-lighten-1; }
    """
    COMPONENT_CLASSES = {"results--header", "results--cursor", "results--odd"}
    BINDINGS = [
        Binding("up", "cursor_up", show=False), Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False), Binding("pagedown", "page_down", show=False),
        Binding("home", "first", show=False), Binding("end", "last", show=False),
        Binding("enter", "select_cursor", show=False),
    ]

    # repainted by watch_cursor_row: the two lines it moved between, not the whole table
    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    @dataclass
    class _RowMessage(Message):
        """A row of this table (the same shape as DataTable's, so `@on(..., "#id")` works)."""

        table: ResultsTable
        cursor_row: int

        @property
        def control(self) -> ResultsTable:
            return self.table

    # Siblings, not parent and child: a handler for one must never receive the other.
    class RowSelected(_RowMessage):
        """Enter on a row."""

    class RowHighlighted(_RowMessage):
        """The cursor moved to a row."""

    @dataclass
    class HeaderSelected(Message):
        """A click on a column's header (the screen sorts by it)."""

        table: ResultsTable
        column: int

        @property
        def control(self) -> ResultsTable:
            return self.table

    def __init__(self, columns: list[tuple[str, int, int]], *, id: str | None = None):
        super().__init__(id=id)
        self.columns = columns
        self._rows: list[tuple[str, ...]] = []
        self._top = 0  # the first row shown (we scroll ourselves: no layout work on a new page)

    # -- data -----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows) -> None:
        """Replace the rows (each a tuple of stored text; made safe here).  Only the lines
        that changed are repainted: the next letter of a name often finds the same rows."""
        before, top = self._rows, self._top
        self._rows = [tuple(safe.clean(cell) for cell in row) for row in rows]
        self._top = min(self._top, max(0, len(self._rows) - self._visible()))
        cursor = self.cursor_row
        self.set_reactive(ResultsTable.cursor_row, min(cursor, max(0, len(self._rows) - 1)))
        if self._top != top:
            self.refresh()
        else:
            self._refresh_rows(i for i in range(top, top + self._visible())
                               if (before[i] if i < len(before) else None)
                               != (self._rows[i] if i < len(self._rows) else None))
            if self.cursor_row != cursor:
                self._refresh_rows((cursor, self.cursor_row))
        if self._rows:
            self.post_message(self.RowHighlighted(self, self.cursor_row))

    def _refresh_rows(self, indexes) -> None:
        """Repaint the lines of these rows (those on the screen)."""
        width, visible = self.size.width, self._visible()
        regions = [Region(0, 1 + i - self._top, width, 1) for i in indexes if 0 <= i - self._top < visible]
        if regions:
            self.refresh(*regions)

    def clear(self) -> None:
        self.set_rows([])

    def add_rows(self, rows) -> None:
        """Append rows (the next page), keeping the cursor and the scroll where they are."""
        self._rows.extend(tuple(safe.clean(cell) for cell in row) for row in rows)
        self.refresh()

    def set_row(self, index: int, row) -> None:
        self._rows[index] = tuple(safe.clean(cell) for cell in row)
        self.refresh()

    def set_columns(self, columns: list[tuple[str, int, int]]) -> None:
        """Other columns (the role's, once it is known); the rows go with the old ones."""
        self.columns = columns
        self.set_rows([])

    def set_labels(self, labels: list[str]) -> None:
        """New header labels (a sort mark), same columns."""
        self.columns = [(label, weight, least) for label, (_l, weight, least) in
                        zip(labels, self.columns, strict=True)]
        self.refresh()

    def get_row_at(self, index: int) -> tuple[Text, ...]:
        return tuple(Text(cell) for cell in self._rows[index])

    # -- cursor -----------------------------------------------------------------------

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        if self._rows:
            self.cursor_row = max(0, min(row, len(self._rows) - 1))

    def _visible(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor_row(self, old: int, row: int) -> None:
        visible, top = self._visible(), self._top
        if row < self._top:
            self._top = row
        elif row >= self._top + visible:
            self._top = row - visible + 1
        if self._top != top:
            self.refresh()
        else:
            self._refresh_rows((old, row))
        if self._rows:
            self.post_message(self.RowHighlighted(self, row))

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_mouse_scroll_down(self, event) -> None:
        self._top = max(0, min(self._top + 3, len(self._rows) - self._visible()))
        self.refresh()

    def on_mouse_scroll_up(self, event) -> None:
        self._top = max(0, self._top - 3)
        self.refresh()

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            left = 0
            for index, width in enumerate(self._widths(self.size.width)):
                left += 1 + width
                if event.x < left:
                    self.post_message(self.HeaderSelected(self, index))
                    break
            return
        row = event.y - 1 + self._top
        if 0 <= row < len(self._rows):
            self.move_cursor(row=row)
            if event.chain >= 2:
                self.action_select_cursor()

    # -- drawing --------------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        gaps = len(self.columns)  # one space before each column
        minimum = sum(c[2] for c in self.columns)
        spare = max(0, total - gaps - minimum)
        weights = sum(c[1] for c in self.columns) or 1
        widths = [c[2] + spare * c[1] // weights for c in self.columns]
        widths[-1] += max(0, total - gaps - sum(widths))
        return widths

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        widths = self._widths(width)
        if y == 0:
            cells = [label for label, _w, _m in self.columns]
            style = self.get_component_rich_style("results--header")
        else:
            index = y - 1 + self._top
            if index >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            cells = self._rows[index]
            if index == self.cursor_row:
                style = self.get_component_rich_style("results--cursor")
            elif index % 2:
                style = self.get_component_rich_style("results--odd")
            else:
                style = self.rich_style
        text = "".join(" " + set_cell_size(cell, w) for cell, w in zip(cells, widths, strict=False))
        if cell_len(text) < width:
            text += " " * (width - cell_len(text))
        return Strip([Segment(text, style)], width)


class Caption(Widget):
    """One line of our own text that repaints without a layout pass (Static.update lays out)."""

    DEFAULT_CSS = "Caption { height: 1; width: 1fr; }"
    text: reactive[str] = reactive("", layout=False)

    def update(self, text: str) -> None:
        self.text = safe.clean(text)

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis")
