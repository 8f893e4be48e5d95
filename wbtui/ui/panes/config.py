"""The Config pane: forms by section, inline validation, masked secrets, save, diffs and previews."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Input, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from ...config import store
from ...config.masking import mask_value
from ...config.model import FIELDS, FieldError, env_is_secret, get_value, set_value, spec_for, unset_value
from ...config.validate import Finding, has_errors, validate
from ..core import Rendered
from ..messages import ConfigFileRead, ConfigSaved, Notice
from ..session import Stamp, draft_vs_file, draft_vs_running, draft_vs_saved, file_stamp
from ..text import cell, styled
from ..widgets.confirm import ConfirmScreen
from ..widgets.field_row import FieldRow
from ..widgets.preview_screen import PreviewScreen
from ..widgets.text_screen import TextScreen, diff_content
from .base import Pane

if TYPE_CHECKING:
    from ...config.edit import Outcome

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("server", "Server", ("HOST", "LICENSE")),
    ("mysql", "MySQL", ("MYSQL",)),
    ("objectstore", "Object store", ("BUCKET", "BUCKET_QUEUE", "AWS_REGION")),
    ("runtime", "Runtime", tuple(s.key for s in FIELDS if s.section == "runtime")),
    ("kubernetes", "Kubernetes", tuple(s.key for s in FIELDS if s.section == "kubernetes")),
    ("env", "Extra env", ()),
    ("app", "App", tuple(s.key for s in FIELDS if s.section == "app")),
    ("backup", "Backup", tuple(s.key for s in FIELDS if s.section == "backup")),
)


class Written(Message):
    """The draft was written to the file."""

    def __init__(self, config: Any, path: Path, stamp: Stamp) -> None:
        super().__init__()
        self.config = config
        self.path = path
        self.stamp = stamp


class FileRead(Message):
    """The file as it is on disk now, read to ``save`` over (refused: it is newer) or to ``diff`` against."""

    def __init__(self, disk: Any, stamp: Stamp, purpose: str, *, newer: bool = True) -> None:
        super().__init__()
        self.disk = disk
        self.stamp = stamp
        self.purpose = purpose
        self.newer = newer


class RunningRead(Message):
    """The settings the running server was started with (None: nothing deployed)."""

    def __init__(self, running: Any) -> None:
        super().__init__()
        self.running = running


class ConfigPane(Pane):
    DEFAULT_CSS = """
    ConfigPane #config-sections {
        width: 18;
        height: 1fr;
        border: round $primary-darken-1;
    }

    ConfigPane #config-sections:focus {
        border: round $accent;
    }

    ConfigPane #config-forms {
        width: 1fr;
        height: 1fr;
    }

    ConfigPane .config-form {
        height: 1fr;
        padding: 0 1;
    }

    ConfigPane .section-title {
        text-style: bold;
        color: $accent;
    }

    ConfigPane .section-note {
        color: $text-muted;
    }

    ConfigPane #env-table {
        height: auto;
        max-height: 12;
    }
    """

    PANE_ID = "config"
    TITLE = "Config"
    MUTATING = frozenset({"save", "revert", "env_add", "env_delete", "edit_file"})

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="config.save"),
        Binding("ctrl+r", "reveal", "Reveal secrets", id="config.reveal"),
        Binding("ctrl+o", "diff_saved", "Diff saved", id="config.diff_saved"),
        Binding("ctrl+n", "diff_running", "Diff running", id="config.diff_running"),
        Binding("ctrl+t", "previews", "Previews", id="config.previews"),
        Binding("ctrl+b", "revert", "Revert", show=False, id="config.revert"),
        Binding("escape", "sections", "Sections", show=False, id="config.sections"),
        Binding("a", "env_add", "Add env var", show=False, id="config.env_add"),
        Binding("delete,d", "env_delete", "Delete env var", show=False, id="config.env_delete"),
        Binding("E", "edit_file", "Edit the file in $EDITOR", show=False, id="config.edit_file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.revealed = False
        self._errors: dict[str, str] = {}
        self._built: set[str] = set()

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(*[Option(Content(title), id=sid) for sid, title, _ in SECTIONS], id="config-sections")
            with ContentSwitcher(initial="section-server", id="config-forms"):
                for sid, _, _ in SECTIONS:
                    yield VerticalScroll(id=f"section-{sid}", classes="config-form")
        yield Static(Content(""), id="config-status", classes="pane-status")

    def on_mount(self) -> None:
        self.query_one("#config-sections", OptionList).highlighted = 0
        self._revalidate()
        self.watch(self.app, "loaded", self._loaded, init=False)

    async def _build(self, sid: str) -> None:
        """Mount a section's form the first time it is shown (start-up stays fast)."""
        if sid in self._built:
            return
        self._built.add(sid)
        session = self.wbtui.session
        title, keys = next((t, k) for s, t, k in SECTIONS if s == sid)
        widgets: list[Any] = [Static(Content(title), classes="section-title")]
        if sid == "env":
            widgets.append(Static(Content("Extra environment variables for the container. a: add or change, "
                                          "d: delete (secrets by name are masked)."), classes="section-note"))
            widgets.append(DataTable(id="env-table", cursor_type="row", zebra_stripes=True))
        from_environment = session.from_environment()
        for key in keys:
            spec = spec_for(key)
            assert spec is not None
            variable = from_environment.get(key)
            note = f"From environment {variable}: unset it to edit here (the file keeps its own value)." \
                if variable else ""
            widgets.append(FieldRow(spec, get_value(session.draft, key), disabled=session.read_only or bool(variable),
                                    note=note))
        await self.query_one(f"#section-{sid}", VerticalScroll).mount_all(widgets)
        if sid == "env":
            self.query_one("#env-table", DataTable).add_columns("NAME", "VALUE")
            self._fill_env()
        for row in self.query(FieldRow):
            row.set_revealed(self.revealed)
        self._revalidate()

    def focus_default(self) -> None:
        self.query_one("#config-sections", OptionList).focus()

    # ---- navigation ------------------------------------------------------------
    async def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "config-sections" and event.option.id:
            await self._build(event.option.id)
            self.query_one("#config-forms", ContentSwitcher).current = f"section-{event.option.id}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "config-sections":
            self.focus_section()

    def focus_section(self) -> None:
        """Move focus into the shown form (Enter on a section)."""
        form = self.query_one("#config-forms", ContentSwitcher).visible_content
        if form is not None:
            for widget in form.query("Input, Select, Switch, DataTable"):
                if widget.focusable:
                    widget.focus()
                    return

    def show_section(self, section: str) -> None:
        ids = [sid for sid, _, _ in SECTIONS]
        self.query_one("#config-sections", OptionList).highlighted = ids.index(section)

    def action_sections(self) -> None:
        self.query_one("#config-sections", OptionList).focus()

    # ---- editing ---------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    def _edited(self, event: Input.Changed | Select.Changed | Switch.Changed) -> None:
        widget = event.control
        key = widget.name
        if not key or spec_for(key) is None:
            return
        event.stop()
        self.edit(key, event.value)

    def edit(self, key: str, raw: Any) -> None:
        """Apply one edit to the draft and re-validate everything (findings can span fields)."""
        draft = self.wbtui.session.draft
        try:
            spec = spec_for(key)
            if spec is not None and spec.optional and raw == "":
                unset_value(draft, key)
            else:
                set_value(draft, key, raw)
        except FieldError as exc:
            self._errors[key] = exc.message + (f" (e.g. {exc.example})" if exc.example else "")
        else:
            self._errors.pop(key, None)
        self._revalidate()

    def _revalidate(self) -> None:
        session = self.wbtui.session
        findings = validate(session.draft)
        by_field: dict[str, list[Finding]] = {}
        for finding in findings:
            by_field.setdefault(finding.field.lower(), []).append(finding)
        saved = session.saved
        for row in self.query(FieldRow):
            key = row.spec.key
            row.show(by_field.get(key.lower(), []), self._errors.get(key))
            row.set_changed(get_value(session.draft, key) != get_value(saved, key) or key in self._errors)
        env_findings = [f for f in findings if f.field.lower().startswith("env.")]
        errors = sum(f.severity == "error" for f in findings) + len(self._errors)
        warnings = sum(f.severity == "warning" for f in findings)
        parts: list[str | tuple[str, str]] = []
        if session.dirty or self._errors:
            parts.append(("● unsaved changes  ", "$warning bold"))
        if session.kept_over_file:
            parts.append((f"kept over the newer file: {', '.join(session.kept_over_file)}  ", "$warning"))
        parts.append((f"{errors} error(s)", "$error" if errors else "$success"))
        parts.append(f", {warnings} warning(s)")
        if env_findings:
            parts.append(f"; env: {env_findings[0].message}")
        if session.read_only:
            parts.append(("  read-only", "$warning"))
        self.query_one("#config-status", Static).update(styled(*parts))
        self.wbtui.dirty_changed()

    def _fill_env(self) -> None:
        table = self.query("#env-table").first(DataTable) if "env" in self._built else None
        if table is None:
            return
        table.clear()
        for name, value in sorted(self.wbtui.session.draft.env.items()):
            shown = value if self.revealed else mask_value(f"env.{name}", value)
            table.add_row(cell(self.app, name), cell(self.app, shown), key=name)

    def action_env_add(self) -> None:
        if self.refuse_read_only("editing the configuration"):
            return
        self.show_section("env")

        def got_name(name: str) -> None:
            def got_value(value: str) -> None:
                self.edit(f"env.{name}", value)
                self._fill_env()

            self.prompt(f"Value of {name}", got_value, value=self.wbtui.session.draft.env.get(name, ""),
                        password=env_is_secret(name) and not self.revealed)

        self.prompt("Environment variable name", got_name, placeholder="GORILLA_SOMETHING")

    def action_env_delete(self) -> None:
        if self.refuse_read_only("editing the configuration"):
            return
        table = self.query("#env-table").first(DataTable) if "env" in self._built else None
        if table is None or table.row_count == 0:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        unset_value(self.wbtui.session.draft, f"env.{row_key.value}")
        self._fill_env()
        self._revalidate()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if allowed and action in ("env_add", "env_delete"):
            return any(table.has_focus for table in self.query("#env-table"))  # a / d are letters elsewhere
        return allowed

    def unavailable_reason(self, action: str) -> str:
        if action in ("env_add", "env_delete"):
            return ("a adds and d deletes a variable in the Extra env table: pick Extra env in the section list, "
                    "enter, then tab to the table.")
        return super().unavailable_reason(action)

    # ---- reveal, save, revert ------------------------------------------------------
    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        for row in self.query(FieldRow):
            row.set_revealed(self.revealed)
        self._fill_env()
        self.notify("Secrets shown: anyone looking at this screen can read them." if self.revealed
                    else "Secrets masked again.", severity="warning" if self.revealed else "information",
                    markup=False)

    def action_save(self) -> None:
        if self.refuse_read_only("saving the configuration"):
            return
        session = self.wbtui.session
        if self._errors:
            self.notify("Fix the fields marked ✘ first: " + ", ".join(sorted(self._errors)), title="Not saved",
                        severity="error", markup=False)
            return
        if not session.dirty and session.file_exists:
            self.notify("Nothing to save: the draft matches the saved file.", markup=False)
            return
        findings = validate(session.draft)
        if has_errors(findings):
            errors = [f"✘ {f.field}: {f.message}" + (f"  (fix: {f.fix})" if f.fix else "")
                      for f in findings if f.severity == "error"]
            self.confirm("The configuration has errors. Save anyway?",
                         [*errors, f"write {session.config_path} (previous version kept as .bak)"],
                         self._save, confirm_label="Save anyway")
        else:
            self._save()

    def _save(self, over_newer: bool = False) -> None:
        session = self.wbtui.session
        self._write(session.draft.copy(), session.config_path, store.dumps(session.saved), over_newer)

    @work(thread=True, exclusive=True, group="config-save", exit_on_error=False, name="Save config",
          description="Save config")
    def _write(self, config: Any, path: Path, loaded: str, over_newer: bool) -> None:
        """Write the draft, unless the file changed since it was loaded (then say so, with what it holds).

        The check and the write happen under the file's lock, so no other writer slips in between.
        """
        try:
            with store.editing(path) as edit:
                disk = self.wbtui.session.effective(edit.loaded)  # as loaded: WBTUI_<KEY> values over the file's
                if not over_newer and store.exists(path) and store.dumps(disk) != loaded:
                    self.post_message(FileRead(disk, file_stamp(path), "save"))
                    return
                edit.config = self.wbtui.session.for_file(config, edit.loaded)  # no value only the environment gave
            written = path
        except store.ConfigFileError as exc:  # the file on disk is broken: not overwritten blindly
            self.post_message(Notice(f"{exc}\nFix it, or move it away, then save again.", "Not saved",
                                     severity="error", timeout=10))
            return
        except OSError as exc:
            self.post_message(Notice(f"cannot write {path}: {exc.strerror or exc}\nFix: check the directory exists "
                                     "and is writable, or start with --config FILE", "Not saved", severity="error",
                                     timeout=10))
            return
        self.post_message(Written(config, written, file_stamp(written)))

    def on_written(self, message: Written) -> None:
        message.stop()
        self.wbtui.session.mark_saved(message.config, message.stamp)
        self._revalidate()
        path = message.path
        self.notify(f"Saved {path} (previous version kept as {path.name}.bak)", title="Saved", markup=False)
        self.post_message(ConfigSaved())

    def on_file_read(self, message: FileRead) -> None:
        """Show how the file now differs from the draft; save over a newer one only when asked, else take it."""
        message.stop()
        session = self.wbtui.session
        reload = ConfigFileRead(message.disk, True, message.stamp)
        if message.purpose == "diff":
            if message.newer:
                self.post_message(reload)  # the app takes the newer file as well (and says so)
            self._show_diff(message.disk)
            return

        def answered(save_anyway: bool | None) -> None:
            if save_anyway:
                self._save(over_newer=True)
            else:
                self.post_message(reload)

        self.app.push_screen(ConfirmScreen(
            f"Not saved: {session.config_path.name} changed on disk since it was loaded",
            [*(draft_vs_file(session, message.disk) or ["(the draft matches the file as it is now)"]),
             "Save anyway writes the draft over the file (the file is kept as .bak); Reload takes the file's "
             "changes and keeps your unsaved edits."],
            confirm_label="Save anyway", cancel_label="Reload", danger=True), answered)

    def action_revert(self) -> None:
        if self.refuse_read_only("editing the configuration"):
            return
        session = self.wbtui.session
        if not session.dirty:
            self.notify("Nothing to revert: the draft matches the saved file.", markup=False)
            return

        def revert() -> None:
            session.revert()
            self._errors.clear()
            self._reload_editors()

        self.confirm("Discard unsaved changes?", draft_vs_saved(session) or ["(no differences)"], revert,
                     confirm_label="Discard")

    def _reload_editors(self) -> None:
        draft = self.wbtui.session.draft
        with self.prevent(Input.Changed, Select.Changed, Switch.Changed):
            for row in self.query(FieldRow):
                if row.spec.key in self._errors:  # the editor holds text the draft could not take: keep it
                    continue
                value = get_value(draft, row.spec.key)
                editor = row.editor
                if isinstance(editor, Input):
                    editor.value = "" if value is None else str(value)
                elif isinstance(editor, Switch):
                    editor.value = bool(value)
                elif isinstance(editor, Select):
                    editor.value = value
        self._fill_env()
        self._revalidate()

    def _loaded(self, _config: Any) -> None:
        """A config was read or written (a save, the setup, another shell): show the draft as it now is."""
        self._reload_editors()

    # ---- the file in the user's editor ----------------------------------------------------
    def action_edit_file(self) -> None:
        """The config file in $VISUAL/$EDITOR, as `wbtui config edit` does (the same loop) while the dashboard
        steps aside; then the file is read again as after a change from another shell (unsaved edits kept)."""
        from textual.app import SuspendNotSupported

        if self.refuse_read_only("editing the config file"):
            return
        path = self.wbtui.session.config_path
        try:
            with self.app.suspend():
                outcome, problem = _edit_in_terminal(path)
        except SuspendNotSupported:
            self.notify("The editor needs a terminal, and this dashboard has none (a browser or a test). Run "
                        "`wbtui config edit` in a shell instead.", title="Not available", severity="warning",
                        markup=False)
            return
        if outcome is None:
            self.notify(f"{problem}", title="Not saved", severity="error", timeout=10, markup=False)
            return
        self.wbtui.read_config_file()
        if outcome.status == "saved":
            errors = sum(f.severity == "error" for f in outcome.findings)
            self.notify(f"{outcome.message}; {errors} error(s) remain." if errors else outcome.message,
                        title="Saved", severity="warning" if errors else "information", markup=False)
        elif outcome.status == "cancelled":
            self.notify(outcome.message, markup=False)
        else:
            self.notify(outcome.message, title="Not saved", severity="error", timeout=15, markup=False)

    # ---- diffs and previews ----------------------------------------------------------
    def action_diff_saved(self) -> None:
        """The draft against the file as it is on disk now (it may have changed since it was loaded)."""
        self._read_file(self.wbtui.session.config_path, store.dumps(self.wbtui.session.saved))

    @work(thread=True, exclusive=True, group="config-diff", exit_on_error=False, name="Read config",
          description="Read config")
    def _read_file(self, path: Path, loaded: str) -> None:
        disk = self.wbtui.session.effective(store.load(path))
        self.post_message(FileRead(disk, file_stamp(path), "diff",
                                   newer=store.exists(path) and store.dumps(disk) != loaded))

    def _show_diff(self, disk: Any) -> None:
        lines = draft_vs_file(self.wbtui.session, disk)
        text = "\n".join(lines) if lines else "The draft matches the file on disk."
        self.app.push_screen(TextScreen("Draft vs the file on disk (secrets masked)",
                                        [Rendered("diff", "config.diff", lambda: text)], diff_content))

    def action_diff_running(self) -> None:
        self.notify("Reading the running server's settings…", markup=False)
        self._read_running(self.wbtui.session.draft.copy())

    @work(thread=True, exclusive=True, group="config-running", exit_on_error=False, name="Running config",
          description="Running config")
    def _read_running(self, draft: Any) -> None:
        self.post_message(RunningRead(self.wbtui.core.running_config(draft)))

    def on_running_read(self, message: RunningRead) -> None:
        message.stop()
        if message.running is None:
            self.notify("Nothing is running to compare with (not deployed).", markup=False)
            return
        lines = draft_vs_running(self.wbtui.session, message.running)
        text = "\n".join(lines) if lines else "The running server uses exactly this configuration."
        self.app.push_screen(TextScreen("Draft vs running (secrets masked)",
                                        [Rendered("diff", "running.diff", lambda: text)], diff_content))

    def action_previews(self) -> None:
        items = self.wbtui.core.previews(self.wbtui.session.draft.copy())
        if not items:
            self.notify("No renderers are installed.", severity="warning", markup=False)
            return
        self.app.push_screen(PreviewScreen("Rendered files from the draft (secrets masked)", items))


def _edit_in_terminal(path: Path) -> tuple[Outcome | None, str]:
    """The edit loop with the terminal handed over; never raises, so the dashboard always gets it back."""
    from ...config.edit import EditorFailed, edit_file

    try:
        return edit_file(path), ""
    except (EditorFailed, store.ConfigFileError) as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot edit {path}: {exc.strerror or exc}"
