"""Rates: successes over trials per group, with Wilson intervals (the reduce step for rates).

Churn, first-contact resolution and response-within-24-hours are all a count of
"successes" over a count of eligible cases per period and segment; :func:`rate_table`
turns those numerators and denominators into percentages with Wilson score intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N, Estimate
from ..core.inference import wilson_interval

__all__ = ["count_estimate", "rate_estimate", "rate_table", "rate_table_from_counts"]


def rate_table(success: pd.Series, by: Sequence[pd.Series] = (), ci: float = 0.95, min_n: int = MIN_N) -> pd.DataFrame:
    """Per group: n (eligible rows), successes, rate (%), ci_low, ci_high, small_n.

    ``success`` is boolean with missing values for rows that are not eligible (they are
    left out of n); ``by`` are aligned Series to group by.

    >>> rate_table(pd.Series([True, False, True, None], dtype="boolean"))[["n", "successes", "rate"]]
       n  successes       rate
    0  3          2  66.666667
    """
    eligible = success.notna()
    frame = pd.DataFrame({"_success": success[eligible].astype(bool)})
    keys = []
    for key in by:
        frame[key.name] = key[eligible]
        keys.append(key.name)
    if keys:
        grouped = frame.groupby(keys, observed=True, sort=True)["_success"].agg(["size", "sum"]).reset_index()
    else:
        grouped = pd.DataFrame({"size": [len(frame)], "sum": [int(frame["_success"].sum())]})
    return rate_table_from_counts(grouped.rename(columns={"size": "n", "sum": "successes"}), keys, ci, min_n)


def rate_table_from_counts(counts: pd.DataFrame, keys: Sequence[str] = (), ci: float = 0.95,
                           min_n: int = MIN_N) -> pd.DataFrame:
    """The rate table from counted groups: columns ``keys``, ``n`` and ``successes`` (any backend's reduce step).

    >>> rate_table_from_counts(pd.DataFrame({"n": [3], "successes": [2]}))[["n", "successes", "rate"]]
       n  successes       rate
    0  3          2  66.666667
    """
    n = counts["n"].to_numpy(dtype=float)
    successes = counts["successes"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = successes / n
    low, high = wilson_interval(share, n, ci)
    out = counts[list(keys)].copy()
    out["n"], out["successes"] = counts["n"].astype(int), counts["successes"].astype(int)
    out["rate"], out["ci_low"], out["ci_high"] = 100 * share, 100 * low, 100 * high
    out["small_n"] = n < min_n
    return out


def count_estimate(successes: int, n: int, metric: str, ci: float = 0.95) -> Estimate:
    """A rate (%) from its numerator and denominator, with Wilson's interval.

    >>> print(count_estimate(110, 2996, "churn %"))
    churn % 3.7 (3.1 to 4.4), n = 2,996
    """
    share = successes / n if n else float("nan")
    low, high = wilson_interval(np.array(share), np.array(float(n)), ci)
    se = 100 * float(np.sqrt(share * (1 - share) / n)) if n else float("nan")
    return Estimate(metric=metric, value=100 * share, ci_low=100 * float(low), ci_high=100 * float(high), n=int(n),
                    se=se, ci=ci, method="wilson", components={"successes": int(successes)})


def rate_estimate(success: pd.Series, metric: str, ci: float = 0.95) -> Estimate:
    """One rate (%) with its Wilson interval; missing values are not eligible."""
    eligible = success.dropna().astype(bool)
    return count_estimate(int(eligible.sum()), len(eligible), metric, ci)
