"""``WBTUI_<KEY>`` environment variables: any setting for one shell, one unit or one CI job, file untouched.

The rule: ``WBTUI_`` and the setting's key in upper case with ``.`` as ``_`` (HOST -> WBTUI_HOST,
runtime.backend -> WBTUI_RUNTIME_BACKEND, app.timeout -> WBTUI_APP_TIMEOUT); an extra container variable
``env.NAME`` is ``WBTUI_ENV_NAME`` (NAME as written). A value is read as the file's text is (``coerce``),
so a bad one is refused with the variable's name. The overlay is applied where a face loads the config
(the CLI's Context, the dashboard's session) and taken off again before a save (``file_values``): the
file keeps its own value and never freezes one the environment gave.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import FIELDS, MAX_ENV_NAME, MAX_ENV_VALUE, Config, FieldError, check_text, coerce, get_value
from .store import ConfigFileError

PREFIX = "WBTUI_"
ENV_PREFIX = "WBTUI_ENV_"
NOT_SETTINGS = frozenset({"WBTUI_CONFIG", "WBTUI_PROFILE", "WBTUI_MYSQL_ADMIN", "WBTUI_RGW_ADMIN"})
"""wbtui's other variables: which file (WBTUI_CONFIG, WBTUI_PROFILE) and one-use admin accounts, never settings."""


def variable_for(key: str) -> str:
    """The variable that overrides ``key`` (a setting's key or ``env.NAME``)."""
    if key.lower().startswith("env."):
        return ENV_PREFIX + key[4:]
    return PREFIX + key.upper().replace(".", "_")


VARIABLES = {variable_for(spec.key): spec for spec in FIELDS}


class EnvironmentValueError(ConfigFileError):
    """A WBTUI_<KEY> value no setting can hold: reported like a bad file value, naming the variable."""


@dataclass(frozen=True)
class Override:
    """One setting the environment gives: its key, the variable and the value as the setting's type."""

    key: str
    variable: str
    value: Any


def overrides(environ: Mapping[str, str] | None = None) -> list[Override]:
    """Every ``WBTUI_<KEY>`` set in ``environ`` (default: this process's), by variable name.

    Raises EnvironmentValueError for a value the setting cannot take; the message never quotes a secret."""
    environ = os.environ if environ is None else environ
    found: list[Override] = []
    for variable in sorted(environ):
        raw = environ[variable]
        try:
            if variable.startswith(ENV_PREFIX) and len(variable) > len(ENV_PREFIX):
                name = variable[len(ENV_PREFIX):]
                check_text(f"env.{name}", name, MAX_ENV_NAME)
                check_text(f"env.{name}", raw, MAX_ENV_VALUE)
                found.append(Override(f"env.{name}", variable, raw))
            elif variable in VARIABLES:
                spec = VARIABLES[variable]
                found.append(Override(spec.key, variable, coerce(spec, raw)))
        except FieldError as exc:
            example = f" (e.g. {variable}={exc.example})" if exc.example else ""
            raise EnvironmentValueError(f"{variable} in the environment ({exc.key}): {exc.message}{example}; "
                                        f"fix it or unset it (unset {variable})") from None
    return found


def apply(config: Config, found: list[Override]) -> Config:
    """A copy of ``config`` with each override's value set."""
    out = config.copy()
    for override in found:
        _put(out, override.key, override.value)
    return out


def overlay(config: Config, environ: Mapping[str, str] | None = None) -> Config:
    """``config`` as this process sees it: the file's values with the environment's over them."""
    return apply(config, overrides(environ))


def file_values(config: Config, file: Config, found: list[Override]) -> Config:
    """What to save of ``config``: each setting still holding the environment's value gets the file's own
    back (``file``: the file as read now), so a save never writes a value only the environment gave."""
    out = config.copy()
    for override in found:
        if get_value(out, override.key) == override.value:
            _put(out, override.key, get_value(file, override.key))
    return out


def sources(found: list[Override]) -> dict[str, str]:
    """Setting key -> the variable it comes from."""
    return {override.key: override.variable for override in found}


def _put(config: Config, key: str, value: Any) -> None:
    if key.startswith("env."):
        if value is None:
            config.env.pop(key[4:], None)
        else:
            config.env[key[4:]] = value
        return
    spec = VARIABLES[variable_for(key)]
    setattr(getattr(config, spec.section), spec.attr, value)
