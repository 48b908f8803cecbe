"""Entry point of the `stepwell` console script."""

from stepwell.core.cli import main

__all__ = ["main"]
