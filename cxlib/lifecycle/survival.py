"""Survival of customers: Kaplan-Meier per segment, median lifetime, survival at horizons, log-rank.

The reduce step counts, per segment and time, the events (churns), the exits (churns and
censorings) and the entries; Kaplan-Meier, Greenwood's variance and the log-rank test
all follow from those counts (one ``bincount`` when durations are whole time units).

* Kaplan-Meier: ``S(t) = prod over event times u <= t of (1 - d_u / n_u)``, with ``n_u``
  the customers at risk (entered before u and not yet gone); Greenwood's variance
  ``S(t)^2 sum d_u / (n_u (n_u - d_u))`` (Kaplan & Meier 1958; Greenwood 1926). Pointwise
  intervals use the log(-log) transform (Kalbfleisch & Prentice 2002), which stays in [0, 1].
* Delayed entry (left truncation): customers who joined before records began enter the
  risk set when records began (``entry``, the first tenure at which they are observed),
  not at signup; without it their survival would be overstated. A customer is at risk
  at t when ``entry <= t <= duration`` (statsmodels' ``entry < t`` with entry - 1/2, for
  whole time units).
* Median lifetime and its interval: the first time S drops to 0.5 or below, or, where S rests
  at exactly 0.5 until a later time, the middle of that stretch (as R's ``survfit`` and SAS;
  lifelines and statsmodels take its end); the interval
  inverts z-tests on the cloglog scale, as SAS and statsmodels ``quantile_ci`` do
  (Brookmeyer & Crowley 1982). Where no time passes the test because S falls across 0.5 in
  one step (contracts that end together at month 12), the median is pinned to that step:
  the interval is the median itself, as R's ``survfit`` and lifelines give.
* Constant hazard (exponential model) per segment: events over exposure,
  ``lambda = d / sum(duration - entry)``, with the exact Poisson interval of d (Garwood
  1936) divided by the exposure; the probability of leaving within a period L is
  ``1 - exp(-lambda L)``. A summary for economics where a single rate is wanted; the
  Kaplan-Meier curve shows how the hazard changes with tenure.
* Log-rank test across segments: observed minus expected events per segment, with the
  hypergeometric variance, chi-square on k - 1 degrees of freedom (Mantel 1966).

Validated against statsmodels ``SurvfuncRight`` and ``survdiff`` (tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.inference import z_value
from ..core.lazy import lazy_module
from ..formatting.tables import shares_of_one
from ..io.column_names import column_arguments
from ..io.quality import DataError

stats = lazy_module("scipy.stats")

__all__ = ["SurvivalCounts", "customer_durations", "hazard_rate", "hazard_table", "kaplan_meier", "logrank", "median_survival",
           "survival_at", "survival_counts", "time_grid"]


@dataclass(frozen=True)
class SurvivalCounts:
    """Per segment (rows) and time (columns): events, exits (events + censorings) and entries."""

    segments: pd.Index
    times: np.ndarray
    events: np.ndarray
    exits: np.ndarray
    entries: np.ndarray | None

    @property
    def at_risk(self) -> np.ndarray:
        """Customers at risk at each time t: entered at or before t, and not gone before t."""
        gone_before = np.cumsum(self.exits, axis=1) - self.exits
        if self.entries is None:
            return self.exits.sum(axis=1, keepdims=True) - gone_before
        return np.cumsum(self.entries, axis=1) - gone_before

    def follow_up(self) -> dict[str, float]:
        """The longest follow-up of each segment: the last time a customer of it was seen (left or censored)."""
        return {str(segment): float(self.times[np.flatnonzero(self.exits[i])[-1]]) if self.exits[i].any() else 0.0
                for i, segment in enumerate(self.segments)}

    def known_until(self) -> dict[str, float]:
        """Per segment, the longest time the curve is known for: the longest follow-up when a customer was still
        there at the end of it (censored), else for ever (inf): when every customer seen last left, the curve has
        reached 0 and stays there."""
        out = {}
        for i, segment in enumerate(self.segments):
            seen = np.flatnonzero(self.exits[i])
            last = seen[-1] if len(seen) else None
            censored = last is None or self.exits[i, last] > self.events[i, last]
            out[str(segment)] = (0.0 if last is None else float(self.times[last])) if censored else np.inf
        return out

    def total(self) -> SurvivalCounts:
        return SurvivalCounts(pd.Index(["all"]), self.times, self.events.sum(0, keepdims=True),
                              self.exits.sum(0, keepdims=True),
                              None if self.entries is None else self.entries.sum(0, keepdims=True))


@column_arguments("signup", "churn", data="customers")
def customer_durations(customers: pd.DataFrame, signup: str = "signup_date", churn: str = "churn_date",
                       as_of=None, observed_from=None, unit: str = "D") -> pd.DataFrame:
    """Duration (whole ``unit``s: "D" days, "M" months of 30.44 days), event and entry of each customer.

    A customer with a churn date churned (event) after ``churn - signup``; one without is
    censored at ``as_of`` (default: the latest date in the table). With ``observed_from``
    (the day records began), customers who signed up earlier enter at
    ``observed_from - signup`` (delayed entry), the others at 0. Rows with a churn date
    after ``as_of`` are an error.
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else max(customers[signup].max(), customers[churn].max())
    late = customers[churn] > as_of
    if late.any():
        raise DataError(f"{int(late.sum())} churn dates fall after as_of {as_of:%Y-%m-%d}", column=churn,
                        rule="churn on or before as_of", rows=np.flatnonzero(late)[:5])
    days_per_unit = {"D": 1.0, "M": 30.44}[unit]
    end = customers[churn].fillna(as_of)
    out = pd.DataFrame({"duration": np.floor((end - customers[signup]).dt.days / days_per_unit),
                        "event": customers[churn].notna().to_numpy()}, index=customers.index)
    if observed_from is not None:
        start = pd.Timestamp(observed_from)
        out["entry"] = np.floor(np.maximum((start - customers[signup]).dt.days, 0) / days_per_unit)
    return out


