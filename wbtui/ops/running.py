"""The settings the running server was started with, for comparing with a draft.

The backend reads them back (``Runtime.running_config``) over the draft with its
server settings and extra variables cleared: what the backend cannot report
(resources Docker does not show, Secrets that cannot be read) then compares
equal, while every W&B variable the server really has shows up as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config.model import Config
    from ..runtime.base import Runtime


def running_config(runtime: Runtime, draft: Config) -> Config | None:
    """What ``runtime``'s live server runs with, comparable to ``draft``; None when nothing is deployed."""
    from ..config.model import ServerSettings

    base = draft.copy()
    base.server = ServerSettings()
    base.env = {}
    return runtime.running_config(base)
