"""Where the reduce step runs: pandas in memory, DuckDB out of core, Dask on a cluster.

Every estimator in cxlib works on small sufficient statistics (the reduce step of the
design): a histogram of scores per segment, numerators and denominators of rates, the
moments of outcome and drivers per segment (count, weight sum, means, co-moments), and
events, exits and entries per time. A backend computes exactly those from a source,
and the estimators do not change:

* ``pandas``: a DataFrame in memory (the default);
* ``duckdb``: SQL ``GROUP BY`` on a Parquet file, folder or glob, a table in a DuckDB
  file, or a SQL query; out of core, so data larger than memory are fine;
* ``dask``: the pandas reducers run on every partition of a ``dask.dataframe`` and the
  partial results are added up; on a ``distributed`` cluster when a scheduler address
  is given.

Co-moments are merged across partitions with the pairwise update of Chan, Golub &
LeVeque (1979), ``M = M_a + M_b + d d' w_a w_b / (w_a + w_b)`` with ``d`` the difference
of the means, and DuckDB sums the products of ``x - c`` in one pass, with ``c`` the rounded
means of the first 100,000 rows (the shifted-data algorithm; Chan, Golub & LeVeque 1983),
so no backend forms raw sums of squares that lose digits. DuckDB adds floating-point
numbers in whatever order its threads finish, so sums of fractional values can differ in
the last digit between runs; counts, and sums of whole-number scores and ratings, are exact.

Bad values are treated as the in-memory loader treats them: left out and counted in
:attr:`Backend.exclusions` (column, rule, rows, example values), which :func:`source_data`
puts into the report's data quality table. Score histograms do it per analysis (an answer
that is not a whole number on the scale, or whose survey weight is missing or not
positive), at no extra pass: bad values arrive as groups of their own. Analyses that must
share one set of rows (survival counts, rates and the Cox sample of one study; the
cross-products and bootstrap sample of a driver study) first call
:meth:`Backend.restrict` with the study's :class:`RowRule` s (a duration present and not
negative, an event that is 0 or 1, a weight above 0, a segment present); every analysis
after it sees only the rows kept. Called without it, they stop on a bad value with its
column, rule, count and examples.

Models that need rows (Cox, the bootstrap of driver shares) take :meth:`Backend.sample`,
a seeded simple random sample without replacement. Its positions follow the source's
order (files in name order, rows in file order; a DuckDB table's row ids; a SQL query's
own order, so give the query an ORDER BY), and every backend draws the same rows.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import glob
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .crossprod import CrossProducts, numbers_error
from .formatting.narrative import md
from .histogram import ScoreHistogram, score_histogram
from .io.columns import MISSING_VALUE, NEGATIVE, NOT_YES_NO, amount, weight
from .io.dates import ANSWERS_FROM, EARLY_ANSWER, FUTURE_DATE, tomorrow
from .io.quality import EXCLUDED, SET_MISSING, DataError, DataQuality, QualityIssue, columns_error
from .io.scale import excluded_label, off_scale, plain, scale_error
from .io.sources import SourceInfo, read_header
from .io.tables import table_file
from .survival import SurvivalCounts, survival_counts, time_grid

__all__ = ["BACKENDS", "Backend", "Band", "Condition", "DaskBackend", "DuckDBBackend", "PandasBackend", "Period", "RowRule", "SourceData",
           "Words", "is_set", "open_source", "open_survey", "source_data"]

BACKENDS = ("pandas", "duckdb", "dask")
PERIOD_FORMATS = {"M": "%Y-%m", "Y": "%Y"}  # quarters are built as 2024Q1, as pandas prints them
CONNECT_TIMEOUT = "30s"  # how long to wait for a Dask scheduler (distributed's default)


@dataclass(frozen=True)
class Period:
    """A grouping key derived from a date column: the calendar period (``freq`` "M", "Q" or "Y"). A date in the
    future is a wrong one (:data:`cxlib.io.dates.FUTURE_DATE`), one before 1990 a placeholder
    (:data:`cxlib.io.dates.EARLY_ANSWER`): they have no period, as a missing date has none."""

    column: str
    freq: str = "Q"
    name: str = "_period"

    def labels(self, values: pd.Series) -> pd.Series:
        return values.dt.to_period(self.freq).astype("str").where(values.notna() & (values >= ANSWERS_FROM)
                                                                   & (values < tomorrow()))

    def sql(self) -> str:
        column = _quote(self.column)
        label = (f"strftime({column}, '%Y') || 'Q' || quarter({column})" if self.freq == "Q"
                 else f"strftime({column}, '{PERIOD_FORMATS[self.freq]}')")
        return (f"CASE WHEN CAST({column} AS TIMESTAMP) >= TIMESTAMP '{ANSWERS_FROM:%Y-%m-%d}' AND CAST({column} AS "
                f"TIMESTAMP) < TIMESTAMP '{tomorrow():%Y-%m-%d}' THEN {label} END")


@dataclass(frozen=True)
class Band:
    """A grouping key derived from a number: the label of the highest ``cuts`` entry (low, label) the value reaches,
    ``below`` under all of them, ``missing`` for no value.

    >>> Band("nps").labels(pd.Series([10, 8, 3, None])).tolist()
    ['promoter', 'passive', 'detractor', 'not surveyed']
    """

    column: str
    cuts: tuple = ((9, "promoter"), (7, "passive"))
    below: str = "detractor"
    missing: str = "not surveyed"
    name: str = "_band"

    def labels(self, values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="raise").astype("float64")
        conditions = [numbers >= low for low, _ in self.cuts] + [numbers.notna()]
        return pd.Series(np.select(conditions, [label for _, label in self.cuts] + [self.below], self.missing),
                         index=values.index)

    def sql(self) -> str:
        c = _quote(self.column)
        cases = " ".join(f"WHEN CAST({c} AS DOUBLE) >= {low!r} THEN '{label}'" for low, label in self.cuts)
        return f"CASE {cases} WHEN {c} IS NOT NULL THEN '{self.below}' ELSE '{self.missing}' END"


@dataclass(frozen=True)
class Words:
    """A grouping key from a text column: its values trimmed and in lower case (a dotted capital İ as i), each
    word of ``synonyms`` (pairs of a word in lower case and its label) as its label, ``missing`` for no value.

    >>> Words("group", synonyms=(("kötüleyen", "detractor"),)).labels(pd.Series([" Kötüleyen", "PROMOTER", None])).tolist()
    ['detractor', 'promoter', 'not surveyed']
    """

    column: str
    missing: str = "not surveyed"
    name: str = "_words"
    synonyms: tuple[tuple[str, str], ...] = ()

    def labels(self, values: pd.Series) -> pd.Series:
        words = values.astype("string").str.strip().str.lower().str.replace("\u0307", "", regex=False)
        return words.replace(dict(self.synonyms)).fillna(self.missing).astype(object)

    def sql(self) -> str:
        word = f"replace(lower(trim(CAST({_quote(self.column)} AS VARCHAR))), '\u0307', '')"
        if self.synonyms:
            cases = " ".join(f"WHEN {_listing([w])} THEN {_listing([label])}" for w, label in self.synonyms)
            word = f"CASE {word} {cases} ELSE {word} END"
        return f"coalesce({word}, '{self.missing}')"


Key = str | Period | Band | Words


@dataclass(frozen=True)
class RowRule:
    """A rule every row of an analysis must keep; :meth:`Backend.restrict` leaves out and counts the rows that break it.

    ``kind`` is "present" (a value), "not negative" (a number of at least 0, and at most
    ``high`` when given, where present),
    "yes/no" (0 or 1 where present), "positive" (a number above 0 where present) or "not
    flagged" (a true/false marker column a join computed is not true); :attr:`rule` is the
    data-quality label, in the in-memory loader's words, unless ``label`` gives it, and the
    rows left out are counted under ``reported_as`` (default: ``column``).

    >>> RowRule("days", "not negative").broken(pd.DataFrame({"days": [3.0, -1.0, None]})).tolist()
    [False, True, False]
    """

    column: str
    kind: str
    label: str | None = None
    reported_as: str | None = None
    high: float | None = None

    @property
    def rule(self) -> str:
        return self.label or {"present": MISSING_VALUE, "not negative": NEGATIVE if self.high is None else
                              f"not {amount().rule}", "yes/no": NOT_YES_NO,
                              "positive": f"not {weight().rule}"}[self.kind]

    @property
    def shows_values(self) -> bool:
        """Whether the values that broke the rule are worth showing as examples (not for a blank or a marker)."""
        return self.kind not in ("present", "not flagged")

    def broken(self, frame: pd.DataFrame) -> pd.Series:
        """True where a row of ``frame`` breaks the rule."""
        if self.kind == "present":
            return frame[self.column].isna()
        if self.kind == "not flagged":
            return frame[self.column].astype("boolean").fillna(False).astype(bool)
        values = _numbers(frame, self.column)
        if self.kind == "yes/no":
            return values.notna() & ~values.isin([0.0, 1.0])
        if self.kind == "positive":
            return values <= 0
        return (values < 0) | (values > self.high) if self.high is not None else values < 0

    def sql(self) -> str:
        """The rule as a DuckDB condition, true where a row breaks it (never NULL)."""
        c = _quote(self.column)
        if self.kind == "present":
            return f"{c} IS NULL"
        if self.kind == "not flagged":
            return f"coalesce(CAST({c} AS BOOLEAN), false)"
        test = {"not negative": "< 0" if self.high is None else f"NOT BETWEEN 0 AND {self.high!r}",
                "yes/no": "NOT IN (0, 1)", "positive": "<= 0"}[self.kind]
        return f"coalesce(CAST({c} AS DOUBLE) {test}, false)"


@dataclass(frozen=True)
class Condition:
    """A condition on one column, for :meth:`Backend.rows` and :meth:`Backend.subset`: "present" (a value),
    "equal" or "not equal" to ``value`` (a missing value is not equal), "at least" ``value``, or "on or after"
    or "before" the date ``value``.

    >>> Condition("day", "on or after", "2025-01-02").holds(pd.DataFrame({"day": pd.to_datetime(
    ...     ["2025-01-01", "2025-01-02", None])})).tolist()
    [False, True, False]
    """

    column: str
    kind: str
    value: object = None

    def holds(self, frame: pd.DataFrame) -> pd.Series:
        values = frame[self.column]
        if self.kind == "present":
            return values.notna()
        if self.kind == "not equal":  # a missing value is not equal to anything
            return (values != self.value).astype("boolean").fillna(True).astype(bool)
        value = pd.Timestamp(self.value) if self.kind in ("on or after", "before") else self.value
        met = values == value if self.kind == "equal" else values < value if self.kind == "before" else values >= value
        return met.astype("boolean").fillna(False).astype(bool)

    def sql(self) -> str:
        c = _quote(self.column)
        if self.kind == "present":
            return f"{c} IS NOT NULL"
        if self.kind in ("on or after", "before"):
            return (f"coalesce({c} {'>=' if self.kind == 'on or after' else '<'} "
                    f"TIMESTAMP '{pd.Timestamp(self.value).isoformat(sep=' ')}', false)")
        value = (f"'{self.value.replace(chr(39), chr(39) * 2)}'" if isinstance(self.value, str)
                 else repr(float(self.value)))
        if self.kind == "not equal":
            return f"{c} IS DISTINCT FROM {value}"
        return f"coalesce({c} {'=' if self.kind == 'equal' else '>='} {value}, false)"


def _selected(frame: pd.DataFrame, where: Sequence[Condition], any_of: Sequence[Condition]) -> pd.Series:
    """True where a row meets every condition of ``where`` and, if given, one of ``any_of``."""
    keep = pd.Series(True, index=frame.index)
    for condition in where:
        keep &= condition.holds(frame)
    if any_of:
        keep &= np.logical_or.reduce([condition.holds(frame) for condition in any_of])
    return keep


def _select_rows(frame: pd.DataFrame, columns: list[str], where, any_of) -> pd.DataFrame:
    return frame.loc[_selected(frame, where, any_of), columns]


def _column_range(frame: pd.DataFrame, column: str, where) -> tuple:
    values = frame.loc[_selected(frame, where, ()), column]
    return values.min(), values.max()


def usable_rows(frame: pd.DataFrame, rules: Sequence[RowRule]) -> pd.Series:
    """True where a row keeps every rule."""
    keep = pd.Series(True, index=frame.index)
    for r in rules:
        keep &= ~r.broken(frame)
    return keep


def broken_chunk(frame: pd.DataFrame, rules: Sequence[RowRule]) -> list[tuple[int, list]]:
    """Per rule, the rows that break it first (a row counts under the first rule it breaks) and their smallest
    distinct values (up to five)."""
    counted = pd.Series(False, index=frame.index)
    out = []
    for r in rules:
        bad = r.broken(frame) & ~counted
        counted |= bad
        values = frame.loc[bad, r.column].dropna().drop_duplicates() if r.shows_values else pd.Series([])
        out.append((int(bad.sum()), values.sort_values().iloc[:5].tolist()))
    return out


def _kept(frame: pd.DataFrame, keep) -> pd.DataFrame:
    return frame[keep(frame)]


def _condition_sql(where: Sequence[Condition], any_of: Sequence[Condition] = ()) -> str:
    """Every condition of ``where`` and one of ``any_of`` as one DuckDB condition (``true`` for none)."""
    tests = [c.sql() for c in where] + ([f"({' OR '.join(c.sql() for c in any_of)})"] if any_of else [])
    return " AND ".join(tests) or "true"


def _key_name(key: Key) -> str:
    return key if isinstance(key, str) else key.name


def _key_columns(keys: Sequence[Key]) -> list[str]:
    return [k if isinstance(k, str) else k.column for k in keys]


# ---------------------------------------------------------------------------------------------
# Building the summaries from small grouped tables (the same code for every backend)


def _whole_keys(groups: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Key columns of whole numbers stored as floats (a blank anywhere in a CSV or Parquet column makes them so) as
    integers, so that a segment reads "1" on every backend, as the loader reads it, never "1.0"."""
    floats = [n for n in names if pd.api.types.is_float_dtype(groups[n].dtype)
              and (groups[n].dropna() == groups[n].dropna().round()).all()]
    return groups.astype({n: "Int64" for n in floats}) if floats else groups


