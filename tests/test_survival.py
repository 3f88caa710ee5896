"""Survival and churn: Kaplan-Meier, Greenwood, log-rank and Cox against statsmodels, and the sample's truth."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

import cxlib as cx
from cxlib.io import DataError
from cxlib.lifecycle.cox import cox
from cxlib.lifecycle.survival import (
    customer_durations,
    kaplan_meier,
    logrank,
    median_survival,
    survival_at,
    survival_counts,
)
from cxlib.sample import HAZARD_RATIOS, REVENUE_MEDIAN
from cxlib.studies.churn_study import churn_study, load_churn_data, state_panel


@pytest.fixture(scope="module")
def random_survival():
    rng = np.random.default_rng(0)
    n = 3000
    duration = rng.integers(0, 400, n).astype(float)
    event = rng.random(n) < 0.6
    segment = pd.Series(rng.choice(list("abc"), n), name="g")
    entry = np.minimum(rng.integers(0, 100, n), duration).astype(float)
    return duration, event, segment, entry


@pytest.mark.parametrize("with_entry", [False, True])
def test_kaplan_meier_and_greenwood_equal_statsmodels(random_survival, with_entry):
    duration, event, segment, entry = random_survival
    counts = survival_counts(duration, event, entry if with_entry else None, segment)
    km = kaplan_meier(counts)
    for s in "abc":
        rows = (segment == s).to_numpy()
        # statsmodels counts a subject at risk when entry < t; ours when entry <= t (whole days): entry - 1/2
        ref = SurvfuncRight(duration[rows], event[rows].astype(int),
                            entry=entry[rows] - 0.5 if with_entry else None)
        mine = km[km["segment"] == s]
        np.testing.assert_allclose(mine["time"], ref.surv_times)
        np.testing.assert_array_equal(mine["at_risk"], ref.n_risk)
        np.testing.assert_allclose(mine["survival"], ref.surv_prob, atol=1e-12)
        np.testing.assert_allclose(mine["se"], ref.surv_prob_se, atol=1e-12)


@pytest.mark.parametrize("with_entry", [False, True])
def test_logrank_equals_statsmodels_survdiff(random_survival, with_entry):
    duration, event, segment, entry = random_survival
    result = logrank(survival_counts(duration, event, entry if with_entry else None, segment))
    statistic, p = survdiff(duration, event.astype(int), segment.to_numpy(), entry=entry - 0.5 if with_entry else None)
    assert result["statistic"] == pytest.approx(statistic, rel=1e-10)
    assert result["p_value"] == pytest.approx(p, rel=1e-8) and result["df"] == 2


def test_median_and_interval_equal_statsmodels_quantile_ci(random_survival):
    duration, event, segment, _ = random_survival
    medians = median_survival(kaplan_meier(survival_counts(duration, event, None, segment))).set_index("segment")
    for s in "abc":
        rows = (segment == s).to_numpy()
        ref = SurvfuncRight(duration[rows], event[rows].astype(int))
        assert medians.loc[s, "median"] == ref.quantile(0.5)
        assert (medians.loc[s, "ci_low"], medians.loc[s, "ci_high"]) == ref.quantile_ci(0.5)



def test_a_median_pinned_to_one_step_has_that_step_as_its_interval_as_lifelines_gives():
    """Annual contracts: 65% leave at month 12, so S falls from 1 to about 0.35 in one step. No time passes
    Brookmeyer-Crowley's test (statsmodels gives no interval); the median is pinned to month 12, as the pointwise
    band gives in lifelines and R."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    rng = np.random.default_rng(4)
    duration = np.where(rng.random(300) < 0.65, 12.0, rng.integers(13, 30, 300)).astype(float)
    event = (duration == 12) | (rng.random(300) < 0.3)
    ours = median_survival(kaplan_meier(survival_counts(duration, event))).iloc[0]
    fitted = KaplanMeierFitter().fit(duration, event)
    low, high = median_survival_times(fitted.confidence_interval_).iloc[0]
    assert (ours["median"], ours["ci_low"], ours["ci_high"]) == (fitted.median_survival_time_, low, high) == (
        12.0, 12.0, 12.0)
    assert np.isnan(SurvfuncRight(duration, event.astype(int)).quantile_ci(0.5)[0])



def test_a_median_where_the_curve_rests_at_one_half_is_the_middle_of_that_stretch_as_r_gives():
    """10 of 20 leave at month 3 (S = 0.5 exactly until month 9), 5 at 9: R's survfit and SAS give 6, lifelines and
    statsmodels 9 (the end of the stretch), the first time S <= 0.5 would be 3. The interval is statsmodels'."""
    duration = np.array([3.0] * 10 + [9.0] * 5 + [12.0] * 5)
    event = np.array([True] * 15 + [False] * 5)
    ours = median_survival(kaplan_meier(survival_counts(duration, event))).iloc[0]
    assert ours["median"] == 6.0
    assert (ours["ci_low"], ours["ci_high"]) == SurvfuncRight(duration, event.astype(int)).quantile_ci(0.5)

