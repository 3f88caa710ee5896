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

import copy
import functools
import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..io.quality import columns_error
from ..io.scale import excluded_label, off_scale, plain
from ..io.sources import SourceInfo
from ..lifecycle.survival import SurvivalCounts
from ..metrics.histogram import ScoreHistogram
from .chunks import (
    Moments,
    as_keys,
    histogram_chunk,
    histogram_from_groups,
    key_columns,
    key_name,
    moments_chunk,
    rate_chunk,
    survival_chunk,
    survival_from_groups,
    totals_chunk,
    whole_keys,
)
from .rules import (
    Condition,
    Key,
    RowRule,
    broken_chunk,
    column_range,
    condition_sql,
    kept_rows,
    select_rows,
    selected,
    usable_rows,
)

__all__ = ["Backend", "PandasBackend"]


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
        """Answers per score value and segment (the same as :func:`cxlib.metrics.histogram.score_histogram`).

        Answers that are not whole numbers in ``scale``, and answers whose weight is missing
        or not positive, are left out and counted in :attr:`exclusions`; rows with a missing
        segment are left out of the segments (not of the overall histogram).
        """
        keys = as_keys(by)
        self._require([score, *key_columns(keys), weights])
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
        groups = groups[groups["count"] > 0].dropna(subset=[key_name(k) for k in keys])
        return histogram_from_groups(groups.astype({"value": np.int64}), keys, scale)

    def rate_counts(self, flag: str, by: Sequence[Key] = ()) -> pd.DataFrame:
        """Per group: n (rows with the 0/1 flag present) and successes (flag 1), sorted by the group."""
        keys = as_keys(by)
        self._require([flag, *key_columns(keys)])
        names = [key_name(k) for k in keys]
        groups = whole_keys(self._rate_groups(flag, keys), names)
        groups = groups.sort_values(names, ignore_index=True) if names else groups
        return groups.astype({"n": "int64", "successes": "int64"})

    def totals(self, columns: Sequence[str], by: Sequence[Key] = ()) -> pd.DataFrame:
        """Per group (rows with a missing key left out): ``rows`` and the sum of each of ``columns``, sorted by the
        group."""
        keys = as_keys(by)
        self._require([*columns, *key_columns(keys)])
        names = [key_name(k) for k in keys]
        groups = whole_keys(self._totals(list(columns), keys), names)
        groups = groups.sort_values(names, ignore_index=True) if names else groups
        return groups.astype({"rows": "int64", **{c: "float64" for c in columns}})

    def crossproducts(self, columns: Sequence[str], by: str | None = None, weights: str | None = None) -> dict:
        """Per segment of ``by`` (or "all"), a CrossProducts of ``columns`` over the complete rows."""
        self._require([*columns, by, weights])
        return self._moments(list(columns), by, weights).crossproducts(weights is not None)

    def survival_counts(self, duration: str, event: str, entry: str | None = None,
                        segment: str | None = None) -> SurvivalCounts:
        """Events, exits and entries per segment and time (as :func:`cxlib.lifecycle.survival.survival_counts`)."""
        self._require([duration, event, entry, segment])
        exits, entries = self._survival_groups(duration, event, entry, segment)
        return survival_from_groups(exits, entries, segment)

    def subset(self, where: Sequence[Condition]) -> Backend:
        """The rows that meet every condition of ``where``, as a backend of their own that shares this one's
        connection or cluster (close this one, not the subset); e.g. the tenured customers a goal is about."""
        self._require([c.column for c in where])
        view = copy.copy(self)
        view.exclusions, view._rows_read, view._view = {}, None, True
        view._filter(functools.partial(selected, where=list(where), any_of=()), condition_sql(where))
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
        self.frame = kept_rows(self.frame, keep)

    def _min_max(self, column, where):
        return column_range(self.frame, column, where)

    def _rows_where(self, columns, where, any_of):
        return select_rows(self.frame, columns, where, any_of)
