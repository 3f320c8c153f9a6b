"""The footer, rebuilt only when what it shows changes.

Textual's Footer recomposes (a new widget per key, each restyled) on every bindings
refresh, and a screen refreshes its bindings on each focus change, mode change and
mount: profiled, about a quarter of opening a contact went to footers rebuilt with the
same keys.  This one coalesces the refreshes of a frame into one check and rebuilds
only when the keys shown, their labels or their enabled state differ.
"""
from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None  # what the last composition showed
        self._pending = False

    def _signature(self) -> tuple:
        screen = self.screen
        return tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                     for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
                     if binding.show or binding.action == "command_palette")

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._signature()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
