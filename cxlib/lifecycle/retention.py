"""Churn and retention per period, and cohort retention, from a customers table.

The churn rate of a period is the share of the customers active at its start who left
during it (customers who join during the period are not in its denominator); retention
is one minus churn. Intervals are Wilson's. A cohort retention table follows each
signup cohort: of those who signed up in a quarter, the share still customers k quarters
later, shown only where the whole cohort can be followed that far by ``as_of``.

Cohorts that signed up before churn was first recorded are left out by default: a
customers table of today holds only those of them who were still customers when
recording began (left truncation), so their retention would look like 100%.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..core.estimate import Estimate
from ..io.column_names import column_arguments
from ..metrics.rates import count_estimate, rate_table

__all__ = ["churn_rate", "cohort_retention", "period_retention"]


@column_arguments("signup", "churn", "by", data="customers")
def churn_rate(customers: pd.DataFrame, freq: str = "Q", signup: str = "signup_date", churn: str = "churn_date",
               by: str | Sequence[str] | None = None, start=None, end=None, ci: float = 0.95) -> pd.DataFrame:
    """Churn per period (and segment): at_start, lost, churn_rate %, ci_low, ci_high, retention %.

    Periods run from ``start`` (default: the first churn's period, or the one after the
    first signup when nobody has left) to ``end`` (default: the last signup or churn); pass them to fix
    the window.

    >>> import cxlib as cx
    >>> churn_rate(cx.io.load().customers).head(2).round(2)
       period  at_start  lost  churn_rate  ci_low  ci_high  retention  small_n
    0  2024Q1      2996   110        3.67    3.06     4.41      96.33    False
    1  2024Q2      3130   131        4.19    3.54     4.94      95.81    False
    """
    by = [by] if isinstance(by, str) else list(by or [])
    dates = pd.concat([customers[churn], customers[signup]]).dropna()
    first_churn = customers[churn].min()
    if start is not None or pd.notna(first_churn):
        first = pd.Period(start if start is not None else first_churn, freq)
    else:  # nobody has left: from the first period with a customer at its start
        first = pd.Period(customers[signup].min(), freq) + 1
    last = pd.Period(end if end is not None else dates.max(), freq)
    parts = []
    for period in pd.period_range(first, last, freq=freq):
        begins, ends = period.start_time, period.end_time
        active = (customers[signup] < begins) & (customers[churn].isna() | (customers[churn] >= begins))
        rows = customers[active]
        lost = (rows[churn] <= ends).astype("boolean")
        table = rate_table(lost, by=[rows[c] for c in by], ci=ci)
        table.insert(0, "period", str(period))
        parts.append(table)
    out = pd.concat(parts, ignore_index=True).rename(columns={"n": "at_start", "successes": "lost",
                                                              "rate": "churn_rate"})
    out["retention"] = 100 - out["churn_rate"]
    return out[["period", *by, "at_start", "lost", "churn_rate", "ci_low", "ci_high", "retention", "small_n"]]


def period_retention(customers: pd.DataFrame, freq: str = "Q", ci: float = 0.95, **kwargs) -> Estimate:
    """Retention (%) per period, pooled over the periods of :func:`churn_rate` (its keywords pass through).

    The share of customer-periods that ended with the customer still there: the retention
    rate a CLV calculation needs.

    >>> import cxlib as cx
    >>> print(period_retention(cx.io.load().customers))
    retention % per Q 95.7 (95.5 to 96.0), n = 26,850
    """
    table = churn_rate(customers, freq=freq, ci=ci, **kwargs)
    at_start = int(table["at_start"].sum())
    return count_estimate(at_start - int(table["lost"].sum()), at_start, f"retention % per {freq}", ci)


@column_arguments("signup", "churn", data="customers")
def cohort_retention(customers: pd.DataFrame, freq: str = "Q", signup: str = "signup_date",
                     churn: str = "churn_date", as_of=None, since=None, ci: float = 0.95) -> pd.DataFrame:
    """Share (%) of each signup cohort still customers ``age`` periods after the cohort's period.

    Tidy: cohort, age, n (cohort size), retained, retention, ci_low, ci_high, small_n.
    Cohorts before ``since`` (default: the period of the first recorded churn) are left
    out (see the module docstring).

    >>> import cxlib as cx
    >>> t = cohort_retention(cx.io.load().customers)
    >>> t[t["cohort"] == "2024Q1"][["age", "n", "retention"]].head(3).round(1).to_dict("list")
    {'age': [0, 1, 2], 'n': [258, 258, 258], 'retention': [94.6, 88.0, 82.6]}
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else max(customers[signup].max(), customers[churn].max())
    since = pd.Period(since, freq) if since is not None else customers[churn].min().to_period(freq)
    cohort = customers[signup].dt.to_period(freq)
    parts = []
    for key in sorted(p for p in cohort.dropna().unique() if p >= since):
        members = customers[cohort == key]
        age = 0
        while (checkpoint := (key + age).end_time.normalize()) <= as_of:
            retained = (members[churn].isna() | (members[churn] > checkpoint)).astype("boolean")
            table = rate_table(retained, ci=ci)
            table.insert(0, "age", age)
            table.insert(0, "cohort", str(key))
            parts.append(table)
            age += 1
    out = pd.concat(parts, ignore_index=True).rename(columns={"successes": "retained", "rate": "retention"})
    return out
