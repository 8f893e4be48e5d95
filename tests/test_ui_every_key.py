"""Every key and every palette command of the dashboard, pressed at 80x24: no crash, and a visible effect or a
visible refusal, against a running stand-in (MariaDB and radosgw behind it) and against "not deployed".

The keys are read from the classes (the app's BINDINGS and each pane's), the commands from the palette's own
list in the running app, so a new key or command is pressed here without a new test. One app runs the keys of
one group (the app's or one pane's) and then the group's palette commands; the failure names every press that
crashed, did nothing visible, or changed something without asking first. The background refreshers are off
(the stand-in's status, probes and log are read once before the keys), so whatever changes on screen after a
press is that press's doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets import HelpPanel

from tests.services.base import free_port
from tests.services.docker_fixtures import standin_config
from tests.ui_support import Terminal, make_app, ready, screen_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.app import WbtuiApp, pane_classes
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.widgets.confirm import ConfirmScreen, PromptScreen
from wbtui.ui.widgets.filter_bar import FilterBar

SIZE = (80, 24)
SECRET = "Canary-keys-" + secrets.token_hex(6)
EFFECT_SECONDS = 10.0  # a press's first visible sign (a worker's result: checks time out after app.timeout)
SETTLE_SECONDS = 90.0  # what a press started has finished (the doctor bundle reads every source)
STREAMING = {"logs"}  # the Logs pane's stream runs for as long as the app: never "finished"

# Actions that change the server: the press must ask first (the test answers no). Start is not here: it starts
# a stopped server and asks nothing (app.on_run_runtime_action), which destroys nothing.
MUST_ASK = {("overview", "restart"), ("runtime", "act('deploy')"), ("runtime", "act('stop')"),
            ("runtime", "act('restart')"), ("runtime", "act('remove')"), ("runtime", "upgrade")}
# Keys whose action only means something from elsewhere in the pane: pressed after these keys.
BEFORE = {("config", "sections"): ("enter",)}  # Escape goes back to the section list from inside a form


@dataclass(frozen=True)
class Press:
    """One thing the user does: a key, or a palette command by its title."""

    group: str  # "app" or a pane id
    action: str
    key: str = ""
    command: str = ""

    def __str__(self) -> str:
        return f"key {self.key!r} ({self.action})" if self.key else f"palette {self.command!r}"


def key_presses() -> dict[str, list[Press]]:
    """Every key of every binding, by group (each of a binding's comma-separated keys is its own press)."""
    groups: dict[str, list[Press]] = {"app": []}
    sources = [("app", WbtuiApp.BINDINGS), *[(pane.PANE_ID, pane.BINDINGS) for pane in pane_classes()]]
    for group, bindings in sources:
        for binding in bindings:
            if isinstance(binding, Binding):
                for key in binding.key.split(","):
                    groups.setdefault(group, []).append(Press(group, binding.action, key=key.strip()))
    return groups


KEYS = key_presses()
GROUPS = list(KEYS)


def command_presses(app: WbtuiApp, group: str) -> list[Press]:
    """The palette's commands of ``group``: a pane's are titled 'Pane: …' (its binding's action), the rest are
    the app's ('Show Pane' shows it)."""
    actions = {f"{pane.TITLE}: {b.description}": (pane.PANE_ID, b.action)
               for pane in pane_classes() for b in pane.BINDINGS if isinstance(b, Binding)}
    actions.update({f"Show {pane.TITLE}": ("app", f"show_pane('{pane.PANE_ID}')") for pane in pane_classes()})
    presses = []
    for command in app.get_system_commands(app.screen):
        owner, action = actions.get(command.title, ("app", f"palette:{command.title}"))
        if owner == group:
            presses.append(Press(group, action, command=command.title))
    return presses


# ---- what the user sees ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Look:
    screens: tuple[str, ...]
    focused: str
    pane: str
    notes: tuple[str, ...]
    maximized: bool

    def changes(self, after: Look) -> list[str]:
        found = []
        if after.screens != self.screens:
            found.append(f"screen {' > '.join(after.screens)}")
        if after.notes:
            found.append("notified " + " / ".join(after.notes))
        if after.pane != self.pane:
            found.append(f"pane {after.pane}")
        if after.focused != self.focused:
            found.append(f"focus {after.focused}")
        if after.maximized != self.maximized:
            found.append("maximized")
        return found


# What changes on screen by itself, no key's doing: the Logs pane's stream state (not deployed: it retries every
# few seconds) and the ages of results ("just now", "10s ago"), brought up to date on a timer.
BY_ITSELF = re.compile(r"· stream .*|just now|\b(\d+[smhd])+ ago\b")


def look(app: WbtuiApp) -> Look:
    focused = app.focused
    return Look(tuple(type(s).__name__ for s in app.screen_stack),
                f"{type(focused).__name__}#{focused.id}" if focused is not None else "-",
                app.active_pane, tuple(str(n.message).splitlines()[0][:60] for n in app._notifications),
                app.screen.maximized is not None)


class Frames:
    """Every frame the app sends, as the terminal shows it: a state shown for a moment (a re-check that took
    0.1 s) was seen, even if it is gone when the test looks."""

    def __init__(self, app: WbtuiApp) -> None:
        self.texts: list[str] = [""]
        terminal = Terminal(app)
        apply = terminal.apply

        def record(update: Any) -> None:
            apply(update)
            text = BY_ITSELF.sub("…", terminal.text())
            if text != self.texts[-1]:
                self.texts.append(text)

        terminal.apply = record  # type: ignore[method-assign]

    def changed_since(self, mark: int) -> str:
        """The first line that differs from frame ``mark`` in a later frame, or ''."""
        base = self.texts[mark].splitlines()
        for text in self.texts[mark + 1:]:
            for line, old in zip(text.splitlines(), base, strict=False):
                if line != old:
                    return line.strip()[:70]
        return ""


def crashed(app: WbtuiApp) -> bool:
    return app._exception is not None or (app.return_code is not None and app.return_code != 0)


# ---- targets ----------------------------------------------------------------------------------------------------
@dataclass
class Target:
    """A config the dashboard runs on, and what must still hold after every press (nothing was changed)."""

    name: str
    config: Config
    runtime_factory: Callable[[Config], Any]
    ready_text: tuple[str, ...]
    unchanged: Callable[[], list[str]]
    typed: bool
    """Commands are typed into the palette (ctrl+p, the title, Enter); else run from the palette's own list."""


@pytest.fixture(scope="module")
def standin_target(standin_image: str, docker_client: Any, docker_labels: dict[str, str], mariadb: Any,
                   radosgw: Any) -> Iterator[Target]:
    """The stand-in running (deployed once for the module), a W&B database on MariaDB, a bucket not made yet."""
    import docker

    from wbtui.runtime.docker.backend import DockerRuntime

    config = standin_config(standin_image, prefix="keys", secret=SECRET, ready_delay="0", heartbeat="0")
    config.app.timeout = 2.0
    token = secrets.token_hex(4)
    database = user = f"wbt_keys_{token}"
    password = secrets.token_urlsafe(12)
    mariadb.create_user(user, password)
    mariadb.create_database(database)
    mariadb.grant("ALL", f"`{database}`.*", user)
    config.server.MYSQL = mariadb.url(user, password, database)
    bucket = f"wbt-keys-{token}"
    config.server.BUCKET = radosgw.bucket_url(bucket)
    config.server.AWS_REGION = radosgw.region
    runtime = DockerRuntime(config, labels=docker_labels)
    runtime.deploy()
    container = docker_client.containers.get(config.runtime.container_name)

    def unchanged() -> list[str]:
        problems = []
        now = docker_client.containers.get(config.runtime.container_name)
        if now.id != container.id or now.status != "running" or now.attrs["RestartCount"]:
            problems.append(f"the stand-in was changed: {now.status}, restarts {now.attrs['RestartCount']}")
        if bucket in [b["Name"] for b in radosgw.s3_client().list_buckets().get("Buckets", [])]:
            problems.append(f"bucket {bucket} was created")
        return problems

    yield Target("stand-in", config, lambda c: DockerRuntime(c, labels=docker_labels),
                 ("● running",), unchanged, typed=True)
    with contextlib.suppress(Exception):
        runtime.remove(purge=True)
    runtime.close()
    with contextlib.suppress(docker.errors.NotFound):
        docker_client.volumes.get(config.runtime.volume).remove(force=True)
    mariadb.drop_database(database)
    mariadb.drop_user(user)
    with contextlib.suppress(Exception):
        radosgw.delete_bucket(bucket)


@pytest.fixture(scope="module")
def absent_target(docker_client: Any, docker_labels: dict[str, str]) -> Target:
    """Nothing deployed: a container name that does not exist; MySQL and the object store refuse connections."""
    from wbtui.runtime.docker.backend import DockerRuntime

    config = Config()
    name = f"wbtui-test-keys-absent-{secrets.token_hex(4)}"
    config.runtime.container_name, config.runtime.volume = name, f"{name}-data"
    config.runtime.bind_address, config.runtime.port = "127.0.0.1", free_port()
    config.server.HOST = f"http://127.0.0.1:{free_port()}"
    config.server.MYSQL = f"mysql://wandb:{SECRET}@127.0.0.1:{free_port()}/wandb"
    config.server.BUCKET = f"s3://AKIAKEYS:{SECRET}@127.0.0.1:{free_port()}/wandb"
    config.app.timeout = 2.0

    def unchanged() -> list[str]:
        found = docker_client.containers.list(all=True, filters={"name": name})
        return [f"container {name} was created"] if found else []

    return Target("not deployed", config, lambda c: DockerRuntime(c, labels=docker_labels), ("not deployed",),
                  unchanged, typed=False)


@pytest.fixture(params=["standin_target", "absent_target"], ids=["stand-in", "not-deployed"])
def target(request: pytest.FixtureRequest) -> Target:
    return request.getfixturevalue(request.param)


# ---- driving ------------------------------------------------------------------------------------------------------
async def settle(pilot: Any) -> None:
    """Until what the last press started has finished (the log stream aside) and its messages are handled."""
    app = pilot.app

    def busy() -> list[str]:
        return [w.name for w in app.workers if w.is_running and w.group not in STREAMING]

    await wait_until(pilot, lambda: not busy() or crashed(app), SETTLE_SECONDS, "the workers to finish")
    await pilot.pause()


async def back_to_the_dashboard(pilot: Any) -> str | None:
    """Close whatever the press opened as the user would (Escape), clear the toasts; None or what would not close."""
    app = pilot.app
    for _ in range(6):
        if len(app.screen_stack) == 1 and app.screen.maximized is None:
            break
        await pilot.press("escape")
        await pilot.pause()
    else:
        return f"Escape does not close {' > '.join(type(s).__name__ for s in app.screen_stack)}"
    for _ in app.screen.query(HelpPanel):
        app.action_hide_help_panel()
    app.clear_notifications()
    await pilot.pause()
    return None


async def go_home(pilot: Any, press: Press) -> None:
    """The group's pane, with focus where the pane puts it; a pane key's precondition keys, if it has any."""
    app = pilot.app
    home = "overview" if press.group == "app" else press.group
    if press.action == f"show_pane('{home}')":
        home = "config"  # a key for the pane already shown would show nothing new
    for bar in app.query(FilterBar):  # a filter or search line the last press opened: closed, as Escape does
        if bar.display:
            bar.action_close()
    app.action_show_pane(home)
    app.focus_active_pane()
    await pilot.pause()
    before = BEFORE.get((press.group, press.action), ())
    if before:
        await pilot.press(*before)
        await pilot.pause()


def type_text(app: WbtuiApp, text: str) -> None:
    """The keys of ``text`` in one burst, as a fast typist sends them (Pilot waits for idle after every key)."""
    from textual import events
    from textual.keys import _character_to_key

    assert app._driver is not None
    for char in text:
        event = events.Key(_character_to_key(char), char)
        event.set_sender(app)
        app._driver.send_message(event)


def option_title(option: Any) -> str:
    """A palette entry's title (its prompt is the title, then the help on the next line)."""
    prompt = option.prompt
    return (prompt.plain if hasattr(prompt, "plain") else str(prompt)).split("\n")[0]


async def run_command(pilot: Any, title: str) -> str | None:
    """ctrl+p, type the title, Enter on it in the list: None, or why it could not be run."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the command palette")
    palette = app.screen
    type_text(app, title)

    def listed() -> list[str]:
        commands = palette.query_one(CommandList)
        return [option_title(commands.get_option_at_index(i)) for i in range(commands.option_count)]

    try:
        await wait_until(pilot, lambda: title in listed(), 10, f"{title!r} in the palette")
    except AssertionError:
        await pilot.press("escape")
        return f"the palette does not list it (it lists {listed()[:5]})"
    commands = palette.query_one(CommandList)
    if commands.highlighted is None:
        await pilot.press("down")
    while option_title(commands.get_option_at_index(commands.highlighted or 0)) != title:
        await pilot.press("down")
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is not palette or crashed(app) or app.return_code is not None, 5,
                     "the palette to close")
    return None


async def press_one(pilot: Any, press: Press, target: Target, frames: Frames) -> tuple[str | None, str]:
    """Press it and wait for what the user would see; (failure or None, what happened)."""
    app = pilot.app
    await go_home(pilot, press)
    await settle(pilot)
    before = look(app)
    mark = len(frames.texts) - 1

    def changes() -> list[str]:
        text = frames.changed_since(mark)
        return [*before.changes(look(app)), *([f"screen: {text}"] if text else [])]
    if press.key:
        await pilot.press(press.key)
    elif target.typed:
        problem = await run_command(pilot, press.command)
        if problem:
            return problem, ""
    else:
        command = next((c for c in app.get_system_commands(app.screen) if c.title == press.command), None)
        if command is None:
            return "the palette no longer lists it", ""
        app.call_later(command.callback)  # as the palette runs the one picked
    must_ask = (press.group, press.action) in MUST_ASK

    def seen() -> bool:
        if crashed(app) or app.return_code is not None:
            return True
        if must_ask:
            return isinstance(app.screen, (ConfirmScreen, PromptScreen))
        return bool(changes())

    try:
        await wait_until(pilot, seen, EFFECT_SECONDS, f"{press} to show something")
    except AssertionError:
        if must_ask:
            return f"changes the server without asking first (saw: {changes() or 'nothing'})", ""
        return "nothing visible happened", ""
    if crashed(app):
        return f"the app crashed: {app._exception!r} (exit {app.return_code})", ""
    if app.return_code is not None:
        return None, "the app exited 0"
    effect = "; ".join(changes())
    await settle(pilot)
    if crashed(app):
        return f"the app crashed after: {app._exception!r}", effect
    if app.runtime_action is not None and app.runtime_action.action != "start":
        return f"ran {app.runtime_action.action} without a yes", effect
    stuck = await back_to_the_dashboard(pilot)
    if stuck:
        return stuck, effect
    await settle(pilot)
    return None, effect


async def prepare(pilot: Any, target: Target) -> None:
    """What the background refreshers would have read by now: the status, one probe, the log stream."""
    app = pilot.app
    await ready(pilot)
    app.refresh_status(now=True)
    app.probe()
    app.query_one(LogsPane).start_stream()
    await wait_until(pilot, lambda: app.server is not None and app.probes is not None, 30, "the first status")
    if target.name == "stand-in":
        logs = app.query_one(LogsPane)
        await wait_until(pilot, lambda: any("Starting W&B server" in t for t in logs.view.texts()), 60, "the log")
    await settle(pilot)
    text = screen_text(app)
    assert all(needle in text for needle in target.ready_text), text


@pytest.mark.docker
@pytest.mark.parametrize("group", GROUPS)
async def test_every_key_and_command_shows_something(group: str, target: Target, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the doctor bundle and the logs' save land here
    monkeypatch.setattr("textual.app.user_downloads_path", lambda: tmp_path)  # the palette's Screenshot
    store.save(target.config, tmp_path / "config.toml")
    saved = (tmp_path / "config.toml").read_bytes()
    todo: list[Press] = list(KEYS[group])
    commands_read = False
    failures: list[str] = []
    done: list[str] = []
    while todo or not commands_read:
        app = make_app(tmp_path, save=False, runtime_factory=target.runtime_factory)
        frames = Frames(app)
        current: Press | None = None
        try:
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                began = time.monotonic()
                await prepare(pilot, target)
                done.append(f"prepare {time.monotonic() - began:.1f}s")
                if not commands_read:
                    todo += command_presses(app, group)
                    commands_read = True
                while todo:
                    current = todo.pop(0)
                    began = time.monotonic()
                    failure, effect = await press_one(pilot, current, target, frames)
                    done.append(f"{current}: {effect or failure} [{time.monotonic() - began:.1f}s]")
                    if failure:
                        failures.append(f"{current}: {failure}")
                    if app.return_code is not None or app._exception is not None:
                        break
        except Exception as exc:  # the app's own exception, re-raised when run_test ends
            failures.append(f"{current}: the app crashed: {exc!r}")
        await asyncio.sleep(0)
    print(f"[{target.name}] {group}:\n  " + "\n  ".join(done))
    failures += target.unchanged()
    if (tmp_path / "config.toml").read_bytes() != saved:
        failures.append("the config file was changed")
    assert not failures, f"[{target.name}] {group} pane at {SIZE}:\n" + "\n".join(failures)
