"""`wbtui backup`: consistent dumps of W&B's MySQL database, their manifests, where they go and how long they stay.

One module per job: ``tools`` (which client programs the host has), ``dump`` (the dump child, streamed through
the compressor into an atomically written file), ``manifest`` (what a backup holds: tables, rows, checksums,
schema version), ``destinations`` (a local directory and the configured bucket), ``retention`` (what ``--keep``
removes), ``verify`` (restore into a scratch database and compare), ``job`` (the backup from start to end),
``restore`` (a backup put back into W&B's database, with the server stopped and a safety backup first) and
``volume`` (the /vol volume of embedded stores, archived and put back with the server stopped).
"""
