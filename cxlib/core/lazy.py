"""Heavy libraries loaded on first use, so that a command that only lists or describes studies starts fast.

``stats = lazy_module("scipy.stats")`` binds a stand-in that imports ``scipy.stats`` the
first time one of its attributes is read, and reads the attribute there; nothing is
imported before, not even the packages above it (``statsmodels.stats`` imports most of
statsmodels). scipy.stats, statsmodels, matplotlib and seaborn cost about 1.5 s to
import; ``cx list`` needs none of them, a study's computation needs them once.

>>> stats = lazy_module("scipy.stats")
>>> round(float(stats.norm.ppf(0.975)), 2)
1.96
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["lazy_module"]


class LazyModule(ModuleType):
    """A module imported on first attribute access (:func:`lazy_module`)."""

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> ModuleType:
    """The module ``name`` if it is imported already, else a stand-in that imports it when first used."""
    return sys.modules.get(name) or LazyModule(name)