def _label_codes(groups: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Codes of each grouped row's segment and the sorted segment labels (as ``score_histogram`` orders them)."""
    groups = _whole_keys(groups, names)
    if not names:
        return np.zeros(len(groups), dtype=np.intp), pd.Index(["all"])
    if len(names) == 1:
        index = pd.Index(groups[names[0]].to_numpy(), name=names[0])
    else:
        index = pd.MultiIndex.from_frame(groups[names])
    labels = index.unique().sort_values()
    return labels.get_indexer(index), labels


def histogram_from_groups(groups: pd.DataFrame, keys: Sequence[Key], scale: tuple[int, int]) -> ScoreHistogram:
    """A ScoreHistogram from rows of (keys..., value, count, w, w2)."""
    low, high = scale
    codes, labels = _label_codes(groups, [_key_name(k) for k in keys])
    shape = (len(labels), high - low + 1)
    cell = (codes, groups["value"].to_numpy(dtype=np.int64) - low)
    arrays = []
    for column in ("count", "w", "w2"):
        array = np.zeros(shape)
        np.add.at(array, cell, groups[column].to_numpy(dtype=float))
        arrays.append(array)
    return ScoreHistogram(labels, np.arange(low, high + 1), arrays[0].astype(np.int64), arrays[1], arrays[2])


def survival_from_groups(exits: pd.DataFrame, entries: pd.DataFrame | None, segment: str | None) -> SurvivalCounts:
    """SurvivalCounts from rows of (segment, time, events, exits) and (segment, time, entries)."""
    names = [segment] if segment else []
    times = exits["time"].to_numpy(dtype=float)
    entry_times = np.array([]) if entries is None else entries["time"].to_numpy(dtype=float)
    everything = np.concatenate([times, entry_times])
    grid = time_grid(everything, int(exits["exits"].sum()))
    codes, labels = _label_codes(exits, names)
    shape = (len(labels), len(grid))
    events, gone = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    cell = (codes, np.searchsorted(grid, times))
    np.add.at(events, cell, exits["events"].to_numpy(dtype=np.int64))
    np.add.at(gone, cell, exits["exits"].to_numpy(dtype=np.int64))
    entered = None
    if entries is not None:
        entered = np.zeros(shape, dtype=np.int64)
        rows = (labels.get_indexer(pd.Index(_whole_keys(entries, names)[segment])) if segment
                else np.zeros(len(entries), dtype=np.intp))
        np.add.at(entered, (rows, np.searchsorted(grid, entry_times)), entries["entries"].to_numpy(dtype=np.int64))
    return SurvivalCounts(labels, grid, events, gone, entered)


@dataclass(frozen=True)
class Moments:
    """Per segment: rows, weight sum, means and co-moments ``sum w (x - mean)(x - mean)'`` of some columns."""

    columns: tuple[str, ...]
    segments: list
    n: np.ndarray
    weight_sum: np.ndarray
    mean: np.ndarray
    comoment: np.ndarray

    def crossproducts(self, weighted: bool) -> dict:
        """A CrossProducts per segment (covariance over w - 1, or over w for survey weights)."""
        out = {}
        for i, segment in enumerate(self.segments):
            denominator = self.weight_sum[i] if weighted else self.weight_sum[i] - 1
            out[segment] = CrossProducts(self.columns, self.n[i:i + 1], self.weight_sum[i:i + 1], self.mean[i:i + 1],
                                         self.comoment[i:i + 1] / denominator)
        return out


def merge_moments(parts: Sequence[Moments]) -> Moments:
    """Add up the moments of disjoint parts, segment by segment (Chan, Golub & LeVeque 1979)."""
    merged: dict = {}
    for part in parts:
        for i, segment in enumerate(part.segments):
            n, w, mean, m2 = part.n[i], part.weight_sum[i], part.mean[i], part.comoment[i]
            if segment in merged:
                n0, w0, mean0, m20 = merged[segment]
                delta = mean - mean0
                total = w0 + w
                mean, m2 = mean0 + delta * w / total, m20 + m2 + np.outer(delta, delta) * w0 * w / total
                n, w = n0 + n, total
            merged[segment] = (n, w, mean, m2)
    segments = sorted(merged)
    k = len(parts[0].columns) if parts else 0
    rows = [merged[s] for s in segments]
    return Moments(parts[0].columns if parts else (), segments, np.array([r[0] for r in rows], dtype=np.int64),
                   np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows]).reshape(-1, k),
                   np.array([r[3] for r in rows]).reshape(-1, k, k))


