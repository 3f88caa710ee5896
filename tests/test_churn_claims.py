"""The churn report's sentences hold for data nobody here made: survival read as "longer than", what is known past
the last observation, Cox terms per a meaningful step with the proportional-hazards caveat, and yes/no codes."""

import re

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from cxlib import studies
from cxlib.formatting import labels
from cxlib.io import DataError


def _run(tmp_path, frame: pd.DataFrame, **params):
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    result, data = studies.compute("churn_study", {"data_path": str(path), "time_unit": "months", **params})
    return result, data, {c.key: c for c in result.claims()}


def test_survival_is_the_share_who_stay_longer_than_the_horizon(tmp_path):
    """Six customers leave at exactly 72 months: the sentence is about staying longer than 72, and its number is
    P(T > 72), lifelines' value at 72."""
    rng = np.random.default_rng(4)
    months = np.minimum(rng.integers(1, 90, 400), 80).astype(float)
    left = rng.random(400) < 0.4
    months[:6], left[:6] = 72.0, True
    months[6:10], left[6:10] = 80.0, False  # still there at the end
    frame = pd.DataFrame({"tenure_months": months, "left": left})
    result, _, claims = _run(tmp_path, frame, duration_col="tenure_months", event_col="left", segment_col=None,
                             covariates=[], horizons=[72])
    claim = claims["churn.survival"]
    assert "stay longer than 72 months" in claim.text()
    reference = KaplanMeierFitter().fit(months, left).survival_function_at_times([72.0]).iloc[0]
    assert claim.numbers["survival"] == pytest.approx(reference, abs=1e-12)
    assert claim.numbers["survival"] == pytest.approx(1 - KaplanMeierFitter().fit(months, left)
                                                      .cumulative_density_at_times([72.0]).iloc[0], abs=1e-12)


def test_past_the_longest_follow_up_only_a_censored_end_is_unknown(tmp_path):
    """A segment whose last customer left at day 999 has reached 0 at 1,000 days; one whose last was still there
    is not estimable, and the sentence says why."""
    frame = pd.DataFrame({"days": [100, 400, 999] * 10, "left": [1, 0, 1] * 5 + [1, 1, 0] * 5,
                          "tier": ["gold"] * 15 + ["silver"] * 15})
    result, _, claims = _run(tmp_path, frame, duration_col="days", event_col="left", segment_col="tier",
                             covariates=[], horizons=[365, 1000], time_unit="days")
    at = result.survival.set_index(["segment", "t"])
    assert at.loc[("gold", 1000), "survival"] == 0.0
    assert np.isnan(at.loc[("silver", 1000), "survival"])
    assert np.isnan(at.loc[("all", 1000), "survival"])  # overall, the last seen at 999 include customers still there
    assert "customers were still there at its end" in claims["churn.not_estimable"].text()


def test_cox_sentence_reads_numbers_per_standard_deviation_and_warns_where_the_effect_changes_with_tenure(tmp_path):
    rng = np.random.default_rng(11)
    n = 3000
    income = rng.normal(50_000, 12_000, n)
    early = rng.random(n) < 0.4  # an early cohort leaves fast in its first months only: not proportional
    hazard = 0.02 * np.exp((income - 50_000) / 12_000 * 0.4)
    first = rng.exponential(1 / (8 * hazard))  # the early cohort: 8 times the hazard in its first 3 months, then 1
    lifetime = np.where(early & (first < 3), first, np.where(early, 3, 0) + rng.exponential(1 / hazard))
    follow = rng.uniform(20, 60, n)
    frame = pd.DataFrame({"tenure_months": np.ceil(np.minimum(lifetime, follow)), "left": lifetime < follow,
                          "income": income.round(), "cohort": np.where(early, "early", "late")})
    result, _, claims = _run(tmp_path, frame, duration_col="tenure_months", event_col="left", segment_col=None,
                             covariates=["income", "cohort"], horizons=[12])
    terms = result.cox.per_step().set_index("term")
    assert terms.loc["income", "per_kind"] == "standard deviation"
    assert terms.loc["income", "per"] == pytest.approx(frame["income"].std(), rel=1e-9)
    assert not terms.loc["cohort[early]", "proportional"]
    text = claims["churn.cox_clear"].text()
    assert f"times the rate per {frame['income'].std():,.0f} more, one standard deviation" in text
    assert "0.00 to" not in text and "(1.00 times" not in text
    early_part = text[text.index("Cohort"):]
    assert early_part.split(")")[0].endswith("though its effect changes with tenure")
    assert "changes with tenure" not in text[text.index("Income"):].split(")")[0]
    assert claims["churn.cox_clear"].numbers["changing_with_tenure"] == ["cohort[early]"]
    said = result.changing_with_tenure().text()
    assert said.startswith("The hazard ratio of Cohort: early vs late (correlation with time")
    assert "changes with tenure" in said
    assert result.cox.ties == "efron"
    steps, _ = studies.compute("churn_study", {"data_path": str(tmp_path / "customers.csv"), "time_unit": "months",
                                               "duration_col": "tenure_months", "event_col": "left",
                                               "segment_col": None, "covariates": ["income", "cohort"],
                                               "horizons": [12], "covariate_steps": {"income": 10_000}})
    assert "per 10,000 more;" in steps.claims()[-1].text()


