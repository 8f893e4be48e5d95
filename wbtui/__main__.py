"""`python -m wbtui` is the same as the `wbtui` command."""

from .cli import run

run()
