"""wbtui: the operator console for self-hosted W&B Server (wandb/local) on bare metal."""

__version__ = "0.1.0"
