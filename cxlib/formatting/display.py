"""Result tables in a notebook look as they do in reports; the numbers stay in the frame.

A frame with ``ci_low`` and ``ci_high`` columns (every cxlib result table) is shown
through :func:`cxlib.formatting.tables.pretty`: intervals as "41.2 (37.0–45.3)",
percentages, p-values as "< 0.001", small n flagged. Only the display changes:
``frame["value"]`` is still the full-precision number. Other frames show as pandas
shows them. ``import cxlib`` registers this in IPython and JupyterLab.
"""

from __future__ import annotations

import sys

import pandas as pd

from .tables import pretty

__all__ = ["register_display", "result_html"]

MAX_ROWS = 200  # longer frames show as pandas shows them (pandas truncates; a full styled table would not)


def result_html(frame: pd.DataFrame) -> str:
    """The HTML a notebook shows for ``frame``: formatted as in reports when it is a result table."""
    columns = {str(c) for c in frame.columns}
    if {"ci_low", "ci_high"} <= columns and len(frame) <= MAX_ROWS and frame.columns.is_unique:
        return pretty(frame).to_html()
    return frame._repr_html_()


def register_display() -> bool:
    """Register :func:`result_html` for DataFrames in the running IPython; False outside IPython (which a process
    that has not imported IPython is: importing it to find out would slow every command)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, result_html)
    return True
