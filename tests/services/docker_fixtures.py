"""Fixtures: docker_fixtures (being written)."""