def _segment_codes(segment: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted labels of the segments present; a categorical column's codes are used as they are."""
    if isinstance(segment.dtype, pd.CategoricalDtype) and segment.cat.ordered is False:
        codes = segment.cat.codes.to_numpy().astype(np.int64)
        present = np.bincount(codes[codes >= 0], minlength=len(segment.cat.categories)) > 0
        categories = segment.cat.categories
        if present.all() and categories.is_monotonic_increasing:
            return codes, pd.Index(categories, name=segment.name)
    codes, uniques = pd.factorize(segment, sort=True)
    return codes, pd.Index(uniques, name=segment.name)


def time_grid(times: np.ndarray, rows: int) -> np.ndarray:
    """The time axis of the counts: every whole unit from 0 to the longest time when the times are whole numbers
    and the longest is at most ``4 * rows + 1024`` (then one ``bincount`` counts them), else the distinct times.
    Memory grows with the number of rows or of distinct times, never with a value in the data.

    >>> time_grid(np.array([0.0, 3.0, 3.0]), 3), time_grid(np.array([2.0, 1e9]), 2)
    (array([0., 1., 2., 3.]), array([2.e+00, 1.e+09]))
    """
    longest = times.max(initial=0)
    if longest <= 4 * rows + 1024 and np.all(times == np.round(times)):
        return np.arange(int(longest) + 1, dtype=float)
    return np.unique(times)


def survival_counts(duration: np.ndarray, event: np.ndarray, entry: np.ndarray | None = None,
                    segment: pd.Series | None = None) -> SurvivalCounts:
    """Count events, exits and entries per segment and time (the reduce step)."""
    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=bool)
    if np.isnan(duration).any() or (duration < 0).any():
        raise DataError("durations must be present and not negative", column="duration", rule="duration >= 0",
                        rows=np.flatnonzero(np.isnan(duration) | (duration < 0))[:5])
    if entry is not None:
        entry = np.asarray(entry, dtype=float)
        if (entry > duration).any():
            raise DataError("an entry time is after its exit time", column="entry", rule="entry <= duration",
                            rows=np.flatnonzero(entry > duration)[:5])
    if segment is None:
        codes, labels = np.zeros(len(duration), dtype=np.int64), pd.Index(["all"])
    else:
        codes, labels = _segment_codes(segment)
        if (codes < 0).any():
            raise DataError(f"segment column {segment.name!r} has missing values", column=segment.name,
                            rule="segment present", rows=np.flatnonzero(codes < 0)[:5])
    times = time_grid(np.concatenate([duration, [] if entry is None else entry]), len(duration))
    if len(times) and times[-1] == len(times) - 1 and times[0] == 0:  # every whole unit: the index is the time
        exit_index = duration.astype(np.int64)
        entry_index = None if entry is None else entry.astype(np.int64)
    else:
        exit_index = np.searchsorted(times, duration)
        entry_index = None if entry is None else np.searchsorted(times, entry)
    k, t = len(labels), len(times)
    cell = codes * t + exit_index
    exits = np.bincount(cell, minlength=k * t).reshape(k, t)
    events = np.bincount(cell[event], minlength=k * t).reshape(k, t)
    entries = None if entry is None else np.bincount(codes * t + entry_index, minlength=k * t).reshape(k, t)
    return SurvivalCounts(labels, times, events, exits, entries)


