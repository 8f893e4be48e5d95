"""Widgets and dialogs the panes share."""
