"""Prometheus metrics for the operator's monitoring (`wbtui metrics`).

Sources (the runtime, the probes, the checks, the database, the storage, the newest backup, the front
door's certificate) are sampled in background threads, each on its own cadence and under its own
deadline; a scrape only reads what they cached, so it stays cheap and never waits on a store.
"""
