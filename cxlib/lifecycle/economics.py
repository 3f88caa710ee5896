"""Customer economics: lifetime value, revenue at risk, retention economics and the CX business case.

Every assumption (margin, discount rate, costs, the share of detractors a programme
moves) is a parameter; results carry the values used so that reports can state them.
Churn enters as a constant hazard per segment (:func:`cxlib.lifecycle.survival.hazard_rate`):
``P(leave within L) = 1 - exp(-lambda L)`` and retention per period ``r = exp(-lambda L)``.

* **CLV** with margin ``m`` per period, retention ``r`` and discount rate ``d`` per period,
  the current period's margin included (Gupta & Lehmann 2003, *Journal of Interactive
  Marketing* 17(1); Gupta, Lehmann & Stuart 2004)::

      CLV = sum_t m r^t / (1 + d)^t = m (1 + d) / (1 + d - r)

  Expected lifetime is ``1 / (1 - r)`` periods. CLV rises with r, so a retention interval
  maps to a CLV interval by its end points (the margin is taken as given).
* **Revenue at risk** next period: the revenue per period of each active customer times
  the segment's probability of leaving within the period, summed; the total's interval
  adds the segments' delta-method variances (``Var(lambda) = d / E^2``).
* **Retention economics**: the lifetime profit of a customer, ``CLV - acquisition cost``,
  at the observed retention and at +k points; Reichheld & Sasser (1990, *Harvard Business
  Review* 68(5)) report that +5 points raise profits by 25-95% -- here checked on the
  user's own margin, retention and costs.
* **Acquisition against retention**: a customer kept is worth their CLV, and replacing a
  lost one costs the acquisition cost (CAC) for a new customer of the same value; so
  spending on retention pays while its cost per customer actually kept stays below CAC.
  Per segment the table gives CLV / CAC and the periods of margin that repay CAC.
* **Business case** for moving a share of detractors to passives: a cohort of M moved
  customers churns at the passive hazard instead of the detractor hazard. With annual
  margin ``m`` per customer and continuous discounting ``delta = ln(1 + d)``, the discounted
  margin a customer yields over [0, t] under hazard lambda is
  ``m (1 - exp(-(lambda + delta) t)) / (lambda + delta)``; the programme's gain at t is M
  times the difference between the passive and detractor values, less running costs.
  ROI = (gain at the horizon - cost) / cost; payback = the first t > 0 where the gain covers
  the cost. Intervals propagate the uncertainty of both hazards by simulation
  (``lambda ~ Gamma(d + 1/2, 1/E)``, Jeffreys), seeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.estimate import Estimate
from ..core.inference import z_value
from ..formatting.result_view import ResultView
from ..io.column_names import column_arguments
from ..io.quality import DataError, check_columns
from .survival import hazard_table

__all__ = ["BusinessCase", "acquisition_vs_retention", "business_case", "churn_gap", "churn_gap_from_totals", "clv",
           "clv_table", "clv_table_from_totals", "clv_value", "customer_totals", "retention_economics",
           "revenue_at_risk", "revenue_at_risk_from_totals"]

DAYS_PER_YEAR = 365.25
REICHHELD_POINTS = 5
REICHHELD_RANGE = (25.0, 95.0)


def clv_value(margin: float, retention: float, discount_rate: float) -> float:
    """CLV for one retention rate (a share, 0-1): m (1 + d) / (1 + d - r) (Gupta & Lehmann 2003).

    A segment where nobody left (r = 1) is worth m (1 + d) / d: only discounting bounds it.

    >>> round(clv_value(margin=30.0, retention=0.9, discount_rate=0.02), 2)
    255.0
    >>> round(clv_value(margin=30.0, retention=1.0, discount_rate=0.02), 2)
    1530.0
    """
    if not 0 <= retention <= 1:
        raise ValueError(f"retention must be a share in [0, 1], got {retention}")
    if discount_rate < 0:
        raise ValueError(f"discount_rate must not be negative, got {discount_rate}")
    if retention == 1 and discount_rate == 0:
        raise ValueError("with nobody leaving and no discounting, a customer's value has no bound: set discount_rate")
    return margin * (1 + discount_rate) / (1 + discount_rate - retention)


def clv(margin: float, retention: Estimate, discount_rate: float) -> Estimate:
    """CLV with the interval that the retention estimate's interval implies.

    ``retention`` is an Estimate in percent (as from :func:`cxlib.lifecycle.retention.churn_rate`
    turned into retention); ``margin`` and ``discount_rate`` are per the same period.
    """
    values = [clv_value(margin, r / 100, discount_rate) for r in (retention.value, retention.ci_low,
                                                                   min(retention.ci_high, 99.999999))]
    return Estimate(metric="CLV", value=values[0], ci_low=values[1], ci_high=values[2], n=retention.n,
                    ci=retention.ci, method="retention interval mapped",
                    components={"margin": margin, "retention": retention.value, "discount_rate": discount_rate,
                                "expected_lifetime_periods": 100 / (100 - retention.value)
                                if retention.value < 100 else float("inf")})


@column_arguments("revenue", "duration", "event", "entry", "by", data="frame")
def customer_totals(frame: pd.DataFrame, revenue: str | None, duration: str = "duration", event: str = "event",
                    entry: str | None = None, by: str | None = None) -> pd.DataFrame:
    """What every table below rests on: per segment of ``by`` ("all" without) and whether the customer left, the
    customers, their time at risk (``duration - entry``) and their revenue summed.

    Tidy: segment, left, customers, exposure, revenue. A backend gives the same from one
    group-by where the data are (:meth:`cxlib.engine.Backend.totals`).

    >>> f = pd.DataFrame({"duration": [100, 200, 300], "event": [True, False, False], "revenue": [10.0, 20.0, 30.0]})
    >>> customer_totals(f, "revenue").to_dict("records")
    [{'segment': 'all', 'left': False, 'customers': 2, 'exposure': 500.0, 'revenue': 50.0}, \
{'segment': 'all', 'left': True, 'customers': 1, 'exposure': 100.0, 'revenue': 10.0}]
    """
    check_columns([c for c in (revenue, duration, event, entry, by) if c is not None], frame.columns)
    exposure = frame[duration].to_numpy(float) - (0.0 if entry is None else frame[entry].to_numpy(float))
    parts = pd.DataFrame({"segment": "all" if by is None else frame[by].astype("string").to_numpy(),
                          "left": frame[event].astype(bool).to_numpy(), "customers": 1, "exposure": exposure,
                          "revenue": 0.0 if revenue is None else frame[revenue].to_numpy(float)})
    return parts.groupby(["segment", "left"], sort=True).sum().reset_index()


def _hazards(totals: pd.DataFrame, ci: float) -> pd.DataFrame:
    """Each segment's constant hazard from :func:`customer_totals` (segments in sorted order)."""
    segments = sorted(totals["segment"].astype(str).unique())
    events = totals[totals["left"]].groupby("segment")["customers"].sum().reindex(segments, fill_value=0)
    exposure = totals.groupby("segment")["exposure"].sum().reindex(segments)
    return hazard_table(segments, events.to_numpy(), exposure.to_numpy(), ci)


