"""The reduce step for regression-based driver analysis: n, means and covariance of outcome and drivers.

Every subset R^2 of a linear model, and so every Shapley decomposition, relative weight
and standardized coefficient, follows from the covariance matrix of the outcome and
the drivers. This module computes it once from the rows (optionally weighted, per
segment), and for bootstrap resamples without ever fitting a model on rows: a resample
is a vector of row counts, and its cross-products are ``counts @ P`` where ``P`` holds
the products of every pair of columns, row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..io.quality import DataError, check_columns

__all__ = ["CrossProducts", "bootstrap_crossproducts", "crossproducts", "design_matrix", "driver_columns",
           "jackknife_crossproducts", "with_dummies"]


@dataclass(frozen=True)
class CrossProducts:
    """Weighted count, means and covariance of ``columns`` (the outcome first), for a batch of samples.

    ``cov`` has shape (batch, k, k), ``mean`` (batch, k), ``n`` and ``weight_sum`` (batch,).
    The covariance divides by ``weight_sum - 1`` for frequency weights (the bootstrap's
    counts, or no weights) and by ``weight_sum`` for survey weights (``n`` then is the
    number of rows).
    """

    columns: tuple[str, ...]
    n: np.ndarray
    weight_sum: np.ndarray
    mean: np.ndarray
    cov: np.ndarray

    def correlation(self) -> np.ndarray:
        sd = np.sqrt(np.einsum("bii->bi", self.cov))
        return self.cov / (sd[:, :, None] * sd[:, None, :])


def design_matrix(data: pd.DataFrame, outcome: str, drivers: Sequence[str], weights: str | None = None,
                  missing: str = "listwise") -> tuple[np.ndarray, np.ndarray | None, list[str], int]:
    """The numeric matrix [outcome, drivers...] of the complete rows, their weights, the column names, and rows dropped.

    A text or categorical driver becomes dummy columns (the first level, in sorted order,
    is the reference), named ``driver[level]``. ``missing="listwise"`` keeps rows with
    every value present; ``"pairwise"`` keeps every row with an outcome (the caller
    computes each covariance from the rows where both values are present).
    """
    needed = [outcome, *drivers, *([weights] if weights else [])]
    check_columns(needed, data.columns)
    if all(_numeric(data[c]) for c in [outcome, *drivers]):  # one copy of the consolidated block, not one per column
        x = data[[outcome, *drivers]].to_numpy(dtype="float64", na_value=np.nan)
        return _complete_rows(x, data, [outcome, *drivers], weights, missing)
    expanded = with_dummies(data[[outcome, *drivers]], drivers)
    names = [outcome, *driver_columns(list(expanded.columns), drivers)]
    x = np.column_stack([_as_float(expanded[c], c) for c in names])
    return _complete_rows(x, data, names, weights, missing)


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)


def with_dummies(data: pd.DataFrame, drivers: Sequence[str]) -> pd.DataFrame:
    """``data`` with each text or categorical driver replaced by its dummy columns ``driver[level]``.

    The first level in sorted order is the reference; a dummy is missing where its driver
    is. Other columns are kept as they are.

    >>> with_dummies(pd.DataFrame({"plan": ["basic", "pro", None], "y": [1, 2, 3]}), ["plan"]).to_dict("list")
    {'plan[pro]': [0.0, 1.0, nan], 'y': [1, 2, 3]}
    """
    columns = {}
    for name in data.columns:
        column = data[name]
        if name not in drivers or _numeric(column):
            columns[name] = column
            continue
        text = column.astype("str").where(column.notna())
        levels = sorted(text.dropna().unique())
        if len(levels) < 2:
            raise DataError(f"categorical driver {name!r} has fewer than two levels: {levels}", column=name,
                            rule="at least two levels")
        for level in levels[1:]:
            columns[f"{name}[{level}]"] = (text == level).astype("float64").where(text.notna())
    return pd.DataFrame(columns, index=data.index)


def driver_columns(columns: Sequence[str], drivers: Sequence[str]) -> list[str]:
    """The columns of each driver in turn: the driver itself, or its dummies (see :func:`with_dummies`)."""
    return [c for d in drivers for c in ([d] if d in columns else [c for c in columns if c.startswith(f"{d}[")])]


def _complete_rows(x: np.ndarray, data: pd.DataFrame, names: list[str], weights: str | None,
                   missing: str) -> tuple[np.ndarray, np.ndarray | None, list[str], int]:
    keep = ~np.isnan(x).any(axis=1) if missing == "listwise" else ~np.isnan(x[:, 0])
    w = None
    if weights:
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype="float64")
        bad = keep & (~np.isfinite(w) | (w <= 0))
        if bad.any():
            raise DataError(f"weights in {weights!r} must be positive numbers; {int(bad.sum())} rows are not",
                            column=weights, rule="weight above 0", rows=np.flatnonzero(bad)[:5])
        w = w[keep]
    dropped = int((~keep).sum())
    return (x[keep] if dropped else x), w, names, dropped


def _as_float(column: pd.Series, name: str) -> np.ndarray:
    try:
        return column.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise numbers_error(column, name) from None


def numbers_error(column: pd.Series, name: str) -> DataError:
    """The error of a column that must hold numbers and does not: the values that are none, and what to do."""
    present = column.dropna()
    words = present[pd.to_numeric(present, errors="coerce").isna()].drop_duplicates()
    return DataError(f"column {name!r} must hold numbers, but holds {', '.join(map(repr, words.iloc[:3]))} among "
                     "them: store the column as numbers where the file is made, or let a study read the file with "
                     "backend 'pandas', which leaves such values out and counts them", column=name, rule="numeric")


def crossproducts(x: np.ndarray, columns: Sequence[str], weights: np.ndarray | None = None) -> CrossProducts:
    """Count, means and covariance of the rows of ``x`` (one sample).

    >>> cp = crossproducts(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 7.0]]), ["y", "x"])
    >>> cp.cov[0].round(12).tolist()
    [[1.0, 2.5], [2.5, 6.333333333333]]
    """
    n = len(x)
    wsum = float(n) if weights is None else float(weights.sum())
    mean = x.mean(axis=0) if weights is None else weights @ x / wsum
    denominator = wsum - 1 if weights is None else wsum
    # The Gram matrix of the raw rows avoids copying them; it loses digits only when a
    # column's mean dwarfs its spread, and then the rows are centred first.
    gram = x.T @ x if weights is None else (x * weights[:, None]).T @ x
    cov = (gram - wsum * np.outer(mean, mean)) / denominator
    if np.any(np.diag(cov) < 1e-6 * mean**2):
        centered = x - mean
        cov = (centered.T @ centered if weights is None else (centered * weights[:, None]).T @ centered) / denominator
    return CrossProducts(tuple(columns), np.array([len(x)]), np.array([wsum]), mean[None, :], cov[None, :, :])


def _products(x: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: [w, w*x_a, w*x_a*x_b for a <= b], of the centred rows; and the pair indices."""
    n, k = x.shape
    x = x - x.mean(axis=0)  # centred first: the covariance is unchanged and the sums lose no precision
    ia, ib = np.triu_indices(k)
    w = np.ones(n) if weights is None else weights
    products = np.empty((n, 1 + k + len(ia)))
    products[:, 0] = w
    products[:, 1:1 + k] = x * w[:, None]
    products[:, 1 + k:] = x[:, ia] * x[:, ib] * w[:, None]
    return products, ia, ib