# ---------------------------------------------------------------------------------------------
# The pandas reducers: on a whole DataFrame, or on one partition of a Dask DataFrame


def _keys_frame(frame: pd.DataFrame, keys: Sequence[Key]) -> pd.DataFrame:
    return pd.DataFrame({_key_name(k): frame[k] if isinstance(k, str) else k.labels(frame[k.column]) for k in keys},
                        index=frame.index)


def _as_keys(by) -> list[Key]:
    return [by] if isinstance(by, str | Period | Band | Words) else list(by)


def _check_whole(values: pd.Series, column: str, low: float, high: float) -> None:
    """Raise, with the count and the smallest offending values, when ``values`` are not whole numbers in range."""
    bad = off_scale(values, low, high)
    if bad.any():
        raise scale_error(column, low, high, int(bad.sum()), np.unique(values[bad])[:5])


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        return frame[column].astype("float64")
    except (TypeError, ValueError):
        raise numbers_error(frame[column], column) from None


def _weights(frame: pd.DataFrame, weights: str | None, use: pd.Series) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=frame.index)
    w = _numbers(frame, weights)
    bad = use & (w.isna() | (w <= 0))
    if bad.any():
        raise DataError(f"weights in {weights!r} must be positive numbers; {int(bad.sum())} rows are not, e.g. "
                        f"{frame.loc[bad, weights].iloc[:5].tolist()}", column=weights, rule="weight above 0")
    return w


def histogram_chunk(frame: pd.DataFrame, score: str, keys: Sequence[Key], weights: str | None,
                    scale: tuple[int, int]) -> pd.DataFrame:
    """Rows of (keys..., value, count, w, w2, answers) of this chunk, for :meth:`Backend.score_histogram`.

    The cells of :func:`score_histogram` over the rows with a valid answer and weight;
    ``answers`` counts every answer of the cell, so ``answers - count`` are those with a
    bad weight. Answers off the scale come as rows of their own (missing keys, count 0).
    """
    values = _numbers(frame, score)
    answered = values.notna()
    off = off_scale(values, *scale)
    bad_weight = pd.Series(False, index=frame.index)
    if weights:
        w = _numbers(frame, weights)
        bad_weight = answered & ~off & (w.isna() | (w <= 0))
    key_frame = _keys_frame(frame, keys)
    names = list(key_frame.columns)
    good = ~off & ~bad_weight
    rows = pd.concat([key_frame, values.rename(score), *([w.rename(weights)] if weights else [])], axis=1)
    rows = rows if good.all() else rows[good]
    h = score_histogram(rows, score, by=names, weights=weights, scale=scale)
    segment, value = np.nonzero(h.counts)
    out = h.segments[segment].to_frame(index=False) if names else pd.DataFrame(index=range(len(segment)))
    out["value"], out["count"] = h.values[value].astype(float), h.counts[segment, value]
    out["w"], out["w2"] = h.weights[segment, value], h.weights_sq[segment, value]
    out["answers"] = out["count"]
    rejected = pd.concat([values[off].value_counts(), values[bad_weight].value_counts().rename("bad")],
                         axis=1).fillna(0)
    if len(rejected):
        extra = pd.DataFrame({"value": rejected.index.to_numpy(dtype=float), "count": 0, "w": 0.0, "w2": 0.0,
                              "answers": (rejected["count"] + rejected["bad"]).to_numpy(dtype=np.int64)})
        out = pd.concat([out, extra.assign(**{n: None for n in names})[out.columns]], ignore_index=True)
    return out


def rate_chunk(frame: pd.DataFrame, flag: str, keys: Sequence[Key]) -> pd.DataFrame:
    """Rows of (keys..., n, successes): eligible rows (flag present) and successes (flag true) per group."""
    column = frame[flag]
    values = column.astype("float64") if not pd.api.types.is_bool_dtype(column.dtype) else column.astype("Float64")
    values = values.astype("float64")
    _check_whole(values, flag, 0, 1)
    key_frame = _keys_frame(frame, keys)
    use = values.notna() & key_frame.notna().all(axis=1)
    parts = key_frame.assign(n=1, successes=values)[use]
    if not keys:
        return pd.DataFrame({"n": [int(use.sum())], "successes": [float(parts["successes"].sum())]})
    return parts.groupby(list(key_frame.columns), sort=False, observed=True)[["n", "successes"]].sum().reset_index()


def totals_chunk(frame: pd.DataFrame, columns: Sequence[str], keys: Sequence[Key]) -> pd.DataFrame:
    """Rows of (keys..., rows, columns...): rows per group and the sum of each column (a missing value adds 0)."""
    key_frame = _keys_frame(frame, keys)
    parts = pd.concat([key_frame, pd.DataFrame({c: _numbers(frame, c) for c in columns}, index=frame.index)], axis=1)
    parts.insert(len(keys), "rows", 1)
    if not keys:
        return parts[["rows", *columns]].sum().to_frame().T
    return parts.groupby(list(key_frame.columns), sort=False, observed=True)[["rows", *columns]].sum().reset_index()


def moments_chunk(frame: pd.DataFrame, columns: Sequence[str], by: str | None, weights: str | None) -> Moments:
    """Moments of ``columns`` per segment of ``by`` over the rows where all of them are present."""
    x = pd.DataFrame({c: _numbers(frame, c) for c in columns}, index=frame.index)
    use = x.notna().all(axis=1) & (frame[by].notna() if by else True)
    w = _weights(frame, weights, use)[use].to_numpy()
    x = x[use].to_numpy()
    if by:
        codes, labels = pd.factorize(frame.loc[use, by], sort=True)
    else:
        codes, labels = np.zeros(len(x), dtype=np.intp), ["all"]
    k = len(columns)
    n, wsum = np.zeros(len(labels), dtype=np.int64), np.zeros(len(labels))
    mean, m2 = np.zeros((len(labels), k)), np.zeros((len(labels), k, k))
    order = np.argsort(codes, kind="stable") if by else slice(None)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(labels)))])
    x, w = x[order], w[order]
    for i in range(len(labels)):
        xi, wi = x[bounds[i]:bounds[i + 1]], w[bounds[i]:bounds[i + 1]]
        n[i], wsum[i] = len(xi), wi.sum()
        mean[i] = wi @ xi / wsum[i]
        centred = xi - mean[i]
        m2[i] = (centred * wi[:, None]).T @ centred
    return Moments(tuple(columns), list(labels), n, wsum, mean, m2)


