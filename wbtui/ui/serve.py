"""Serving the dashboard to a browser with textual-serve (an optional dependency)."""

from __future__ import annotations


class ServeUnavailable(RuntimeError):
    """textual-serve is not installed."""


def serve(command: str, host: str, port: int) -> None:
    """Run ``command`` (a dashboard process) for every browser session on host:port, until interrupted."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise ServeUnavailable("wbtui serve needs textual-serve: pip install 'wbtui[serve]'") from None
    Server(command, host=host, port=port, title="wbtui").serve()
