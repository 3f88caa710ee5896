"""Economics on hand-computed cases: hazards, revenue at risk, CLV per segment, retention economics, business case."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize
from statsmodels.stats.rates import confint_poisson

from cxlib.lifecycle.economics import (
    DAYS_PER_YEAR,
    business_case,
    churn_gap,
    clv_table,
    clv_value,
    retention_economics,
    revenue_at_risk,
)
from cxlib.lifecycle.survival import hazard_rate


@pytest.fixture
def customers():
    return pd.DataFrame({"duration": [100, 200, 300, 400, 50, 150, 250],
                         "entry": [0, 0, 100, 0, 0, 0, 0],
                         "event": [True, False, True, False, True, True, False],
                         "plan": ["a", "a", "a", "a", "b", "b", "b"],
                         "revenue": [10.0, 20.0, 30.0, 40.0, 5.0, 6.0, 7.0]})


def test_hazard_rate_is_events_over_exposure_with_the_exact_poisson_interval(customers):
    rates = hazard_rate(customers["duration"], customers["event"], customers["entry"], customers["plan"])
    a = rates.set_index("segment").loc["a"]
    assert a["exposure"] == 900 and a["events"] == 2 and a["hazard"] == pytest.approx(2 / 900)
    low, high = confint_poisson(2, 900, method="exact-c")
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((low, high), rel=1e-10)


def test_revenue_at_risk_by_hand(customers):
    table = revenue_at_risk(customers, "revenue", entry="entry", by="plan", period=30).set_index("segment")
    p_a = 1 - np.exp(-2 / 900 * 30)
    p_b = 1 - np.exp(-2 / 450 * 30)
    assert table.loc["a", "customers"] == 2 and table.loc["a", "revenue"] == 60.0  # the active ones
    assert table.loc["a", "revenue_at_risk"] == pytest.approx(60 * p_a)
    assert table.loc["b", "revenue_at_risk"] == pytest.approx(7 * p_b)
    assert table.loc["all", "revenue_at_risk"] == pytest.approx(60 * p_a + 7 * p_b)
    assert table.loc["all", "expected_leavers"] == pytest.approx(2 * p_a + 1 * p_b)
    # the total's chance of leaving is a customer's, as each row's is (not weighted by revenue)
    assert table.loc["all", "churn_probability"] == pytest.approx(100 * (2 * p_a + 1 * p_b) / 3)
    se = np.sqrt(sum((r * 30 * np.exp(-h * 30)) ** 2 * d / e ** 2
                     for r, h, d, e in ((60, 2 / 900, 2, 900), (7, 2 / 450, 2, 450))))
    assert table.loc["all", "risk_ci_high"] == pytest.approx(60 * p_a + 7 * p_b + 1.959963984540054 * se)
    low, high = confint_poisson(2, 900, method="exact-c")
    assert table.loc["a", "risk_ci_low"] == pytest.approx(60 * (1 - np.exp(-30 * low)))
    assert table.loc["a", "risk_ci_high"] == pytest.approx(60 * (1 - np.exp(-30 * high)))


@pytest.mark.slow
def test_revenue_at_risk_interval_covers_in_simulation():
    """Delta-method interval of the total: coverage near 95% over simulated exponential customers."""
    rng = np.random.default_rng(2)
    truth_hazard = {"a": 0.002, "b": 0.004}
    covered, runs = 0, 400
    for _ in range(runs):
        plan = np.repeat(["a", "b"], 1500)
        lifetime = rng.exponential(1 / np.vectorize(truth_hazard.get)(plan))
        follow = rng.uniform(0, 400, plan.size)
        frame = pd.DataFrame({"duration": np.minimum(lifetime, follow), "event": lifetime < follow, "plan": plan,
                              "revenue": 10.0})
        table = revenue_at_risk(frame, "revenue", by="plan").set_index("segment")
        active = frame[~frame["event"]].groupby("plan")["revenue"].sum()
        true_risk = sum(active[s] * (1 - np.exp(-h * 30)) for s, h in truth_hazard.items())
        covered += table.loc["all", "risk_ci_low"] <= true_risk <= table.loc["all", "risk_ci_high"]
    assert 0.92 <= covered / runs <= 0.98


def test_clv_per_segment(customers):
    table = clv_table(customers, "revenue", margin=0.5, discount_rate=0.01, entry="entry", by="plan").set_index(
        "segment")
    retention = np.exp(-2 / 900 * 30)
    assert table.loc["a", "retention"] == pytest.approx(100 * retention)
    assert table.loc["a", "clv"] == pytest.approx(clv_value(0.5 * 30.0, retention, 0.01))  # mean revenue of 20, 40
    assert table.loc["a", "clv_ci_low"] < table.loc["a", "clv"] < table.loc["a", "clv_ci_high"]
    with pytest.raises(ValueError, match="margin is a share"):
        clv_table(customers, "revenue", margin=30, discount_rate=0.01)


def test_retention_economics_and_the_published_claim():
    table = retention_economics(80.0, margin_per_period=100.0, discount_rate=0.10, acquisition_cost=300.0)
    five = table.set_index("points").loc[5]
    base_clv = 100 * 1.10 / (1.10 - 0.80)
    new_clv = 100 * 1.10 / (1.10 - 0.85)
    assert five["clv"] == pytest.approx(new_clv)
    assert five["profit_change"] == pytest.approx(100 * ((new_clv - 300) / (base_clv - 300) - 1))
    assert bool(five["in_published_range"]) == (25 <= five["profit_change"] <= 95)
    assert table["in_published_range"].isna().sum() == len(table) - 1
    with pytest.raises(ValueError, match="reaches 100%"):
        retention_economics(97.0, 10.0, 0.0, points=[5])


def test_churn_gap_delta_interval_matches_simulation():
    rng = np.random.default_rng(4)
    n = 4000
    group = rng.choice(["detractor", "passive"], n)
    lifetime = rng.exponential(np.where(group == "detractor", 500.0, 900.0))
    follow = rng.uniform(0, 730, n)
    frame = pd.DataFrame({"duration": np.minimum(lifetime, follow), "event": lifetime < follow, "g": group})
    gap = churn_gap(frame, "g")
    h = gap["hazards"].set_index("segment")
    draws = {s: rng.gamma(h.loc[s, "events"], 1.0, 200_000) / h.loc[s, "exposure"] for s in h.index}
    sims = 100 * (np.exp(-draws["passive"] * DAYS_PER_YEAR) - np.exp(-draws["detractor"] * DAYS_PER_YEAR))
    half = (gap["annual_gap"]["ci_high"] - gap["annual_gap"]["ci_low"]) / 2
    assert half == pytest.approx(1.959963984540054 * sims.std(), rel=0.03)
    true_gap = 100 * (np.exp(-DAYS_PER_YEAR / 900) - np.exp(-DAYS_PER_YEAR / 500))
    assert gap["annual_gap"]["ci_low"] <= true_gap <= gap["annual_gap"]["ci_high"]


def test_business_case_against_numerical_integration():
    detractor = {"events": 300, "exposure": 400_000.0}
    passive = {"events": 300, "exposure": 700_000.0}
    case = business_case(1000, 0.2, detractor, passive, revenue_per_year=600.0, margin=0.3, program_cost=10_000.0,
                         running_cost_per_year=2_000.0, horizon_years=3.0, discount_rate=0.08)
    lam_d, lam_p = (h["events"] / h["exposure"] * DAYS_PER_YEAR for h in (detractor, passive))
    delta = np.log(1.08)

    def gain(t):
        return 200 * 180 * integrate.quad(lambda s: (np.exp(-lam_p * s) - np.exp(-lam_d * s)) * np.exp(-delta * s),
                                          0, t)[0]

    def cost(t):
        return 10_000 + 2_000 * integrate.quad(lambda s: np.exp(-delta * s), 0, t)[0]

    assert case.gain["value"] == pytest.approx(gain(3.0), rel=1e-9)
    assert case.cost == pytest.approx(cost(3.0), rel=1e-9)
    assert case.roi["value"] == pytest.approx((gain(3.0) - cost(3.0)) / cost(3.0), rel=1e-9)
    payback = optimize.brentq(lambda t: gain(t) - cost(t), 1e-6, 3.0) if gain(3.0) > cost(3.0) else np.inf
    assert case.payback_years["value"] == pytest.approx(payback, abs=3.0 / 1200 + 1e-9)
    assert case.customers_saved["value"] == pytest.approx(200 * (np.exp(-3 * lam_p) - np.exp(-3 * lam_d)))
    assert case.roi["ci_low"] < case.roi["value"] < case.roi["ci_high"]
    s = case.sensitivity
    assert s.groupby("margin")["roi"].apply(lambda r: r.is_monotonic_increasing).all()
    assert s.groupby("share_moved")["roi"].apply(lambda r: r.is_monotonic_increasing).all()


def test_business_case_with_tiny_uncertainty_has_tight_intervals_and_no_payback_when_never_covered():
    certain = business_case(1000, 0.5, {"events": 10**8, "exposure": 2e11}, {"events": 10**8, "exposure": 4e11},
                            revenue_per_year=100.0, margin=0.5, program_cost=5_000.0, horizon_years=2.0,
                            discount_rate=0.0)
    assert certain.roi["ci_high"] - certain.roi["ci_low"] < 1e-3
    never = business_case(10, 0.1, {"events": 50, "exposure": 1e5}, {"events": 40, "exposure": 1e5},
                          revenue_per_year=10.0, margin=0.2, program_cost=1e6)
    assert never.payback_years["value"] == np.inf and never.roi["value"] < 0
    with pytest.raises(ValueError, match="needs a cost"):
        business_case(10, 0.1, {"events": 5, "exposure": 1e4}, {"events": 4, "exposure": 1e4}, 10.0, 0.2, 0.0)
