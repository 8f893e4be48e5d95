"""Datastore checks: MySQL and the S3 object store, each result with its cause and fix."""