def test_kaplan_meier_by_hand_and_fractional_times():
    # times 1, 2, 2+, 3, 4+, 5, 5: S = 6/7, 5/7 at 2, * 3/4 at 3, * 0 at 5
    duration = np.array([1, 2, 2, 3, 4, 5, 5], dtype=float)
    event = np.array([1, 1, 0, 1, 0, 1, 1], dtype=bool)
    km = kaplan_meier(survival_counts(duration, event))
    np.testing.assert_allclose(km["survival"], [6 / 7, 5 / 7, 5 / 7 * 3 / 4, 0.0])
    frac = kaplan_meier(survival_counts(duration + 0.25, event))
    np.testing.assert_allclose(frac["survival"], km["survival"])
    np.testing.assert_allclose(frac["time"], km["time"] + 0.25)
    at = survival_at(km, [0, 2.5, 10]).set_index("t")["survival"]
    assert at.to_dict() == pytest.approx({0: 1.0, 2.5: 5 / 7, 10: 0.0})


def test_durations_need_valid_values():
    with pytest.raises(DataError, match="not negative"):
        survival_counts(np.array([1.0, -2.0]), np.array([True, False]))
    with pytest.raises(DataError, match="entry time is after its exit"):
        survival_counts(np.array([1.0, 2.0]), np.array([True, False]), entry=np.array([0.0, 3.0]))
    customers = pd.DataFrame({"signup_date": pd.to_datetime(["2024-01-01"]), "churn_date": pd.to_datetime(["2024-06-01"])})
    with pytest.raises(DataError, match="after as_of"):
        customer_durations(customers, as_of="2024-03-01")


def test_cox_equals_phreg_and_the_time_shift_is_exact():
    rng = np.random.default_rng(1)
    n = 2000
    x = rng.normal(size=(n, 2))
    duration = np.floor(rng.exponential(100 * np.exp(-0.5 * x[:, 0])))
    event = rng.random(n) < 0.7
    entry = np.minimum(rng.integers(1, 30, n), duration).astype(float)
    frame = pd.DataFrame({"d": duration, "e": event, "x0": x[:, 0], "x1": x[:, 1], "entry": entry})
    plain = cox(frame, "d", "e", ["x0", "x1"])
    ref = PHReg(duration, x, status=event.astype(int), ties="efron").fit()
    np.testing.assert_allclose(plain.terms["coef"], ref.params, rtol=1e-8)
    np.testing.assert_allclose(plain.terms["se"], ref.bse, rtol=1e-8)
    delayed = cox(frame[frame["entry"] < frame["d"]], "d", "e", ["x0", "x1"], entry="entry")
    keep = entry < duration
    ref = PHReg(duration[keep], x[keep], status=event[keep].astype(int), entry=entry[keep] - 0.5, ties="efron").fit()
    np.testing.assert_allclose(delayed.terms["coef"], ref.params, rtol=1e-8)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_fast_fit_equals_phreg_with_heavy_ties_intervals_and_schoenfeld_residuals(ties):
    from cxlib.lifecycle.cox import cox_fit

    rng = np.random.default_rng(7)
    n = 5000
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(size=n) * 100])
    duration = np.floor(rng.exponential(20 * np.exp(-0.4 * x[:, 0] + 0.3 * x[:, 1]))) + 1  # ~20 distinct days
    event = rng.random(n) < 0.8
    start = np.floor(rng.uniform(0, 1, n) * duration)  # (start, stop] intervals
    for entry, inclusive, phreg_entry in ((None, True, None), (start, True, start), (start, False, start + 0.5)):
        ours, cov, residuals = cox_fit(duration, event, x, entry, entry_inclusive=inclusive, ties=ties)
        ref = PHReg(duration, x, status=event.astype(int), entry=phreg_entry, ties=ties).fit()  # entry <= t
        np.testing.assert_allclose(ours, ref.params, rtol=1e-9)
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), ref.bse, rtol=1e-9)
        if ties == "breslow":  # PHReg's residuals use the Breslow means whatever the ties
            np.testing.assert_allclose(residuals, ref.schoenfeld_residuals, rtol=1e-7, atol=1e-9)
    frame = pd.DataFrame({"d": duration, "e": event, "a": x[:, 0], "b": 2 * x[:, 0], "start": start})
    with pytest.raises(DataError, match="collinear"):
        cox(frame, "d", "e", ["a", "b"], ties=ties)