def _active(totals: pd.DataFrame) -> pd.DataFrame:
    """Customers who have not left, and their revenue, per segment."""
    return totals[~totals["left"]].groupby("segment")[["customers", "revenue"]].sum()


@column_arguments("revenue", "duration", "event", "entry", "by", data="frame")
def revenue_at_risk(frame: pd.DataFrame, revenue: str, duration: str = "duration", event: str = "event",
                    entry: str | None = None, by: str | None = None, period: float = 30.0,
                    ci: float = 0.95) -> pd.DataFrame:
    """Expected revenue lost next period, per segment and in total, with intervals.

    ``revenue`` is each customer's revenue per ``period`` (in the time unit of
    ``duration``: 30 days = a month of monthly revenue). Active customers are those
    without the event. Tidy: segment, customers (active), revenue (theirs, per period),
    churn_probability (% leaving within the period) with ci_low/ci_high, revenue_at_risk
    with risk_ci_low/risk_ci_high, expected_leavers (customers expected to leave within
    the period) with leavers_ci_low/leavers_ci_high, events and exposure behind the hazard.

    >>> f = pd.DataFrame({"duration": [100, 200, 300, 400], "event": [True, False, True, False],
    ...                   "revenue": [10.0, 20.0, 30.0, 40.0]})
    >>> row = revenue_at_risk(f, "revenue").iloc[0]
    >>> [round(float(row[c]), 3) for c in ("churn_probability", "revenue_at_risk")]  # 2 events in 1000 days
    [5.824, 3.494]
    """
    return revenue_at_risk_from_totals(customer_totals(frame, revenue, duration, event, entry, by), by is not None,
                                       period, ci)


