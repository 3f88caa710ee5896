"""cxlib: reproducible customer-experience analytics.

>>> import cxlib as cx
>>> data = cx.io.load()                        # the bundled sample: tables + DataQuality
>>> data.quality.n_excluded
0
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from . import io, overview, plots, reports, sample

__all__ = ["__version__", "io", "overview", "plots", "reports", "sample"]