def test_efron_is_the_default_and_equals_lifelines_and_phreg_on_public_data():
    """Whole-week (rossi) and whole-day (gbsg2) durations, heavily tied."""
    from lifelines import CoxPHFitter
    from lifelines.datasets import load_gbsg2, load_rossi

    from cxlib.lifecycle.cox import cox_fit

    gbsg2 = load_gbsg2().assign(hormone=lambda f: (f["horTh"] == "yes").astype(float))
    for frame, duration, event, covariates in (
            (load_rossi(), "week", "arrest", ["fin", "age", "race", "wexp", "mar", "paro", "prio"]),
            (gbsg2, "time", "cens", ["hormone", "age", "tsize", "pnodes", "progrec", "estrec"])):
        ours = cox(frame, duration, event, covariates)
        assert ours.ties == "efron"
        theirs = CoxPHFitter().fit(frame[[duration, event, *covariates]], duration, event,
                                   fit_options={"precision": 1e-12})
        np.testing.assert_allclose(ours.terms["coef"], theirs.params_[covariates], rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(ours.terms["se"], theirs.standard_errors_[covariates], rtol=1e-6)
        ref = PHReg(frame[duration], frame[covariates], status=frame[event].astype(int), ties="efron").fit()
        np.testing.assert_allclose(ours.terms["coef"], ref.params, rtol=1e-10)
        np.testing.assert_allclose(ours.terms["se"], ref.bse, rtol=1e-10)
        breslow = cox(frame, duration, event, covariates, ties="breslow")
        ref = PHReg(frame[duration], frame[covariates], status=frame[event].astype(int), ties="breslow").fit()
        np.testing.assert_allclose(breslow.terms["coef"], ref.params, rtol=1e-10)
        # Schoenfeld residuals with Efron's tied means, as lifelines computes them
        _, _, residuals = cox_fit(frame[duration].to_numpy(float), frame[event].to_numpy(bool),
                                  frame[covariates].to_numpy(float))
        event_rows = ~np.isnan(residuals[:, 0])
        theirs_residuals = theirs.compute_residuals(frame[[duration, event, *covariates]], "schoenfeld")
        np.testing.assert_allclose(residuals[event_rows], theirs_residuals.sort_index()[covariates], atol=1e-6)
    with pytest.raises(DataError, match="ties must be one of"):
        cox(load_rossi(), "week", "arrest", ["fin"], ties="exact")


def test_numbers_are_read_per_standard_deviation_or_per_the_unit_given():
    from lifelines.datasets import load_rossi

    rossi = load_rossi()
    fit = cox(rossi, "week", "arrest", ["fin", "age", "prio"])
    steps = fit.per_step().set_index("term")
    assert steps.loc["fin", "per"] == 1  # 0/1: per one step
    assert steps.loc["age", "per"] == pytest.approx(rossi["age"].std())
    coef = fit.terms.set_index("term").loc["age", "coef"]
    assert steps.loc["age", "hazard_ratio"] == pytest.approx(np.exp(coef * rossi["age"].std()))
    assert steps.loc["age", "ci_low"] < steps.loc["age", "hazard_ratio"] < steps.loc["age", "ci_high"]
    ten_years = cox(rossi, "week", "arrest", ["fin", "age", "prio"], units={"age": 10}).per_step().set_index("term")
    assert ten_years.loc["age", "per"] == 10
    assert ten_years.loc["age", "hazard_ratio"] == pytest.approx(np.exp(10 * coef), rel=1e-12)
    with pytest.raises(DataError, match="not covariates"):
        cox(rossi, "week", "arrest", ["fin"], units={"agee": 10})


def test_cox_dummy_coding_reference_and_ph_check():
    rng = np.random.default_rng(2)
    n = 3000
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    early = rng.exponential(50, n)
    late = 60 + rng.exponential(20, n)
    duration = np.floor(np.where(group == "b", np.minimum(early, 60) + (early >= 60) * (late - 60), rng.exponential(60, n)))
    frame = pd.DataFrame({"d": duration, "e": True, "group": group, "noise": rng.normal(size=n)})
    result = cox(frame, "d", "e", ["group", "noise"])
    assert result.references == {"group": "a"}  # the most frequent level
    assert list(result.terms["term"]) == ["group[b]", "group[c]", "noise"]
    forced = cox(frame, "d", "e", ["group"], reference={"group": "c"})
    assert list(forced.terms["term"]) == ["group[a]", "group[b]"]
    assert result.ph_check.set_index("term").loc["noise", "proportional"]  # noise has no effect at all
    assert any("group[b]" in w for w in result.warnings)  # b's hazard changes at 60 days: not proportional
    with pytest.raises(DataError, match="reference level 'z' is not a level"):
        cox(frame, "d", "e", ["group"], reference={"group": "z"})


def test_time_varying_cox_recovers_the_sample_hazard_ratios():
    data = cx.io.load()
    panel = state_panel(data, observed_from="2024-01-01")
    panel["log2_price"] = np.log2(panel["monthly_revenue"] / panel["plan"].map(REVENUE_MEDIAN))
    fit = cox(panel, "stop", "event", ["plan", "nps_state", "bad_service_so_far", "log2_price"], entry="start",
              entry_inclusive=False, reference={"plan": "standard", "nps_state": "promoter", "bad_service_so_far": "no"})
    terms = fit.terms.set_index("term")
    truth = {"plan[basic]": HAZARD_RATIOS["plan[basic]"], "plan[premium]": HAZARD_RATIOS["plan[premium]"],
             "nps_state[detractor]": HAZARD_RATIOS["nps_group[detractor]"],
             "nps_state[passive]": HAZARD_RATIOS["nps_group[passive]"],
             "nps_state[not yet surveyed]": HAZARD_RATIOS["nps_group[passive]"],  # unsurveyed carry the passive hazard
             "bad_service_so_far[yes]": HAZARD_RATIOS["bad_service"], "log2_price": HAZARD_RATIOS["price_doubling"]}
    for term, value in truth.items():
        assert terms.loc[term, "ci_low"] <= value <= terms.loc[term, "ci_high"], (term, terms.loc[term].to_dict())
    assert fit.events == (data.customers["churn_date"].notna()).sum()


def test_fixed_ever_had_a_bad_ticket_is_biased_which_is_why_the_study_uses_states():
    frame, data = load_churn_data(None, duration_col="duration", event_col="event", time_unit="days", observed_from="2024-01-01")
    served = frame[frame["service"] != "no ticket"]
    naive = cox(served, "duration", "event", ["service"], entry="entry", reference={"service": "good experience"})
    assert naive.terms.iloc[0]["hazard_ratio"] < 1  # bad service looks protective: immortal-time bias
    study = churn_study(frame, duration="duration", event="event", entry="entry", segment_col="plan",
                        covariates=["plan", "region"], panel=state_panel(data, observed_from="2024-01-01"))
    hr = study.by_service["hazard_ratio"]
    assert hr["ci_low"] <= HAZARD_RATIOS["bad_service"] <= hr["ci_high"]


def test_memory_grows_with_the_rows_not_with_a_value_in_the_data():
    """One duration of a billion months once took 23 GB: the time axis is the distinct times when the longest time
    is far beyond the rows, in memory and in every backend's reduce."""
    import tracemalloc

    from cxlib.engine import open_source

    duration = np.array([3.0, 5.0, 5.0, 8.0, 1e9])
    event = np.array([True, False, True, True, True])
    tracemalloc.start()
    counts = survival_counts(duration, event)
    with open_source(pd.DataFrame({"d": duration, "e": event})) as source:
        reduced = source.survival_counts("d", "e")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000
    assert list(counts.times) == list(reduced.times) == [3.0, 5.0, 8.0, 1e9]
    km = kaplan_meier(counts)
    assert km["survival"].tolist() == pytest.approx([0.8, 0.6, 0.3, 0.0])
    assert list(survival_counts(np.array([0.0, 2.0]), np.array([True, True])).times) == [0.0, 1.0, 2.0]


def test_survival_past_the_last_observation_is_known_when_it_was_a_departure():
    """Past the longest follow-up the curve is unknown only when a customer was still there at its end."""
    segment = pd.Series(["left last"] * 3 + ["stayed last"] * 3, name="g")
    counts = survival_counts(np.array([100.0, 500, 999, 100, 500, 999]),
                             np.array([True, False, True, True, True, False]), segment=segment)
    at = survival_at(kaplan_meier(counts), [365, 1000], ["left last", "stayed last"], counts.follow_up(),
                     counts.known_until()).set_index(["segment", "t"])
    assert at.loc[("left last", 1000), "survival"] == 0.0  # every customer seen last left: the curve is at 0
    assert pd.isna(at.loc[("left last", 1000), "note"])
    assert np.isnan(at.loc[("stayed last", 1000), "survival"])
    assert at.loc[("stayed last", 1000), "note"].startswith("not estimable")
    assert at.loc[("stayed last", 365), "survival"] == pytest.approx(2 / 3)


def test_logrank_without_information_is_not_made():
    """Every customer left at month 12: at that time all at risk left, so the variance is 0 and there is no test."""
    everyone_at_12 = survival_counts(np.full(6, 12.0), np.ones(6, bool), segment=pd.Series(list("aabbcc"), name="g"))
    assert np.isnan(logrank(everyone_at_12)["p_value"]) and logrank(everyone_at_12)["df"] == 0
