"""Narrative for notebooks: sentences built from results, with every value from data escaped.

Markdown passes raw HTML through to the report, so a segment named
``<script>alert(1)</script>`` would become markup if pasted into a sentence, and one named
``[Verify your account](https://evil.example/login)`` a live link. :func:`md` escapes each
value for HTML and for Markdown before it enters the text; the template itself is trusted
(it is written in the code).
"""

from __future__ import annotations

import html
import math
import re

__all__ = ["word_list", "bullets", "full_list", "fmt_count", "fmt_date", "fmt_p", "fmt_pct", "fmt_parameters", "fmt_value", "left_out", "md",
           "not_available", "plural"]

NOUNS = {"survey": "answers", "responses": "answers", "drivers": "answers", "customers": "customers",
         "tickets": "tickets"}  # what a row of each table is, for sentences


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~:{}])")



class Markdown:
    """Markdown text that a notebook shows rendered (IPython's ``_repr_markdown_`` protocol, which nbconvert
    writes into the report), without importing IPython: ``data`` holds the text."""

    def __init__(self, data: str = ""):
        self.data = data

    def _repr_markdown_(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return self.data

def escape(value) -> str:
    """Text from data made inert in Markdown and HTML: HTML-escaped, then Markdown's punctuation backslashed.

    >>> print(escape("[Verify your account](https://evil.example/login)"))
    \\[Verify your account\\]\\(https\\://evil.example/login\\)
    """
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(value)))


def md(template: str, /, **values) -> Markdown:
    """Markdown from a trusted template and untrusted values (each escaped: :func:`escape`).

    >>> md("Segment **{name}** has {n} rows.", name="<b>x</b>", n=fmt_count(1200)).data
    'Segment **&lt;b&gt;x&lt;/b&gt;** has 1,200 rows.'
    """
    return Markdown(template.format(**{k: escape(v) for k, v in values.items()}))


def bullets(parts) -> Markdown:
    """An executive summary: one bullet per sentence (Markdown objects or Markdown text).

    >>> bullets([md("NPS is {v}.", v="23"), "No segment is below the rest."]).data
    '- NPS is 23.\\n- No segment is below the rest.'
    """
    return Markdown("\n".join(f"- {getattr(p, 'data', p)}" for p in parts))


def not_available(parameter: str, view: str) -> Markdown:
    """The line a report shows for a view whose optional column was not named.

    >>> not_available("revenue_col", "the revenue view").data
    'Not available: name a column with `revenue_col` to see the revenue view.'
    """
    return md(f"Not available: name a column with `{parameter}` to see {{view}}.", view=view)  # a name from code


def left_out(data) -> Markdown:
    """The executive summary's line on rows left out: a sentence per table that lost 1% or more (empty if none).

    ``data`` is what a study loaded (its ``quality`` is a DataQuality record).
    """
    quality = data.quality
    sentences = [s for table in quality.rows_read if (s := quality.left_out(table, NOUNS.get(table, "rows")))]
    return md("{text}", text=" ".join(sentences))


def full_list(file_name: str, rows: int, shown: int = 25, lead: str = "") -> Markdown:
    """The line above a list's first rows: a link to its full file, its size, and how much of it follows.

    >>> full_list("promoters.csv", 15).data
    'Full list: [promoters.csv](promoters.csv) (15 rows), all shown below:'
    >>> full_list("callbacks.csv", 340, lead="Ordered by revenue.").data
    'Ordered by revenue. Full list: [callbacks.csv](callbacks.csv) (340 rows). The first 25:'
    """
    follows = f". The first {shown:,}:" if rows > shown else ", all shown below:"
    return md(("{lead} " if lead else "") + "Full list: [{f}]({f}) ({n})" + follows, lead=lead, f=file_name,
              n=plural(rows, "row", "rows"))


def ngettext(singular: str, plural_form: str, n: int) -> str:
    """The form of a message that agrees with ``n``, as gettext's ``ngettext``: every count-dependent word of a report
    passes through here, so that a language's catalog (and its plural rules) can take its place.

    >>> ngettext("{n} segment gains", "{n} segments gain", 1).format(n=1)
    '1 segment gains'
    """
    return singular if n == 1 else plural_form


def word_list(items, conjunction: str = "and") -> str:
    """Items as a sentence lists them.

    >>> word_list(["Speed"]), word_list(["Speed", "Price"], "or"), word_list(["a", "b", "c"])
    ('Speed', 'Speed or Price', 'a, b and c')
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plural(n: int, one: str, many: str) -> str:
    """A count with the words that agree with it.

    >>> plural(1, "segment scores", "segments score"), plural(3, "segment scores", "segments score")
    ('1 segment scores', '3 segments score')
    """
    return f"{fmt_count(n)} {ngettext(one, many, n)}"


def fmt_value(value) -> str:
    """A parameter value as people write it: lists joined by commas, None as "not used".

    >>> fmt_value(["Region", "Tier"]), fmt_value(None), fmt_value({"CX": ["speed", "ease"]}), fmt_value({"age": 10.0})
    ('Region, Tier', 'not used', 'CX: speed, ease', 'age: 10')
    """
    if value is None:
        return "not used"
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, float) and value.is_integer():  # "10", as the user wrote it, not "10.0"
        return f"{value:.0f}"
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


def fmt_p(p: float, level: float = 0.05) -> str:
    """A p-value as people read it: two significant digits, never rounded across the test's ``level``.

    >>> [fmt_p(p) for p in (0.0004, 0.032, 0.41, 0.1019, 1.0, 0.0501, 0.0499, 0.05)]
    ['p < 0.001', 'p = 0.032', 'p = 0.41', 'p = 0.10', 'p = 1.0', 'p = 0.0501', 'p = 0.0499', 'p = 0.050']
    """
    if p is None or p != p:
        return "p n/a"
    if p < 0.001:
        return "p < 0.001"
    for digits in range(2, 7):
        shown = float(f"{p:.{digits}g}")
        if (shown < level) == (p < level) and (shown == level) == (p == level):
            break
    decimals = max(digits - 1 - math.floor(math.log10(shown)), 1) if shown > 0 else digits
    return f"p = {shown:.{decimals}f}"
