"""A text field whose typing repaints the field, not the screen.

Textual's Input sets its virtual size (the width of its text) on every change of its
value, and `virtual_size` is a layout reactive: each keystroke laid out the whole screen
and rendered every widget on it again (on the search screen, 23 widgets: about 14 ms of a
keystroke's 15 at 100,000 contacts).  A field of fixed size needs that width only for its
own sideways scroll, so it is set here without a layout.  A field sized by its text
(`width: auto`) still lays out: its size does change.  Every field in the app is one.
"""
from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class Field(Input):
    """Input, with typing that repaints only itself (see the module)."""

    def _watch_value(self, value: str) -> None:
        if not self.styles.auto_dimensions:
            # Set first, quietly: Input's own watcher then finds the size unchanged.
            self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
            self.scroll_x = self.scroll_x  # clamped to the new width, as the layout did
        super()._watch_value(value)