@pytest.mark.parametrize("yes, no", [("Yes", "No"), ("Evet", "Hayır"), ("EVET", "HAYIR"), ("evet", "hayir"),
                                     ("Da", "Ne"), ("ДА", "НЕ"), ("да", "не")])
def test_yes_and_no_in_the_reports_languages_read_as_yes_and_no(tmp_path, yes, no):
    frame = pd.DataFrame({"tenure_months": [3, 5, 8, 13, 21, 34] * 6, "left": [yes, no, yes, no, no, yes] * 6})
    result, data, _ = _run(tmp_path, frame, duration_col="tenure_months", event_col="left", segment_col=None,
                           covariates=[], horizons=[6])
    assert (result.n, result.events) == (36, 18)
    assert data.quality.rows_kept == {"customers": 36}


@pytest.mark.parametrize("codes, shown", [([0, 1, 2, 1], "3 different codes: '1' (20 rows), '0' (10 rows), '2' (10 rows)"),
                                          ([1, 2, 2, 2], "2 different codes: '2' (30 rows), '1' (10 rows)"),
                                          (["yes"] * 3 + ["maybe"], "2 different codes: 'yes' (30 rows), 'maybe' (10 rows)")])
def test_codes_other_than_yes_and_no_are_refused_naming_event_value(tmp_path, codes, shown):
    """0/1/2 means three things; R's 1/2 (censored/died) and yes/maybe do not say which code means no."""
    frame = pd.DataFrame({"tenure_months": range(1, 41), "left": codes * 10})
    with pytest.raises(DataError, match=re.escape(shown) + r"\. Set event_value to the code that means yes"):
        _run(tmp_path, frame, duration_col="tenure_months", event_col="left", segment_col=None, covariates=[],
             horizons=[6])
    named, _, _ = _run(tmp_path, frame, duration_col="tenure_months", event_col="left", event_value=str(codes[-1]),
                       segment_col=None, covariates=[], horizons=[6])
    assert named.events == 10 * codes.count(codes[-1])


def test_the_hazard_ratio_chart_says_the_step_of_a_number():
    from lifelines.datasets import load_rossi

    import cxlib as cx
    from cxlib.lifecycle.cox import cox

    fit = cox(load_rossi(), "week", "arrest", ["fin", "age", "prio"])
    chart = cx.plots.hazard_ratios(fit.per_step(), references=fit.references)
    labels = [tick.get_text() for tick in chart.ax.get_yticklabels()]
    assert f"Age, per {load_rossi()['age'].std():.3g}" in labels and "Fin" in labels[-1]
    assert "Age, per" in chart.alt


