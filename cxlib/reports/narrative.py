"""Narrative for notebooks: sentences built from results, with every value from data escaped.

Markdown passes raw HTML through to the report, so a segment named
``<script>alert(1)</script>`` would become markup if pasted into a sentence. :func:`md`
escapes each value before it enters the text; the template itself is trusted (it is
written in the notebook).
"""

from __future__ import annotations

import html
import math

import pandas as pd
from IPython.display import Markdown

__all__ = ["ci_table", "fmt_count", "fmt_date", "fmt_p", "fmt_pct", "md"]


def md(template: str, /, **values) -> Markdown:
    """Markdown from a trusted template and untrusted values (each HTML-escaped).

    >>> md("Segment **{name}** has {n} rows.", name="<b>x</b>", n=fmt_count(1200)).data
    'Segment **&lt;b&gt;x&lt;/b&gt;** has 1,200 rows.'
    """
    return Markdown(template.format(**{k: html.escape(str(v)) for k, v in values.items()}))


def fmt_count(n) -> str:
    """``1234567`` -> ``'1,234,567'``."""
    return f"{int(n):,}"


def fmt_pct(share: float, digits: int = 1) -> str:
    """A share as a percentage: ``0.1234`` -> ``'12.3%'``; missing -> ``'n/a'``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def fmt_date(value) -> str:
    """A timestamp as ``YYYY-MM-DD``; missing -> ``'n/a'``."""
    return "n/a" if value is None or value != value else f"{value:%Y-%m-%d}"


def fmt_p(p: float) -> str:
    """A p-value as people read it: ``'p < 0.001'``, ``'p = 0.032'``, ``'p = 0.41'``."""
    if p is None or p != p:
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p >= 0.01 else f"p = {p:.3f}"


def ci_table(frame: pd.DataFrame, index, value: str = "value", digits: int = 1, extra=()) -> pd.DataFrame:
    """A readable view: ``index`` columns, n, "estimate (low to high)", then ``extra`` columns and flags.

    Differences (``difference`` with ``diff_ci_low``/``diff_ci_high``) and ``p_adjusted``
    are shown when present; ``small_n`` and ``significant`` become marks.

    >>> t = pd.DataFrame({"segment": ["a"], "n": [12], "value": [16.04], "ci_low": [6.2], "ci_high": [25.5],
    ...                   "small_n": [True]})
    >>> ci_table(t, "segment").to_dict("records")
    [{'n': '12', 'estimate (95% CI)': '16.0 (6.2 to 25.5)', 'note': 'small n'}]
    """
    index = [index] if isinstance(index, str) else list(index)

    def interval(v, lo, hi) -> str:
        return "n/a" if pd.isna(v) else f"{v:.{digits}f} ({lo:.{digits}f} to {hi:.{digits}f})"

    out = pd.DataFrame(index=pd.MultiIndex.from_frame(frame[index].astype(str)))
    out["n"] = [f"{int(n):,}" for n in frame["n"]]
    out["estimate (95% CI)"] = [interval(*r) for r in frame[[value, "ci_low", "ci_high"]].itertuples(index=False)]
    if {"difference", "diff_ci_low", "diff_ci_high"} <= set(frame.columns):
        out["vs rest (95% CI)"] = [interval(*r) for r in
                                   frame[["difference", "diff_ci_low", "diff_ci_high"]].itertuples(index=False)]
    if "p_adjusted" in frame.columns:
        out["p (Holm)"] = [fmt_p(p).removeprefix("p ").removeprefix("= ") for p in frame["p_adjusted"]]
    for column in extra:
        out[column] = frame[column].to_numpy()
    significant = frame["significant"] if "significant" in frame.columns else pd.Series(False, index=frame.index)
    small = frame["small_n"] if "small_n" in frame.columns else pd.Series(False, index=frame.index)
    out["note"] = ["; ".join(text for flag, text in ((bool(sig), "differs from the rest"), (bool(sm), "small n"))
                             if flag) for sig, sm in zip(significant, small, strict=True)]
    return out
