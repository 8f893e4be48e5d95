"""Plain-text wording shared by the CLI and the dashboard: sizes, durations, status lines, log windows.

Pure functions over core data that return strings or small records; each face adds
its own styling (rich styles in the CLI, theme variables in the dashboard).
"""

UNKNOWN = "-"  # a value the core could not tell (no usage yet, no uptime)
