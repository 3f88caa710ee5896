"""The reduce step on one chunk of rows (a DataFrame, a Dask partition): answers per score value, rates,
totals, moments and survival counts per key, and how partial results add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..drivers.crossprod import CrossProducts
from ..io.quality import DataError
from ..io.scale import off_scale, scale_error
from ..lifecycle.survival import SurvivalCounts, survival_counts, time_grid
from ..metrics.histogram import ScoreHistogram, score_histogram
from .rules import Band, Key, Period, Words, numbers_of

__all__ = ["Moments", "add_up", "as_keys", "histogram_chunk", "histogram_from_groups", "key_columns",
           "key_name", "merge_moments", "moments_chunk", "rate_chunk", "survival_chunk",
           "survival_from_groups", "totals_chunk", "whole_keys"]


def key_name(key: Key) -> str:
    return key if isinstance(key, str) else key.name


def key_columns(keys: Sequence[Key]) -> list[str]:
    return [k if isinstance(k, str) else k.column for k in keys]


# ---------------------------------------------------------------------------------------------
# Building the summaries from small grouped tables (the same code for every backend)


def whole_keys(groups: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Key columns of whole numbers stored as floats (a blank anywhere in a CSV or Parquet column makes them so) as
    integers, so that a segment reads "1" on every backend, as the loader reads it, never "1.0"."""
    floats = [n for n in names if pd.api.types.is_float_dtype(groups[n].dtype)
              and (groups[n].dropna() == groups[n].dropna().round()).all()]
    return groups.astype({n: "Int64" for n in floats}) if floats else groups


def _label_codes(groups: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Codes of each grouped row's segment and the sorted segment labels (as ``score_histogram`` orders them)."""
    groups = whole_keys(groups, names)
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
    codes, labels = _label_codes(groups, [key_name(k) for k in keys])
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
        rows = (labels.get_indexer(pd.Index(whole_keys(entries, names)[segment])) if segment
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
    return pd.DataFrame({key_name(k): frame[k] if isinstance(k, str) else k.labels(frame[k.column]) for k in keys},
                        index=frame.index)


def as_keys(by) -> list[Key]:
    return [by] if isinstance(by, str | Period | Band | Words) else list(by)


def _check_whole(values: pd.Series, column: str, low: float, high: float) -> None:
    """Raise, with the count and the smallest offending values, when ``values`` are not whole numbers in range."""
    bad = off_scale(values, low, high)
    if bad.any():
        raise scale_error(column, low, high, int(bad.sum()), np.unique(values[bad])[:5])


def _weights(frame: pd.DataFrame, weights: str | None, use: pd.Series) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=frame.index)
    w = numbers_of(frame, weights)
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
    values = numbers_of(frame, score)
    answered = values.notna()
    off = off_scale(values, *scale)
    bad_weight = pd.Series(False, index=frame.index)
    if weights:
        w = numbers_of(frame, weights)
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
    parts = pd.concat([key_frame, pd.DataFrame({c: numbers_of(frame, c) for c in columns}, index=frame.index)], axis=1)
    parts.insert(len(keys), "rows", 1)
    if not keys:
        return parts[["rows", *columns]].sum().to_frame().T
    return parts.groupby(list(key_frame.columns), sort=False, observed=True)[["rows", *columns]].sum().reset_index()


def moments_chunk(frame: pd.DataFrame, columns: Sequence[str], by: str | None, weights: str | None) -> Moments:
    """Moments of ``columns`` per segment of ``by`` over the rows where all of them are present."""
    x = pd.DataFrame({c: numbers_of(frame, c) for c in columns}, index=frame.index)
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
    d = numbers_of(frame, duration)
    bad = d.isna() | (d < 0)
    if bad.any():
        raise DataError(f"durations in {duration!r} must be present and not negative; {int(bad.sum())} rows are not, "
                        f"e.g. {frame.loc[bad, duration].iloc[:5].tolist()}", column=duration, rule="duration >= 0")
    e = numbers_of(frame, event)
    _check_whole(e, event, 0, 1)
    counts = survival_counts(d.to_numpy(), e.fillna(0).to_numpy(bool),
                             None if entry is None else numbers_of(frame, entry).to_numpy(),
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


def add_up(parts: Sequence[pd.DataFrame], names: list[str], values: list[str]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    if not names:
        return frame[values].sum().to_frame().T
    return frame.groupby(names, sort=False, observed=True, dropna=False)[values].sum().reset_index()


# ---------------------------------------------------------------------------------------------
# Backends
