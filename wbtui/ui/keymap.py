"""The dashboard's keys by binding id, and the user's remapped ones (the config's ``[keys]`` table).

Every binding of ours has an id (``logs.pause``); Textual's keymap (``App.set_keymap``) swaps a binding's key
for the one the config names, in the footer too. Before it is applied the table is checked against the
bindings themselves: an id no binding has is a warning naming the close ones, a key that another binding
within the same reach already answers is an error naming both (that remap is left out, so no key silently
stops working), and a name that is no key is an error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ..config.keynames import key_problem, normalize

if TYPE_CHECKING:
    from pathlib import Path

    from ..config.validate import Finding


@dataclass(frozen=True)
class Reach:
    """Bindings one key press can find together (a pane's and the app's; one dialog's), Textual's own included."""

    title: str
    bindings: tuple[Binding, ...]


def _bindings(items: Iterable[BindingType]) -> tuple[Binding, ...]:
    return tuple(b for b in items if isinstance(b, Binding))


def reaches() -> list[Reach]:
    """Every binding of the dashboard, grouped by what answers a key together (imported on first use)."""
    from .app import WbtuiApp, pane_classes
    from .guided import GuidedSetupScreen
    from .widgets.confirm import ChoiceScreen, ConfirmScreen, PromptScreen
    from .widgets.field_row import FieldInput
    from .widgets.filter_bar import FilterBar
    from .widgets.help import HelpScreen
    from .widgets.profile_picker import ProfilePicker
    from .widgets.text_screen import TextScreen

    screen = _bindings(Screen.BINDINGS)  # tab, shift+tab, ctrl+c: on every screen, dialogs too
    app = _bindings(WbtuiApp.BINDINGS) + _bindings(App.BINDINGS) + screen + (
        Binding(App.COMMAND_PALETTE_BINDING, "command_palette", "command palette"),)
    found = [Reach("Global", app)]
    found += [Reach(pane.TITLE, app + _bindings(pane.BINDINGS)) for pane in pane_classes()]
    found.append(Reach("Guided setup", app + _bindings(GuidedSetupScreen.BINDINGS)))
    for title, cls in (("Confirm dialog", ConfirmScreen), ("Prompt dialog", PromptScreen),
                       ("Choice dialog", ChoiceScreen), ("Profiles", ProfilePicker), ("Help", HelpScreen),
                       ("Text views", TextScreen), ("Filter line", FilterBar), ("Config field", FieldInput)):
        found.append(Reach(title, _bindings(cls.BINDINGS) + (screen if issubclass(cls, Screen) else ())))
    return found


def every_binding() -> dict[str, tuple[str, Binding]]:
    """Each binding id once, with where it is first found: what `wbtui config keys` lists."""
    out: dict[str, tuple[str, Binding]] = {}
    for reach in reaches():
        for binding in reach.bindings:
            if binding.id is not None and binding.id not in out:
                out[binding.id] = (reach.title, binding)
    return out


def keys_of(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys that run ``binding`` now: the remapped ones, else its own."""
    keys = keymap.get(binding.id or "") or binding.key
    return [key.strip() for key in keys.split(",")]


@dataclass
class Remap:
    """What of the ``[keys]`` table is applied, and what is wrong with the rest."""

    keymap: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def check(wanted: Mapping[str, str], path: Path | None = None) -> Remap:
    """The keymap to apply for the config's ``[keys]`` table, and findings for what is left out."""
    from ..config.validate import Finding

    remap = Remap()
    if not wanted:  # nothing remapped: the classes are not even imported (start-up)
        return remap
    known = every_binding()
    where = f" in {path}" if path else ""
    for binding_id, keys in wanted.items():
        key = f"keys.{binding_id}"
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=3, cutoff=0.5)
            remap.findings.append(Finding(
                key, "warning", f"no dashboard key has the id {binding_id!r}: it is ignored",
                (f"did you mean {' or '.join(close)}? " if close else "")
                + f"Fix or remove it{where} (`wbtui config keys` lists the ids)"))
            continue
        problem = key_problem(keys)
        if problem is not None:
            remap.findings.append(Finding(key, "error", f"{problem}; {binding_id} keeps its key",
                                          f"wbtui config set {key} space"))
            continue
        remap.keymap[binding_id] = normalize(keys)
    remap.findings += _drop_collisions(remap.keymap, where)
    return remap


def _drop_collisions(keymap: dict[str, str], where: str) -> list[Finding]:
    """Leave out every remap whose key another binding in its reach answers too; one error per remap and key."""
    from ..config.validate import Finding

    findings: list[Finding] = []
    said: set[tuple[str, str]] = set()
    changed = True
    while changed:  # a remap left out gives its binding its own key back, which may collide in turn
        changed = False
        for reach in reaches():
            answers: dict[str, list[Binding]] = {}
            for binding in reach.bindings:
                for key in keys_of(binding, keymap):
                    answers.setdefault(normalize(key), []).append(binding)
            for key, bindings in answers.items():
                ids = list(dict.fromkeys(b.id or f"Textual's {b.action}" for b in bindings))
                remapped = [i for i in ids if i in keymap]
                if len({b.action for b in bindings}) < 2 or not remapped:
                    continue
                for binding_id in remapped:  # each remap says it, so `config set` refuses the one it sets
                    others = ", ".join(i for i in ids if i != binding_id)
                    if (binding_id, others) not in said:
                        said.add((binding_id, others))
                        findings.append(Finding(
                            f"keys.{binding_id}", "error", f"{key!r} for {binding_id} is also {others} in "
                            f"{reach.title}: {binding_id} keeps its own key",
                            f"pick another key for {binding_id}{where} (`wbtui config keys` lists every key)"))
                    keymap.pop(binding_id, None)
                changed = True
    return findings


def key_display(app: App[Any], keys: Iterable[str]) -> str:
    """``ctrl+r, question_mark`` as the footer draws them: ``^r, ?``."""
    return ", ".join(app.get_key_display(Binding(key, "")) for key in keys)
