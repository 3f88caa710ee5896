"""Tables a stakeholder can read: intervals as "41 (37–45)", percentages, thousands, p-values, flags.

:func:`pretty` turns a tidy result table into display text without changing the
numbers behind it (results.json keeps those):

* an estimate and its interval become one column, ``"41.2 (37.0–45.3)"`` (``"-5.0 (-30.2
  to 21.9)"`` when a bound is negative): every
  ``<prefix>ci_low``/``<prefix>ci_high`` pair joins the column named ``<prefix>`` (without
  its underscore) or, failing that, the column just before the pair;
* columns named in ``percent``, or marked by the table itself (:func:`shares_of_one`: a
  driver's share of R², a survival probability), hold shares of 1 and are shown as
  percentages, in a notebook as in a report; columns named in ``money`` as amounts in the
  report's currency (:func:`labels.money`);
* whole numbers get thousands separators; other numbers get 0, 1 or 2 decimals by the
  size of the column's typical value (or ``digits``; a column's ``digits`` of None: as few
  as show each value exactly, at most 2: 20, 24 but 20.0, 24.5); p-values read "< 0.001", "0.032";
* ``small_n`` rows are greyed and marked "small n"; other yes/no columns read yes/no;
  missing values are a dash and infinite ones "not reached";
* names of the data (columns such as ``driver``, ``segment_col``, ``term``; values such
  as ``segment``) show as display names (:mod:`cxlib.formatting.labels`): ``price_value``
  as "Price value", ``plan[premium]`` as "Plan: premium vs basic" given ``references``.

The result is a pandas Styler without the index, its text HTML-escaped (data stay
data), which notebooks display and nbconvert renders as a plain HTML table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from . import labels
from .narrative import Markdown, fmt_p

__all__ = ["column_labels", "format_table", "pretty", "shares_of_one"]

PERCENT = "percent"  # the key of a table's attrs that names its columns of shares of 1
POINTS = "points"  # ... and its columns of differences of shares of 1, shown in percentage points

P_COLUMNS = ("p_value", "p_adjusted")
FLAG_TEXT = {"small_n": "small n", "significant": "yes", "over_represented": "yes"}  # a mark; blank when false
YES_NO_COLUMNS = {"proportional"}  # yes or no, whatever the column's type ("no" is the news)
DASH = "–"
# cells that hold names of the data, shown as display names (cxlib.formatting.labels)
NAME_COLUMNS = {"segment_col", "driver", "driver_a", "driver_b", "covariate", "column", "trait", "by", "outcome",
                "group", "complete", "conditional", "general", "assumption"}
HEADINGS = {"segment_col": "by"}  # columns shown under another heading in every table (the segment's column is "by")
VALUE_COLUMNS = {"segment", "segment_a", "segment_b", "touchpoint", "level", "reference level", "nps_group", "theme",
                 "table"}


def shares_of_one(frame: pd.DataFrame, *columns: str, points: bool = False) -> pd.DataFrame:
    """Mark ``columns`` of ``frame`` (in place; returned) as shares of 1, so that every view of the table shows
    them as percentages with their intervals (``points``: differences of shares, as percentage points without a %
    sign), while the numbers stay fractions (results.json, arithmetic). The mark
    lives in ``frame.attrs``, which pandas carries through selections, filters and ``assign``.

    >>> t = shares_of_one(pd.DataFrame({"driver": ["speed"], "share": [0.2], "ci_low": [0.19], "ci_high": [0.21]}),
    ...                   "share")
    >>> format_table(t[["driver", "share", "ci_low", "ci_high"]]).iloc[0].tolist()
    ['Speed', '20.0% (19.0–21.0)']
    """
    key = POINTS if points else PERCENT  # points: differences of shares, in percentage points (no % sign)
    frame.attrs[key] = tuple(dict.fromkeys([*frame.attrs.get(key, ()), *columns]))
    return frame


def _digits(values: pd.Series) -> int:
    finite = values[np.isfinite(values)].abs()
    typical = float(finite.median()) if len(finite) else 0.0
    return 0 if typical >= 100 else 1 if typical >= 10 else 2


def _number(value, digits: int, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return DASH
    if isinstance(value, float) and math.isinf(value):
        return "not reached" if value > 0 else "-∞"
    shown = f"{value:,.{digits}f}"
    return f"{shown.removeprefix('-') if float(shown.replace(',', '')) == 0 else shown}{suffix}"  # never "-0.000"


def _interval(low, high, digits: int) -> str:
    """"37.0–45.3"; with a negative bound "-30.2 to 21.9", which a dash would make hard to read."""
    shown = _number(low, digits), _number(high, digits)
    negative = any(v.startswith("-") for v in shown)  # as shown: -1e-17 reads 0.00, no minus sign to set apart
    return f"{shown[0]}{' to ' if negative else DASH}{shown[1]}"


def _p(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return fmt_p(value).removeprefix("p ").removeprefix("= ")


def _interval_pairs(columns: list[str]) -> list[tuple[str, str, str]]:
    """(value, low, high) column triples, in column order."""
    triples = []
    for position, name in enumerate(columns):
        if not name.endswith("ci_low"):
            continue
        prefix = name[: -len("ci_low")]
        high = f"{prefix}ci_high"
        if high not in columns:
            continue
        value = prefix.rstrip("_") if prefix.rstrip("_") in columns else None
        if value is None:
            before = [c for c in columns[:position] if not c.endswith(("ci_low", "ci_high"))]
            value = before[-1] if before else None
        if value is not None:
            triples.append((value, name, high))
    return triples


def _display(name: str, column: pd.Series, references: Mapping | None, as_written: bool = False) -> list[str]:
    """Text cells as shown: names of the data as display names (unless ``as_written``), lists joined, missing as a
    dash."""
    def one(v) -> str:
        if isinstance(v, list | tuple):
            return ", ".join(one(x) for x in v)
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return DASH
        if as_written:
            return str(v)
        if name == "term":
            return labels.term(v, references)
        if name == "members":
            return ", ".join(labels.name(member) for member in str(v).split(", "))
        return labels.name(v) if name in NAME_COLUMNS else labels.value(v) if name in VALUE_COLUMNS else str(v)
    return [one(v) for v in column]


def format_table(frame: pd.DataFrame, percent: Iterable[str] = (), digits: Mapping[str, int | None] | None = None,
                 ci: float = 0.95, names: Mapping[str, str] | None = None,
                 references: Mapping | None = None, money: Iterable[str] = (),
                 as_written: Iterable[str] = ()) -> pd.DataFrame:
    """The text of :func:`pretty` as a DataFrame (index dropped, column names readable).

    >>> t = pd.DataFrame({"segment": ["a", "b"], "n": [1200, 12], "nps": [41.234, -5.0], "ci_low": [37.0, -30.2],
    ...                   "ci_high": [45.3, 21.9], "p_value": [0.0004, 0.2], "small_n": [False, True]})
    >>> format_table(t).to_dict("records")
    [{'segment': 'a', 'n': '1,200', 'nps (95% CI)': '41.2 (37.0–45.3)', 'p value': '< 0.001', 'note': ''}, \
{'segment': 'b', 'n': '12', 'nps (95% CI)': '-5.0 (-30.2 to 21.9)', 'p value': '0.20', 'note': 'small n'}]
    """
    meaningful_index = isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None
    percent = {*percent, *frame.attrs.get(PERCENT, ())}
    points = set(frame.attrs.get(POINTS, ()))
    frame = frame.reset_index(drop=not meaningful_index)
    percent, digits, names, money = set(percent), dict(digits or {}), {**HEADINGS, **(names or {})}, set(money)
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    triples = _interval_pairs(columns)
    joined = {low for _, low, _ in triples} | {high for _, _, high in triples}
    label = f"{round(100 * ci)}% CI"
    out = {}
    for name in columns:
        if name in joined:
            continue
        column = frame[name]
        scale, suffix = (100.0, "%") if name in percent else (100.0, "") if name in points else (1.0, "")
        triple = next((t for t in triples if t[0] == name), None)
        if name in P_COLUMNS or name.startswith("p_"):
            out[names.get(name, name.replace("_", " "))] = [_p(v) for v in column]
        elif pd.api.types.is_bool_dtype(column.dtype) or name in FLAG_TEXT or name in YES_NO_COLUMNS:
            mark = FLAG_TEXT.get(name, "yes")
            text = [v if isinstance(v, str) else "" if pd.isna(v) else mark if bool(v)  # a word stands ("not checked")
                    else ("" if name in FLAG_TEXT else "no") for v in column]
            out["note" if name == "small_n" else names.get(name, name.replace("_", " "))] = text
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[names.get(name, name.replace("_", " "))] = [DASH if pd.isna(v) else f"{v:%Y-%m-%d}" for v in column]
        elif name in money:
            places = digits.get(name, 0)
            shown = [labels.money(v, places) for v in column]
            if triple:
                shown = [f"{v} ({labels.money(lo, places)} to {labels.money(hi, places)})" if v != "n/a" else DASH
                         for v, lo, hi in zip(shown, frame[triple[1]], frame[triple[2]], strict=True)]
            out[names.get(name, f"{name.replace('_', ' ')} ({label})" if triple else name.replace("_", " "))] = shown
        elif pd.api.types.is_numeric_dtype(column.dtype):
            values = column.astype(float) * scale
            whole = pd.api.types.is_integer_dtype(column.dtype) and scale == 1
            places = digits.get(name, 0 if whole else _digits(values))
            if places is None:  # as written: horizons 20 and 24, but 24.5 too
                places = next((d for d in range(2) if np.allclose(values[np.isfinite(values)].round(d),
                                                                  values[np.isfinite(values)])), 2)
            if triple:
                low, high = frame[triple[1]].astype(float) * scale, frame[triple[2]].astype(float) * scale
                text = [DASH if pd.isna(v) else _number(v, places, suffix) if math.isinf(v) or pd.isna(lo) and pd.isna(hi)
                        else f"{_number(v, places, suffix)} ({_interval(lo, hi, places)})"
                        for v, lo, hi in zip(values, low, high, strict=True)]  # no interval (no bootstrap): the value
                out[names.get(name, f"{name.replace('_', ' ')} ({label})")] = text
            else:
                out[names.get(name, name.replace("_", " "))] = [_number(v, places, suffix) for v in values]
        else:
            out[names.get(name, name.replace("_", " "))] = _display(name, column, references, name in as_written)
    return pd.DataFrame(out)


def pretty(frame: pd.DataFrame, percent: Iterable[str] = (), digits: Mapping[str, int | None] | None = None,
           ci: float = 0.95, names: Mapping[str, str] | None = None, references: Mapping | None = None,
           money: Iterable[str] = (), as_written: Iterable[str] = ()):
    """A readable, index-free view of ``frame`` for a report (module docstring); small-n rows greyed.

    Cells of the ``as_written`` columns keep the data's names exactly (a data quality table
    names the column to look for in the file).
    """
    text = format_table(frame, percent, digits, ci, names, references, money, as_written)
    small = frame["small_n"].fillna(False).astype(bool).to_numpy() if "small_n" in frame.columns else None

    def grey(row: pd.Series) -> list[str]:
        return ["color: #7b8794; font-style: italic" if small is not None and small[row.name] else ""] * len(row)

    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)
               and not pd.api.types.is_bool_dtype(frame[c].dtype)}
    words = [shown for shown, source in zip(text.columns, _sources(frame, text), strict=True) if source not in numeric]
    figures = [c for c in text.columns if c not in words]  # a number and its interval never wrap apart
    left = {column: [{"selector": "th", "props": "text-align: left"}] for column in words}
    return (text.style.format(escape="html").format_index(escape="html", axis=1).hide(axis="index")
            .apply(grey, axis=1).set_properties(subset=words, **{"text-align": "left"})
            .set_properties(subset=figures, **{"white-space": "nowrap"}).set_table_styles(left, overwrite=False))


def _sources(frame: pd.DataFrame, text: pd.DataFrame) -> list[str]:
    """The source column behind each shown column (shown columns keep the order of their sources)."""
    meaningful_index = isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None
    columns = [str(c) for c in frame.reset_index(drop=not meaningful_index).columns]
    joined = {c for triple in _interval_pairs(columns) for c in triple[1:]}
    return [c for c in columns if c not in joined]


def column_labels(data):
    """The question each column asked, as the file labels it (Qualtrics, SPSS, Stata), for the columns a study
    read; an empty note when the file has no labels."""
    labels = getattr(data, "labels", None) or {}
    if not labels:
        return Markdown("")
    return pretty(pd.DataFrame({"column": list(labels), "question in the file": list(labels.values())}))
