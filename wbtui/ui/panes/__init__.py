"""The six panes of the dashboard, one module each."""