def _from_sums(sums: np.ndarray, k: int, ia, ib, n: np.ndarray, columns, weighted: bool) -> CrossProducts:
    """Means and covariances from sums of products (one row of sums per sample)."""
    wsum = sums[:, 0]
    mean = sums[:, 1:1 + k] / wsum[:, None]
    second = np.empty((len(sums), k, k))
    second[:, ia, ib] = sums[:, 1 + k:]
    second[:, ib, ia] = sums[:, 1 + k:]
    denominator = wsum if weighted else wsum - 1
    cov = (second - wsum[:, None, None] * mean[:, :, None] * mean[:, None, :]) / denominator[:, None, None]
    return CrossProducts(tuple(columns), n, wsum, mean, cov)


def bootstrap_crossproducts(x: np.ndarray, columns: Sequence[str], n_boot: int, seed: int | None,
                            weights: np.ndarray | None = None, chunk: int = 50) -> CrossProducts:
    """Cross-products of ``n_boot`` row resamples (with replacement), never refitting on rows.

    Each resample is a vector of counts c (how often each row was drawn); its weighted
    sums are ``c @ [w, w*x_a, w*x_a*x_b]`` for every pair (a, b), one matrix product per
    chunk of resamples. Survey weights multiply the counts.
    """
    rng = np.random.default_rng(seed)
    n, k = x.shape
    products, ia, ib = _products(x, weights)
    sums = np.empty((n_boot, products.shape[1]))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(stop - start)])
        sums[start:stop] = counts @ products
    return _from_sums(sums, k, ia, ib, np.full(n_boot, n), columns, weights is not None)


def jackknife_crossproducts(x: np.ndarray, columns: Sequence[str], groups: int = 50, seed: int | None = 0,
                            weights: np.ndarray | None = None) -> CrossProducts:
    """Delete-a-group jackknife: the cross-products without each of ``groups`` random groups of rows.

    Used for the acceleration of BCa intervals (Efron & Tibshirani 1993, section 14.3;
    the grouped jackknife keeps it to ``groups`` replicates instead of n).
    """
    n, k = x.shape
    products, ia, ib = _products(x, weights)
    label = np.random.default_rng(seed).permutation(n) % groups
    by_group = np.stack([np.bincount(label, weights=products[:, j], minlength=groups)
                         for j in range(products.shape[1])], axis=1)
    sums = by_group.sum(axis=0) - by_group
    sizes = n - np.bincount(label, minlength=groups)
    return _from_sums(sums, k, ia, ib, sizes, columns, weights is not None)
