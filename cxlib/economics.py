"""Customer economics: customer lifetime value.

CLV with a constant margin ``m`` per period, retention ``r`` per period and discount rate
``d`` per period, the margin of the current period included, is the discounted expected
margin over an infinite horizon (Gupta & Lehmann 2003, *Journal of Interactive Marketing*
17(1); Gupta, Lehmann & Stuart 2004):

    CLV = sum_t m r^t / (1 + d)^t = m (1 + d) / (1 + d - r)

Expected lifetime is ``1 / (1 - r)`` periods. CLV rises with r, so the interval of a
retention estimate maps to the interval of CLV by its end points (the margin is taken
as given: an assumption the report states).
"""

from __future__ import annotations

from .estimate import Estimate

__all__ = ["clv", "clv_value"]


def clv_value(margin: float, retention: float, discount_rate: float) -> float:
    """CLV for one retention rate (a share, 0-1).

    >>> round(clv_value(margin=30.0, retention=0.9, discount_rate=0.02), 2)
    255.0
    """
    if not 0 <= retention < 1:
        raise ValueError(f"retention must be a share in [0, 1), got {retention}")
    if discount_rate < 0:
        raise ValueError(f"discount_rate must not be negative, got {discount_rate}")
    return margin * (1 + discount_rate) / (1 + discount_rate - retention)


def clv(margin: float, retention: Estimate, discount_rate: float) -> Estimate:
    """CLV with the interval that the retention estimate's interval implies.

    ``retention`` is an Estimate in percent (as from :func:`cxlib.retention.churn_rate`
    turned into retention); ``margin`` and ``discount_rate`` are per the same period.
    """
    values = [clv_value(margin, r / 100, discount_rate) for r in (retention.value, retention.ci_low,
                                                                   min(retention.ci_high, 99.999999))]
    return Estimate(metric="CLV", value=values[0], ci_low=values[1], ci_high=values[2], n=retention.n,
                    ci=retention.ci, method="retention interval mapped",
                    components={"margin": margin, "retention": retention.value, "discount_rate": discount_rate,
                                "expected_lifetime_periods": 100 / (100 - retention.value)})
