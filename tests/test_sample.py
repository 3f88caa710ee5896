"""The sample generator: deterministic, and its documented truths are recoverable from its data."""

import filecmp
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from cxlib import sample

LARGE_CUSTOMERS = 40_000
LARGE_SEED = 99


@pytest.fixture(scope="module")
def large():
    """An independent large sample (about 160k responses) for recovery checks."""
    return sample.generate(n_customers=LARGE_CUSTOMERS, seed=LARGE_SEED)


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = sample.write(sample.generate(n_customers=300, seed=5), tmp_path / "a")
    b = sample.write(sample.generate(n_customers=300, seed=5), tmp_path / "b")
    c = sample.write(sample.generate(n_customers=300, seed=6), tmp_path / "c")
    assert all(filecmp.cmp(x, y, shallow=False) for x, y in zip(a, b, strict=True))
    assert not filecmp.cmp(a[1], c[1], shallow=False)


def test_bundled_sample_is_the_generators_output(tmp_path, sample_dir):
    written = sample.write(sample.generate(), tmp_path)
    for path in written:
        assert filecmp.cmp(path, sample_dir / path.name, shallow=False), f"{path.name} differs from data/sample"


def test_parquet_output_round_trips(tmp_path):
    s = sample.generate(n_customers=100, seed=3)
    (path, *_) = sample.write(s, tmp_path, "parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), s.customers)
    with pytest.raises(ValueError, match="file_format must be"):
        sample.write(s, tmp_path, "xlsx")


def test_sample_sizes_and_rates(sample_dir):
    customers = pd.read_csv(sample_dir / "customers.csv")
    responses = pd.read_csv(sample_dir / "responses.csv")
    tickets = pd.read_csv(sample_dir / "tickets.csv", parse_dates=["opened_at", "first_response_at"])
    assert len(customers) == 5000
    assert 18_000 <= len(responses) <= 22_000
    assert 13_500 <= len(tickets) <= 16_500
    assert 0.20 <= customers["churn_date"].notna().mean() <= 0.30
    resolved = tickets["contacts"].notna()
    assert tickets.loc[resolved, "contacts"].eq(1).mean() == pytest.approx(0.70, abs=0.02)
    within_24h = (tickets["first_response_at"] - tickets["opened_at"]) <= pd.Timedelta(hours=24)
    assert within_24h.mean() == pytest.approx(0.76, abs=0.02)
    assert set(responses["touchpoint"]) == {"purchase", "website", "service_call", "sales_call", "cancellation"}
    assert responses["comment"].isna().mean() == pytest.approx(0.39, abs=0.03)
    assert pd.read_csv(sample_dir / "competitor_nps.csv").shape == (24, 4)


def test_comments_have_every_theme_with_typos_and_mixed_case(large):
    themes = large.truth.comment_themes
    assert set(themes[themes != ""]) == set(sample.COMMENT_THEMES)
    comments = large.responses["comment"]
    templates = {t for ts in sample.COMMENT_THEMES.values() for t in ts}
    written = comments[comments != ""]
    assert written.isin(templates).mean() == pytest.approx(0.45, abs=0.02)  # the rest are altered spellings
    assert written.str.isupper().mean() > 0.03


def _subset_r2(frame: pd.DataFrame, outcome: str, columns: list[str]) -> float:
    if not columns:
        return 0.0
    return sm.OLS(frame[outcome], sm.add_constant(frame[columns])).fit().rsquared


def test_driver_group_shares_recover_the_designed_truth(large):
    """Group Shapley shares by brute force over statsmodels OLS fits of every subset of groups."""
    truth = large.truth
    assert truth.group_shares == pytest.approx({"CX": 0.66, "Price": 0.20, "Brand": 0.14}, abs=0.001)
    frame = large.responses.dropna(subset=["nps", *sample.DRIVERS]).astype(
        {c: float for c in ["nps", *sample.DRIVERS]})
    groups = list(sample.DRIVER_GROUPS.values())
    values = []
    for i, group in enumerate(groups):
        others = [g for j, g in enumerate(groups) if j != i]
        value = 0.0
        for size in range(len(others) + 1):
            weight = math.factorial(size) * math.factorial(len(groups) - size - 1) / math.factorial(len(groups))
            for subset in itertools.combinations(others, size):
                members = [c for g in subset for c in g]
                value += weight * (_subset_r2(frame, "nps", members + group) - _subset_r2(frame, "nps", members))
        values.append(value)
    shares = dict(zip(sample.DRIVER_GROUPS, np.array(values) / sum(values), strict=True))
    assert shares == pytest.approx(truth.group_shares, abs=0.015)
    assert 0.40 <= sum(values) <= 0.55  # rounding and clipping lower the latent R^2 of 0.55


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_tenured_north_gains_three_points_a_quarter_and_others_stay_flat(large):
    r = large.responses.merge(large.customers[["customer_id", "region", "signup_date"]], on="customer_id")
    r = r[(r["touchpoint"] != "cancellation") & r["nps"].notna()]
    tenure = pd.to_datetime(r["survey_date"]) - pd.to_datetime(r["signup_date"])
    tenured_north = (r["region"] == "North") & (tenure >= pd.Timedelta(days=365))
    quarter = pd.PeriodIndex(r["survey_date"], freq="Q")
    slopes = {}
    for name, mask in {"tenured_north": tenured_north, "others": ~tenured_north}.items():
        by_quarter = r.loc[mask, "nps"].groupby(quarter[mask.to_numpy()]).apply(_nps)
        slopes[name] = np.polyfit(np.arange(len(by_quarter)), by_quarter.to_numpy(), 1)[0]
    # designed: +3.0 and 0; churn of unhappy customers adds a drift of about +0.2 to both
    assert slopes["tenured_north"] == pytest.approx(3.0, abs=0.6)
    assert slopes["others"] == pytest.approx(0.0, abs=0.45)
    assert slopes["tenured_north"] - slopes["others"] == pytest.approx(3.0, abs=0.5)
    truth = np.array(large.truth.tenured_north_nps)
    np.testing.assert_allclose(np.diff(truth), 3.0, atol=1e-8)


def _person_months(s: sample.SampleData) -> pd.DataFrame:
    """Customer-months at risk, with the state at the start of each month, from the observed tables only."""
    customers = s.customers.assign(signup=pd.to_datetime(s.customers["signup_date"]),
                                   churn=pd.to_datetime(s.customers["churn_date"]))
    starts = pd.date_range(sample.WINDOW_START, periods=sample.N_MONTHS + 1, freq="MS")
    routine = s.responses[(s.responses["touchpoint"] != "cancellation") & s.responses["nps"].notna()]
    routine = routine.assign(date=pd.to_datetime(routine["survey_date"])).sort_values("date")
    t = s.tickets.assign(opened=pd.to_datetime(s.tickets["opened_at"]),
                         first=pd.to_datetime(s.tickets["first_response_at"]))
    t = t.assign(bad=((t["first"] - t["opened"]) > pd.Timedelta(hours=48)) | t["contacts"].isna() | (t["contacts"] >= 3))
    bad_since = t[t["bad"]].groupby("customer_id")["opened"].min()
    rows = []
    for start, end in itertools.pairwise(starts):
        at_risk = customers[(customers["signup"] < end) & (customers["churn"].isna() | (customers["churn"] >= start))]
        entry = at_risk["signup"].where(at_risk["signup"] > start, start)
        exit_ = at_risk["churn"].where(at_risk["churn"] < end, end)
        last = routine[routine["date"] < start].groupby("customer_id")["nps"].last()
        group = at_risk["customer_id"].map(last).map(
            lambda v: "unsurveyed" if pd.isna(v) else "promoter" if v >= 9 else "passive" if v >= 7 else "detractor")
        rows.append(pd.DataFrame({
            "event": (at_risk["churn"] < end).astype(int).to_numpy(),
            "exposure": ((exit_ - entry).dt.days.clip(lower=0.5) / 365.25).to_numpy(),
            "tenure_in": ((entry - at_risk["signup"]).dt.days / 365.25).to_numpy(),
            "tenure_out": ((exit_ - at_risk["signup"]).dt.days / 365.25).to_numpy(),
            "plan": at_risk["plan"].to_numpy(),
            "log2_price": np.log2(at_risk["monthly_revenue"] / at_risk["plan"].map(sample.REVENUE_MEDIAN)).to_numpy(),
            "group": np.where(group == "unsurveyed", "passive", group),
            "bad_service": (at_risk["customer_id"].map(bad_since) < start).fillna(False).astype(int).to_numpy(),
        }))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.slow
def test_churn_hazard_ratios_recover_the_designed_truth(large):
    """A Poisson model of churn per customer-month with the Weibull baseline integrated over each month.

    With offset log(a_out^k - a_in^k) (k the true shape, a tenure in years) the intercept
    estimates the baseline scale and the coefficients the log hazard ratios; each true
    value must lie inside its 95% interval.
    """
    months = _person_months(large)
    baseline = months["tenure_out"] ** sample.WEIBULL_SHAPE - months["tenure_in"] ** sample.WEIBULL_SHAPE
    months = months[baseline > 0]
    fit = smf.glm("event ~ C(plan, Treatment('standard')) + C(group, Treatment('promoter')) + bad_service"
                  " + log2_price", data=months, family=sm.families.Poisson(),
                  offset=np.log(baseline[baseline > 0])).fit()
    low, high = np.exp(fit.conf_int()[0]), np.exp(fit.conf_int()[1])
    truth = sample.HAZARD_RATIOS
    expected = {
        "Intercept": sample.WEIBULL_SCALE,
        "C(plan, Treatment('standard'))[T.basic]": truth["plan[basic]"],
        "C(plan, Treatment('standard'))[T.premium]": truth["plan[premium]"],
        "C(group, Treatment('promoter'))[T.detractor]": truth["nps_group[detractor]"],
        "C(group, Treatment('promoter'))[T.passive]": truth["nps_group[passive]"],
        "bad_service": truth["bad_service"],
        "log2_price": truth["price_doubling"],
    }
    for term, true_value in expected.items():
        assert low[term] <= true_value <= high[term], f"{term}: 95% CI {low[term]:.3f}-{high[term]:.3f}"
    assert high["C(group, Treatment('promoter'))[T.detractor]"] - low["C(group, Treatment('promoter'))[T.detractor]"] < 0.4


@pytest.mark.parametrize("n", [1, 2, 10])
def test_tiny_samples_generate(n):
    s = sample.generate(n_customers=n, seed=2)
    assert len(s.customers) == n and len(s.competitor_nps) == 24
