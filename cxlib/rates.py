"""Rates: successes over trials per group, with Wilson intervals (the reduce step for rates).

Churn, first-contact resolution and response-within-24-hours are all a count of
"successes" over a count of eligible cases per period and segment; :func:`rate_table`
turns those numerators and denominators into percentages with Wilson score intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .estimate import MIN_N, Estimate
from .scores import wilson_interval

__all__ = ["rate_estimate", "rate_table"]


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
    n = grouped["size"].to_numpy(dtype=float)
    successes = grouped["sum"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = successes / n
    low, high = wilson_interval(share, n, ci)
    out = grouped[keys].copy()
    out["n"], out["successes"] = grouped["size"].astype(int), grouped["sum"].astype(int)
    out["rate"], out["ci_low"], out["ci_high"] = 100 * share, 100 * low, 100 * high
    out["small_n"] = n < min_n
    return out


def rate_estimate(success: pd.Series, metric: str, ci: float = 0.95) -> Estimate:
    """One rate (%) with its Wilson interval."""
    row = rate_table(success, ci=ci).iloc[0]
    n = int(row["n"])
    se = 100 * float(np.sqrt(row["rate"] / 100 * (1 - row["rate"] / 100) / n)) if n else float("nan")
    return Estimate(metric=metric, value=float(row["rate"]), ci_low=float(row["ci_low"]),
                    ci_high=float(row["ci_high"]), n=n, se=se, ci=ci, method="wilson",
                    components={"successes": int(row["successes"])})