def survival_chunk(frame: pd.DataFrame, duration: str, event: str, entry: str | None,
                   segment: str | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Rows of (segment, time, events, exits) and (segment, time, entries): :func:`survival_counts` of this chunk."""
    d = _numbers(frame, duration)
    bad = d.isna() | (d < 0)
    if bad.any():
        raise DataError(f"durations in {duration!r} must be present and not negative; {int(bad.sum())} rows are not, "
                        f"e.g. {frame.loc[bad, duration].iloc[:5].tolist()}", column=duration, rule="duration >= 0")
    e = _numbers(frame, event)
    _check_whole(e, event, 0, 1)
    counts = survival_counts(d.to_numpy(), e.fillna(0).to_numpy(bool),
                             None if entry is None else _numbers(frame, entry).to_numpy(),
                             frame[segment] if segment else None)

    def cells(table: np.ndarray, columns: dict) -> pd.DataFrame:
        row, t = np.nonzero(table)
        out = pd.DataFrame({segment: counts.segments[row]} if segment else {}, index=range(len(row)))
        out["time"] = counts.times[t]
        for name, values in columns.items():
            out[name] = values[row, t]
        return out

    exits = cells(counts.exits, {"events": counts.events, "exits": counts.exits})
    return exits, None if entry is None else cells(counts.entries, {"entries": counts.entries})


def _add_up(parts: Sequence[pd.DataFrame], names: list[str], values: list[str]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    if not names:
        return frame[values].sum().to_frame().T
    return frame.groupby(names, sort=False, observed=True, dropna=False)[values].sum().reset_index()


# ---------------------------------------------------------------------------------------------
# Backends


class Backend:
    """The reduce step on one source; subclasses say where it runs."""

    name = "pandas"
    files: list[str] | None = None
    description = "a DataFrame in memory"
    format = "dataframe"

    def __init__(self) -> None:
        self.exclusions: dict[tuple[str, str], tuple[int, tuple]] = {}
        """Rows left out so far: (column, rule) -> (rows, up to five example values)."""
        self._rows_read: int | None = None
        self._view = False  # a subset() of another backend: its connection or client is not this one's to close

    def _min_max(self, column: str, where: list[Condition]) -> tuple:
        raise NotImplementedError

    def _rows_where(self, columns: list[str], where: list[Condition], any_of: list[Condition]) -> pd.DataFrame:
        raise NotImplementedError

    def _histogram_groups(self, score, keys, weights, scale) -> pd.DataFrame:
        raise NotImplementedError

    def _rate_groups(self, flag, keys) -> pd.DataFrame:
        raise NotImplementedError

    def _moments(self, columns, by, weights) -> Moments:
        raise NotImplementedError

    def _totals(self, columns, keys) -> pd.DataFrame:
        raise NotImplementedError

    def _survival_groups(self, duration, event, entry, segment):
        raise NotImplementedError

    def _rows_at(self, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
        raise NotImplementedError

    def _broken(self, rules: list[RowRule]) -> list[tuple[int, list]]:
        raise NotImplementedError

    def _filter(self, keep, sql: str) -> None:
        """Keep only the rows where ``keep(frame)`` is true; ``sql`` is the same as a DuckDB condition."""
        raise NotImplementedError

    def n_rows(self) -> int:
        """Rows the analyses see: all rows, or those kept by :meth:`restrict`."""
        raise NotImplementedError

    def rows_read(self) -> int:
        """Every row of the source, kept or not."""
        return self.n_rows() if self._rows_read is None else self._rows_read

    def columns(self) -> list[str]:
        raise NotImplementedError

    def restrict(self, rules: Sequence[RowRule]) -> None:
        """Leave out, for every analysis after this, the rows that break one of ``rules``.

        Each row left out is counted once, in :attr:`exclusions` under the first rule it
        breaks, with up to five distinct values that broke it.
        """
        rules = list(rules)
        if not rules:
            return
        self._require([r.column for r in rules])
        if self._rows_read is None:
            self._rows_read = self.n_rows()
        for r, (rows, examples) in zip(rules, self._broken(rules), strict=True):
            if rows:
                self._exclude(r.reported_as or r.column, r.rule, rows, [plain(v) for v in examples])
        self._filter(functools.partial(usable_rows, rules=rules), f"NOT ({' OR '.join(r.sql() for r in rules)})")

    def close(self) -> None:
        """Release what the backend opened (a database connection, a cluster client)."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _require(self, names: Sequence[str | None]) -> None:
        present = self.columns()
        absent = [c for c in names if c is not None and c not in present]
        if absent:
            joined = next((sep for sep in ";\t|" if len(present) == 1 and sep in present[0]), None)
            hint = (f"; the file looks separated by {joined!r}: out of core reads comma-separated UTF-8 CSV, backend "
                    "'pandas' detects the separator" if joined else "")
            raise columns_error(absent, present, hint=hint)

    def _exclude(self, column: str, rule: str, rows: int, examples: Sequence = ()) -> None:
        """Record rows left out under a rule (every analysis of a column leaves out the same rows)."""
        before, _ = self.exclusions.get((column, rule), (0, ()))
        self.exclusions[(column, rule)] = (max(before, rows), tuple(examples))

    def score_histogram(self, score: str, by: Sequence[Key] = (), weights: str | None = None,
                        scale: tuple[int, int] = (0, 10)) -> ScoreHistogram:
        """Answers per score value and segment (the same as :func:`cxlib.histogram.score_histogram`).

        Answers that are not whole numbers in ``scale``, and answers whose weight is missing
        or not positive, are left out and counted in :attr:`exclusions`; rows with a missing
        segment are left out of the segments (not of the overall histogram).
        """
        keys = _as_keys(by)
        self._require([score, *_key_columns(keys), weights])
        groups = self._histogram_groups(score, keys, weights, scale)
        off = off_scale(groups["value"], *scale)
        if off.any():
            answers = groups[off].groupby("value")["answers"].sum()
            self._exclude(score, excluded_label(*scale), int(answers.sum()),
                          [plain(v) for v in answers.index[:5]])
        groups = groups[~off]
        bad_weights = int((groups["answers"] - groups["count"]).sum())
        if bad_weights:
            self._exclude(weights, "missing or not a number above 0", bad_weights)
        groups = groups[groups["count"] > 0].dropna(subset=[_key_name(k) for k in keys])
        return histogram_from_groups(groups.astype({"value": np.int64}), keys, scale)

    def rate_counts(self, flag: str, by: Sequence[Key] = ()) -> pd.DataFrame:
        """Per group: n (rows with the 0/1 flag present) and successes (flag 1), sorted by the group."""
        keys = _as_keys(by)
        self._require([flag, *_key_columns(keys)])
        names = [_key_name(k) for k in keys]
        groups = _whole_keys(self._rate_groups(flag, keys), names)
        groups = groups.sort_values(names, ignore_index=True) if names else groups
        return groups.astype({"n": "int64", "successes": "int64"})

    def totals(self, columns: Sequence[str], by: Sequence[Key] = ()) -> pd.DataFrame:
        """Per group (rows with a missing key left out): ``rows`` and the sum of each of ``columns``, sorted by the
        group."""
        keys = _as_keys(by)
        self._require([*columns, *_key_columns(keys)])
        names = [_key_name(k) for k in keys]
        groups = _whole_keys(self._totals(list(columns), keys), names)
        groups = groups.sort_values(names, ignore_index=True) if names else groups
        return groups.astype({"rows": "int64", **{c: "float64" for c in columns}})

    def crossproducts(self, columns: Sequence[str], by: str | None = None, weights: str | None = None) -> dict:
        """Per segment of ``by`` (or "all"), a CrossProducts of ``columns`` over the complete rows."""
        self._require([*columns, by, weights])
        return self._moments(list(columns), by, weights).crossproducts(weights is not None)

    def survival_counts(self, duration: str, event: str, entry: str | None = None,
                        segment: str | None = None) -> SurvivalCounts:
        """Events, exits and entries per segment and time (as :func:`cxlib.survival.survival_counts`)."""
        self._require([duration, event, entry, segment])
        exits, entries = self._survival_groups(duration, event, entry, segment)
        return survival_from_groups(exits, entries, segment)

    def subset(self, where: Sequence[Condition]) -> Backend:
        """The rows that meet every condition of ``where``, as a backend of their own that shares this one's
        connection or cluster (close this one, not the subset); e.g. the tenured customers a goal is about."""
        self._require([c.column for c in where])
        view = copy.copy(self)
        view.exclusions, view._rows_read, view._view = {}, None, True
        view._filter(functools.partial(_selected, where=list(where), any_of=()), _condition_sql(where))
        return view

    def rows(self, columns: Sequence[str], where: Sequence[Condition] = (),
             any_of: Sequence[Condition] = ()) -> pd.DataFrame:
        """The rows that meet every condition of ``where`` and one of ``any_of``: only ``columns``, in source order.

        For a study that needs some rows in full (a window's answers, those with a
        comment); the filter runs where the data are.
        """
        self._require([*columns, *(c.column for c in [*where, *any_of])])
        return self._rows_where(list(columns), list(where), list(any_of)).reset_index(drop=True)

    def value_range(self, column: str, where: Sequence[Condition] = ()) -> tuple:
        """The smallest and largest value of ``column`` among the rows that meet ``where`` (missing when none)."""
        self._require([column, *(c.column for c in where)])
        return self._min_max(column, list(where))

    def date_range(self, column: str, where: Sequence[Condition] = ()) -> dict | None:
        """First and last date of ``column`` among the rows that meet ``where`` ({"from", "to"} as YYYY-MM-DD), None
        when there is none."""
        low, high = self.value_range(column, where)
        if pd.isna(low):
            return None
        return {"from": f"{pd.Timestamp(low):%Y-%m-%d}", "to": f"{pd.Timestamp(high):%Y-%m-%d}"}

    def source_info(self, name: str) -> SourceInfo:
        """Provenance: where the rows are, their SHA-256 (of the files, or of the query text) and how many."""
        digest = hashlib.sha256()
        for path in self.files or []:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        if not self.files:
            digest.update(self.description.encode())
        return SourceInfo(name, self.description, self.format, digest.hexdigest(), self.rows_read())

    def sample(self, columns: Sequence[str], size: int, seed: int = 0) -> pd.DataFrame:
        """A seeded simple random sample of ``size`` rows (all rows when there are fewer), in source order."""
        self._require(columns)
        total = self.n_rows()
        if size >= total:
            positions = np.arange(total)
        else:
            positions = np.sort(np.random.default_rng(seed).choice(total, size, replace=False))
        return self._rows_at(positions, list(columns)).reset_index(drop=True)


class PandasBackend(Backend):
    """The reduce step on a DataFrame in memory."""

    name = "pandas"

    def __init__(self, frame: pd.DataFrame, path=None, files: list[str] | None = None, format: str = "dataframe"):
        super().__init__()
        self.frame, self.files, self.format = frame, files, format
        self.description = "a DataFrame in memory" if path is None else str(path)

    def n_rows(self) -> int:
        return len(self.frame)

    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def _histogram_groups(self, score, keys, weights, scale):
        return histogram_chunk(self.frame, score, keys, weights, scale)

    def _rate_groups(self, flag, keys):
        return rate_chunk(self.frame, flag, keys)

    def _moments(self, columns, by, weights):
        return moments_chunk(self.frame, columns, by, weights)

    def _totals(self, columns, keys):
        return totals_chunk(self.frame, columns, keys)

    def _survival_groups(self, duration, event, entry, segment):
        return survival_chunk(self.frame, duration, event, entry, segment)

    def _rows_at(self, positions, columns):
        return self.frame[columns].iloc[positions]

    def _broken(self, rules):
        return broken_chunk(self.frame, rules)

    def _filter(self, keep, sql):
        self.frame = _kept(self.frame, keep)

    def _min_max(self, column, where):
        return _column_range(self.frame, column, where)

    def _rows_where(self, columns, where, any_of):
        return _select_rows(self.frame, columns, where, any_of)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _listing(files: Sequence[str]) -> str:
    """File names as a DuckDB list of string literals."""
    return ", ".join("'" + f.replace("'", "''") + "'" for f in files)


CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def _named_files(path: str) -> list[str]:
    """The files a path names: the file itself where it exists (``survey[2025].csv`` is a name, not a pattern), else
    the files the glob matches."""
    return [path] if os.path.isfile(path) else glob.glob(path)


def _csv_files(path: str | os.PathLike) -> list[str]:
    """The CSV files a path or glob names (none for a folder: a folder holds Parquet files)."""
    path = str(path)
    return [] if os.path.isdir(path) else sorted(f for f in _named_files(path) if f.lower().endswith(CSV_SUFFIXES))


def _parquet_files(path: str | os.PathLike, csv_reader: str = "") -> list[str]:
    path = str(path)
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
    else:
        files = sorted(f for f in _named_files(path) if f.endswith((".parquet", ".parq", ".pq")))
    if not files:
        raise FileNotFoundError(f"no Parquet files at {path}; out of core, cxlib reads Parquet files, {csv_reader}"
                                "a DuckDB file (with table=) or a SQL query, e.g. \"SELECT * FROM read_csv('export.csv')\"")
    return files


class DuckDBBackend(Backend):
    """The reduce step as SQL in DuckDB: Parquet files, a table in a DuckDB file, or a query; out of core."""

    name = "duckdb"

    def __init__(self, source, table: str | None = None, memory_limit: str | None = None, threads: int | None = None):
        import duckdb

        super().__init__()
        self.files: list[str] | None = None
        self.table, self._restricted = None, False
        text = str(source)
        self.description, self.format = text, "duckdb"
        if isinstance(source, pd.DataFrame):
            self.connection = duckdb.connect()
            self.connection.register("cx_source", source)
            self.relation, self.table = "cx_source", "cx_source"
            self.description, self.format = "a DataFrame in memory", "dataframe"
        elif text.endswith((".duckdb", ".db")):
            if not table:
                raise ValueError("a DuckDB file needs table=, the table (or view) to read")
            self.connection = duckdb.connect(text, read_only=True)
            self.relation = self.table = _quote(table)
        elif text.lstrip().lower().startswith(("select", "with", "from")):
            self.connection = duckdb.connect()
            self.relation = f"({text})"
            self.format = "sql"
        elif _csv_files(source):  # UTF-8 CSV exports, read where they are; types detected by DuckDB
            self.files, self.format = _csv_files(source), "csv"
            self.connection = duckdb.connect()
            self.relation = (f"read_csv([{_listing(self.files)}], header = true, union_by_name = true, "
                             f"{CSV_DATES})")  # ISO dates only: never guess the order
        else:
            self.files = _parquet_files(source)
            self.format = "parquet"
            self.connection = duckdb.connect()
            self.relation = f"read_parquet([{_listing(self.files)}])"
        if memory_limit:
            self._execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self._execute(f"SET threads = {int(threads)}")
        self._execute("SET preserve_insertion_order = false")  # group-bys need no order; less memory
        if self.format == "parquet":
            self.relation = self._typed_dates(self.relation)

    def _typed_dates(self, relation: str) -> str:
        """``relation`` with its ISO dates stored as text (:func:`iso_text_columns` of its first 1,000 rows) as
        timestamps."""
        dates = iso_text_columns(self._query(f"SELECT * FROM {relation} LIMIT 1000"))
        if not dates:
            return relation
        casts = ", ".join(f"CAST({_quote(c)} AS TIMESTAMP) AS {_quote(c)}" for c in dates)
        return f"(SELECT * REPLACE ({casts}) FROM {relation})"

    def _execute(self, sql: str):
        """Run SQL; a file DuckDB cannot read as it is stops with what to do instead."""
        import duckdb

        try:
            return self.connection.execute(sql)
        except duckdb.Error as exc:
            if self.format == "csv" and CSV_DATES + ")" in sql:  # types guessed from the first rows: a word on row
                whole = f"{CSV_DATES}, sample_size = -1"  # 30,000 broke them; once more, typed from every row
                self.relation = self.relation.replace(CSV_DATES, whole)  # (a pass more, only for such files)
                return self._execute(sql.replace(CSV_DATES + ")", whole + ")"))
            hint = (" Exports that are not plain UTF-8 CSV with ISO dates (another encoding, decimal commas, "
                    "day-first dates, survey-tool headers, answer labels) are read with backend 'pandas'."
                    if self.format == "csv" else f" {OUT_OF_TYPE}." if self.format == "parquet" else "")
            raise DataError(f"DuckDB could not read {self.description}: {str(exc).splitlines()[0]}.{hint}",
                            rule="readable by DuckDB") from None

    def _query(self, sql: str) -> pd.DataFrame:
        return self._execute(sql).df()

    def close(self) -> None:
        if not self._view:
            self.connection.close()

    def _filter(self, keep, sql):
        self.relation = f"(SELECT * FROM {self.relation} WHERE {sql})"
        self._restricted = True

    @contextlib.contextmanager
    def _in_order(self):
        """Rows in source order for the statements inside (group-bys run faster without it)."""
        self._execute("SET preserve_insertion_order = true")
        try:
            yield
        finally:
            self._execute("SET preserve_insertion_order = false")

    def _min_max(self, column, where):
        c = _quote(column)
        return tuple(self._execute(f"SELECT min({c}), max({c}) FROM {self.relation} WHERE {_condition_sql(where)}")
                     .fetchall()[0])

    def _rows_where(self, columns, where, any_of):
        with self._in_order():
            return self._query(f"SELECT {', '.join(_quote(c) for c in columns)} FROM {self.relation} "
                               f"WHERE {_condition_sql(where, any_of)}")

    def _scalar(self, sql: str):
        return self._execute(sql).fetchall()[0][0]

    def n_rows(self) -> int:
        return int(self._scalar(f"SELECT count(*) FROM {self.relation}"))

    def columns(self) -> list[str]:
        cursor = self._execute(f"SELECT * FROM {self.relation} LIMIT 0")
        names = [d[0] for d in cursor.description]
        cursor.fetchall()
        return names

    def _key_sql(self, keys) -> list[str]:
        return [_quote(k) if isinstance(k, str) else f"{k.sql()} AS {_quote(k.name)}" for k in keys]

    def _check_whole(self, column: str, low: float, high: float) -> None:
        """Raise, with the count and examples, when ``column`` holds values that are not whole numbers in range."""
        c = _quote(column)
        bad = f"{c} IS NOT NULL AND ({c} < {low} OR {c} > {high} OR {c} <> round({c}))"
        rows = self._scalar(f"SELECT count(*) FROM {self.relation} WHERE {bad}")
        if rows:
            examples = [r[0] for r in self._execute(
                f"SELECT DISTINCT {c} FROM {self.relation} WHERE {bad} ORDER BY 1 LIMIT 5").fetchall()]
            raise scale_error(column, low, high, rows, examples)

    def _grouped(self, select: list[str], aggregates: list[str], where: list[str]) -> pd.DataFrame:
        names = [s.split(" AS ")[-1] for s in select]
        group = f" GROUP BY {', '.join(names)}" if names else ""
        sql = (f"SELECT {', '.join([*select, *aggregates])} FROM {self.relation}"
               f"{' WHERE ' + ' AND '.join(where) if where else ''}{group}")
        return self._query(sql)

    def _values_by_key(self, column: str, keys, aggregates: list[str], scale: tuple[float, float]) -> pd.DataFrame:
        """One pass: per key and distinct value of ``column``, the aggregates; the values are checked afterwards.

        Whole numbers in ``scale`` are the rule; a value that breaks it shows up as a group
        of its own, so the check costs no second pass (only an error looks up examples).
        Groups with a missing key are dropped after the check.
        """
        c = _quote(column)
        groups = self._grouped([*self._key_sql(keys), f"CAST({c} AS DOUBLE) AS value"], aggregates,
                               [f"{c} IS NOT NULL"])
        if off_scale(groups["value"], *scale).any():
            self._check_whole(column, *scale)
        return groups.dropna(subset=[_key_name(k) for k in keys])

    def _histogram_groups(self, score, keys, weights, scale):
        if weights:
            w = f"CAST({_quote(weights)} AS DOUBLE)"
            valid = f"FILTER (WHERE {w} > 0)"
            aggregates = [f"count(*) {valid} AS count", f"coalesce(sum({w}) {valid}, 0) AS w",
                          f"coalesce(sum({w} * {w}) {valid}, 0) AS w2"]
        else:
            aggregates = ["count(*) AS count", "CAST(count(*) AS DOUBLE) AS w", "CAST(count(*) AS DOUBLE) AS w2"]
        c = _quote(score)
        return self._grouped([*self._key_sql(keys), f"CAST({c} AS DOUBLE) AS value"],
                             [*aggregates, "count(*) AS answers"], [f"{c} IS NOT NULL"])

    def _rate_groups(self, flag, keys):
        groups = self._values_by_key(flag, keys, ["count(*) AS n"], (0, 1))
        groups["successes"] = groups["n"] * groups["value"]
        return _add_up([groups], [_key_name(k) for k in keys], ["n", "successes"])

    def _totals(self, columns, keys):
        sums = [f"coalesce(sum(CAST({_quote(c)} AS DOUBLE)), 0) AS {_quote(c)}" for c in columns]
        groups = self._grouped(self._key_sql(keys), ["count(*) AS rows", *sums], [])
        return groups.dropna(subset=[_key_name(k) for k in keys])

    def _moments(self, columns, by, weights):
        quoted = [_quote(c) for c in columns]
        present = " AND ".join(f"{c} IS NOT NULL" for c in [*quoted, *([_quote(by)] if by else [])])
        w = f"CAST({_quote(weights)} AS DOUBLE)" if weights else "1.0"
        segment = _quote(by) if by else "'all'"
        values = ", ".join(f"CAST({c} AS DOUBLE) AS x{i}" for i, c in enumerate(quoted))
        source = f"(SELECT {segment} AS seg, {w} AS w, {values} FROM {self.relation} WHERE {present})"
        k = len(columns)
        # One pass around a shift c, the rounded means of the first 100,000 rows in source order (deterministic):
        # mean = c + S1 / W and M = S2 - S1 S1' / W, with S1, S2 the weighted sums of x - c and of their products.
        # With whole-number values (ratings, scores) and no weights every sum is a whole number, exact in any order.
        with self._in_order():
            first = self._execute(f"SELECT {', '.join(f'avg(x{i})' for i in range(k))} "
                                            f"FROM (SELECT * FROM {source} LIMIT 100000)").fetchall()[0]
        shift = np.round(np.nan_to_num(np.array(first, dtype=float)))
        centred = [f"(x{i} - {float(shift[i])!r})" for i in range(k)]
        pairs = [(a, b) for a in range(k) for b in range(a, k)]
        sums = [f"sum(w * {centred[i]}) AS s{i}" for i in range(k)]
        products = [f"sum(w * {centred[a]} * {centred[b]}) AS p{a}_{b}" for a, b in pairs]
        rows = self._query(f"SELECT seg, count(*) AS n, sum(w) AS ws, {', '.join(sums + products)}, "
                           f"count(*) FILTER (WHERE w IS NULL OR w <= 0) AS bad_weights FROM {source} "
                           "GROUP BY seg ORDER BY seg")
        if rows["bad_weights"].sum():
            raise DataError(f"weights in {weights!r} must be positive numbers; {int(rows['bad_weights'].sum())} "
                            "rows are not", column=weights, rule="weight above 0")
        weight_sum = rows["ws"].to_numpy(dtype=float)
        first_moment = rows[[f"s{i}" for i in range(k)]].to_numpy() / weight_sum[:, None]
        m2 = np.zeros((len(rows), k, k))
        for a, b in pairs:
            m2[:, a, b] = m2[:, b, a] = rows[f"p{a}_{b}"].to_numpy()
        m2 -= weight_sum[:, None, None] * first_moment[:, :, None] * first_moment[:, None, :]
        return Moments(tuple(columns), rows["seg"].tolist(), rows["n"].to_numpy(dtype=np.int64), weight_sum,
                       shift + first_moment, m2)

    def _survival_groups(self, duration, event, entry, segment):
        d, e = _quote(duration), _quote(event)
        select = [_quote(segment)] if segment else []
        exits = self._grouped([*select, f"CAST({d} AS DOUBLE) AS time"],
                              [f"sum(coalesce(CAST({e} AS BIGINT), 0)) AS events", "count(*) AS exits",
                               f"count(*) FILTER (WHERE {e} IS NOT NULL AND {e} NOT IN (0, 1)) AS bad_events"], [])
        bad = exits["time"].isna() | (exits["time"] < 0)
        if bad.any():
            raise DataError(f"durations in {duration!r} must be present and not negative; "
                            f"{int(exits.loc[bad, 'exits'].sum())} rows are not", column=duration, rule="duration >= 0")
        if exits["bad_events"].sum():
            self._check_whole(event, 0, 1)
        if segment and exits[segment].isna().any():
            raise DataError(f"segment column {segment!r} has missing values", column=segment, rule="segment present")
        if entry is None:
            return exits, None
        entries = self._grouped([*select, f"CAST({_quote(entry)} AS DOUBLE) AS time"],
                                ["count(*) AS entries", f"count(*) FILTER (WHERE {_quote(entry)} > {d}) AS late"], [])
        if entries["late"].sum():
            raise DataError(f"an entry time in {entry!r} is after its exit time in {int(entries['late'].sum())} rows",
                            column=entry, rule="entry <= duration")
        return exits, entries

    def _broken(self, rules):
        tests = [r.sql() for r in rules]
        first = [" AND ".join([*(f"NOT {t}" for t in tests[:i]), test]) for i, test in enumerate(tests)]
        counts = self._execute(f"SELECT {', '.join(f'count(*) FILTER (WHERE {f})' for f in first)} "
                               f"FROM {self.relation}").fetchall()[0]
        out = []
        for r, where, rows in zip(rules, first, counts, strict=True):
            examples = [] if not rows or not r.shows_values else [v[0] for v in self._execute(
                f"SELECT DISTINCT {_quote(r.column)} FROM {self.relation} WHERE {where} ORDER BY 1 LIMIT 5").fetchall()]
            out.append((int(rows), examples))
        return out

    def _rows_at(self, positions, columns):
        listing = ", ".join(_quote(c) for c in columns)
        self.connection.register("cx_positions", pd.DataFrame({"position": positions}))
        try:
            if self.format == "parquet" and not self._restricted:  # global position -> (file, row within the file)
                import pyarrow.parquet as pq

                sizes = np.array([pq.ParquetFile(f).metadata.num_rows for f in self.files])
                starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
                which = np.searchsorted(starts, positions, side="right") - 1
                picks = pd.DataFrame({"filename": np.array(self.files, dtype=object)[which],
                                      "row": positions - starts[which], "position": positions})
                self.connection.register("cx_picks", picks)
                sql = (f"SELECT {listing} FROM read_parquet([{_listing(self.files)}], "
                       "filename = true, file_row_number = true) AS s JOIN cx_picks AS p "
                       "ON s.filename = p.filename AND s.file_row_number = p.row ORDER BY p.position")
            elif self.table is not None and not self._restricted:
                sql = (f"SELECT {listing} FROM (SELECT *, rowid AS cx_row FROM {self.relation}) "
                       "JOIN cx_positions ON cx_row = position ORDER BY position")
            else:  # a query's rows, or the rows restrict() kept: positions count them in source order
                sql = (f"SELECT {listing} FROM (SELECT *, row_number() OVER () - 1 AS cx_row FROM {self.relation}) "
                       "JOIN cx_positions ON cx_row = position ORDER BY position")
            with self._in_order():
                return self._query(sql)
        finally:
            self.connection.unregister("cx_positions")


class DaskBackend(Backend):
    """The pandas reducers on every partition of a dask.dataframe, added up; on a cluster if a scheduler is given."""

    name = "dask"

    def __init__(self, source, scheduler: str | None = None, npartitions: int = 4):
        import dask.dataframe as dd

        super().__init__()
        self.client, self._own_client = None, False
        if scheduler is not None:
            from distributed import Client

            self._own_client = not isinstance(scheduler, Client)
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT) if self._own_client else scheduler
            except OSError as error:
                raise OSError(f"no Dask scheduler answered at dask_scheduler={scheduler!r} within {CONNECT_TIMEOUT} "
                              f"({error}); start one (dask scheduler; dask worker <address>) or leave dask_scheduler "
                              "None to run Dask in this process") from None
        self.files, self.format, self.description = None, "dataframe", "a Dask DataFrame"
        if isinstance(source, pd.DataFrame):
            self.frame = dd.from_pandas(source, npartitions=npartitions, sort=False)
        elif hasattr(source, "map_partitions"):
            self.frame = source
        elif _csv_files(source):  # UTF-8 CSV exports, read where they are, in blocks
            self.files, self.format, self.description = _csv_files(source), "csv", str(source)
            self.frame = _read_csv_blocks(self.files)
        else:
            self.files, self.format, self.description = _parquet_files(source, "a UTF-8 CSV file, "), "parquet", \
                str(source)
            frame = dd.read_parquet(self.files)
            dates = iso_text_columns(frame.head(1000))
            self.frame = frame.assign(**{c: dd.to_datetime(frame[c], format="ISO8601") for c in dates})
        self._lengths = None

    def close(self) -> None:
        if self._own_client and not self._view:
            self.client.close()

    def _filter(self, keep, sql):
        self.frame = self.frame.map_partitions(_kept, keep, meta=self.frame._meta)
        self._lengths = None

    def _each(self, function, *args) -> list:
        import dask

        tasks = [dask.delayed(function)(part, *args) for part in self.frame.to_delayed()]
        try:
            return list(dask.compute(*tasks))
        except (ValueError, TypeError) as exc:
            if self.format not in ("csv", "parquet") or isinstance(exc, DataError):
                raise
            hint = ("Exports that are not plain UTF-8 CSV with ISO dates are read with backend 'pandas' (or 'duckdb', "
                    "which reads each column's type from the whole file)" if self.format == "csv" else OUT_OF_TYPE)
            said = _dask_said(str(exc))
            raise DataError(f"Dask could not read {self.description}: {said}. {hint}",
                            rule="readable by Dask") from None

    def _broken(self, rules):
        parts = self._each(broken_chunk, rules)
        out = []
        for i in range(len(rules)):
            examples = pd.Series([v for p in parts for v in p[i][1]]).drop_duplicates()
            out.append((sum(p[i][0] for p in parts), examples.sort_values().iloc[:5].tolist()))
        return out

    def _partition_lengths(self) -> np.ndarray:
        if self._lengths is None:
            self._lengths = np.array(self._each(len), dtype=np.int64)
        return self._lengths

    def n_rows(self) -> int:
        return int(self._partition_lengths().sum())

    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def _min_max(self, column, where):
        ranges = pd.DataFrame(self._each(_column_range, column, where), columns=["low", "high"])
        return ranges["low"].min(), ranges["high"].max()

    def _rows_where(self, columns, where, any_of):
        return pd.concat(self._each(_select_rows, columns, where, any_of))

    def _histogram_groups(self, score, keys, weights, scale):
        parts = self._each(histogram_chunk, score, keys, weights, scale)
        return _add_up(parts, [*[_key_name(k) for k in keys], "value"], ["count", "w", "w2", "answers"])

    def _rate_groups(self, flag, keys):
        return _add_up(self._each(rate_chunk, flag, keys), [_key_name(k) for k in keys], ["n", "successes"])

    def _moments(self, columns, by, weights):
        return merge_moments(self._each(moments_chunk, columns, by, weights))

    def _totals(self, columns, keys):
        return _add_up(self._each(totals_chunk, columns, keys), [_key_name(k) for k in keys], ["rows", *columns])

    def _survival_groups(self, duration, event, entry, segment):
        parts = self._each(survival_chunk, duration, event, entry, segment)
        names = [segment] if segment else []
        exits = _add_up([p[0] for p in parts], [*names, "time"], ["events", "exits"])
        entries = None if entry is None else _add_up([p[1] for p in parts], [*names, "time"], ["entries"])
        return exits, entries

    def _rows_at(self, positions, columns):
        import dask

        # a column projection may merge small partitions, so count the rows of the projected frame's own partitions
        parts = self.frame[columns].to_delayed()
        lengths = dask.compute(*[dask.delayed(len)(part) for part in parts])
        starts = np.concatenate([[0], np.cumsum(lengths)])
        tasks = []
        for i, part in enumerate(parts):
            local = positions[(positions >= starts[i]) & (positions < starts[i + 1])] - starts[i]
            if len(local):
                tasks.append(dask.delayed(_take)(part, local))
        return pd.concat(dask.compute(*tasks))


ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


