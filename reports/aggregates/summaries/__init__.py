"""Summary tables under the engine, so a dashboard question reads a few hundred rows instead of
every figure; derived from the base tables through rules.py, never edited by hand."""

from .cells import EVERYWHERE
from .store import misplaced, rebuild, refresh, verify

__all__ = ["EVERYWHERE", "misplaced", "rebuild", "refresh", "verify"]
