"""Demo mode only: the demo accounts and their current TOTP codes, refreshing."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from .. import safe, vocab
from ..i18n import _


class DemoAccounts(Vertical):
    """Select a row and press enter to log in as that account."""

    DEFAULT_CSS = """
    DemoAccounts {
        height: auto;
        /* wide enough for the longest Danish role and the whole 6-digit code (was cut: "Kod … 088") */
        width: 72;
        max-width: 100%;
        border: heavy $warning;
        padding: 0 1;
        margin-top: 0;
    }
    DemoAccounts #demo-title { color: $warning; text-style: bold; }
    DemoAccounts DataTable { height: auto; max-height: 7; }
    """

    def __init__(self, accounts):
        super().__init__(id="demo-accounts")
        self.accounts = list(accounts)

    def compose(self) -> ComposeResult:
        yield Static(_("DEMO (sample data) — enter on a row logs in"),
                     id="demo-title", markup=False)
        table = DataTable(id="demo-table", cursor_type="row", zebra_stripes=False)
        table.add_columns(_("Role"), _("User name"), _("Password"), _("Code"))
        yield table

    def on_mount(self) -> None:
        self.refresh_codes()
        self.set_interval(1.0, self.refresh_codes)

    def codes(self) -> list[str]:
        import pyotp

        now = self.app.clock()
        return [pyotp.TOTP(a["totp_secret"]).at(now) for a in self.accounts]

    def refresh_codes(self) -> None:
        table = self.query_one(DataTable)
        codes = self.codes()
        if table.row_count == 0:
            for account, code in zip(self.accounts, codes, strict=True):
                table.add_row(safe.text(vocab.label(account["role"])), safe.text(account["username"]),
                              safe.text(account["password"]), safe.text(code), key=account["username"])
            return
        for account, code in zip(self.accounts, codes, strict=True):
            table.update_cell(account["username"], table.ordered_columns[3].key, safe.text(code))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        account = self.accounts[index]
        code = self.codes()[index]
        self.screen.fill(account["username"], account["password"], code)