def _dask_said(message: str) -> str:
    """What went wrong in a Dask error, in a line: a column typed from its first rows that later holds text is
    named with the value (Dask's own message puts them in a table further down)."""
    if "Mismatched dtypes" in message:
        found = re.search(r"^- (.+)\n\s+ValueError\(\"could not convert string to float: ('[^']*')", message, re.M)
        if found:
            return f"column {found[1]!r} holds text ({found[2]}) where its first rows held numbers"
    return message.strip().splitlines()[0].split(" You might want to try")[0].rstrip(".:")


CSV_DATES = "dateformat = '%Y-%m-%d'"  # how DuckDB reads a CSV's dates: ISO only


OUT_OF_TYPE = ("Out of core, a value that does not fit its column (a date that is not YYYY-MM-DD, a word among "
               "numbers) stops the run: correct it where the file is made, or read the file with backend 'pandas', "
               "which leaves such values out and counts them")


def iso_text_columns(head: pd.DataFrame) -> list[str]:
    """The text columns of ``head`` (a source's first rows) whose values are all ISO dates (``2025-03-31``,
    ``2025-03-31 14:05``): dates stored as text, as pandas writes a CSV's dates into Parquet when it read them
    without parsing. Out of core they are read as dates, as the in-memory reader reads them; a later value that is
    no ISO date stops the run there."""
    text = [c for c in head.columns if not pd.api.types.is_numeric_dtype(head[c].dtype)
            and not pd.api.types.is_datetime64_any_dtype(head[c].dtype)]
    return [c for c in text if head[c].notna().any() and head[c].dropna().astype(str).str.fullmatch(ISO_DATE).all()]


