"""A fix that names a CLI command the dashboard has a key for says the key first, and keeps the command
to copy: ``b creates the bucket · CLI: wbtui bucket create``.

Pure text (no Textual): the Datastores pane, the Overview and the Health pane phrase fixes the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class FixKey(NamedTuple):
    command: str
    """The CLI command's words, as fixes name it."""
    pane: str
    """The pane that has the key (its number is pressed first from another pane)."""
    number: str
    key: str
    does: str


KEYS: tuple[FixKey, ...] = (
    FixKey("wbtui bucket create", "datastores", "3", "b", "creates the bucket"),
    FixKey("wbtui bucket cors --apply", "datastores", "3", "o", "applies the CORS rules"),
    FixKey("wbtui db init", "datastores", "3", "i", "creates the database and user"),
    FixKey("wbtui up", "runtime", "4", "d", "deploys the server"),
)
_FOUND = [(key, re.compile(rf"(?<![\w-]){re.escape(key.command)}(?![\w-])")) for key in KEYS]


def keyed_fix(fix: str, here: str) -> str:
    """``fix`` led by the key that does it (``3 then b`` from another pane than ``here``); unchanged when
    no key does it."""
    for key, pattern in _FOUND:
        if pattern.search(fix):
            press = key.key if here == key.pane else f"{key.number} then {key.key}"
            return f"{press} {key.does} · CLI: {fix}"
    return fix
