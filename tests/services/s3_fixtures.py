"""Fixtures: s3_fixtures (being written)."""
