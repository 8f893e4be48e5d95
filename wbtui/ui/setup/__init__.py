"""The guided first-time setup: a screen with one panel per step, over ``wbtui.setup.flow``."""
