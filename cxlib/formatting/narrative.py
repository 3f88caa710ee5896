"""Narrative for notebooks: sentences built from results, with every value from data escaped.

Markdown passes raw HTML through to the report, so a segment named
``<script>alert(1)</script>`` would become markup if pasted into a sentence. :func:`md`
escapes each value before it enters the text; the template itself is trusted (it is
written in the notebook).
"""

from __future__ import annotations

import html
import math

from IPython.display import Markdown

__all__ = ["fmt_count", "fmt_date", "fmt_p", "fmt_pct", "fmt_parameters", "fmt_value", "left_out", "md",
           "not_available"]

NOUNS = {"survey": "answers", "responses": "answers", "drivers": "answers", "customers": "customers",
         "tickets": "tickets"}  # what a row of each table is, for sentences


def md(template: str, /, **values) -> Markdown:
    """Markdown from a trusted template and untrusted values (each HTML-escaped).

    >>> md("Segment **{name}** has {n} rows.", name="<b>x</b>", n=fmt_count(1200)).data
    'Segment **&lt;b&gt;x&lt;/b&gt;** has 1,200 rows.'
    """
    return Markdown(template.format(**{k: html.escape(str(v)) for k, v in values.items()}))


def not_available(parameter: str, view: str) -> Markdown:
    """The line a report shows for a view whose optional column was not named.

    >>> not_available("revenue_col", "the revenue view").data
    'Not available: name a column with `revenue_col` to see the revenue view.'
    """
    return md("Not available: name a column with `{parameter}` to see {view}.", parameter=parameter, view=view)


def left_out(data) -> Markdown:
    """The executive summary's line on rows left out: a sentence per table that lost 1% or more (empty if none).

    ``data`` is what a study loaded (its ``quality`` is a DataQuality record).
    """
    quality = data.quality
    sentences = [s for table in quality.rows_read if (s := quality.left_out(table, NOUNS.get(table, "rows")))]
    return md("{text}", text=" ".join(sentences))


def fmt_value(value) -> str:
    """A parameter value as people write it: lists joined by commas, None as "not used".

    >>> fmt_value(["Region", "Tier"]), fmt_value(None), fmt_value({"CX": ["speed", "ease"]})
    ('Region, Tier', 'not used', 'CX: speed, ease')
    """
    if value is None:
        return "not used"
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items()) or "none"
    return str(value)


def fmt_parameters(parameters: dict) -> str:
    """Parameters for a report's header or the index: ``name: value`` separated by " · " (not reprs).

    >>> fmt_parameters({"data_path": "my.csv", "segment_cols": ["Region"], "revenue_col": None})
    'data_path: my.csv · segment_cols: Region · revenue_col: not used'
    """
    return " · ".join(f"{name}: {fmt_value(value)}" for name, value in parameters.items())


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
