"""The footer: the keys of the screen shown, in one widget that repaints when they change.

Textual's Footer recomposes on every bindings refresh: a new widget per key, each mounted,
styled and laid out, and a screen refreshes its bindings on each focus change, mode change
and mount.  Even rebuilt only when its keys changed (browsing to editing and back), that
was half of a save to "Saved." painted and of Enter to the contact (bench_terminal A/B:
save p50 162 -> 85 ms, Enter 62 -> 31 ms with the rebuilds left out).  This footer is one
line of text: a change of keys is a repaint of that line, never a mount or a layout.

It looks as Textual's does (the same theme variables: key, description, the command
palette's key at the right behind a bar) and a click on a key presses it.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


@dataclass(frozen=True)
class _Key:
    key: str  # what a click presses
    display: str  # how the key is shown (^p, esc, e)
    description: str
    enabled: bool


class Footer(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description"}
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__()
        self.show_command_palette = show_command_palette
        self._keys: tuple[_Key, ...] = ()
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, _Key]] = []  # (start, end) columns of each key shown
        self._pending = False

    @property
    def keys_shown(self) -> bool:
        """Whether the screen's keys are in it yet (they come at its first bindings update)."""
        return bool(self._keys or self._palette)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        # the refreshes of one frame (focus, mode, mount) come to one look at the keys
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._update)

    def show_keys_now(self) -> None:
        """The keys as they are now, without waiting for a refresh: for a screen filled while it
        is not shown (a kept or prepared one), whose first frame must not show its last keys."""
        self._update()

    def _update(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        app = self.app
        keys: list[_Key] = []
        palette = None
        seen: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            shown = _Key(binding.key, app.get_key_display(binding), binding.description, enabled)
            if key == app.COMMAND_PALETTE_BINDING:
                palette = shown  # at the right, once (Textual's footer does the same)
            elif binding.show and binding.action not in seen:  # one key per action, as Textual's
                seen.add(binding.action)
                keys.append(shown)
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            palette = None
        if (tuple(keys), palette) != (self._keys, self._palette):
            self._keys, self._palette = tuple(keys), palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        width = self.size.width
        right = Text()
        if self._palette is not None:
            # (the bar takes the place of the key's leading space, as in Textual's footer)
            parts = self._item(self._palette, key_style, description_style)
            parts[0] = (parts[0][0][1:], parts[0][1])
            right = Text.assemble(("▏", Style(dim=True)), *parts)
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        room = width - cell_len(right.plain)
        for key in self._keys:
            parts = self._item(key, key_style, description_style)
            size = sum(cell_len(text) for text, _style in parts)
            if cell_len(line.plain) + size > room:
                break
            start = cell_len(line.plain)
            line.append_text(Text.assemble(*parts))
            self._spans.append((start, start + size, key))
        if self._palette is not None:
            gap = max(0, width - cell_len(line.plain) - cell_len(right.plain))
            line.append(" " * gap)
            start = cell_len(line.plain)
            self._spans.append((start, start + cell_len(right.plain), self._palette))
            line.append_text(right)
        return line

    @staticmethod
    def _item(key: _Key, key_style: Style, description_style: Style) -> list[tuple[str, Style]]:
        dim = Style() if key.enabled else Style(dim=True)  # a key this screen refuses now
        parts = [(f" {key.display} ", key_style + dim)]
        if key.description:
            parts.append((f"{key.description} ", description_style + dim))
        return parts

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
