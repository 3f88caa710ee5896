"""Social engagement: engagement rate per channel and period, messages answered within 24 hours.

The ``social`` table has one row per post: impressions, likes, shares, comments, and the
inbound messages it drew with how many were answered within 24 hours.

* **Engagement rate** = (likes + shares + comments) / impressions, a ratio of sums over
  posts. Posts differ in how engaging they are, so the variance is that of a ratio
  estimator with posts as the sampled units (Cochran 1977, sec. 6.4):
  ``Var(r) = n / (n - 1) * sum_j (e_j - r i_j)^2 / (sum_j i_j)^2``, which is larger than a
  binomial variance over impressions would claim; intervals are r +/- z se.
* **Answered within 24 hours** = answered / inbound messages, with Wilson's interval
  (each message counted as one trial).
* **Trend**: the rate per period and its change per period (weighted least squares,
  :func:`cxlib.metrics.trends.period_slope`); **channels** each against all others (difference
  of rates with interval, z-test, Holm-adjusted).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N
from ..core.inference import holm, wilson_interval, z_value
from ..core.lazy import lazy_module
from ..io.column_names import column_arguments
from ..io.quality import check_columns
from .trends import period_slope

stats = lazy_module("scipy.stats")

__all__ = ["channel_comparison", "engagement_table", "engagement_trend", "response_table"]

ENGAGEMENTS = ("likes", "shares", "comments")


def _check(social: pd.DataFrame, columns: Sequence[str]) -> None:
    check_columns(columns, social.columns, "social table column")


def _ratio(engaged: np.ndarray, impressions: np.ndarray) -> tuple[float, float]:
    """Ratio of sums and its linearization standard error (module docstring)."""
    n, total = len(engaged), impressions.sum()
    if n == 0 or total == 0:
        return np.nan, np.nan
    rate = engaged.sum() / total
    if n < 2:
        return rate, np.nan
    residual = engaged - rate * impressions
    return rate, float(np.sqrt(n / (n - 1) * (residual ** 2).sum()) / total)


def _periods(social: pd.DataFrame, freq: str) -> pd.Series:
    return pd.to_datetime(social["date"]).dt.to_period(freq).astype(str).rename("period")


@column_arguments("by", data="social")
def engagement_table(social: pd.DataFrame, by: str | Sequence[str] | None = "channel", freq: str | None = None,
                     ci: float = 0.95) -> pd.DataFrame:
    """Engagement rate (%) per group of ``by`` (and period, with ``freq`` "M"/"Q"/"Y").

    Tidy: [by...], [period], posts, impressions, engagements, rate, ci_low, ci_high, se,
    small_n (fewer than 30 posts).
    """
    _check(social, ["impressions", *ENGAGEMENTS])
    keys = [by] if isinstance(by, str) else list(by or [])
    frame = social.assign(_engaged=social[list(ENGAGEMENTS)].sum(axis=1).astype(float),
                          _impressions=social["impressions"].astype(float))
    if freq:
        frame = frame.assign(period=_periods(social, freq))
        keys = [*keys, "period"]
    groups = frame.groupby(keys, sort=True, observed=True) if keys else [((), frame)]
    z = z_value(ci)
    rows = []
    for key, rows_of in groups:
        rate, se = _ratio(rows_of["_engaged"].to_numpy(), rows_of["_impressions"].to_numpy())
        label = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        rows.append({**label, "posts": len(rows_of), "impressions": int(rows_of["_impressions"].sum()),
                     "engagements": int(rows_of["_engaged"].sum()), "rate": 100 * rate,
                     "ci_low": 100 * (rate - z * se), "ci_high": 100 * (rate + z * se), "se": 100 * se,
                     "small_n": len(rows_of) < MIN_N})
    return pd.DataFrame(rows)


@column_arguments("by", data="social")
def response_table(social: pd.DataFrame, by: str | Sequence[str] | None = "channel", freq: str | None = None,
                   ci: float = 0.95) -> pd.DataFrame:
    """Share (%) of inbound messages answered within 24 hours, per group, with Wilson intervals.

    Tidy: [by...], [period], messages, answered, share, ci_low, ci_high, small_n.
    """
    _check(social, ["inbound_messages", "answered_within_24h"])
    keys = [by] if isinstance(by, str) else list(by or [])
    frame = social.assign(period=_periods(social, freq)) if freq else social
    keys = [*keys, "period"] if freq else keys
    sums = (frame.groupby(keys, sort=True, observed=True)[["inbound_messages", "answered_within_24h"]].sum()
            .reset_index() if keys else frame[["inbound_messages", "answered_within_24h"]].sum().to_frame().T)
    sums = sums.rename(columns={"inbound_messages": "messages", "answered_within_24h": "answered"})
    n = sums["messages"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = sums["answered"].to_numpy(dtype=float) / n
    low, high = wilson_interval(share, n, ci)
    return sums.assign(share=100 * share, ci_low=100 * low, ci_high=100 * high, small_n=n < MIN_N)


@column_arguments("by", data="social")
def engagement_trend(social: pd.DataFrame, by: str = "channel", freq: str = "Q", ci: float = 0.95) -> pd.DataFrame:
    """Per group: the change of the engagement rate per period (points of %), with interval and p-value."""
    table = engagement_table(social, by, freq, ci)
    rows = []
    for key, periods in table.groupby(by, sort=True):
        periods = periods.assign(t=np.arange(len(periods)), value=periods["rate"], n=periods["posts"])
        rows.append({by: key, **period_slope(periods, ci)})
    return pd.DataFrame(rows)


@column_arguments("by", data="social")
def channel_comparison(social: pd.DataFrame, by: str = "channel", ci: float = 0.95) -> pd.DataFrame:
    """Each channel's engagement rate against all other posts: difference (points), interval, Holm p-values."""
    _check(social, [by, "impressions", *ENGAGEMENTS])
    engaged = social[list(ENGAGEMENTS)].sum(axis=1).to_numpy(dtype=float)
    impressions = social["impressions"].to_numpy(dtype=float)
    z = z_value(ci)
    rows = []
    for channel in sorted(social[by].dropna().unique()):
        inside = (social[by] == channel).to_numpy()
        rate_in, se_in = _ratio(engaged[inside], impressions[inside])
        rate_out, se_out = _ratio(engaged[~inside], impressions[~inside])
        diff, se = rate_in - rate_out, np.hypot(se_in, se_out)
        rows.append({by: channel, "rate": 100 * rate_in, "rest": 100 * rate_out, "difference": 100 * diff,
                     "diff_ci_low": 100 * (diff - z * se), "diff_ci_high": 100 * (diff + z * se),
                     "p_value": float(2 * stats.norm.sf(abs(diff / se))) if se > 0 else np.nan})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["significant"] = out["p_adjusted"] < 0.05
    return out
