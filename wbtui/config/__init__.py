"""Configuration: the model, its validation, masking and storage.

Import the submodules directly (``from wbtui.config.model import Config``); this package
imports nothing itself, so a command pays only for the parts it uses.
"""
