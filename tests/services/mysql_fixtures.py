"""Fixtures: mysql_fixtures (being written)."""