def _read_csv_blocks(files: list[str]):
    """A dask.dataframe of UTF-8 CSV files in blocks: numbers as floats (a blank is missing in any block), text as
    text, and ISO dates as dates (:func:`iso_text_columns` of the first 1,000 rows), as DuckDB's reader is told to;
    other date forms stay text."""
    import dask.dataframe as dd

    head = pd.read_csv(files[0], nrows=1000)
    text = [c for c in head.columns if not pd.api.types.is_numeric_dtype(head[c].dtype)]
    dates = iso_text_columns(head)
    return dd.read_csv(files, assume_missing=True, dtype={c: "object" for c in text if c not in dates},
                       parse_dates=dates, blocksize="64MB")


def _take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return frame.iloc[rows]


@dataclass(frozen=True)
class SourceData:
    """A study's input read through a backend: provenance, what was left out, the period, and how it was computed."""

    source: SourceInfo
    quality: DataQuality
    period: dict | None
    backend: str
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """Sentences for the report: where the numbers were computed and what used a sample."""
        where = {"pandas": "in memory (pandas)", "duckdb": "out of core in DuckDB",
                 "dask": "with Dask"}[self.backend]
        return " ".join([f"Computed {where} from {self.source.rows:,} rows of {self.source.path}.", *self.notes])

    def note(self):
        """The description as Markdown for a report (the path and notes HTML-escaped)."""
        return md("**How this was computed.** {text}", text=self.describe())


