"""CX metrics: exact worked cases, agreement with statsmodels/scipy, properties, and coverage by simulation."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import cxlib as cx
from cxlib.io import DataError
from cxlib.metrics.histogram import ScoreHistogram, score_histogram
from cxlib.metrics.scores import mean_table, nps_table, proportion_table


def answers(**counts) -> pd.DataFrame:
    """Rows with score value -> count, e.g. answers(s10=100, s8=90, s3=60)."""
    values = [int(k[1:]) for k, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"nps": values})


# --- worked cases -------------------------------------------------------------------------

def test_nps_adjusted_wald_worked_case():
    e = cx.nps(answers(s10=100, s8=90, s3=60))
    assert e.value == pytest.approx(16.0) and e.n == 250
    assert e.ci_low == pytest.approx(6.16, abs=0.005) and e.ci_high == pytest.approx(25.46, abs=0.005)
    assert e.components == pytest.approx({"promoters": 40.0, "passives": 36.0, "detractors": 24.0})


def test_nps_wald_by_hand():
    e = cx.nps(answers(s10=100, s8=90, s3=60), method="wald")
    se = np.sqrt((0.4 + 0.24 - 0.16**2) / 250)
    assert e.ci_low == pytest.approx(100 * (0.16 - 1.959964 * se), abs=1e-4)
    assert e.ci_high == pytest.approx(100 * (0.16 + 1.959964 * se), abs=1e-4)


def test_nps_difference_worked_case():
    rows = pd.concat([answers(s10=100, s8=90, s3=60).assign(g="a"), answers(s10=80, s8=100, s3=70).assign(g="b")])
    d = cx.compare(rows, "g", "a", "b")
    assert d.value == pytest.approx(12.0)
    assert d.components["statistic"] == pytest.approx(1.714, abs=5e-4)
    assert d.p_value == pytest.approx(0.087, abs=1e-3)


def test_nps_bootstrap_is_seeded_and_close_to_adjusted_wald_at_large_n():
    rows = answers(s10=1000, s8=900, s3=600)
    a, b = cx.nps(rows, method="bootstrap", seed=3), cx.nps(rows, method="bootstrap", seed=3)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    wald = cx.nps(rows)
    assert a.ci_low == pytest.approx(wald.ci_low, abs=0.4) and a.ci_high == pytest.approx(wald.ci_high, abs=0.4)


def test_weighted_nps_matches_brute_force_and_kish():
    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"nps": rng.integers(0, 11, 500), "w": rng.uniform(0.2, 3.0, 500)})
    e = cx.nps(rows, weights="w")
    coded = np.select([rows["nps"] >= 9, rows["nps"] >= 7], [100, 0], -100)
    assert e.value == pytest.approx(np.average(coded, weights=rows["w"]), abs=1e-9)
    assert e.n_effective == pytest.approx(rows["w"].sum() ** 2 / (rows["w"] ** 2).sum(), rel=1e-12)
    assert e.n == 500


def test_revenue_weighted_nps_and_revenue_shares():
    rows = pd.DataFrame({"nps": [10, 10, 3, 8], "revenue": [100.0, 100.0, 600.0, 200.0]})
    e = cx.nps(rows, weights="revenue")
    assert e.value == pytest.approx(100 * (200 - 600) / 1000)
    assert e.components == pytest.approx({"promoters": 20.0, "passives": 20.0, "detractors": 60.0})


def test_csat_ces_and_means():
    rows = pd.DataFrame({"csat": [5] * 30 + [4] * 45 + [2] * 25, "ces": [7] * 40 + [5] * 20 + [1] * 40})
    csat, ces = cx.csat(rows), cx.ces(rows)
    assert (csat.value, ces.value) == (75.0, 60.0)
    assert (csat.ci_low, csat.ci_high) == pytest.approx(tuple(100 * x for x in proportion_confint(75, 100, method="wilson")))
    mean = cx.mean_score(rows, "csat")
    t = stats.t.interval(0.95, 99, loc=rows["csat"].mean(), scale=stats.sem(rows["csat"]))
    assert (mean.ci_low, mean.ci_high) == pytest.approx(t, abs=1e-10)


@pytest.mark.parametrize(("count", "n"), [(0, 10), (3, 10), (50, 50), (123, 1000), (7, 33)])
def test_wilson_matches_statsmodels(count, n):
    h = ScoreHistogram(pd.Index(["a"]), np.array([0, 1]), np.array([[n - count, count]]),
                       np.array([[n - count, count]], float), np.array([[n - count, count]], float))
    row = proportion_table(h, [1]).iloc[0]
    low, high = proportion_confint(count, n, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_share_difference_matches_statsmodels_agresti_caffo():
    rows = pd.DataFrame({"csat": [5] * 60 + [2] * 40 + [4] * 45 + [1] * 55, "g": ["a"] * 100 + ["b"] * 100})
    d = cx.compare(rows, "g", "a", "b", score="csat")
    low, high = confint_proportions_2indep(60, 100, 45, 100, method="agresti-caffo")
    assert (d.ci_low, d.ci_high) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_mean_difference_matches_welch():
    rng = np.random.default_rng(4)
    rows = pd.DataFrame({"csat": np.r_[rng.integers(1, 6, 80), rng.integers(2, 6, 50)], "g": ["a"] * 80 + ["b"] * 50})
    d = cx.compare(rows, "g", "a", "b", score="csat", metric="mean")
    welch = stats.ttest_ind(rows.loc[rows.g == "a", "csat"], rows.loc[rows.g == "b", "csat"], equal_var=False)
    assert d.p_value == pytest.approx(welch.pvalue, rel=1e-9)
    assert (d.ci_low, d.ci_high) == pytest.approx(tuple(welch.confidence_interval()), rel=1e-9)


# --- segment table -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    data = cx.io.load()
    responses = data.responses.merge(data.customers, on="customer_id", suffixes=("", "_customer"))
    return data, responses


def test_segment_table_rows_match_two_group_comparisons(sample):
    _, responses = sample
    table = cx.segment_table(responses, by=["plan", "region"])
    assert list(table["segment_col"].unique()) == ["plan", "region"]
    for _, row in table.iterrows():
        flagged = responses.assign(_in=responses[row["segment_col"]] == row["segment"])
        d = cx.compare(flagged, "_in", True, False)
        assert row["difference"] == pytest.approx(d.value, abs=1e-9)
        assert row["p_value"] == pytest.approx(d.p_value, rel=1e-9)
        assert row["value"] == pytest.approx(cx.nps(flagged[flagged["_in"]]).value, abs=1e-9)


def test_segment_table_holm_by_hand_and_small_segments_flagged_not_hidden(sample):
    _, responses = sample
    small = responses.assign(tiny=np.where(np.arange(len(responses)) < 20, "tiny", "big"))
    table = cx.segment_table(small, by=["touchpoint", "tiny"], min_n=30)
    assert table.loc[table["segment"] == "tiny", "small_n"].item()
    p = table["p_value"].to_numpy()
    order = np.argsort(p)
    holm = np.minimum(1, np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]))
    expected = np.empty_like(holm)
    expected[order] = holm
    np.testing.assert_allclose(table["p_adjusted"], expected, rtol=1e-12)
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()


def test_segment_table_of_csat_and_weights(sample):
    _, responses = sample
    table = cx.segment_table(responses, by="plan", score="csat", weights="weight")
    basic = responses[responses["plan"] == "basic"]
    assert table.set_index("segment").loc["basic", "value"] == pytest.approx(cx.csat(basic, weights="weight").value)


# --- properties ----------------------------------------------------------------------------------

scores = st.lists(st.integers(0, 10), min_size=1, max_size=200)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=2, max_size=200), st.sampled_from(["adjusted-wald", "wald"]))
def test_nps_bounds_and_interval_contains_estimate(values, method):
    """From two answers on (with one, the adjusted interval can exclude it: see cxlib.metrics.scores)."""
    e = cx.nps(pd.DataFrame({"nps": values}), method=method)
    assert -100 <= e.ci_low <= e.value + 1e-9 and e.value - 1e-9 <= e.ci_high <= 100


@settings(max_examples=50, deadline=None)
@given(scores, st.randoms(use_true_random=False))
def test_nps_invariant_to_row_order_and_unit_weights(values, random):
    rows = pd.DataFrame({"nps": values, "w": 1.0})
    shuffled = rows.sample(frac=1, random_state=random.randint(0, 10**6))
    a, b, c = cx.nps(rows), cx.nps(shuffled), cx.nps(rows, weights="w")
    assert a == b
    assert (a.value, a.ci_low, a.ci_high) == pytest.approx((c.value, c.ci_low, c.ci_high), abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=100))
def test_top_box_and_mean_intervals_contain_estimates(values):
    rows = pd.DataFrame({"csat": values})
    for e in (cx.csat(rows), cx.mean_score(rows, "csat")):
        assert e.ci_low <= e.value + 1e-9 and e.value <= e.ci_high + 1e-9


# --- coverage by simulation -------------------------------------------------------------------------

REPS = 20_000


def simulated(pvals, n, reps, seed, low=0) -> ScoreHistogram:
    """``reps`` samples of ``n`` answers (values ``low``, ``low + 1``, ...) as the segments of one histogram."""
    counts = np.random.default_rng(seed).multinomial(n, pvals, size=reps)
    return ScoreHistogram(pd.RangeIndex(reps), np.arange(low, low + len(pvals)), counts, counts.astype(float),
                          counts.astype(float))


@pytest.mark.parametrize(("n", "band"), [(1000, (94, 96)), (50, (93, 97))])
def test_nps_interval_coverage(n, band):
    pvals = np.r_[np.full(7, 0.25 / 7), 0.18, 0.17, 0.2, 0.2]  # 25% detractors, 35% passives, 40% promoters
    table = nps_table(simulated(pvals, n, REPS, seed=n))
    coverage = 100 * ((table["ci_low"] <= 15.0) & (15.0 <= table["ci_high"])).mean()
    assert band[0] <= coverage <= band[1], coverage


@pytest.mark.parametrize(("n", "band"), [(1000, (94, 96)), (50, (93, 97))])
def test_csat_interval_coverage(n, band):
    pvals = np.array([0.04, 0.07, 0.16, 0.35, 0.38])  # 73% top-2-box, mean 3.96
    h = simulated(pvals, n, REPS, seed=n + 1, low=1)
    share, mean = proportion_table(h, [4, 5]), mean_table(h)
    true_mean = float(pvals @ np.arange(1, 6))
    share_cover = 100 * ((share["ci_low"] <= 73.0) & (73.0 <= share["ci_high"])).mean()
    mean_cover = 100 * ((mean["ci_low"] <= true_mean) & (true_mean <= mean["ci_high"])).mean()
    assert band[0] <= share_cover <= band[1], share_cover
    assert band[0] <= mean_cover <= band[1], mean_cover


# --- trends, goals, benchmarks --------------------------------------------------------------------

def test_trend_slope_recovers_a_known_trend():
    rng = np.random.default_rng(7)
    rows = []
    for q in range(8):
        p = 0.35 + 0.03 * q / 2  # +1.5 promoter points a quarter, detractors -1.5: NPS +3 a quarter
        d = 0.25 - 0.03 * q / 2
        values = rng.choice([10, 8, 3], size=2000, p=[p, 1 - p - d, d])
        rows.append(pd.DataFrame({"nps": values, "survey_date": pd.Timestamp("2024-01-15") + pd.DateOffset(months=3 * q)}))
    result = cx.trend(pd.concat(rows, ignore_index=True))
    slope = result.slope()
    assert slope.ci_low <= 3.0 <= slope.ci_high and slope.se < 0.5
    assert list(result.periods["period"]) == [f"{y}Q{q}" for y in (2024, 2025) for q in range(1, 5)]
    # the slope is the inverse-variance weighted least-squares line, by hand
    p = result.periods
    w = 1 / p["se"] ** 2
    xbar = np.average(p["t"], weights=w)
    assert slope.value == pytest.approx(np.sum(w * (p["t"] - xbar) * p["value"]) / np.sum(w * (p["t"] - xbar) ** 2))
    assert cx.goal(result, 2.0)["verdict"] == "met"
    assert cx.goal(result, 6.0)["verdict"] == "missed"


def test_tenured_north_gains_about_three_points_a_quarter_in_the_sample(sample):
    _, r = sample
    r = r[r["touchpoint"] != "cancellation"]
    tenured_north = (r["region"] == "North") & ((r["survey_date"] - r["signup_date"]).dt.days >= 365)
    result = cx.trend(r.assign(group=np.where(tenured_north, "tenured North", "others")), by="group")
    north, others = result.slope("tenured North"), result.slope("others")
    assert north.ci_low <= 3.0 <= north.ci_high
    assert north.ci_low > others.ci_high
    assert cx.goal(result, 3.0, "tenured North")["verdict"] == "uncertain"


def test_benchmark_difference_without_benchmark_n_treats_it_as_exact():
    ours = cx.nps_from_counts(100, 90, 60)
    d = cx.benchmark_difference(ours, 30.0)
    assert d.se == pytest.approx(ours.se) and d.value == pytest.approx(-14.0)


def test_paired_change_by_hand():
    rows = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "c", "d"],
                         "survey_date": pd.to_datetime(["2024-01-01", "2024-06-01"] * 3 + ["2024-01-01"]),
                         "nps": [3, 9, 8, 10, 9, 9, 0]})
    e = cx.paired(rows)
    diffs = np.array([200, 100, 0])
    assert e.n == 3 and e.value == pytest.approx(diffs.mean())
    assert e.se == pytest.approx(diffs.std(ddof=1) / np.sqrt(3))


# --- service, churn, CLV ----------------------------------------------------------------------------

def test_service_rates_by_hand(sample):
    data, _ = sample
    t = data.tickets
    fcr = cx.fcr(t)
    assert fcr.value == pytest.approx(100 * (t["contacts"] == 1).sum() / t["contacts"].notna().sum())
    within = cx.response_within(t, hours=24)
    waited = t["first_response_at"] - t["opened_at"]
    due = t["first_response_at"].notna() | (t["opened_at"] + pd.Timedelta(hours=24) <= t["opened_at"].max())
    assert within.n == due.sum() and within.components["not yet due"] == (~due).sum()
    assert within.value == pytest.approx(100 * (waited <= pd.Timedelta(hours=24)).sum() / due.sum())
    times = cx.resolution_time(t, n_boot=300, seed=1).set_index("statistic")
    hours = ((t["resolved_at"] - t["opened_at"]).dt.total_seconds() / 3600).dropna()
    assert times.loc["median", "value"] == pytest.approx(hours.median())
    assert times.loc["p90", "value"] == pytest.approx(hours.quantile(0.9))
    assert (times["ci_low"] <= times["value"]).all() and (times["value"] <= times["ci_high"]).all()


def test_churn_rate_by_hand(sample):
    data, _ = sample
    c = data.customers
    table = cx.churn_rate(c).set_index("period")
    start, end = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30 23:59:59")
    active = (c["signup_date"] < start) & (c["churn_date"].isna() | (c["churn_date"] >= start))
    lost = active & (c["churn_date"] <= end)
    assert table.loc["2025Q2", "at_start"] == active.sum() and table.loc["2025Q2", "lost"] == lost.sum()
    low, high = proportion_confint(lost.sum(), active.sum(), method="wilson")
    assert table.loc["2025Q2", ["ci_low", "ci_high"]].tolist() == pytest.approx([100 * low, 100 * high])


def test_cohort_retention_leaves_out_left_truncated_cohorts(sample):
    data, _ = sample
    table = cx.cohort_retention(data.customers)
    assert table["cohort"].min() == "2024Q1"
    assert table.groupby("cohort")["age"].max().to_dict()["2025Q3"] == 1


def test_clv_formula_and_interval():
    retention = cx.Estimate("retention", 90.0, 88.0, 92.0, n=1000)
    e = cx.clv(margin=30.0, retention=retention, discount_rate=0.02)
    assert e.value == pytest.approx(30 * 1.02 / (1.02 - 0.90))
    assert (e.ci_low, e.ci_high) == pytest.approx((30 * 1.02 / (1.02 - 0.88), 30 * 1.02 / (1.02 - 0.92)))
    assert e.components["expected_lifetime_periods"] == pytest.approx(10.0)


# --- bad input ----------------------------------------------------------------------------------------

def test_raw_frames_with_invalid_scores_are_refused():
    with pytest.raises(DataError, match=r"'nps' must hold whole numbers from 0 to 10 \(or be blank\); 1 row does not, e.g. \[11\] \(rows \[1\]\)"):
        cx.nps(pd.DataFrame({"nps": [9, 11]}))
    with pytest.raises(DataError, match="whole numbers"):
        cx.nps(pd.DataFrame({"nps": ["9", "ten"]}))
    with pytest.raises(DataError, match=r"column 'score' is not in the data"):
        cx.nps(pd.DataFrame({"nps": [9]}), score="score")
    with pytest.raises(DataError, match="weights in 'w' must be positive"):
        cx.nps(pd.DataFrame({"nps": [9, 3], "w": [1.0, -1.0]}), weights="w")
    with pytest.raises(DataError, match="no rows with g == 'c'"):
        cx.compare(pd.DataFrame({"nps": [9, 3], "g": ["a", "b"]}), "g", "a", "c")
    with pytest.raises(ValueError, match="method must be one of"):
        cx.nps(pd.DataFrame({"nps": [9]}), method="exact")


def test_histogram_fast_path_equals_pandas_counts(sample):
    _, r = sample
    h = score_histogram(r.assign(region=r["region"].astype("category")), "nps", by="region")
    counts = r.dropna(subset=["nps"]).groupby(["region", "nps"]).size().unstack(fill_value=0)
    np.testing.assert_array_equal(h.counts, counts.reindex(columns=range(11), fill_value=0).to_numpy())


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60))
def test_holm_agrees_with_statsmodels(p_values):
    from statsmodels.stats.multitest import multipletests

    from cxlib.core.inference import adjust_p

    p = np.array(p_values)
    np.testing.assert_allclose(adjust_p(p, "holm"), multipletests(p, method="holm")[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adjust_p(p, "fdr_bh"), multipletests(p, method="fdr_bh")[1])


def test_period_retention_pools_customer_periods(sample):
    data, _ = sample
    table = cx.churn_rate(data.customers)
    e = cx.period_retention(data.customers)
    assert e.n == table["at_start"].sum()
    assert e.value == pytest.approx(100 * (1 - table["lost"].sum() / table["at_start"].sum()))


def test_an_estimate_reads_short_inside_a_tuple_or_a_list():
    """An NPS inside a tuple showed its dataclass repr with fifteen decimals."""
    estimate = cx.nps_from_counts(100, 90, 60)
    assert repr((estimate,)) == "(<NPS 16.0 (6.2 to 25.5), n = 250>,)"
    assert repr([estimate]) == f"[<{estimate}>]"
