"""The Docker backend: the container, its client, logs, status and errors, and its files.

``render`` (docker run, env file) and ``systemd_unit`` are the same container as text;
``importer`` reads a running container back as settings.
"""
