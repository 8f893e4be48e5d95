"""The installed `wbtui` in a real terminal (tmux at 80x24), read back with capture-pane, as an operator sees it."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Button, Input

from tests.services.docker_fixtures import standin_config
from tests.test_setup_support import Target, cors_origins, saved_state
from tests.test_setup_support import target as target  # a fixture
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.setup.state import STEP_IDS
from wbtui.ui.setup.app import SetupApp

WBTUI = Path(sys.executable).with_name("wbtui")

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")


class TmuxWindow:
    """One tmux server of its own (its own socket), one window of the given size running ``argv``."""

    def __init__(self, argv: list[str], home: Path, width: int = 80, height: int = 24) -> None:
        self.socket = f"wbtui-test-{secrets.token_hex(4)}"
        command = " ".join(shlex.quote(a) for a in argv) + "; echo EXITED=$?; sleep 600"
        env = {**os.environ, "HOME": str(home), "TERM": "xterm-256color"}
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), command, env=env)
        self.socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").strip())

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True,
                              env=env, timeout=30).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def styled(self) -> str:
        """The screen with its colours and attributes (a focus change shows here, not always in the text)."""
        return self._tmux("capture-pane", "-p", "-e")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def press(self, *keys: str, timeout: float = 10) -> None:
        """Send ``keys`` and wait until the screen answers them (a focus change repaints what it leaves
        and what it reaches): keys sent before that would go to the widget the focus is leaving."""
        before = self.styled()
        self.keys(*keys)
        self.until(lambda: self.styled() != before, f"an answer to {keys}", timeout)

    def wait_for(self, *needles: str, timeout: float = 60) -> str:
        """The screen once every needle shows on it (capture-pane read until then); AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(n in shown for n in needles):
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{needles!r} not on the terminal after {timeout}s:\n{shown}")

    def until(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        """Poll ``condition`` (which reads the terminal) until it holds; AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"not {what} after {timeout}s:\n{self.screen()}")
            time.sleep(0.2)

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._tmux("kill-server")
        self.socket_path.unlink(missing_ok=True)  # tmux leaves its socket file behind


@contextlib.contextmanager
def terminal(argv: list[str], home: Path) -> Iterator[TmuxWindow]:
    term = TmuxWindow(argv, home)
    try:
        yield term
    finally:
        term.close()


def wbtui(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WBTUI), "--config", str(config), *args], capture_output=True, text=True, timeout=120)


@needs_tmux
@pytest.mark.docker
def test_a_crash_looping_server_shows_its_cause_and_fix_on_the_first_screen(tmp_path: Path, standin_image: str,
                                                                            docker_client: object) -> None:
    password = secrets.token_hex(8)
    config = standin_config(standin_image, prefix="tmux", secret=password, ready_delay="0", heartbeat="0",
                            STANDIN_MODE="crash")
    config.runtime.cpu_request, config.runtime.memory_request = "0.5", "128Mi"  # within the stand-in's limits
    path = tmp_path / "config.toml"
    store.save(config, path)
    try:
        assert wbtui(path, "up", "--no-watch").returncode == 0
        with terminal([str(WBTUI), "--config", str(path)], tmp_path) as term:
            shown = term.wait_for("Interrupted database migration", "fix: Stop the server and back up")
            print(shown)  # what the operator sees (pytest -rP shows it)
            top = shown.splitlines()[:5]
            assert any("✘ Interrupted database migration" in row for row in top), shown
            assert password not in shown
            term.keys("q")
            term.wait_for("EXITED=0")
    finally:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


@needs_tmux
def test_a_change_from_another_shell_is_noticed_by_the_open_dashboard(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert wbtui(path, "config", "set", "HOST", "https://wandb.example.com").returncode == 0
    nowhere = "DOCKER_HOST=unix:///nonexistent.sock"  # no daemon needed: the config file is the point
    with terminal(["env", nowhere, str(WBTUI), "--config", str(path)], tmp_path) as term:
        term.wait_for("1 Overview", "Docker daemon not reachable")
        term.keys("2")
        term.wait_for("Save")
        assert wbtui(path, "config", "set", "AWS_REGION", "eu-west-1").returncode == 0
        term.wait_for("Config reloaded", "+AWS_REGION = eu-west-1")
        term.keys("q")
        term.wait_for("EXITED=0")


@needs_tmux
@pytest.mark.docker
def test_first_launch_offers_the_setup_which_detects_docker_and_goes_on(tmp_path: Path, docker_host: str) -> None:
    path = tmp_path / "config.toml"
    with terminal(["env", f"DOCKER_HOST={docker_host}", str(WBTUI), "--config", str(path)], tmp_path) as term:
        term.wait_for("Welcome: no configuration", "Start the guided setup")
        term.keys("Enter")
        term.wait_for("wbtui setup", "step 1 of 8: Where it runs")
        term.keys("C-n")  # Next: detects Docker on this host, saves, goes on
        term.wait_for("step 2 of 8: MySQL")
        term.keys("Escape")
        term.wait_for("1 Overview")
        term.keys("q")
        term.wait_for("EXITED=0")
    assert store.load(path).runtime.backend == "docker"


# -- the guided setup at 80x24, typed key by key --------------------------------------------------------------
# How keys reach a field: printable keys are inserted by the focused Input itself, while every bound key (Tab,
# End, ctrl+u, backspace) runs only once its event has bubbled up to the app. Keys sent in one burst behind a
# bound key are therefore handled BEFORE it: text typed right behind Tab lands in the field being left, and text
# typed right behind ctrl+u is inserted and then deleted by the late ctrl+u (Textual 8.2.8; upstream
# Textualize/textual#6605). So no bound key is sent in front of text: each Tab is followed by a wait for its
# effect on the terminal (the cursor in the next field, the next widget drawn focused), and a field's old text
# is replaced the way an admin replaces it: the field selects its text when it gets the focus, typing replaces
# the selection.

LABEL_WIDTH = 12
"""The form's label column (wbtui/ui/setup/form.py)."""


def form_row(screen: str, label: str) -> tuple[int, list[str]]:
    """The setup form's row labelled ``label``: its line number and the words in its fields."""
    for number, line in enumerate(screen.splitlines()):
        panel = line.partition("▕")[2].strip()
        if panel[:LABEL_WIDTH].rstrip() == label:  # the label column, not a line of the intro ("HOST must be")
            return number, panel[LABEL_WIDTH:].split()
    raise AssertionError(f"no form row {label!r} on the terminal:\n{screen}")


CURSOR_BG = "48;5;253"
"""How a focused field draws its cursor at 80x24 in xterm-256color (the default theme): one cell with the
field's text colour as its background. The terminal's own cursor is hidden, and Textual moves it only when
the Input gets the focus: a field focused before its step was laid out leaves it at (1, 0)."""
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cursor_columns(styled_line: str) -> list[int]:
    """The columns of ``styled_line`` (a line of ``capture-pane -e``) drawn with the field cursor's background."""
    columns, column, background = [], 0, ""
    for number, part in enumerate(SGR.split(styled_line)):
        if number % 2:  # an SGR's parameters
            codes = part.split(";")
            for index, code in enumerate(codes):
                if code == "48" and codes[index + 1: index + 2] == ["5"]:
                    background = ";".join(codes[index: index + 3])
                elif code in ("0", "49", ""):
                    background = ""
            continue
        for _ in part:
            if background == CURSOR_BG:
                columns.append(column)
            column += 1
    return columns


def focused(term: TmuxWindow, label: str, after: str = "") -> bool:
    """Whether a field in the row labelled ``label`` has the focus (its cursor is drawn in it), right of
    ``after`` (the text of the row's first field, when the second one is meant).

    The field selects its text when it gets the focus, before any key sent after this: so once the cursor
    shows in the field, what is typed next replaces the field's text.
    """
    screen, styled = term.screen(), term.styled()
    with contextlib.suppress(AssertionError):
        row = form_row(screen, label)[0]
        line = screen.splitlines()[row]
        start = line.index(after) + len(after) if after else line.index("▕")
        return any(x > start for x in cursor_columns(styled.splitlines()[row]))
    return False


def fill(term: TmuxWindow, label: str, text: str, *, after: str = "", secret: bool = False,
         then: str = "Tab") -> None:
    """Once the field (see ``focused``) has the focus, type ``text`` over its selected text; once it shows
    (bullets for a ``secret``, as many as fit), press ``then``."""
    term.until(lambda: focused(term, label, after), f"the cursor in {label} {after}")
    term.keys("-l", "--", text)  # "--": a secret may begin with "-"

    def typed() -> bool:
        words = form_row(term.screen(), label)[1]
        if secret:
            return any(set(w) == {"•"} and len(w) >= min(len(text), 20) for w in words)
        return text in words

    term.until(typed, f"{text!r} typed in {label}")
    if then:
        term.keys(then)


def tab_onto(term: TmuxWindow, text: str) -> None:
    """Tab, then wait until the widget showing ``text`` (a button, a checkbox) is drawn focused: its row's
    colours change. A step's letter keys (b, o, i ...) act only once the focus is out of the fields."""
    def row(styled: str) -> str:
        plain = term.screen().splitlines()
        rows = styled.splitlines()
        return next((rows[n] for n, line in enumerate(plain) if text in line), "")

    before = row(term.styled())
    assert before, f"{text!r} is not on the terminal:\n{term.screen()}"
    term.keys("Tab")
    term.until(lambda: row(term.styled()) != before, f"{text!r} focused", 10)


@needs_tmux
@pytest.mark.mysql
@pytest.mark.s3
@pytest.mark.docker
def test_first_install_in_a_terminal_from_nothing_to_a_verified_server(
        tmp_path: Path, docker_host: str, mariadb: Any, mysql_scratch: Any, radosgw: Any, target: Target,
        docker_client: Any, standin_image: str) -> None:
    """The whole first install at 80x24 with keys only: what the admin types and what each step shows.

    Nothing is seeded: a config file would skip the first-launch welcome, so the stand-in's container,
    volume, image and port are typed into the steps that ask for them (Where, Server). The installed wbtui
    deploys with its own runtime: the stand-in image is local, so it is never pulled.
    """
    path = tmp_path / "config.toml"
    secret_values = (mysql_scratch.password, mariadb.root_password, radosgw.secret_key)
    seen: list[str] = []

    def shows(*needles: str, timeout: float = 60) -> str:
        shown = term.wait_for(*needles, timeout=timeout)
        seen.append(shown)
        rows = shown.splitlines()
        assert len(rows) <= 24 and all(len(r) <= 80 for r in rows), shown
        for secret in secret_values:
            assert secret not in shown, shown
        return shown

    def says(text: str, timeout: float = 60) -> None:
        """The step's panel and status say ``text``, wherever the 58 columns wrap it."""
        def said() -> bool:
            panel = " ".join(line.partition("▕")[2].strip() for line in term.screen().splitlines())
            return text in " ".join(panel.split())
        term.until(said, f"the step saying {text!r}", timeout)

    with terminal(["env", f"DOCKER_HOST={docker_host}", str(WBTUI), "--config", str(path)], tmp_path) as term:
        shows("Welcome: no configuration", "Start the guided setup")
        term.keys("Enter")
        # 1. Where: Docker on this host; the container and its volume are this test's.
        shows("step 1 of 8: Where it runs", "Runs on     Docker on this host")
        tab_into(term, "Container")  # past Runs on (Docker on this host)
        fill(term, "Container", target.name)
        fill(term, "Data volume", target.volume, then="")
        term.keys("C-n")  # Next: detects Docker, saves, goes on

        # 2. MySQL: the W&B user's account and the admin that creates it (the SQL shown first).
        shows("step 2 of 8: MySQL", "Create user and database")
        fill(term, "Server", "127.0.0.1")  # the step puts the focus in its first field
        fill(term, "Server", str(mariadb.port), after="127.0.0.1")
        fill(term, "Database", mysql_scratch.database)
        fill(term, "User", mysql_scratch.user)
        fill(term, "Password", mysql_scratch.password, secret=True)
        fill(term, "Admin", "root")
        fill(term, "Admin", mariadb.root_password, after="root", secret=True, then="")
        tab_onto(term, "Create user and database")
        term.keys("i")
        shown = shows("Create the W&B database user and database?", "Run the SQL")
        assert f"CREATE DATABASE `{mysql_scratch.database}`" in shown and "IDENTIFIED BY '****'" in shown, shown
        term.keys("y")
        # MariaDB, said plainly: the failed row, its detail (selected first) and Retry / Continue anyway.
        # (The status's "Fix it and Retry (ctrl+r), or Continue anyway (ctrl+o)." is cut off here at 80x24:
        # the list of what was created fills its three rows; the buttons say the same keys.)
        shown = shows("✘ fail  Server version", "is not supported by W&B (it needs", "MySQL 5.7 or 8)",
                      "1 fail", "Done: user", "^r Retry", "^o Continue anyway")
        assert "✘   Server version      MariaDB" in shown, shown
        assert mariadb.execute("SHOW DATABASES LIKE %s", (mysql_scratch.database,))
        term.keys("C-o")  # MariaDB is reported honestly; go on past it, after saying so
        shows("Continue past MySQL anyway?", "Server version")
        term.keys("y")

        # 3. Object store: the radosgw's endpoint and keys; create the bucket (b), apply CORS (o).
        shows("step 3 of 8: Object store", "Create bucket", "Apply CORS")
        fill(term, "Endpoint", radosgw.endpoint.removeprefix("http://"), then="")
        tab_onto(term, "TLS")
        term.keys("Tab")  # past TLS (off: radosgw here speaks plain HTTP)
        fill(term, "Access key", radosgw.access_key)
        fill(term, "Secret key", radosgw.secret_key, secret=True)
        fill(term, "Bucket", target.bucket)
        fill(term, "Bucket", radosgw.region, after=target.bucket)
        fill(term, "HOST", target.host, then="")
        tab_onto(term, "Create bucket")
        term.keys("b")
        shows("Create the bucket?", f"create bucket {target.bucket!r}")
        term.keys("y")
        shows("Done: ", "Fix it and Retry")
        term.keys("o")
        shows("Apply the CORS rules?", target.host)
        term.keys("y")
        shown = shows("Done: set CORS", "✔   Bucket exists")  # the line may wrap after it
        assert "✘" not in shown and "fail" not in shown, shown
        assert target.host in cors_origins(radosgw, target.bucket)
        term.keys("C-n")

        # 4. Server: HOST from the object store step; the stand-in's image, and where its port is published.
        shows("step 4 of 8: Server")
        assert target.host in form_row(term.screen(), "HOST")[1]
        tab_into(term, "Image : tag")  # past HOST and the license (none: a warning, not a failure)
        fill(term, "Image : tag", "wbtui-test/local")
        fill(term, "Image : tag", "dev", after="wbtui-test/local")
        fill(term, "Publish on", "127.0.0.1")
        fill(term, "Publish on", str(target.port), after="127.0.0.1", then="")
        term.keys("C-n")

        # 5. Review: what will run; MySQL is listed as continued anyway.
        shows("step 5 of 8: Review", "Preview files", "Save files")
        term.keys("C-r")
        shows("MySQL (continued a", "Server version: MariaDB")
        says("Next (ctrl+n) to go on.")  # the review is done (a key now would be refused: it is running)
        term.keys("C-n")

        # 6. Deploy: the exact docker run first; then the watch until /ready.
        shows("step 6 of 8: Deploy", f"Container {target.name} from",
              f"wbtui-test/local:dev, port {target.port} on 127.0.0.1", "Not deployed in this session yet.")
        term.keys("C-r")
        shown = shows("Deploy W&B Server?", "docker run")
        assert "wbtui-test/local:dev" in shown and f"127.0.0.1:{target.port}" in shown, shown
        term.keys("y")
        says("Next (ctrl+n) to go on.", timeout=120)
        shown = shows("✔   Server ready")
        assert "pulling" not in shown, shown  # the local stand-in, never pulled
        container = docker_client.containers.get(target.name)
        assert container.status == "running" and container.image.tags == [standin_image]
        assert container.ports["8080/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(target.port)}]
        term.keys("C-n")

        # 7. Verify through HOST: /healthz and /ready pass; then 8. what keeps it healthy.
        shows("step 7 of 8: Verify")
        term.keys("C-r")
        says("Next (ctrl+n) to go on.", timeout=120)
        shown = shows("✔   /healthz through", "✔   /ready through")
        assert "✘" not in shown, shown
        term.keys("C-n")
        shows("step 8 of 8: Next steps", "Backups: back up MySQL daily")
        term.keys("C-n")  # Finish: the dashboard takes it from here
        shows("1 Overview")
        term.keys("q")
        term.wait_for("EXITED=0")
        print("\n\n".join(seen))  # what the admin saw, step by step (pytest -rP shows it)
    state = saved_state(path)
    assert set(state.done) == set(STEP_IDS) and list(state.continued_anyway) == ["mysql"]


def tab_into(term: TmuxWindow, label: str, attempts: int = 15) -> None:
    """Tab until a field of the row labelled ``label`` has the focus, each Tab once the last one showed (the screen
    changed). A step first focuses the step list, then its first widget: a Tab may come before or after that
    move; so the screen is looked at after every Tab, and Tabs past the field come round to it again."""
    for _ in range(attempts):
        if focused(term, label):
            return
        term.press("Tab")
    raise AssertionError(f"the focus never reached {label!r}:\n{term.screen()}")


# -- the same key order without a terminal: keys that arrive in one read -------------------------------------

async def wait_until(pilot: Any, predicate: Callable[[], object], timeout: float, what: str) -> None:
    """Let the app run until ``predicate()`` holds; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout}s")
        await pilot.pause(0.05)


def burst(app: SetupApp, *keys: str) -> None:
    """Keys as one read from the terminal delivers them: every one posted before the first is handled."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_keys_that_arrive_together_are_applied_in_the_order_they_were_typed(tmp_path: Path) -> None:
    """A fast typist, a slow SSH link or typing ahead of a busy UI delivers several keys at once.

    Before the fix: ctrl+u then ``abc`` left the field empty, ``abc`` backspace ``d`` gave ``bd``, and
    what was typed right behind Tab went into the field being left (a password into the user field).
    """
    app = SetupApp(tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.setup_screen
        container = screen.query_one("#where-container", Input)
        volume = screen.query_one("#where-volume", Input)
        await wait_until(pilot, lambda: screen.focused is not None, 10, "the step's first focus")
        container.focus()
        await wait_until(pilot, lambda: container.has_focus, 10, "the focus in Container")
        burst(app, "ctrl+u", "a", "b", "c", "backspace", "d", "left", "x")
        await wait_until(pilot, lambda: len(container.value) == 4, 10, "four characters in Container")
        assert container.value == "abxd"
        burst(app, "tab", "v", "o", "l")
        await wait_until(pilot, lambda: volume.has_focus and volume.value == "vol", 10, "vol typed in Data volume")
        assert container.value == "abxd"
        burst(app, "shift+tab", "n")
        await wait_until(pilot, lambda: container.value == "n", 10, "Container retyped")
        assert volume.value == "vol"


async def test_the_check_button_shows_its_whole_label_on_every_step_at_80x24(tmp_path: Path) -> None:
    """Check's label changes with the step (Detect, Check, Review, Deploy…, Verify, Retry); it used to keep
    the width of the first one laid out, so on the Deploy step the admin saw a bare ``^r``."""
    app = SetupApp(tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.setup_screen
        check = screen.query_one("#btn-check", Button)

        def drawn(label: str) -> bool:
            row = screen.query_one("#setup-buttons").region.y
            return label in app.screen._compositor.render_strips()[row].text

        for step in STEP_IDS[:-1]:  # Next steps has no check
            screen.show_step(step)
            await wait_until(pilot, functools.partial(drawn, str(check.label)), 5, f"{check.label} on {step}")