def source_data(source: Backend, name: str, kept: Sequence[tuple[str | None, str, int]], date_col: str | None = None,
                notes: Sequence[str] = ()) -> SourceData:
    """The SourceData of a study.

    ``kept`` lists (column, rule, rows the analysis used); the backend's
    :attr:`~Backend.exclusions` (bad values, with examples) are listed first, and the
    rest of the rows an analysis did not use count under its rule. Answers dated in the future in ``date_col``
    are counted: they are in no period (:class:`Period`).
    """
    info = source.source_info(name)
    flagged = [QualityIssue(name, column, rule, EXCLUDED, rows, (), tuple(str(v) for v in examples))
               for (column, rule), (rows, examples) in source.exclusions.items()]
    left_out = sum(issue.n_rows for issue in flagged)
    issues = (*flagged, *(QualityIssue(name, column, rule, EXCLUDED, info.rows - rows - left_out)
                          for column, rule, rows in kept if rows + left_out < info.rows))
    for kind, day, rule in (("on or after", tomorrow(), FUTURE_DATE), ("before", ANSWERS_FROM, EARLY_ANSWER)):
        if date_col and (rows := source.subset([Condition(date_col, kind, f"{day:%Y-%m-%d}")]).n_rows()):
            issues = (*issues, QualityIssue(name, date_col, rule, SET_MISSING, rows))  # no period (Period)
    quality = DataQuality(issues, {name: info.rows}, {name: min((rows for *_, rows in kept), default=info.rows)})
    return SourceData(info, quality, source.date_range(date_col) if date_col else None, source.name, tuple(notes))