@pytest.mark.parametrize(("marks", "event_value"), [("Churned", "Churned"), ("Yes", None), ("1", None)])
def test_a_column_that_marks_only_leavers_reads_its_blanks_as_stayed_and_says_so(tmp_path, marks, event_value):
    """A CRM export writes "Churned" for those who left and nothing for the rest: 86 of 300 left, not 86 of 86."""
    rng = np.random.default_rng(1)
    left = rng.random(300) < 0.3
    frame = pd.DataFrame({"months": rng.integers(1, 40, 300), "status": np.where(left, marks, "")})
    result, data, _ = _run(tmp_path, frame, duration_col="months", event_col="status", event_value=event_value,
                           segment_col=None, covariates=[], revenue_col=None)
    assert (result.n, result.events) == (300, int(left.sum()))
    issues = data.quality.to_frame()
    assert issues[["rule", "action", "rows"]].values.tolist() == [
        ["blank: did not leave (the column marks only those who left)", "note", int((~left).sum())]]
    out_of_core = tmp_path / "customers.parquet"
    frame.assign(status=pd.array(np.where(left, 1, pd.NA), dtype="Int64")).to_parquet(out_of_core)
    with pytest.raises(DataError, match=f"'status' marks only those who left and leaves {(~left).sum()} rows blank"):
        studies.compute("churn_study", {"data_path": str(out_of_core), "backend": "duckdb", "duration_col": "months",
                                        "event_col": "status", "segment_col": None, "covariates": [],
                                        "time_unit": "months", "revenue_col": None})


def test_blanks_in_a_column_with_both_codes_are_unknown_left_out_and_counted(tmp_path):
    rng = np.random.default_rng(2)
    status = np.where(rng.random(300) < 0.3, "Yes", "No")
    blank = rng.random(300) < 0.1
    frame = pd.DataFrame({"months": rng.integers(1, 40, 300), "status": np.where(blank, "", status)})
    result, data, _ = _run(tmp_path, frame, duration_col="months", event_col="status", segment_col=None,
                           covariates=[], revenue_col=None)
    assert (result.n, result.events) == ((~blank).sum(), ((status == "Yes") & ~blank).sum())
    assert data.quality.to_frame()[["rule", "action", "rows"]].values.tolist() == [
        ["missing value", "excluded", int(blank.sum())]]
    assert data.quality.rows_kept["customers"] == (~blank).sum()


@pytest.mark.parametrize("study", ["churn_study", "business_case"])
def test_a_table_where_nobody_left_stops_with_what_to_check(tmp_path, study):
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"days": rng.integers(1, 900, 120), "left": 0, "plan": rng.choice(["a", "b"], 120),
                          "mrr": 50.0, "ltr": rng.integers(0, 11, 120)})
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    params = {"data_path": str(path), "duration_col": "days", "event_col": "left", "segment_col": "plan",
              "revenue_col": "mrr", **({"nps_col": "ltr"} if study == "business_case" else
                                       {"covariates": ["plan"], "time_unit": "days"})}
    with pytest.raises(DataError, match="nobody left: 'left' says 'stayed' for all 120 customers.*check event_col"):
        studies.compute(study, params)


def test_a_few_words_among_a_covariates_numbers_leave_it_a_number_and_are_counted(tmp_path):
    """An age column with 'n/a' and 'bilinmiyor' among 300 ages is an age (one hazard ratio), not 60 categories;
    the words are left out of the Cox model only, counted with their rows; the ratio equals lifelines' without
    them."""
    from lifelines import CoxPHFitter

    rng = np.random.default_rng(11)
    n = 300
    age = rng.integers(20, 70, n).astype(float)
    months = rng.exponential(30 / np.exp(0.03 * (age - 45)), n).round() + 1
    frame = pd.DataFrame({"months": months, "left": rng.random(n) < 0.7, "age": age.astype(int).astype(str)})
    frame.loc[[3, 40, 77], "age"] = ["n/a", "bilinmiyor", "n/a"]
    result, data, _ = _run(tmp_path, frame, duration_col="months", event_col="left", segment_col=None,
                           covariates=["age"], revenue_col=None)
    assert result.cox.terms["term"].tolist() == ["age"]
    issues = {i.rule: (i.n_rows, i.examples) for i in data.quality.issues}
    assert issues["not a number (left out of the Cox model only)"] == (3, ("n/a", "bilinmiyor", "n/a"))
    clean = frame.drop(index=[3, 40, 77]).astype({"age": float, "left": int})
    ref = CoxPHFitter().fit(clean, "months", "left").params_["age"]
    assert result.cox.terms.set_index("term").loc["age", "coef"] == pytest.approx(ref, rel=1e-5)


