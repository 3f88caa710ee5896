"""Key drivers per segment: each segment analysed on its own rows, segments too small or without variation
listed with the reason, and whether a group's share differs between segments (bootstrap, Holm).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.inference import holm
from ..formatting.tables import shares_of_one
from ..io.column_names import column_arguments
from ..io.quality import DataError
from .crossprod import (
    driver_columns,
)
from .key_drivers import _check_request, _rescaled, key_drivers
from .result import KeyDrivers
from .shapley import MAX_EXACT

__all__ = ["MIN_SEGMENT_ROWS", "SEGMENT_DIFFERENCES", "SEGMENT_SHARES", "TOO_SMALL", "WITHIN_SEGMENT",
           "NotAnalysed", "segment_drivers", "segment_drivers_from_source"]

MIN_SEGMENT_ROWS = 200  # complete answers a segment needs to be analysed on its own


def segment_drivers_from_source(source, outcome: str, by: str, groups: Mapping[str, Sequence[str]],
                                n_boot: int = 1000, seed: int | None = 0, ci: float = 0.95, min_n: int = MIN_SEGMENT_ROWS,
                                sample_size: int = 100_000, weights: str | None = None,
                                min_sample: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`segment_drivers` on any backend: cross-products per segment, bootstrap from one seeded sample.

    Each segment's intervals come from its rows in the sample, rescaled by sqrt(m_s / n_s)
    (see :func:`key_drivers_from_source`); a segment with fewer than ``min_sample``
    complete rows in the sample is skipped and listed (raise ``sample_size``).
    """
    drivers, groups = _check_request(None, groups, "percentile")
    names = [outcome, *driver_columns(source.columns(), drivers)]
    full = source.crossproducts(names, by=by, weights=weights)
    rows = source.sample([*names, by, *([weights] if weights else [])], sample_size, seed or 0) if n_boot else None
    results = {}
    for segment, cp in full.items():
        part = None if rows is None else rows[rows[by] == segment].dropna(subset=names)
        too_small = cp.n[0] < min_n or (part is not None and len(part) < min_sample)
        results[str(segment)] = _segment_fit(int(cp.n[0]), too_small, lambda cp=cp, part=part: _rescaled(
            cp, part, int(cp.n[0]), names, drivers, groups, weights, n_boot, seed, ci, "percentile", MAX_EXACT, 2000))
    return _segment_comparison(results, list(groups), ci)


@column_arguments("outcome", "by", members_of=("groups",))
def segment_drivers(data: pd.DataFrame, outcome: str, by: str, groups: Mapping[str, Sequence[str]],
                    n_boot: int = 1000, seed: int | None = 0, ci: float = 0.95, min_n: int = MIN_SEGMENT_ROWS,
                    **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group shares per segment of ``by``, and whether they differ between segments.

    Each segment is analysed (and bootstrapped) on its own rows; the difference of a
    group's share between two segments gets a percentile interval from the independent
    resamples and a two-sided bootstrap p-value, Holm-adjusted over all comparisons.
    A segment with fewer than ``min_n`` complete rows is not analysed: its rows in the shares
    table have no share and ``analysed`` False, with its n, so that no segment is dropped
    unseen. Returns (shares: segment, group, share, ci_low, ci_high, n, analysed;
    differences: group, segment_a, segment_b, difference, ci_low, ci_high, p_value,
    p_adjusted, significant), the differences empty when fewer than two segments are analysed.
    """
    results = {}
    for segment, rows in data.groupby(by, sort=True, observed=True):
        complete = rows.dropna(subset=[outcome, *[d for m in groups.values() for d in m]])
        results[str(segment)] = _segment_fit(len(complete), len(complete) < min_n, lambda rows=rows: key_drivers(
            rows, outcome, groups=groups, n_boot=n_boot, seed=seed, ci=ci, **kwargs))
    return _segment_comparison(results, list(groups), ci)


@dataclass(frozen=True)
class NotAnalysed:
    """A segment left out of the segment comparison: its complete answers and why ("too small", or the driver
    that does not vary, or the drivers that move together, within it)."""

    n: int
    reason: str


def _segment_fit(n: int, too_small: bool, fit) -> KeyDrivers | NotAnalysed:
    """``fit()`` for one segment, or why it cannot be analysed on its own: too few answers, or drivers that vary
    overall but not within it (a constant, or two that move together), which only that segment's fit meets."""
    if too_small:
        return NotAnalysed(n, TOO_SMALL)
    try:
        return fit()
    except DataError as exc:
        if exc.rule not in WITHIN_SEGMENT:
            raise
        return NotAnalysed(n, f"{exc.column} {WITHIN_SEGMENT[exc.rule]}")


WITHIN_SEGMENT = {"outcome varies": "does not vary within it", "driver varies": "does not vary within it",
                  "drivers not collinear": "moves with another driver within it"}  # a fit's rule -> the reason


SEGMENT_SHARES = ["segment", "group", "share", "ci_low", "ci_high", "n", "analysed", "reason"]


TOO_SMALL = "too few complete answers"  # the reason a segment most often is not analysed on its own


SEGMENT_DIFFERENCES = ["group", "segment_a", "segment_b", "difference", "ci_low", "ci_high", "p_value", "p_adjusted",
                       "significant"]


def _segment_comparison(outcomes: Mapping[str, KeyDrivers | NotAnalysed], groups: list[str],
                        ci: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group shares per segment (a segment not analysed with its n and reason, and no share), and each pair of
    analysed segments' differences with bootstrap intervals and Holm's p."""
    parts = [r.groups[["group", "share", "ci_low", "ci_high"]].assign(segment=s, n=r.n, analysed=True, reason="")
             if isinstance(r, KeyDrivers) else pd.DataFrame({"segment": s, "group": groups, "share": np.nan,
                                                             "ci_low": np.nan, "ci_high": np.nan, "n": r.n,
                                                             "analysed": False, "reason": r.reason})
             for s, r in outcomes.items()]
    shares = shares_of_one(pd.concat(parts, ignore_index=True).reindex(columns=SEGMENT_SHARES) if parts else
                           pd.DataFrame(columns=SEGMENT_SHARES), "share")
    results = {s: r for s, r in outcomes.items() if isinstance(r, KeyDrivers)}
    rows = []
    names = list(results)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for g, group in enumerate(results[a].groups["group"]):
                diff = results[a].boot_group_shares[:, g] - results[b].boot_group_shares[:, g]
                low, high = np.quantile(diff, [(1 - ci) / 2, (1 + ci) / 2])
                rows.append({"group": group, "segment_a": a, "segment_b": b,
                             "difference": results[a].groups["share"].iloc[g] - results[b].groups["share"].iloc[g],
                             "ci_low": low, "ci_high": high,
                             "p_value": float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))})
    differences = shares_of_one(pd.DataFrame(rows, columns=SEGMENT_DIFFERENCES[:-2]), "difference", points=True)
    differences["p_adjusted"] = holm(differences["p_value"].to_numpy()) if len(differences) else []
    differences["significant"] = differences["p_adjusted"] < 1 - ci
    return shares, differences
