"""One panel per setup step, in the order of ``wbtui.setup.state.STEPS``."""

from __future__ import annotations

from .base import StepPanel
from .deploy import DeployPanel
from .mysql import MysqlPanel
from .next import NextPanel
from .review import ReviewPanel
from .s3 import S3Panel
from .server import ServerPanel
from .verify import VerifyPanel
from .where import WherePanel

PANELS: tuple[type[StepPanel], ...] = (WherePanel, MysqlPanel, S3Panel, ServerPanel, ReviewPanel, DeployPanel,
                                       VerifyPanel, NextPanel)
