"""The libraries cxlib stands on are the installed ones: a file named after one of them (an analyst's ``pandas.py``,
in a folder on ``PYTHONPATH``) would replace it and fail deep inside with "partially initialized module".

Checked before any of them is imported (:func:`shadowing`), from where Python would import each
(``importlib.util.find_spec``), without running it.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

__all__ = ["LIBRARIES", "ShadowedLibrary", "shadowing", "stop_if_shadowed"]

LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels", "matplotlib", "yaml", "papermill")


class ShadowedLibrary(ImportError):
    """A file or folder outside the Python installation takes the name of a library cxlib needs."""


def shadowing(names=LIBRARIES) -> str | None:
    """What hides a library, as one sentence with what to do; None when each of ``names`` is the installed one (or
    not installed, which pip reports itself)."""
    installed = {Path(p).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")
                 if (p := sysconfig.get_paths().get(key))}
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.origin in (None, "built-in", "frozen"):
            continue
        where = Path(spec.origin).resolve()
        if not any(folder == where.parent or folder in where.parents for folder in installed):
            return (f"{where} is named after the {name} library and hides it: rename that file, or take its folder "
                    "off PYTHONPATH (and do not run from it)")
    return None


def stop_if_shadowed() -> None:
    """Raise :class:`ShadowedLibrary` when a library is hidden (:func:`shadowing`); run as the ``cx`` command, say so
    in one line and exit with 2 (the environment, like a command, is wrong), as a traceback would not."""
    hidden = shadowing()
    if hidden is None:
        return
    if Path(sys.argv[0]).name == "cx":
        print(f"cx: {hidden}", file=sys.stderr)
        raise SystemExit(2)
    raise ShadowedLibrary(hidden)
