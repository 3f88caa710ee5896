"""The churn study end to end (sample and a flat table with warts) and its parts against direct computations."""

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

import cxlib as cx
from cxlib.reports import run_study
from cxlib.reports.results import to_jsonable
from cxlib.sample import HAZARD_RATIOS
from cxlib.studies.churn_study import load_churn_data, nps_churn_by_touchpoint, service_churn


def results(run_dir):
    return json.loads((run_dir / "results.json").read_text())


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


def test_churn_study_on_the_sample(sample_reports):
    run = sample_reports["churn_study"]
    out = results(run)["results"]
    study, _ = cx.studies.compute("churn_study")  # with the report's display options (currency)
    assert out == to_jsonable(study.to_dict())
    assert {"n", "events", "survival", "logrank", "cox"} <= set(out)
    assert out["n"] == 5000 and out["events"] == 1228
    keys = {(s["segment"], s["t"]) for s in out["survival"]}
    assert keys == {(seg, t) for seg in ("all", "basic", "premium", "standard") for t in (90, 365, 730)}
    assert all(s["ci_low"] <= s["survival"] <= s["ci_high"] for s in out["survival"])
    assert set(out["logrank"]) == {"statistic", "df", "p_value"} and out["logrank"]["df"] == 2
    assert all({"term", "hazard_ratio", "ci_low", "ci_high", "p_value"} == set(c) for c in out["cox"])
    detractor = next(t for t in out["by_nps"]["hazard_ratios"] if t["term"] == "nps_state[detractor]")
    assert detractor["ci_low"] <= HAZARD_RATIOS["nps_group[detractor]"] <= detractor["ci_high"]
    assert out["reasons"][0]["theme"] == "pricing"  # the sample's most common reason for leaving (38% designed)
    assert out["revenue_at_risk"][-1]["segment"] == "all"
    html = (run / "report.html").read_text()
    assert "Executive summary" in html and "Revenue at risk over the next 30 days" in html


@pytest.fixture(scope="module")
def flat_customers(tmp_path_factory):
    """A CRM export: 'Yes'/'No' churn flags, a blank and a negative tenure, zero tenures, repeated ids."""
    rng = np.random.default_rng(11)
    n = 2000
    tier = rng.choice(["Gold", "Silver", "Bronze"], n, p=[0.2, 0.5, 0.3])
    rate = np.select([tier == "Gold", tier == "Silver"], [0.02, 0.04], 0.06)
    lifetime = rng.exponential(1 / rate)
    follow = rng.uniform(0, 60, n)
    months = np.floor(np.minimum(lifetime, follow)).astype(int)
    nps = np.clip(np.round(8 - 40 * (rate - 0.04) + rng.normal(0, 2, n)), 0, 10).astype(int)
    frame = pd.DataFrame({"CustomerID": [f"K{i:05d}" for i in range(n)], "TenureMonths": months.astype(str),
                          "TenureDays": np.floor(np.minimum(lifetime, follow) * 30.44).astype(int), "LastNPS": nps,
                          "Churned": np.where(lifetime < follow, "Yes", "No"), "Tier": tier,
                          "Age": rng.integers(18, 80, n), "MRR": rng.uniform(10, 100, n).round(2),
                          "Reason": np.where(lifetime < follow, rng.choice(
                              ["Too expensive", "app keeps crashing", "", "Cheaper offer elsewhere"], n), "")})
    frame.loc[3, "TenureMonths"] = ""
    frame.loc[4, "TenureMonths"] = "-2"
    frame.loc[5:7, "TenureMonths"] = "0"
    duplicates = frame.iloc[[10, 11]].copy()  # 10 repeated exactly; 11 repeated with another tier
    duplicates.loc[duplicates.index[1], "Tier"] = "Gold" if frame.loc[11, "Tier"] != "Gold" else "Silver"
    frame = pd.concat([frame, duplicates], ignore_index=True)
    path = tmp_path_factory.mktemp("churn") / "crm.csv"
    frame.to_csv(path, index=False)
    return path


