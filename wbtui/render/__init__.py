"""Renderers: pure functions from the configuration to the files the guide asks for.

One module per output that does not belong to a backend (nginx, sql, mc, cors) and the
helpers they share; the Docker and Kubernetes files live with their backends in
``runtime/docker`` and ``runtime/kubernetes``. No I/O, and nothing here imports the
runtime, so the CLI, the dashboard and the backends all share exactly the same text.
"""