def is_set(value) -> bool:
    """A value that asks for something: not None, False or empty (0 is a value: an event coded 0 is set).

    >>> [is_set(v) for v in (None, False, [], "", 0, "churned")]
    [False, False, False, False, True, True]
    """
    if value is None or value is False:
        return False
    return not (isinstance(value, list | tuple | dict | str) and not value)


def open_survey(folder, backend: str, dask_scheduler=None) -> Backend:
    """The answers of a folder of canonical tables with their customer's columns and ``tenure_days`` (days from
    signup to the answer), as :meth:`cxlib.io.CXData.survey_frame` gives them, joined where the data are.

    Each table is Parquet, or UTF-8 CSV with ISO dates. DuckDB joins ``responses`` and
    ``customers`` in SQL; Dask reads the responses by partition and joins each partition
    to the customers' columns, which it holds in memory. As :func:`cxlib.io.load` does,
    answers whose ``customer_id`` is not in ``customers`` are left out and counted.
    """
    folder = Path(folder)
    paths = {name: table_file(folder, name) for name in ("responses", "customers")}
    answers, people = read_header(paths["responses"]), read_header(paths["customers"])
    extra = [c for c in people if c not in answers]
    if backend == "duckdb":
        def reader(path: Path) -> str:
            quoted = "'" + str(path).replace("'", "''") + "'"
            return (f"read_parquet({quoted})" if path.suffix == ".parquet"
                    else f"read_csv({quoted}, header = true, dateformat = '%Y-%m-%d')")

        days = ("CAST(floor((epoch(CAST(r.survey_date AS TIMESTAMP)) - epoch(CAST(c.signup_date AS TIMESTAMP))) "
                "/ 86400) AS BIGINT)")
        orphan = "(r.customer_id IS NOT NULL AND c.customer_id IS NULL)"
        source = DuckDBBackend(f"SELECT r.*, {''.join(f'c.{_quote(x)}, ' for x in extra)}{days} AS tenure_days, "
                               f"{orphan} AS _orphan FROM {reader(paths['responses'])} AS r "
                               f"LEFT JOIN {reader(paths['customers'])} AS c ON r.customer_id = c.customer_id")
    elif backend == "dask":
        people = paths["customers"]
        customers = (pd.read_parquet(people) if people.suffix == ".parquet"
                     else _read_csv_blocks([str(people)]).compute())[["customer_id", *extra]]
        source = DaskBackend(str(paths["responses"]), scheduler=dask_scheduler)
        joined = source.frame.merge(customers.assign(_known=True), on="customer_id", how="left")
        source.frame = joined.assign(tenure_days=(joined["survey_date"] - joined["signup_date"]).dt.days,
                                     _orphan=joined["customer_id"].notnull() & joined["_known"].isnull()
                                     ).drop(columns="_known")
    else:
        raise ValueError(f"open_survey reads a folder out of core: backend 'duckdb' or 'dask', got {backend!r}")
    source.files, source.format, source.description = [str(p) for p in paths.values()], "folder", str(folder)
    source.restrict([RowRule("_orphan", "not flagged", "customer_id not in customers", "customer_id")])
    return source


def open_source(source, backend: str = "pandas", table: str | None = None, dask_scheduler=None) -> Backend:
    """A backend on ``source``: a DataFrame, a Parquet file/folder/glob, a DuckDB file (with ``table``) or a SQL query.

    ``backend="pandas"`` reads a path into memory (Parquet or CSV); ``"duckdb"`` and
    ``"dask"`` leave the data where they are. ``dask_scheduler`` is a
    ``distributed`` scheduler address (or Client); without it Dask runs in this process.

    >>> b = open_source(pd.DataFrame({"nps": [10, 9, 3, 7]}), "duckdb")
    >>> b.score_histogram("nps").counts[0, [3, 7, 9, 10]].tolist()
    [1, 1, 1, 1]
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "duckdb":
        return DuckDBBackend(source, table=table)
    if backend == "dask":
        return DaskBackend(source, scheduler=dask_scheduler)
    if isinstance(source, pd.DataFrame):
        return PandasBackend(source)
    if str(source).endswith(".csv"):
        return PandasBackend(pd.read_csv(source), source, [str(source)], "csv")
    if str(source).endswith((".duckdb", ".db")) or str(source).lstrip().lower().startswith(("select", "with", "from")):
        with DuckDBBackend(source, table=table) as db:
            return PandasBackend(db._query(f"SELECT * FROM {db.relation}"), source, None, db.format)
    files = _parquet_files(source)
    return PandasBackend(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True), source, files, "parquet")