FLAT = {"duration_col": "TenureMonths", "event_col": "Churned", "segment_col": "Tier",
        "covariates": ["Tier", "Age"], "horizons": [12, 24], "revenue_col": "MRR", "id_col": "CustomerID",
        "reason_col": "Reason", "period": 1, "time_unit": "months"}


@pytest.mark.slow
def test_churn_study_on_a_flat_table(reports, flat_customers):
    run = run_study("churn_study", {"data_path": str(flat_customers), **FLAT}, reports_dir=reports)
    out = results(run)
    study, table = cx.studies.compute("churn_study", {"data_path": str(flat_customers), **FLAT})
    assert out["results"] == to_jsonable(study.to_dict())
    issues = {(i["rule"], i["action"]): i["rows"] for i in out["data_quality"]["issues"]}
    assert issues[("missing value", "excluded")] == 1
    assert issues[("repeated row (kept once)", "excluded")] == 1
    assert issues[("duplicate CustomerID with different values", "excluded")] == 2
    assert issues[("duration 0 (kept: left or censored within the first month)", "note")] >= 3
    assert sum(v for (rule, action), v in issues.items() if action == "excluded") == 5  # blank, negative, 1 + 2 ids
    assert out["results"]["n"] == 2000 - 3  # blank, negative, and the id given twice with different values
    # Kaplan-Meier and log-rank against statsmodels on the same rows
    frame = table.data
    sf = SurvfuncRight(frame["TenureMonths"].to_numpy(float), frame["Churned"].astype(int).to_numpy())
    at_24 = next(s for s in out["results"]["survival"] if s["segment"] == "all" and s["t"] == 24)
    assert at_24["survival"] == pytest.approx(sf.surv_prob[sf.surv_times <= 24][-1], abs=1e-12)
    chi2, p = survdiff(frame["TenureMonths"].to_numpy(float), frame["Churned"].astype(int).to_numpy(),
                       frame["Tier"].to_numpy())
    assert out["results"]["logrank"]["statistic"] == pytest.approx(chi2, rel=1e-10)
    gold = next(c for c in out["results"]["cox"] if c["term"] == "Tier[Gold]")
    assert gold["ci_high"] < 1  # Gold leaves at half of Silver's rate (reference: most frequent level)
    assert [c["term"] for c in out["results"]["cox"]].count("Age") == 1  # a numeric covariate stays one term
    assert out["results"]["reasons"][0]["theme"] == "pricing"
    assert out["results"]["by_nps"] is None and out["results"]["touchpoints"] is None


@pytest.mark.slow
def test_churn_study_without_segments_has_a_null_logrank(reports, flat_customers):
    params = {"data_path": str(flat_customers), **FLAT, "segment_col": None, "covariates": [], "revenue_col": None,
              "event_col": "Churned", "event_value": "Yes"}
    out = results(run_study("churn_study", params, reports_dir=reports))["results"]
    assert out["logrank"] is None and out["cox"] is None and out["revenue_at_risk"] is None
    assert {s["segment"] for s in out["survival"]} == {"all"}


def test_a_missing_covariate_is_named(flat_customers):
    from cxlib.io import DataError

    with pytest.raises(DataError, match="required column 'Region' is missing"):
        load_churn_data(str(flat_customers), duration_col="TenureMonths", event_col="Churned", covariates=["Region"],
                        time_unit="months")


def test_service_and_touchpoint_tables_match_direct_counts():
    frame, data = load_churn_data(None, duration_col="duration", event_col="event", time_unit="days", observed_from="2024-01-01")
    table = service_churn(frame).set_index("experience")
    served = frame[frame["service"] != "no ticket"]
    unresolved = served[served["unresolved"]]
    assert table.loc["unresolved", "n_with"] == len(unresolved)
    assert table.loc["unresolved", "churn_with"] == pytest.approx(100 * unresolved["event"].mean())
    one = served[served["bad_tickets"] == 1]
    none = served[served["bad_tickets"] == 0]
    assert table.loc["one bad ticket vs none", "difference"] == pytest.approx(
        100 * (one["event"].mean() - none["event"].mean()))
    touch = nps_churn_by_touchpoint(data, frame).set_index("touchpoint")
    r = data.responses
    web = r[(r["touchpoint"] == "website") & r["nps"].notna()].sort_values("survey_date", kind="stable")
    last = web.groupby("customer_id")["nps"].last()
    churned = frame.set_index("customer_id")["event"]
    detractors = last[last <= 6].index
    assert touch.loc["website", "churn_detractor"] == pytest.approx(100 * churned[detractors].mean())
    assert touch.loc["website", "customers"] == len(last)


