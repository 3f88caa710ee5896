"""A result's one-screen form: what an analyst sees on evaluating a study or a model in a notebook.

A result holds tables. Its dataclass repr would print each of them as text, cut at random
columns, with 15 decimals; the view instead names the result, shows its single values
short (an :class:`~cxlib.core.estimate.Estimate` as "NPS 16.3 (15.2 to 17.4), n = 19,156"), and
lists each table with its rows and columns, to be looked at one by one (a notebook shows a
table as the report does). The numbers stay in the fields.

>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True, repr=False)
... class Fit(ResultView):
...     outcome: str
...     r2: float
...     terms: pd.DataFrame
>>> Fit("nps", 0.465756538, pd.DataFrame({"term": ["a", "b"], "coef": [0.1, 0.2]}))
Fit
  outcome: 'nps'  r2: 0.4658
  terms: 2 rows (term, coef)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

__all__ = ["ResultView", "result_view"]

WIDTH = 100  # characters per line of the view
MAX_COLUMNS = 8  # a table's columns named before "…"


class ResultView:
    """Mixin for result dataclasses (declared with ``repr=False``): ``repr`` is :func:`result_view`."""

    def __repr__(self) -> str:
        return result_view(self)


def result_view(result) -> str:
    """The class name, then the single values on wrapped lines, then one line per table (its rows and columns),
    then the other parts by their type; fields declared with ``repr=False`` are left out."""
    values, tables = [], []
    for f in dataclasses.fields(result):
        if not f.repr:
            continue
        value = getattr(result, f.name)
        if isinstance(value, pd.DataFrame):
            shown = [str(c) for c in value.columns[:MAX_COLUMNS]]
            more = ", …" if value.shape[1] > MAX_COLUMNS else ""
            tables.append(f"{f.name}: {len(value):,} {'row' if len(value) == 1 else 'rows'} ({', '.join(shown)}{more})")
        elif isinstance(value, pd.Series | np.ndarray):
            tables.append(f"{f.name}: {len(value):,} values")
        else:
            values.append(f"{f.name}: {_short(value)}")
    lines: list[str] = []
    for value in values:  # a field is never split over two lines
        if lines and len(lines[-1]) + 2 + len(value) <= WIDTH - 2:
            lines[-1] += "  " + value
        else:
            lines.append(value)
    return "\n".join([type(result).__name__, *("  " + line for line in [*lines, *tables])])


def _short(value) -> str:
    """A single value in a few characters: floats to 4 significant digits, long lists and mappings counted,
    results by their class."""
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    if isinstance(value, bool | int | np.integer | str | None):
        return repr(value) if isinstance(value, str) or value is None or isinstance(value, bool) else f"{value:,}"
    if isinstance(value, tuple) and len(value) <= 4 and all(isinstance(v, float | int) for v in value):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    if isinstance(value, list | tuple | dict | set):
        return f"{len(value)} {'entry' if len(value) == 1 else 'entries'}" if len(repr(value)) > 60 else repr(value)
    shown = repr(value)
    return shown if len(shown) <= 60 and "\n" not in shown else type(value).__name__
