"""The installed version of cxlib (a leaf: the runner and the package both read it here)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
