"""The import wizard on a tiny test app (Pilot): open a file, edit and save the mapping,
preview (nothing written), import with progress, see the batch id, undo.  A real store."""
from __future__ import annotations

import asyncio
import contextlib
import time

from textual.app import App
from textual.worker import WorkerCancelled


class WizardApp(App):
    def __init__(self, scope, path: str = ""):
        super().__init__()
        self._scope, self._path = scope, path

    def on_mount(self) -> None:
        from tui.screens.import_wizard import ImportWizard

        self.push_screen(ImportWizard(self._scope, path=self._path))


# polls app state, which has no event to await; the timeout is what the failure message names
async def wait_for(pilot, predicate, what: str, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(WorkerCancelled):  # a refused call stops its worker as cancelled
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def shown(widget) -> str:
    return str(widget.render())


def count(table: str) -> int:
    from store.db import database

    return database.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_wizard_open_map_preview_import_undo(store, users, tmp_path):
    from textual.widgets import Button, DataTable, Input, Select, Static

    from store import contacts
    from store.importing import saved
    from store.scope import Scope

    scope = Scope(users["manager"])
    existing = contacts.create_contact(scope, first_name="Jens", last_name="Hansen", email="jens@firma.dk",
                                       title="Sælger")
    path = tmp_path / "kunder.csv"
    path.write_text("Navn,E-mail,Stilling,Firma,Hemmelig\n"
                    "Jens Hansen,jens@firma.dk,[b]Chef[/b] \x1b[31m,,x\n"
                    "Anne [red]Berg[/red],anne@berg.dk,Ejer,Berg ApS,y\n"
                    "Ole Lund,ole@lund.dk,,,z\n", encoding="utf-8")

    async def scenario():
        app = WizardApp(scope)
        async with app.run_test(size=(140, 80)) as pilot:
            screen = app.screen
            screen.query_one("#import-path", Input).value = str(path)
            screen.query_one("#import-path", Input).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(screen.query(".import-maprow")) == 5, "the mapping")
            detected = shown(screen.query_one("#import-detected", Static))
            assert "kunder.csv: csv" in detected and "separator ','" in detected

            # the mapping: one Select per column; "Hemmelig" is not mapped, "Firma" we drop
            selects = {screen._select_columns[s.id]: s for s in screen.query(".import-maprow Select")}
            assert selects["Navn"].value == "name" and selects["Hemmelig"].value == "drop"
            selects["Firma"].value = "drop"
            await pilot.pause()
            assert screen.mapping.target_for("Firma") == "drop"
            screen.query_one("#import-mapping-name", Input).value = "Kunder fra Excel"
            await pilot.click("#import-save-mapping")
            await pilot.pause()
            assert saved.saved_mappings() == ["Kunder fra Excel"]
            assert saved.load_saved_mapping("Kunder fra Excel").target_for("Firma") == "drop"

            # preview with the update policy: counts, field changes, nothing written
            screen.query_one("#import-policy", Select).value = "update"
            await pilot.pause()
            await pilot.click("#import-preview")
            await wait_for(pilot, lambda: screen.report is not None, "the preview")
            report_text = shown(screen.query_one("#import-report", Static))
            assert "3 rows: 2 new, 1 updated, 0 duplicate" in report_text
            assert "Preview only: nothing was written." in report_text
            assert "Columns not imported: Firma, Hemmelig" in report_text
            assert count("contact") == 1 and count("import_batch") == 0
            table = screen.query_one("#import-changes", DataTable)
            assert table.display and table.row_count == 1
            line, contact, field, old, new = table.get_row_at(0)
            assert (str(line), str(contact), str(field), str(old)) == ("2", str(existing), "title", "Sælger")
            assert str(new) == "[b]Chef[/b] [31m"  # shown as typed: no markup, the ESC is gone
            assert "Anne [red]Berg[/red]" not in report_text  # names never appear in reasons

            # import: a batch id and the undo button
            await pilot.click("#import-run")
            await wait_for(pilot, lambda: screen.batch_id is not None, "the import")
            assert count("contact") == 3 and count("import_batch") == 1
            assert f"Imported as batch {screen.batch_id}" in shown(screen.query_one("#import-report", Static))
            assert not screen.query_one("#import-undo", Button).disabled
            from store.models import Contact

            assert Contact.get(Contact.email == "anne@berg.dk").last_name == "[red]Berg[/red]"
            assert Contact.get(Contact.email == "anne@berg.dk").company_id is None  # Firma was dropped

            await pilot.click("#import-undo")
            await wait_for(pilot, lambda: screen.batch_id is None, "the undo")
            assert "Undid batch" in shown(screen.query_one("#import-status", Static))
            assert count("contact") == 1 and Contact.get_by_id(existing).title == "Sælger"

    asyncio.run(scenario())