def revenue_at_risk_from_totals(totals: pd.DataFrame, by_segment: bool = True, period: float = 30.0,
                                ci: float = 0.95) -> pd.DataFrame:
    """:func:`revenue_at_risk` from :func:`customer_totals` (with ``by_segment``, a total row is added).

    The total's interval adds the segments' delta-method variances; a segment where nobody
    left adds the variance its exact upper bound implies ((upper / z)^2), so that a total
    is never certain where a segment is not.
    """
    rates = _hazards(totals, ci)
    summed = _active(totals)
    out = rates.assign(customers=rates["segment"].map(summed["customers"]).fillna(0).astype(int),
                       revenue=rates["segment"].map(summed["revenue"]).fillna(0.0))
    for name, hazard in (("churn_probability", "hazard"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        out[name] = 100 * (1 - np.exp(-out[hazard] * period))
    # delta method: d/dlambda [R (1 - exp(-lambda L))] = R L exp(-lambda L); Var(lambda) = d / E^2
    slope_variance = (period * np.exp(-out["hazard"] * period)) ** 2 * out["events"] / out["exposure"] ** 2
    whole = {}
    for name, base in (("revenue_at_risk", "revenue"), ("expected_leavers", "customers")):
        out[name] = out[base] * out["churn_probability"] / 100
        out[f"{name}_ci_low"] = out[base] * out["ci_low"] / 100
        out[f"{name}_ci_high"] = out[base] * out["ci_high"] / 100
        # a segment without events has no delta-method spread (0); its exact upper bound (Garwood) gives it one
        spread = (out[base] ** 2 * slope_variance).where(out["events"] > 0, (out[f"{name}_ci_high"] / z_value(ci)) ** 2)
        value, se = out[name].sum(), np.sqrt(spread.sum())
        whole.update({name: value, f"{name}_ci_low": max(value - z_value(ci) * se, 0.0),
                       f"{name}_ci_high": value + z_value(ci) * se})
    out = out.rename(columns={"revenue_at_risk_ci_low": "risk_ci_low", "revenue_at_risk_ci_high": "risk_ci_high",
                              "expected_leavers_ci_low": "leavers_ci_low", "expected_leavers_ci_high": "leavers_ci_high"})
    if by_segment:
        total_risk = whole["revenue_at_risk"]
        total = {"segment": "all", "events": out["events"].sum(), "exposure": out["exposure"].sum(),
                 "customers": out["customers"].sum(), "revenue": out["revenue"].sum(),
                 "revenue_at_risk": total_risk, "risk_ci_low": whole["revenue_at_risk_ci_low"],
                 "risk_ci_high": whole["revenue_at_risk_ci_high"], "expected_leavers": whole["expected_leavers"],
                 "leavers_ci_low": whole["expected_leavers_ci_low"],
                 "leavers_ci_high": whole["expected_leavers_ci_high"]}
        for name, value in (("churn_probability", whole["expected_leavers"]),
                            ("ci_low", whole["expected_leavers_ci_low"]),
                            ("ci_high", whole["expected_leavers_ci_high"])):  # a customer's chance, as in each row
            total[name] = 100 * value / total["customers"] if total["customers"] else np.nan
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["period"] = period
    return out[["segment", "customers", "revenue", "churn_probability", "ci_low", "ci_high", "revenue_at_risk",
                "risk_ci_low", "risk_ci_high", "expected_leavers", "leavers_ci_low", "leavers_ci_high", "events",
                "exposure", "period"]]


@column_arguments("revenue", "duration", "event", "entry", "by", data="frame")
def clv_table(frame: pd.DataFrame, revenue: str, margin: float, discount_rate: float, duration: str = "duration",
              event: str = "event", entry: str | None = None, by: str | None = None, period: float = 30.0,
              revenue_period: float | None = None, ci: float = 0.95) -> pd.DataFrame:
    """CLV per segment from its retention per period and its active customers' mean revenue.

    ``margin`` is the profit share of revenue (0-1) and ``discount_rate`` is per period;
    the ``revenue`` column covers ``revenue_period`` time units (default: one period), so
    monthly revenue with a yearly period is ``period=365.25, revenue_period=30``.
    Tidy: segment, customers, revenue_per_customer (per period), retention (%) with
    interval, clv with clv_ci_low/clv_ci_high, expected_lifetime (periods), and the
    assumptions used.
    """
    return clv_table_from_totals(customer_totals(frame, revenue, duration, event, entry, by), margin, discount_rate,
                                 period, revenue_period, ci)


def clv_table_from_totals(totals: pd.DataFrame, margin: float, discount_rate: float, period: float = 30.0,
                          revenue_period: float | None = None, ci: float = 0.95) -> pd.DataFrame:
    """:func:`clv_table` from :func:`customer_totals`."""
    if not 0 < margin <= 1:
        raise ValueError(f"margin is a share of revenue in (0, 1], got {margin}")
    rates = _hazards(totals, ci)
    active = _active(totals)
    mean_revenue = pd.DataFrame({"size": active["customers"],
                                 "mean": active["revenue"] / active["customers"] * period / (revenue_period or period)})
    rows = []
    for r in rates.itertuples():
        retention = Estimate("retention %", 100 * np.exp(-r.hazard * period), 100 * np.exp(-r.ci_high * period),
                             100 * np.exp(-r.ci_low * period), n=int(r.events), ci=ci)
        customers, per_customer = (mean_revenue.loc[r.segment] if r.segment in mean_revenue.index else (0, np.nan))
        value = clv(margin * per_customer, retention, discount_rate)
        rows.append({"segment": r.segment, "customers": int(customers), "revenue_per_customer": per_customer,
                     "retention": retention.value, "retention_ci_low": retention.ci_low,
                     "retention_ci_high": retention.ci_high, "clv": value.value, "clv_ci_low": value.ci_low,
                     "clv_ci_high": value.ci_high, "expected_lifetime": value.components["expected_lifetime_periods"],
                     "margin": margin, "discount_rate": discount_rate, "period": period})
    return pd.DataFrame(rows)


def retention_economics(retention: float, margin_per_period: float, discount_rate: float,
                        acquisition_cost: float = 0.0, points: Sequence[float] = (1, 2, 5, 10)) -> pd.DataFrame:
    """Lifetime profit per customer at the observed retention (%) and at +k points.

    Tidy: points, retention, clv, lifetime_profit (CLV - acquisition cost), clv_change and
    profit_change (% against the observed retention). The row at +5 points is the
    Reichheld-Sasser scenario; ``in_published_range`` says whether its profit change
    falls within their 25-95%.

    >>> t = retention_economics(80.0, margin_per_period=100.0, discount_rate=0.0, acquisition_cost=200.0,
    ...                         points=[5])
    >>> t[["retention", "clv", "lifetime_profit", "profit_change"]].round(1).to_dict("records")
    [{'retention': 80.0, 'clv': 500.0, 'lifetime_profit': 300.0, 'profit_change': 0.0}, \
{'retention': 85.0, 'clv': 666.7, 'lifetime_profit': 466.7, 'profit_change': 55.6}]
    """
    rows = []
    for k in (0, *points):
        r = retention + k
        if r >= 100:
            raise ValueError(f"retention {retention}% + {k} points reaches 100%: lower the points")
        value = clv_value(margin_per_period, r / 100, discount_rate)
        rows.append({"points": k, "retention": r, "clv": value, "lifetime_profit": value - acquisition_cost})
    out = pd.DataFrame(rows)
    base = out.iloc[0]
    out["clv_change"] = 100 * (out["clv"] / base["clv"] - 1)
    out["profit_change"] = (100 * (out["lifetime_profit"] / base["lifetime_profit"] - 1)
                            if base["lifetime_profit"] > 0 else np.nan)
    out["in_published_range"] = pd.Series(out["profit_change"].between(*REICHHELD_RANGE), dtype="boolean").where(
        (out["points"] == REICHHELD_POINTS) & out["profit_change"].notna())
    return out


def acquisition_vs_retention(clv: pd.DataFrame, acquisition_cost: float, margin: float) -> pd.DataFrame:
    """Per segment of a :func:`clv_table`: CLV against the acquisition cost.

    Columns: segment, clv (with interval), acquisition_cost, clv_to_cac (CLV / CAC, with
    interval), cac_payback_periods (CAC / margin per period) and break_even_retention_cost
    (the most worth spending to keep one customer rather than replace them: CAC).

    >>> t = pd.DataFrame({"segment": ["a"], "clv": [600.0], "clv_ci_low": [500.0], "clv_ci_high": [700.0],
    ...                   "revenue_per_customer": [100.0]})
    >>> acquisition_vs_retention(t, 200.0, 0.3)[["clv_to_cac", "cac_payback_periods"]].round(2).to_dict("records")
    [{'clv_to_cac': 3.0, 'cac_payback_periods': 6.67}]
    """
    if acquisition_cost <= 0:
        raise ValueError(f"acquisition_cost must be above 0, got {acquisition_cost}")
    out = clv[["segment", "clv", "clv_ci_low", "clv_ci_high"]].copy()
    out["acquisition_cost"] = acquisition_cost
    for name, source in (("clv_to_cac", "clv"), ("ratio_ci_low", "clv_ci_low"), ("ratio_ci_high", "clv_ci_high")):
        out[name] = clv[source] / acquisition_cost
    out["cac_payback_periods"] = acquisition_cost / (margin * clv["revenue_per_customer"])
    out["break_even_retention_cost"] = acquisition_cost
    return out


@column_arguments("group_col", "duration", "event", "entry", data="frame")
def churn_gap(frame: pd.DataFrame, group_col: str, from_group: str = "detractor", to_group: str = "passive",
              duration: str = "duration", event: str = "event", entry: str | None = None,
              ci: float = 0.95) -> dict:
    """The hazards of two groups (per time unit) and the yearly churn gap between them.

    Returns the hazard rows of both groups and ``annual_gap`` (percentage points of
    customers lost within a year of 365.25 time units, from_group minus to_group) with a
    delta-method interval.
    """
    return churn_gap_from_totals(customer_totals(frame, None, duration, event, entry, group_col), from_group,
                                 to_group, group_col, ci)


def churn_gap_from_totals(totals: pd.DataFrame, from_group: str = "detractor", to_group: str = "passive",
                          group_col: str = "group", ci: float = 0.95) -> dict:
    """:func:`churn_gap` from :func:`customer_totals` by group (``group_col`` names the groups in messages)."""
    rates = _hazards(totals, ci).set_index("segment")
    absent = [g for g in (from_group, to_group) if g not in rates.index]
    if absent:
        raise DataError(f"no customers in group(s) {absent} of {group_col!r}; groups: {list(rates.index)}",
                        column=group_col, rule="groups present")
    a, b = rates.loc[from_group], rates.loc[to_group]
    year = DAYS_PER_YEAR

    def annual(h):
        return 100 * (1 - np.exp(-h * year))

    gap = annual(a["hazard"]) - annual(b["hazard"])
    se = 100 * year * np.sqrt((np.exp(-a["hazard"] * year)) ** 2 * a["events"] / a["exposure"] ** 2
                              + (np.exp(-b["hazard"] * year)) ** 2 * b["events"] / b["exposure"] ** 2)
    z = z_value(ci)
    return {"from_group": from_group, "to_group": to_group, "hazards": rates.loc[[from_group, to_group]].reset_index(),
            "annual_churn_from": annual(a["hazard"]), "annual_churn_to": annual(b["hazard"]),
            "annual_gap": {"value": gap, "ci_low": gap - z * se, "ci_high": gap + z * se}}


@dataclass(frozen=True, repr=False)
class BusinessCase(ResultView):
    """ROI and payback of a programme that moves detractors to passives, with intervals and sensitivity."""

    assumptions: dict
    moved_customers: float
    customers_saved: dict
    gain: dict
    cost: float
    roi: dict
    payback_years: dict
    sensitivity: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict:
        return {"assumptions": self.assumptions, "moved_customers": self.moved_customers,
                "customers_saved": self.customers_saved, "gain": self.gain, "cost": self.cost, "roi": self.roi,
                "payback_years": self.payback_years, "sensitivity": self.sensitivity}


def _discounted_margin(hazard: np.ndarray, t: np.ndarray | float, delta: float) -> np.ndarray:
    """Discounted expected years of a customer over [0, t] under a constant yearly hazard."""
    rate = hazard + delta
    return (1 - np.exp(-rate * t)) / rate


def _case(moved, margin, lam_from, lam_to, delta, cost_once, cost_yearly, horizon):
    """Net gain at the horizon and payback time (years; inf if not within the horizon), vectorised."""
    grid = np.linspace(0, horizon, 1201)
    gain = moved[..., None] * margin * (_discounted_margin(lam_to[..., None], grid, delta)
                                        - _discounted_margin(lam_from[..., None], grid, delta))
    spent = cost_once + cost_yearly * (grid if delta == 0 else (1 - np.exp(-delta * grid)) / delta)
    covered = (gain - spent)[..., 1:] >= 0  # from the first step on: at 0 a programme with no one-off cost is at
    payback = np.where(covered.any(axis=-1), grid[1:][np.argmax(covered, axis=-1)], np.inf)  # 0 = 0, not paid back
    return gain[..., -1], spent[-1], payback


def business_case(detractors: int, share_moved: float, hazard_detractor: dict, hazard_passive: dict,
                  revenue_per_year: float, margin: float, program_cost: float, running_cost_per_year: float = 0.0,
                  horizon_years: float = 3.0, discount_rate: float = 0.08, n_sim: int = 10_000, seed: int = 1,
                  ci: float = 0.95, sensitivity_shares: Sequence[float] = (0.05, 0.10, 0.20, 0.30),
                  sensitivity_margins: Sequence[float] | None = None) -> BusinessCase:
    """The CX business case: cost against margin protected by moving detractors to passives.

    ``hazard_detractor``/``hazard_passive`` hold ``events`` and ``exposure`` in days (rows
    of :func:`cxlib.lifecycle.survival.hazard_rate`); ``revenue_per_year`` is per detractor;
    ``margin`` a share of revenue; ``discount_rate`` per year. The gain counts margin only
    (revenue protected times margin), discounted; costs are discounted alike.
    """
    if not 0 < share_moved <= 1:
        raise ValueError(f"share_moved is a share of detractors in (0, 1], got {share_moved}")
    if not 0 < margin <= 1:
        raise ValueError(f"margin is a share of revenue in (0, 1], got {margin}")
    if program_cost <= 0 and running_cost_per_year <= 0:
        raise ValueError("a business case needs a cost: program_cost or running_cost_per_year above 0")
    delta = np.log1p(discount_rate)
    per_year = {name: h["events"] / h["exposure"] * DAYS_PER_YEAR for name, h in
                (("from", hazard_detractor), ("to", hazard_passive))}
    moved = detractors * share_moved
    yearly_margin = revenue_per_year * margin

    def point(share=share_moved, m=yearly_margin):
        return _case(np.asarray(detractors * share), m, np.asarray(per_year["from"]), np.asarray(per_year["to"]),
                     delta, program_cost, running_cost_per_year, horizon_years)

    gain, cost, payback = point()
    rng = np.random.default_rng(seed)
    draws = {name: rng.gamma(h["events"] + 0.5, 1.0, n_sim) / h["exposure"] * DAYS_PER_YEAR
             for name, h in (("from", hazard_detractor), ("to", hazard_passive))}
    sim_gain, _, sim_payback = _case(np.full(n_sim, moved), yearly_margin, draws["from"], draws["to"], delta,
                                     program_cost, running_cost_per_year, horizon_years)
    alpha = 100 * (1 - ci) / 2

    def interval(value, sims):
        low, high = np.percentile(sims, [alpha, 100 - alpha], method="inverted_cdf")  # inf (no payback) allowed
        return {"value": float(value), "ci_low": float(low), "ci_high": float(high)}

    saved = moved * (np.exp(-per_year["to"] * horizon_years) - np.exp(-per_year["from"] * horizon_years))
    sim_saved = moved * (np.exp(-draws["to"] * horizon_years) - np.exp(-draws["from"] * horizon_years))
    margins = sensitivity_margins if sensitivity_margins is not None else sorted({margin / 2, margin, min(1.0,
                                                                                                           margin * 1.5)})
    rows = []
    for share in sensitivity_shares:
        for m in margins:
            g, c, p = point(share, revenue_per_year * m)
            rows.append({"share_moved": share, "margin": m, "gain": float(g), "cost": float(c),
                         "roi": float((g - c) / c), "payback_years": float(p)})
    return BusinessCase(
        assumptions={"detractors": detractors, "share_moved": share_moved, "revenue_per_year": revenue_per_year,
                     "margin": margin, "program_cost": program_cost, "running_cost_per_year": running_cost_per_year,
                     "horizon_years": horizon_years, "discount_rate": discount_rate, "n_sim": n_sim, "seed": seed,
                     "annual_churn_detractor": float(100 * (1 - np.exp(-per_year["from"]))),
                     "annual_churn_passive": float(100 * (1 - np.exp(-per_year["to"])))},
        moved_customers=float(moved), customers_saved=interval(saved, sim_saved), gain=interval(gain, sim_gain),
        cost=float(cost), roi=interval((gain - cost) / cost, (sim_gain - cost) / cost),
        payback_years=interval(payback, sim_payback), sensitivity=pd.DataFrame(rows))
