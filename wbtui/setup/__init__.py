"""Guided first-time setup: the steps, their saved progress, and end-to-end verification."""