def kaplan_meier(counts: SurvivalCounts, ci: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate per segment at each event time, with Greenwood SE and log(-log) interval.

    Tidy: segment, time, at_risk, events, survival, se, ci_low, ci_high.
    """
    z = z_value(ci)
    n, d = counts.at_risk.astype(float), counts.events.astype(float)
    parts = []
    for i, segment in enumerate(counts.segments):
        keep = d[i] > 0
        ni, di = n[i, keep], d[i, keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            surv = np.cumprod(1 - di / ni)
            greenwood = np.cumsum(di / (ni * (ni - di)))
            se = surv * np.sqrt(greenwood)
            spread = z * np.sqrt(greenwood) / np.abs(np.log(surv))
            low, high = surv ** np.exp(spread), surv ** np.exp(-spread)
        parts.append(pd.DataFrame({"segment": str(segment), "time": counts.times[keep], "at_risk": ni.astype(int),
                                   "events": di.astype(int), "survival": surv,
                                   "ci_low": np.where(surv > 0, low, 0.0), "ci_high": np.where(surv > 0, high, 0.0),
                                   "se": se}))
    return shares_of_one(pd.concat(parts, ignore_index=True), "survival", "se")


def survival_at(km: pd.DataFrame, horizons: Sequence[float], segments: Sequence[str] | None = None,
                follow_up: Mapping[str, float] | None = None,
                known_until: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Survival (with interval) at each horizon: the Kaplan-Meier step at or before it (1 before any event).

    The value at t is ``P(T > t)``: the share who stay *longer than* t. With
    ``known_until`` (segment -> :meth:`SurvivalCounts.known_until`), a horizon past it is
    not estimable from the data: a customer was still there at the end of the longest
    follow-up, so what happens later is unknown; its survival and interval are missing
    and ``note`` says why, rather than the curve's last value carried forward as if it
    were known. Past the longest follow-up of a segment whose last customers all left,
    the curve is known: it has reached 0. ``follow_up`` (segment -> longest follow-up,
    :meth:`SurvivalCounts.follow_up`) becomes a column.
    """
    rows = []
    for segment in segments if segments is not None else km["segment"].unique():
        table = km[km["segment"] == str(segment)]
        last = (known_until or {}).get(str(segment), np.inf)
        for h in horizons:
            before = table[table["time"] <= h]
            if h > last:
                rows.append({"segment": str(segment), "t": h, "survival": np.nan, "ci_low": np.nan,
                             "ci_high": np.nan, "note": "not estimable: past the longest follow-up"})
            elif before.empty:
                rows.append({"segment": str(segment), "t": h, "survival": 1.0, "ci_low": 1.0, "ci_high": 1.0,
                             "note": None})
            else:
                step = before.iloc[-1]
                rows.append({"segment": str(segment), "t": h, "survival": step["survival"], "ci_low": step["ci_low"],
                             "ci_high": step["ci_high"], "note": None})
    out = pd.DataFrame(rows, columns=["segment", "t", "survival", "ci_low", "ci_high", "note"])
    if follow_up is not None:
        out.insert(5, "follow_up", out["segment"].map(follow_up))
    return shares_of_one(out, "survival")


def median_survival(km: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Median lifetime per segment and its interval (inf where the curve never falls that far)."""
    z = z_value(ci)
    rows = []
    for segment, table in km.groupby("segment", sort=False):
        s, se, t = table["survival"].to_numpy(), table["se"].to_numpy(), table["time"].to_numpy()
        below = np.flatnonzero(s <= 0.5)
        median = t[below[0]] if len(below) else np.inf
        under = np.flatnonzero(s < 0.5)
        if len(below) and np.isclose(s[below[0]], 0.5) and len(under):  # S rests at exactly one half: the middle
            median = (t[below[0]] + t[under[0]]) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (np.log(-np.log(s)) - np.log(-np.log(0.5))) / (-1 / (s * np.log(s)) * se)
        inside = np.flatnonzero(np.abs(r) <= z)
        if not len(inside) and np.isfinite(median):  # S jumps across 0.5 in one step: every time before it is
            low = high = median                          # clearly above, every time from it clearly below
        else:
            low = t[inside[0]] if len(inside) else np.nan
            high = np.inf if not len(inside) or inside[-1] == len(t) - 1 else t[inside[-1] + 1]
        rows.append({"segment": segment, "median": median, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def logrank(counts: SurvivalCounts) -> dict:
    """Log-rank test that all segments share one survival curve: statistic, df, p_value.

    Where the variance is singular (a segment whose customers all left at a time when
    everyone at risk left), a generalized inverse is used and df is its rank, as R's
    ``survdiff`` does; with no information at all the test is not made (NaN).

    >>> c = survival_counts(np.array([1, 2, 3, 4, 2, 3, 5, 6]), np.ones(8, bool),
    ...                     segment=pd.Series(list("aaaabbbb"), name="g"))
    >>> {k: round(v, 4) for k, v in logrank(c).items()}
    {'statistic': 1.8371, 'df': 1, 'p_value': 0.1753}
    """
    k = len(counts.segments)
    if k < 2:
        return {"statistic": np.nan, "df": 0, "p_value": np.nan}
    n_g, d_g = counts.at_risk.astype(float), counts.events.astype(float)
    n, d = n_g.sum(axis=0), d_g.sum(axis=0)
    use = (d > 0) & (n > 1)
    n_g, d_g, n, d = n_g[:, use], d_g[:, use], n[use], d[use]
    observed_minus_expected = (d_g - n_g * d / n).sum(axis=1)
    factor = d * (n - d) / (n - 1)
    share = n_g / n
    cov = np.einsum("t,it->i", factor, share)[:, None] * np.eye(k) - np.einsum("t,it,jt->ij", factor, share, share)
    u, v = observed_minus_expected[:-1], cov[:-1, :-1]
    rank = int(np.linalg.matrix_rank(v)) if len(v) else 0
    if rank == 0:  # no information: every event at a time when all at risk left (the variance is 0), or none
        return {"statistic": np.nan, "df": 0, "p_value": np.nan}
    # a generalized inverse where segments carry no information (R's survdiff: df is the variance's rank)
    statistic = float(u @ (np.linalg.solve(v, u) if rank == k - 1 else np.linalg.pinv(v) @ u))
    return {"statistic": statistic, "df": rank, "p_value": float(stats.chi2.sf(statistic, rank))}


def hazard_rate(duration: np.ndarray, event: np.ndarray, entry: np.ndarray | None = None,
                segment: pd.Series | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Constant hazard per segment: events / exposure with the exact Poisson interval (module docstring).

    Tidy: segment, events, exposure (time units at risk), hazard, ci_low, ci_high (per time unit).

    >>> hazard_rate(np.array([10.0, 20.0, 30.0, 40.0]), np.array([1, 0, 1, 0], bool)).round(5)
      segment  events  exposure  hazard   ci_low  ci_high
    0     all       2     100.0    0.02  0.00242  0.07225
    """
    duration = np.asarray(duration, dtype=float)
    exposure = duration - (0.0 if entry is None else np.asarray(entry, dtype=float))
    event = np.asarray(event, dtype=bool)
    if segment is None:
        codes, labels = np.zeros(len(duration), dtype=np.int64), pd.Index(["all"])
    else:
        codes, labels = pd.factorize(segment, sort=True)
    d = np.bincount(codes, weights=event, minlength=len(labels))
    e = np.bincount(codes, weights=exposure, minlength=len(labels))
    return hazard_table([str(s) for s in labels], d, e, ci)


def hazard_table(segments: Sequence[str], events: np.ndarray, exposure: np.ndarray, ci: float = 0.95) -> pd.DataFrame:
    """:func:`hazard_rate` from each segment's events and exposure: ``d / E`` with the exact Poisson interval
    ``chi2(alpha/2; 2d) / 2E`` to ``chi2(1 - alpha/2; 2d + 2) / 2E`` (Garwood 1936)."""
    d, e = np.asarray(events, dtype=float), np.asarray(exposure, dtype=float)
    alpha = 1 - ci
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(d > 0, stats.chi2.ppf(alpha / 2, 2 * d) / 2, 0.0) / e
        high = stats.chi2.ppf(1 - alpha / 2, 2 * (d + 1)) / 2 / e
        return pd.DataFrame({"segment": list(segments), "events": d.astype(int), "exposure": e,
                             "hazard": d / e, "ci_low": low, "ci_high": high})