def test_business_case_on_the_sample(sample_reports):
    run = sample_reports["business_case"]
    out = results(run)
    study, _ = cx.studies.compute("business_case")  # with the report's display options (currency)
    assert out["results"] == to_jsonable(study.to_dict())
    case = out["results"]["business_case"]
    assert case["roi"]["ci_low"] <= case["roi"]["value"] <= case["roi"]["ci_high"]
    assert case["assumptions"]["share_moved"] == 0.2 and case["assumptions"]["program_cost"] == 5000
    acquisition = {row["segment"]: row for row in out["results"]["acquisition_vs_retention"]}
    clv = {row["segment"]: row for row in out["results"]["clv"]}
    assert acquisition["premium"]["clv_to_cac"] == pytest.approx(clv["premium"]["clv"] / 150)
    gap = out["results"]["churn_gap"]["annual_gap"]
    assert gap["ci_low"] > 0  # detractors leave faster than passives in the sample's model
    assert "ROI" in out["headline"]
    html = (run / "report.html").read_text()
    assert "return on investment" in html and "Assumptions" in html


@pytest.mark.slow
def test_business_case_on_a_flat_table_with_scores(reports, flat_customers):
    params = {"data_path": str(flat_customers), "duration_col": "TenureDays", "event_col": "Churned",
              "nps_col": "LastNPS", "revenue_col": "MRR", "segment_col": "Tier", "id_col": "CustomerID",
              "share_moved": 0.3, "program_cost": 1000.0, "n_sim": 2000}
    out = results(run_study("business_case", params, reports_dir=reports))["results"]
    study, table = cx.studies.compute("business_case", params)  # with the report's display options
    assert out == to_jsonable(study.to_dict())
    frame = table.data
    active_detractors = (~frame["Churned"] & (frame["LastNPS"] <= 6)).sum()
    assert out["business_case"]["assumptions"]["detractors"] == active_detractors
    assert out["business_case"]["moved_customers"] == pytest.approx(0.3 * active_detractors)


def test_a_horizon_past_the_longest_follow_up_is_not_estimable_and_said_so(tmp_path):
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"weeks": rng.integers(1, 53, n), "left": rng.integers(0, 2, n),
                          "plan": rng.choice(["a", "b"], n)})
    path = tmp_path / "weeks.csv"
    frame.to_csv(path, index=False)
    study, _ = cx.studies.compute("churn_study", {"data_path": str(path), "duration_col": "weeks", "event_col": "left",
                                                  "segment_col": "plan", "horizons": [26, 1000],
                                                  "time_unit": "weeks"})
    past = study.survival[study.survival["t"] == 1000]
    assert past["survival"].isna().all() and past["ci_low"].isna().all()
    assert (past["note"] == "not estimable: past the longest follow-up").all()
    assert (past["follow_up"] <= 52).all()
    text = cx.reports.summary(study).data
    assert ("Survival at 1,000 weeks is not estimable from these data: the longest follow-up is 52 weeks, and "
            "customers were still there at its end.") in text
    assert "stay longer than 26 weeks" in text and "1,000 weeks (95% CI" not in text
    p = study.logrank["p_value"]  # the plans were drawn alike: no difference to claim
    assert p > 0.05 and f"No clear difference between segments in how long customers stay ({cx.reports.fmt_p(p)})." in text
    assert "log-rank" not in text and "chi-square" not in text
