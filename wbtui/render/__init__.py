"""Renderers: pure functions from the configuration to the files the guide asks for.

One module per output (docker, kubernetes, nginx, systemd, sql, mc, cors); no I/O, so
the CLI, the dashboard and the runtime backends all share exactly the same text.
"""
