"""Key names of the ``[keys]`` table (the dashboard's remapped keys), checked without the dashboard.

The names are Textual's: ``space``, ``ctrl+r``, ``f5``, ``question_mark`` or the character itself (``?``),
several joined by ``,``. A character is written the way Textual's keymap stores it (``?`` is
``question_mark``), so two spellings of one key compare equal.
"""

from __future__ import annotations

import re
import unicodedata

BINDING_ID = re.compile(r"[a-z_]+\.[a-z_]+")
"""A binding's id: where it lives and what it does (``logs.pause``, ``app.help``)."""

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED = frozenset({
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
    "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)),
})
# Textual's friendlier names for some characters' Unicode names (textual.keys.KEY_NAME_REPLACEMENTS).
_FRIENDLY = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
             "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}
_UNICODE_OF = {friendly: name for name, friendly in _FRIENDLY.items()}
EXAMPLES = "space, ctrl+r, f5, P, question_mark"


def _character_name(character: str) -> str:
    """``?`` -> ``question_mark``, ``/`` -> ``slash``; letters and digits stay themselves."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _FRIENDLY.get(name, name)


def normalize(keys: str) -> str:
    """One spelling per key: ``?, ctrl+r`` -> ``question_mark,ctrl+r``."""
    return ",".join(_character_name(k) if len(k) == 1 else k for k in (part.strip() for part in keys.split(",")))


def _base_problem(base: str) -> str | None:
    if base in NAMED or (len(base) == 1 and base.isprintable() and not base.isspace()):
        return None
    unicode_name = _UNICODE_OF.get(base, base).replace("_", " ").upper()
    try:
        character = unicodedata.lookup(unicode_name)
    except KeyError:
        return f"{base!r} is not a key name"
    return None if len(character) == 1 and character.isprintable() else f"{base!r} is not a key name"


def key_problem(keys: str) -> str | None:
    """Why ``keys`` names no key (empty, an unknown name, a doubled modifier), or None when every part is one."""
    if not keys.strip():
        return f"no key given (examples: {EXAMPLES})"
    for part in (p.strip() for p in keys.split(",")):
        if not part:
            return f"{keys!r} has an empty key between commas"
        *modifiers, base = part.split("+") if part != "+" else ["+"]
        unknown = [m for m in modifiers if m not in MODIFIERS]
        if unknown or len(set(modifiers)) != len(modifiers):
            return f"{part!r}: modifiers are {', '.join(MODIFIERS)}, each once"
        problem = _base_problem(base)
        if problem is not None:
            return f"{problem} (examples: {EXAMPLES})"
    return None


def id_for(where: str, words: str) -> str:
    """A binding id made of its words: ``setup``, ``Create DB+user`` -> ``setup.create_db_user``."""
    return f"{where}.{re.sub('[^a-z]+', '_', words.lower()).strip('_')}"
