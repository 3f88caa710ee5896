"""Service metrics from tickets: first-contact resolution, response within N hours, resolution time.

* **FCR** is the share of resolved tickets that took one contact (tickets not yet
  resolved have no contact count and are not eligible).
* **Response within N hours** is the share of tickets answered within N hours of being
  opened. A ticket still unanswered is a miss once N hours have passed by ``as_of``;
  one opened less than N hours before ``as_of`` cannot be judged yet and is left out
  (counted in ``components["not yet due"]``).
* **Resolution time** (hours from opening to resolution, resolved tickets): median,
  90th percentile and mean, with percentile-bootstrap intervals (Efron & Tibshirani
  1993) from ``n_boot`` seeded resamples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.estimate import Estimate
from ..io.column_names import column_arguments
from .rates import rate_estimate

__all__ = ["fcr", "fcr_success", "resolution_time", "response_within", "within_success"]

STATISTICS = {"median": lambda x: np.median(x, axis=-1), "p90": lambda x: np.quantile(x, 0.9, axis=-1),
              "mean": lambda x: np.mean(x, axis=-1)}


@column_arguments("contacts", data="tickets")
def fcr_success(tickets: pd.DataFrame, contacts: str = "contacts") -> pd.Series:
    """True where a resolved ticket took one contact; missing where it is not resolved."""
    return (tickets[contacts] == 1).astype("boolean").where(tickets[contacts].notna())


@column_arguments("contacts", data="tickets")
def fcr(tickets: pd.DataFrame, contacts: str = "contacts", ci: float = 0.95) -> Estimate:
    """First-contact resolution (%) with Wilson's interval.

    >>> import cxlib as cx
    >>> print(fcr(cx.io.load().tickets))
    FCR % 69.8 (69.1 to 70.6), n = 14,345
    """
    return rate_estimate(fcr_success(tickets, contacts), "FCR %", ci)


@column_arguments("opened", "first_response", data="tickets")
def within_success(tickets: pd.DataFrame, hours: float = 24, opened: str = "opened_at",
                   first_response: str = "first_response_at", as_of=None) -> pd.Series:
    """True if answered within ``hours``, False if not, missing if it cannot be judged yet."""
    as_of = pd.Timestamp(as_of) if as_of is not None else tickets[opened].max()
    limit = pd.Timedelta(hours=hours)
    waited = tickets[first_response] - tickets[opened]
    answered = tickets[first_response].notna()
    success = pd.Series(pd.NA, index=tickets.index, dtype="boolean")
    success[answered] = (waited[answered] <= limit).to_numpy()
    overdue = ~answered & (tickets[opened] + limit <= as_of)
    success[overdue] = False
    return success


@column_arguments("opened", "first_response", data="tickets")
def response_within(tickets: pd.DataFrame, hours: float = 24, opened: str = "opened_at",
                    first_response: str = "first_response_at", as_of=None, ci: float = 0.95) -> Estimate:
    """Share (%) of tickets with a first response within ``hours`` (see the module docstring).

    >>> import cxlib as cx
    >>> print(response_within(cx.io.load().tickets, hours=24))
    first response within 24 h % 76.5 (75.9 to 77.2), n = 14,984
    """
    success = within_success(tickets, hours, opened, first_response, as_of)
    est = rate_estimate(success, f"first response within {hours:g} h %", ci)
    est.components["not yet due"] = int(success.isna().sum())
    return est


def _bootstrap(hours: np.ndarray, n_boot: int, seed: int | None, ci: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    rows = []
    draws = hours[rng.integers(0, len(hours), size=(n_boot, len(hours)))] if len(hours) else None
    for name, statistic in STATISTICS.items():
        if draws is None:
            rows.append({"statistic": name, "value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": 0})
            continue
        boot = statistic(draws)
        rows.append({"statistic": name, "value": float(statistic(hours)), "ci_low": float(np.quantile(boot, alpha)),
                     "ci_high": float(np.quantile(boot, 1 - alpha)), "n": len(hours)})
    return pd.DataFrame(rows)


@column_arguments("opened", "resolved", data="tickets")
def resolution_time(tickets: pd.DataFrame, opened: str = "opened_at", resolved: str = "resolved_at",
                    by: pd.Series | None = None, n_boot: int = 1000, seed: int | None = 0,
                    ci: float = 0.95) -> pd.DataFrame:
    """Hours from opening to resolution: median, p90 and mean with bootstrap intervals, per group of ``by``.

    >>> import cxlib as cx
    >>> resolution_time(cx.io.load().tickets, n_boot=200).round(1)
      statistic  value  ci_low  ci_high      n
    0    median   21.4    20.8     21.8  14345
    1       p90  100.0    96.7    103.4  14345
    2      mean   44.6    43.2     46.1  14345
    """
    hours = (tickets[resolved] - tickets[opened]).dt.total_seconds() / 3600
    keep = hours.notna()
    if by is None:
        return _bootstrap(hours[keep].to_numpy(), n_boot, seed, ci)
    parts = []
    for key, values in hours[keep].groupby(by[keep], sort=True, observed=True):
        part = _bootstrap(values.to_numpy(), n_boot, seed, ci)
        part.insert(0, by.name, key)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)

