"""Every key, from the one binding table, for what this role may do."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from .. import bindings, safe
from ..i18n import _
from ..widgets.footer import Footer
from .base import BaseModal


class HelpScreen(BaseModal):
    BINDING_GROUP = "help"
    BINDINGS = bindings.for_screen("help")
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-box { width: 76; max-width: 100%; height: 90%; border: round $primary;
                background: $surface; padding: 0 1; }
    #help-title { text-style: bold; }
    #help-keys { height: 1fr; }
    """

    def __init__(self, current: str = "app"):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(_("Keys (ctrl+p lists the commands you can use here)"), id="help-title",
                         markup=False)
            yield DataTable(id="help-keys", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_columns(_("Where"), _("Key"), _("Does"))
        scope = self.app.scope
        order = [self.current, "app"] + [g for g in bindings.TABLE if g not in (self.current, "app")]
        for group in order:
            title = _(bindings.SCREEN_TITLES.get(group, group))
            for key in bindings.TABLE[group]:
                if not bindings.allowed(key, scope):
                    continue
                keys = " ".join(bindings.display_key(k) for k in key.key.split(","))
                table.add_row(safe.text(title), safe.text(keys), safe.text(_(key.description)),
                              key=key.id)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
