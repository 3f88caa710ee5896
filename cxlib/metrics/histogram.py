"""The reduce step for score metrics: a histogram of answers per segment.

Every score estimator (NPS, top-box shares, means) is a function of how many answers
each score value got in a segment, so one pass over the rows (a ``bincount`` over
segment code x score value) is all the row data they ever need. With survey weights
the histogram also holds, per value, the sum of the weights and of their squares, from
which the weighted estimates and Kish's effective n follow exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..io.column_names import column_arguments
from ..io.quality import DataError, columns_error
from ..io.scale import off_scale, scale_error
from ..io.tables import CXData, survey_rows, where_columns_live

__all__ = ["ScoreHistogram", "score_histogram"]


@dataclass(frozen=True)
class ScoreHistogram:
    """Answers per score value, one row per segment.

    ``counts``, ``weights`` and ``weights_sq`` are arrays of shape (segments, values):
    the number of answers, the sum of their weights and the sum of squared weights (for
    unweighted data the last two equal ``counts``).
    """

    segments: pd.Index
    values: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    weights_sq: np.ndarray

    @property
    def n(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    @property
    def n_effective(self) -> np.ndarray:
        """Kish's effective sample size, (sum w)^2 / sum w^2 (Kish 1965, Survey Sampling)."""
        w, w2 = self.weights.sum(axis=1), self.weights_sq.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(w2 > 0, w**2 / w2, 0.0)

    def total(self, label: str = "all") -> ScoreHistogram:
        """All segments together, as one segment."""
        return ScoreHistogram(pd.Index([label]), self.values, self.counts.sum(axis=0, keepdims=True),
                              self.weights.sum(axis=0, keepdims=True), self.weights_sq.sum(axis=0, keepdims=True))

    def rest(self) -> ScoreHistogram:
        """For each segment, every other segment together (the "rest" it is compared with)."""
        return ScoreHistogram(self.segments, self.values, self.counts.sum(axis=0) - self.counts,
                              self.weights.sum(axis=0) - self.weights, self.weights_sq.sum(axis=0) - self.weights_sq)

    def select(self, mask: np.ndarray) -> ScoreHistogram:
        return ScoreHistogram(self.segments[mask], self.values, self.counts[mask], self.weights[mask],
                              self.weights_sq[mask])


def _uncategorized(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    return column.astype(dtype.categories.dtype) if isinstance(dtype, pd.CategoricalDtype) else column


def _codes(data: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.Index]:
    """Integer segment codes (-1 where a segment value is missing) and the segment labels."""
    if not by:
        return np.zeros(len(data), dtype=np.intp), pd.Index(["all"])
    if len(by) == 1:
        column = data[by[0]]
        if isinstance(column.dtype, pd.CategoricalDtype):  # codes are free for categoricals
            return column.cat.codes.to_numpy(), pd.Index(column.cat.categories, name=by[0])
        codes, labels = pd.factorize(column, sort=True)
        return codes.astype(np.intp), pd.Index(labels, name=by[0])
    # categories sort by value here, as pandas sorts the pairs of a MultiIndex
    per_column = [pd.factorize(_uncategorized(data[c]), sort=True) for c in by]
    sizes = [max(len(labels), 1) for _, labels in per_column]
    if np.prod(np.array(sizes, dtype=float)) >= 2.0**62:  # mixed codes would overflow: let pandas pair them up
        codes, labels = pd.MultiIndex.from_frame(data[list(by)]).factorize(sort=True)
        return codes.astype(np.intp), pd.MultiIndex.from_tuples(labels, names=list(by))
    # one mixed-radix code per row: sorting it sorts the rows by the first column, then the second, ...
    mixed, missing = np.zeros(len(data), dtype=np.int64), np.zeros(len(data), dtype=bool)
    for (codes, _), size in zip(per_column, sizes, strict=True):
        missing |= codes < 0
        mixed = mixed * size + np.maximum(codes, 0)
    present, inverse = np.unique(mixed[~missing], return_inverse=True)
    out = np.full(len(data), -1, dtype=np.intp)
    out[~missing] = inverse
    levels = []
    for (_, labels), size in zip(reversed(per_column), reversed(sizes), strict=True):
        levels.append(np.asarray(labels)[present % size])
        present = present // size
    return out, pd.MultiIndex.from_arrays(levels[::-1], names=list(by))


def _score_values(data: pd.DataFrame, score: str, low: int, high: int) -> np.ndarray:
    """Scores as int64 with -1 for missing; a value outside [low, high] or not whole is an error."""
    column = data[score]
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        values = column.to_numpy(dtype=np.int64)
        bad = (values < low) | (values > high)
    else:
        floats = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(floats)
        bad = (missing & column.notna().to_numpy()) | off_scale(floats, low, high)
        values = np.where(missing, -1, floats).astype(np.int64)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise scale_error(score, low, high, len(rows), list(column.iloc[rows[:5]]),
                          f" (rows {list(data.index[rows[:5]])}); load the data with cxlib.io to exclude and count them")
    return values


@column_arguments("score", "by", "weights")
def score_histogram(data: pd.DataFrame | CXData, score: str, by: str | Sequence[str] | None = None,
                    weights: str | None = None, scale: tuple[int, int] = (0, 10)) -> ScoreHistogram:
    """Count the answers of ``score`` per segment of ``by`` (one pass over the rows).

    Rows with a missing score, segment or weight are left out (a missing weight with a
    present score is an error: the row's weight is unknown). ``data`` may be the loaded
    data (:func:`cxlib.io.load`): its answers with their customers' columns are used.

    >>> h = score_histogram(pd.DataFrame({"s": [9, 10, 3, 9], "g": list("abab")}), "s", by="g")
    >>> h.counts[:, 9:].tolist(), h.segments.tolist()
    ([[1, 0], [1, 1]], ['a', 'b'])
    """
    low, high = scale
    data = survey_rows(data)
    by = [by] if isinstance(by, str) else list(by or [])
    missing_cols = [c for c in [score, *by, *([weights] if weights else [])] if c not in data.columns]
    if missing_cols:
        present = [str(c) for c in data.columns]
        raise columns_error(missing_cols, present, hint="." + where_columns_live(missing_cols, present))
    codes, labels = _codes(data, by)
    values = _score_values(data, score, low, high)
    k = high - low + 1
    keep = (values >= 0) & (codes >= 0)
    everything = bool(keep.all())
    cell = codes.astype(np.int64) * k  # each answer's (segment, value) cell, built in place
    cell += values
    if low:
        cell -= low
    if not everything:  # a copy only when some rows must be left out
        cell = cell[keep]
    n_cells = len(labels) * k
    counts = np.bincount(cell, minlength=n_cells).reshape(len(labels), k)
    if weights is None:
        w = w2 = counts.astype("float64")
    else:
        wv = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = keep & (np.isnan(wv) | (wv <= 0))
        if bad.any():
            rows = np.flatnonzero(bad)[:5]
            raise DataError(f"weights in {weights!r} must be positive numbers where {score!r} is answered; rows "
                            f"{list(data.index[rows])} hold {list(data[weights].iloc[rows])}", column=weights,
                            rule="weight above 0", rows=rows)
        if not everything:
            wv = wv[keep]
        w = np.bincount(cell, weights=wv, minlength=n_cells).reshape(len(labels), k)
        w2 = np.bincount(cell, weights=wv**2, minlength=n_cells).reshape(len(labels), k)
    return ScoreHistogram(labels, np.arange(low, high + 1), counts, w, w2)