@pytest.mark.parametrize(("status", "said"), [
    (["Active", ""], "holds 1 code: 'active' (.*). If 'active' means yes, set event_value to it .* If it means no"),
    (["2024-04-15", "2024-05-01", ""], "holds dates .* a date is when, not whether"),
])
def test_a_status_column_that_is_not_yes_no_gets_advice_that_does_not_invert_the_numbers(tmp_path, status, said):
    rng = np.random.default_rng(12)
    frame = pd.DataFrame({"months": rng.integers(1, 40, 200), "status": rng.choice(status, 200)})
    with pytest.raises(DataError, match=said):
        _run(tmp_path, frame, duration_col="months", event_col="status", segment_col=None, covariates=[],
             revenue_col=None)


def test_the_cox_table_shows_the_holm_adjusted_p_the_summary_rests_on(tmp_path):
    from statsmodels.stats.multitest import multipletests

    study, _ = studies.compute("churn_study", {})
    table = study.cox_table()
    np.testing.assert_allclose(table["p_adjusted"], multipletests(table["p_value"], method="holm")[1], rtol=1e-12)
    assert (table["p_adjusted"] >= table["p_value"]).all()


@pytest.mark.parametrize("codes, shown", [((True, False), ("yes", "no")), (("TRUE", "FALSE"), ("yes", "no")),
                                          ((1, 0), ("1", "0"))])
def test_true_false_reads_as_yes_and_no_and_0_1_as_written(tmp_path, codes, shown):
    """True/False say yes and no: segments "yes" and "no", the Cox term "Transplant: yes vs no" against no. A 0/1
    column may be a flag or a gender, so it stays as written ("Transplant: 1 vs 0"). The hazard ratio is the same."""
    rng = np.random.default_rng(5)
    n = 600
    transplant = rng.random(n) < 0.3
    lifetime = rng.exponential(np.where(transplant, 40.0, 15.0))
    follow = rng.uniform(10, 60, n)
    yes, no = codes
    frame = pd.DataFrame({"tenure_months": np.ceil(np.minimum(lifetime, follow)), "left": lifetime < follow,
                          "transplant": np.where(transplant, yes, no), "surgery": np.where(rng.random(n) < .5, yes, no)})
    result, data, claims = _run(tmp_path, frame, duration_col="tenure_months", event_col="left",
                                segment_col="surgery", covariates=["transplant", "surgery"], horizons=[12])
    assert set(result.survival["segment"]) == {"all", *shown}
    from cxlib.lifecycle.cox import cox
    numeric = cox(frame.assign(transplant=transplant.astype(float), surgery=(frame["surgery"] == yes).astype(float),
                               left=frame["left"].astype(float)), "tenure_months", "left", ["transplant", "surgery"])
    terms = result.cox.terms.set_index("term")["coef"]
    if shown[0] == "yes":
        assert result.cox.references == {"transplant": "no", "surgery": "no"}
        assert terms["transplant[yes]"] == pytest.approx(numeric.terms.set_index("term").loc["transplant", "coef"],
                                                         rel=1e-9)
        assert "Transplant: yes vs no (0." in claims["churn.cox_clear"].text()
        assert "true/false shown as yes and no" in data.quality.to_frame()["rule"].tolist()
    else:
        assert terms["transplant"] == pytest.approx(numeric.terms.set_index("term").loc["transplant", "coef"],
                                                    rel=1e-9)
        assert "Surgery: 1 vs 0" in [labels.term(t, result.cox.references) for t in result.cox.terms["term"]]


def test_a_table_with_rows_per_interval_is_refused_in_rows_with_what_to_do(tmp_path):
    """A start/stop table repeats each customer's id: the message counts rows, not customers, and says the study
    reads one row per customer."""
    frame = pd.DataFrame({"id": np.repeat(np.arange(40), 2), "stop": np.tile([5, 9], 40),
                          "left": np.tile([0, 1], 40)})
    with pytest.raises(DataError) as error:
        _run(tmp_path, frame, duration_col="stop", event_col="left", id_col="id", segment_col=None, covariates=[],
             revenue_col=None)
    message = str(error.value)
    assert message.startswith("customers: only 0 of 80 rows can be used")
    assert "reads one row per id" in message



def test_a_table_where_no_time_passed_stops_with_the_column(tmp_path):
    frame = pd.DataFrame({"tenure_months": [0] * 60, "left": [1, 0] * 30})
    with pytest.raises(DataError, match=r"every duration in 'tenure_months' is 0, so no one was followed over time"):
        _run(tmp_path, frame, duration_col="tenure_months", event_col="left", segment_col=None, covariates=[],
             revenue_col=None)