def test_wizard_shows_file_errors_and_refuses_finance(store, users, tmp_path):
    from textual.widgets import Button, Input, Static

    from store.scope import Scope

    broken = tmp_path / "broken.csv"
    broken.write_bytes(b'Navn,E-mail,Noter\nA A,a@x.dk,"never closed\n')

    async def scenario(scope, path, expected, preview: bool):
        app = WizardApp(scope, path=str(path))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            if preview:  # a truncated file is only noticed at its end: the preview says so
                await wait_for(pilot, lambda: not screen.query_one("#import-preview", Button).disabled, "open")
                await pilot.click("#import-preview")
            await wait_for(pilot, lambda: expected in shown(screen.query_one("#import-status", Static)),
                           f"the error {expected!r}")
            assert screen.report is None
            assert screen.query_one("#import-path", Input).value == str(path)
            assert screen.query_one("#import-run", Button).disabled  # nothing previewed: nothing to import
            return screen.query_one("#import-preview", Button).disabled

    assert not asyncio.run(scenario(Scope(users["admin"]), broken,
                                    "broken.csv, line 2, column 'Noter': the file ends inside a quoted field",
                                    preview=True))
    assert asyncio.run(scenario(Scope(users["finance"]), broken, "your role (finance) may not do this: import",
                                preview=False))


def test_tab_tab_enter_never_imports_and_ctrl_s_imports_what_was_previewed(store, users, tmp_path):
    """Issue 17: Tab, Tab, Enter aimed at Preview ran the import for real."""
    from textual.widgets import Button, Input, Select

    from store.scope import Scope

    path = tmp_path / "kunder.csv"
    path.write_text("Navn,E-mail\nAnne Berg,anne@berg.dk\nOle Lund,ole@lund.dk\n", encoding="utf-8")

    async def scenario():
        app = WizardApp(Scope(users["manager"]), path=str(path))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: not screen.query_one("#import-preview", Button).disabled, "open")
            screen.query_one("#import-owner", Input).focus()
            await pilot.press("tab", "tab", "enter")  # past Preview, to where Import was: nothing runs
            await pilot.press("ctrl+s")  # the named key, before any preview: greyed out, does nothing
            await wait_for(pilot, lambda: not screen.query_one("#import-preview", Button).disabled, "idle")
            assert count("contact") == 0 and screen.batch_id is None
            assert screen.query_one("#import-run", Button).disabled
            screen.query_one("#import-owner", Input).focus()
            await pilot.press("tab", "enter")  # Preview: writes nothing
            await wait_for(pilot, lambda: screen.report is not None, "the preview")
            assert count("contact") == 0 and not screen.query_one("#import-run", Button).disabled
            screen.query_one("#import-policy", Select).value = "update"  # other settings: preview again
            await pilot.pause()
            assert screen.query_one("#import-run", Button).disabled
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert count("contact") == 0
            screen.query_one("#import-policy", Select).value = "skip"  # back to what was previewed
            await pilot.pause()
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.batch_id is not None, "the import")
            assert count("contact") == 2

    asyncio.run(scenario())
