"""The import wizard: a file on the server, its column -> field mapping, a dry-run preview,
the import with a progress bar, and undo.

One screen, top to bottom: pick a file (a path typed on the server's file system), see what
was detected and edit the mapping column by column (a Select each, "drop" allowed; save it
under a name, or apply a saved one), choose the duplicate policy, lawful basis and owner,
preview (nothing is written), import (all or nothing, in a worker, with progress), undo.

Nothing is written before its preview was shown: the import runs only with the named key
(ctrl+s, in the footer) or a click, and only for the very settings previewed (a changed
mapping, policy, basis or owner needs a new preview).  The Import button takes no focus,
so Tab, Tab, Enter aimed at Preview can never run it.

Every file-derived string (column names, reasons, values in field changes) goes through
tui.safe: never parsed as markup, control characters shown, not acted on.  Store work runs
off the event loop: on the app's backend thread when it has one, else a worker thread.
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Header, Input, ProgressBar, Select, Static

from .. import bindings, safe
from ..errors import in_store_words
from ..i18n import _
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen

POLICIES = ("skip", "update")
LAWFUL = ("legitimate_interest", "contract", "consent")


class ImportProgress(Message):
    """Rows read so far (posted from the store thread)."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ImportWizard(BaseScreen):
    """Import a contact file as one batch.  `scope`: the logged-in user's Scope."""

    CSS_PATH = "import_wizard.tcss"
    BINDING_GROUP = "import"
    BINDINGS = bindings.for_screen("import")

    def __init__(self, scope, *, path: str = "") -> None:
        super().__init__()
        self.scope = scope
        self.initial_path = path
        self.info = None  # batch.FileInfo of the opened file
        self.mapping = None  # the Mapping being edited (CSV/XLSX)
        self.report = None  # the last preview or import
        self.batch_id: int | None = None
        self.previewed: dict | None = None  # the settings the shown preview was made with
        self._select_columns: dict[str, str] = {}  # Select id -> column

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with VerticalScroll(id="import-body"):
            yield Static(_("1. The file (a path on the server)"), classes="import-step", markup=False)
            with Horizontal(classes="import-row"):
                yield Field(value=self.initial_path, placeholder="/srv/uploads/kunder.csv", id="import-path")
                yield Button(_("Open"), id="import-open")
            yield Static("", id="import-detected", markup=False)
            yield Static(_("2. Columns -> MiniCRM fields"), classes="import-step", markup=False)
            yield Vertical(id="import-mapping")
            with Horizontal(classes="import-row"):
                yield Select([], prompt=_("Saved mappings"), id="import-saved")
                yield Field(placeholder=_("Save this mapping as ..."), id="import-mapping-name")
                yield Button(_("Save mapping"), id="import-save-mapping", disabled=True)
            yield Static(_("3. Duplicates, lawful basis, owner"), classes="import-step", markup=False)
            with Horizontal(classes="import-row"):
                yield Select([(_("Duplicates: skip"), "skip"), (_("Duplicates: update what differs"), "update")],
                             value="skip", allow_blank=False, id="import-policy")
                yield Select([(_("Legitimate interest"), "legitimate_interest"), (_("Contract"), "contract"),
                              (_("Consent (needs evidence in the file)"), "consent")],
                             value="legitimate_interest", allow_blank=False, id="import-basis")
                yield Field(placeholder=_("Owner (user name; default: you)"), id="import-owner",
                            disabled=getattr(self.scope, "role", "") == "sales")
            with Horizontal(classes="import-row"):
                yield Button(_("Preview (writes nothing)"), id="import-preview", disabled=True)
                run = Button(_("Import (ctrl+s)"), id="import-run", variant="primary", disabled=True)
                run.can_focus = False  # never reached by Tab and Enter: ctrl+s or a click, after a preview
                yield run
                yield Button(_("Undo this import"), id="import-undo", variant="error", disabled=True)
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static("", id="import-status", markup=False)
            yield Static("", id="import-report", markup=False)
            yield DataTable(id="import-changes", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Import contacts")
        table = self.query_one("#import-changes", DataTable)
        table.add_columns(_("Line"), _("Contact"), _("Field"), _("Now"), _("After import"))
        table.display = False
        self.query_one("#import-progress", ProgressBar).display = False
        self.refresh_saved()
        self.query_one("#import-path", Input).focus()
        if self.initial_path:
            self.open_file(self.initial_path)

    def action_close(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "run_import":
            return True if self._preview_current() else None  # shown, greyed until previewed
        return True

    def action_run_import(self) -> None:
        if self._preview_current():
            self.run_import(dry_run=False)
        else:
            self._status(_("Preview first: nothing is imported before you have seen what it does."))

    # -- running store work off the event loop ---------------------------------------------

    async def _call(self, fn, /, *args, on_failure=None, **kwargs):
        """fn(self.scope, *args) on the store thread.  A failure is shown on the status line,
        in the store's words (file, line, column; never values), and stops the worker."""
        def report(text: str) -> None:
            if on_failure is not None:
                on_failure()
            self._status(text)

        backend = getattr(self.app, "backend", None)
        if backend is not None and backend.scope is self.scope:  # refused once the session ends
            return await self.call_store(fn, *args, report=report, wording=in_store_words, **kwargs)
        return await self.call_unscoped(fn, self.scope, *args, report=report, wording=in_store_words,
                                        **kwargs)

    def _status(self, text: str) -> None:
        self.query_one("#import-status", Static).update(safe.content(text, multiline=True))

    # -- 1. open -------------------------------------------------------------------------------

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-open")
    def _open_pressed(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if path:
            self.open_file(path)

    @work(exclusive=True, group="import-open")
    async def open_file(self, path: str, mapping=None) -> None:
        from store.importing import batch

        self._status(_("Reading {path} ...").format(path=path))
        def unopened() -> None:
            self.info = None
            self._enable(False)

        info = await self._call(batch.inspect_file, path, mapping=mapping, on_failure=unopened)
        self.info = info
        self.mapping = info.mapping
        self.report = None
        self.batch_id = None
        self._show_detected()
        await self._show_mapping()
        self._enable(True)
        self._status(_("Check the mapping, then preview."))

    def _show_detected(self) -> None:
        i = self.info
        parts = [f"{i.file}: {i.fmt}"]
        if i.encoding:
            parts.append(_("encoding {e}").format(e=i.encoding))
        if i.delimiter:
            parts.append(_("separator {d!r}").format(d=i.delimiter))
        if i.sheet:
            parts.append(_("sheet {s}").format(s=i.sheet))
        parts.append(_("layout {l}").format(l=i.layout or "-"))
        text = ", ".join(parts)
        if i.sensitive_columns:
            text += "\n" + _("Never imported (special-category data): {cols}").format(
                cols=", ".join(f"{c} ({k})" for c, k in i.sensitive_columns))
        self.query_one("#import-detected", Static).update(safe.content(text, multiline=True))

    async def _show_mapping(self) -> None:
        from store.importing import TARGETS

        box = self.query_one("#import-mapping", Vertical)
        await box.remove_children()
        self._select_columns = {}
        if self.mapping is None:
            await box.mount(Static(_("vCard files have fixed fields: nothing to map."), markup=False))
            return
        sensitive = {c for c, _k in self.info.sensitive_columns}
        rows = []
        for n, column in enumerate(self.info.columns):
            target = self.mapping.target_for(column)
            options = [(t, t) for t in TARGETS]
            if target not in TARGETS:  # person2.email, address@work ... from a known layout
                options.insert(0, (target, target))
            select_id = f"import-col-{n}"
            self._select_columns[select_id] = column
            select = Select(options, value=target, allow_blank=False, id=select_id, compact=True,
                            disabled=column in sensitive)
            label = Static(safe.content(column), classes="import-col", markup=False)
            rows.append(Horizontal(label, select, classes="import-maprow"))
        await box.mount_all(rows)

    def _preview_current(self) -> bool:
        """A preview is shown, and it was made with the settings now chosen."""
        return (self.info is not None and self.previewed is not None and self.report is not None
                and self.batch_id is None and self.previewed == self._options())

    def _enable(self, opened: bool) -> None:
        self.query_one("#import-preview", Button).disabled = not opened
        self.query_one("#import-run", Button).disabled = not (opened and self._preview_current())
        self.refresh_bindings()
        self.query_one("#import-save-mapping", Button).disabled = not (opened and self.mapping is not None)
        self.query_one("#import-undo", Button).disabled = self.batch_id is None

    # -- 2. mapping ------------------------------------------------------------------------------

    @on(Select.Changed, ".import-maprow Select")
    def _column_changed(self, event: Select.Changed) -> None:
        column = self._select_columns.get(event.select.id or "")
        if column is None or self.mapping is None or event.value is Select.BLANK:
            return
        if self.mapping.target_for(column) != event.value:
            self.mapping = self.mapping.with_target(column, str(event.value))
            self.report = None
            self._enable(True)

    @on(Select.Changed, "#import-policy, #import-basis")
    @on(Input.Changed, "#import-owner")
    def _settings_changed(self) -> None:
        if self.is_mounted:
            self._enable(self.info is not None)  # a preview of other settings no longer counts

    def refresh_saved(self) -> None:
        from store.importing import saved

        names = saved.saved_mappings()
        self.query_one("#import-saved", Select).set_options([(safe.clean(n), n) for n in names])

    @on(Button.Pressed, "#import-save-mapping")
    def _save_mapping(self) -> None:
        from store.importing import saved

        name = self.query_one("#import-mapping-name", Input).value
        if self.mapping is None:
            return
        try:
            saved.save_mapping(name, self.mapping)
        except (saved.SavedMappingError, OSError) as exc:
            self._status(str(exc))
            return
        self.refresh_saved()
        self._status(_("Saved the mapping as {name}.").format(name=" ".join(name.split())))

    @on(Select.Changed, "#import-saved")
    def _apply_saved(self, event: Select.Changed) -> None:
        from store.importing import saved

        if event.value is Select.BLANK or self.info is None:
            return
        try:
            mapping = saved.load_saved_mapping(str(event.value))
        except saved.SavedMappingError as exc:
            self._status(str(exc))
            return
        self.open_file(self.query_one("#import-path", Input).value.strip(), mapping)

    # -- 3. preview and import ----------------------------------------------------------------------

    def _options(self) -> dict:
        owner = self.query_one("#import-owner", Input).value.strip() or None
        return {"policy": str(self.query_one("#import-policy", Select).value),
                "lawful_basis": str(self.query_one("#import-basis", Select).value),
                "owner": owner, "mapping": self.mapping}

    @on(Button.Pressed, "#import-preview")
    def _preview_pressed(self) -> None:
        self.run_import(dry_run=True)

    @on(Button.Pressed, "#import-run")
    def _import_pressed(self) -> None:
        self.action_run_import()

    @work(exclusive=True, group="import-run")
    async def run_import(self, dry_run: bool) -> None:
        from store.importing import batch

        if self.info is None or not (dry_run or self._preview_current()):
            return
        options = self._options()
        path = self.query_one("#import-path", Input).value.strip()
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        for wid in ("#import-preview", "#import-run", "#import-undo", "#import-open"):
            self.query_one(wid, Button).disabled = True
        self._status(_("Previewing ...") if dry_run else _("Importing ..."))

        def progress(done: int, total: int | None) -> None:  # on the store thread
            self.post_message(ImportProgress(done, total))

        try:
            report = await self._call(batch.import_file, path, dry_run=dry_run, progress=progress,
                                      **options)
        finally:  # also when it failed (the worker stops there): the buttons work again
            bar.display = False
            self.query_one("#import-open", Button).disabled = False
            self._enable(self.info is not None)
        self.report = report
        self.previewed = options if dry_run else None
        if not dry_run:
            self.batch_id = report.batch_id
        self._enable(True)
        self._show_report(report)

    def on_import_progress(self, message: ImportProgress) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        if message.total:
            bar.update(total=max(message.total, message.done), progress=message.done)
        self._status(_("{n} rows read ...").format(n=f"{message.done:,}"))

    def _show_report(self, report) -> None:
        from store.importing.report_text import Reader, report_lines

        text = "\n".join(report_lines(report, Reader.APP, translate=_))
        self.query_one("#import-report", Static).update(safe.content(text, multiline=True))
        self._status(report.summary())
        table = self.query_one("#import-changes", DataTable)
        table.clear()
        for ch in report.changes:
            table.add_row(safe.text(ch.line), safe.text(ch.contact_id), safe.text(ch.field),
                          safe.text(ch.old), safe.text(ch.new))
        table.display = bool(report.changes)

    # -- undo ---------------------------------------------------------------------------------------

    @on(Button.Pressed, "#import-undo")
    def _undo_pressed(self) -> None:
        if self.batch_id is not None:
            self.undo(self.batch_id)

    @work(exclusive=True, group="import-run")
    async def undo(self, batch_id: int) -> None:
        from store.importing import batch

        result = await self._call(batch.undo_import, batch_id)
        self.batch_id = None
        self._enable(self.info is not None)
        self._status(_("Undid batch {id}: removed {n} contacts, restored {r}.").format(
            id=result.batch_id, n=result.removed, r=result.restored))
