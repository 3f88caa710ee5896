"""The closed loop: call-back and promoter lists, themes against detractors, the crisis flag, the study end to end."""

import json

import numpy as np
import pandas as pd
import pytest
from lifelines import ExponentialFitter
from statsmodels.stats.proportion import confint_proportions_2indep

import cxlib as cx
from cxlib.feedback import load_taxonomy, tag_themes, themes_by_detractors
from cxlib.feedback.closed_loop import LIST_COLUMNS
from cxlib.reports import run_study
from cxlib.reports.results import to_jsonable
from cxlib.studies.churn_study import state_panel
from cxlib.studies.closed_loop import closed_loop


@pytest.fixture
def answers():
    day = pd.Timestamp("2025-06-30")
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "d", "e", "f", "g", "h", "i"],
        "nps": [0, 6, 3, 2, 5, 10, 9, 10, 4, 1],
        "survey_date": [day, day, day - pd.Timedelta(days=3), day - pd.Timedelta(days=10), day, day, day, day,
                        day - pd.Timedelta(days=200), day],
        "comment": ["Total outage, unacceptable", "too expensive", "", "app crashed", "charged twice",
                    "Great support, thank you!", "ok", "posted a video on instagram", "too expensive",
                    "=HYPERLINK(\"http://x\")"],
        "touchpoint": "web",
        "revenue": [10.0, 100.0, 50.0, 20.0, 20.0, 30.0, 300.0, 5.0, 1000.0, 1.0],
    })


def test_callback_list_order_columns_and_one_row_per_customer(answers):
    left = pd.Series(answers["customer_id"] == "c", index=answers.index)
    study = closed_loop(answers, revenue="revenue", left=left, window_days=30)
    calls = study.callbacks
    assert list(calls.columns) == [*LIST_COLUMNS, "priority", "why"]
    assert study.callback_order.startswith("(7 - score) x revenue: without churn data")
    # priority (7 - score) x revenue: b 1x100 = 100, a 7x10 = 70, d (latest answer: 5) 2x20 = 40, i 6x1 = 6
    assert calls["customer_id"].tolist() == ["b", "a", "d", "i"]
    assert calls["priority"].tolist() == [100.0, 70.0, 40.0, 6.0]
    assert study.already_left == 1  # c left; h answered before the window
    assert calls.set_index("customer_id").loc["a", "suggested_owner"] == "Incident management"
    assert calls.set_index("customer_id").loc["d", "theme"] == "billing"  # the latest answer's comment
    assert calls.set_index("customer_id").loc["a", "why"] == ("Scored 0 on 2025-06-30 (web); comment about: incident or crisis; "
                                                         "revenue 10.00 a period.")
    promoters = study.promoters
    assert promoters["customer_id"].tolist() == ["e", "g", "f"]  # testimonial candidates first
    assert promoters["suggested_use"].tolist() == ["testimonial", "testimonial", "referral"]
    # one incident comment among eight, against none of one before: present, not above usual (no flag)
    assert study.crisis["state"] == "present" and not study.crisis["raised"] and study.crisis["count"] == 1
    assert cx.reports.crisis_banner(study).data.startswith("No crisis flag: 1 comment in the window mentions an incident")


def test_the_latest_answer_decides_and_nobody_is_on_both_lists(answers):
    day = pd.Timestamp("2025-06-30")
    later = pd.DataFrame({"customer_id": ["j", "j", "k", "k"], "nps": [2, 9, 10, 3],
                          "survey_date": [day - pd.Timedelta(days=5), day, day - pd.Timedelta(days=5), day],
                          "comment": ["slow", "fixed, thanks", "love it", "broken again"], "touchpoint": "web",
                          "revenue": 10.0})
    study = closed_loop(pd.concat([answers, later], ignore_index=True), revenue="revenue", window_days=30)
    called, promoters = set(study.callbacks["customer_id"]), set(study.promoters["customer_id"])
    assert not called & promoters
    assert "j" in promoters and "j" not in called and "k" in called and "k" not in promoters


def test_the_crisis_flag_is_raised_only_when_incidents_are_above_usual():
    day = pd.Timestamp("2025-06-30")
    before = pd.DataFrame({"customer_id": [f"b{i}" for i in range(200)], "nps": [3, 7] * 100,
                           "survey_date": day - pd.Timedelta(days=100),
                           "comment": ["Total outage, unacceptable"] * 4 + ["fine"] * 196})
    def window(incidents):
        return pd.DataFrame({"customer_id": [f"w{i}" for i in range(100)], "nps": 7, "survey_date": day,
                             "comment": ["Total outage, unacceptable"] * incidents + ["fine"] * (100 - incidents)})
    usual = closed_loop(pd.concat([before, window(2)], ignore_index=True), touchpoint=None, window_days=30)
    assert usual.crisis["state"] == "present" and not usual.crisis["raised"] and usual.crisis["p_value"] > 0.05
    spike = closed_loop(pd.concat([before, window(20)], ignore_index=True), touchpoint=None, window_days=30)
    assert spike.crisis["state"] == "above usual" and spike.crisis["raised"] and spike.crisis["p_value"] < 0.05
    assert cx.reports.crisis_banner(spike).data.startswith("> **Crisis flag: 20 comments")
    assert spike.headline()["crisis flag"] == "raised"
    calm = closed_loop(before.assign(survey_date=day), touchpoint=None, window_days=30)
    assert calm.crisis["state"] == "present"  # incidents, but no earlier comments to compare with


def test_attached_csv_defuses_formulas(answers, tmp_path, monkeypatch):
    from cxlib.reports import attach, results

    monkeypatch.setattr(results, "INTERACTIVE_EXPORTS", tmp_path / "exports")
    study = closed_loop(answers, revenue="revenue")
    path = attach(study.callbacks, "callbacks.csv")
    back = pd.read_csv(path)
    assert back.loc[back["customer_id"] == "i", "comment"].iloc[0].startswith("'=HYPERLINK")
    assert path.parent.name == "exports"
    with pytest.raises(ValueError, match="plain name"):
        attach(study.callbacks, "../x.csv")


def test_themes_over_represented_among_detractors_match_statsmodels():
    rng = np.random.default_rng(3)
    n = 2000
    score = rng.integers(0, 11, n)
    detractor = score <= 6
    pricing = rng.random(n) < np.where(detractor, 0.30, 0.10)
    comments = np.where(pricing, "too expensive", "fine")
    flags = tag_themes(pd.DataFrame({"comment": comments}))
    table = themes_by_detractors(flags, pd.Series(score), load_taxonomy()).set_index("theme")
    low, high = confint_proportions_2indep(int(pricing[detractor].sum()), int(detractor.sum()),
                                           int(pricing[~detractor].sum()), int((~detractor).sum()),
                                           method="agresti-caffo")
    assert table.loc["pricing", "ci_low"] == pytest.approx(100 * low, abs=1e-9)
    assert table.loc["pricing", "ci_high"] == pytest.approx(100 * high, abs=1e-9)
    assert table.loc["pricing", "over_represented"]
    assert list(table.index) == ["pricing"]  # themes no comment mentions are not tested: a family of one
    assert table.loc["pricing", "p_adjusted"] == table.loc["pricing", "p_value"]


def test_closed_loop_study_on_the_sample(sample_reports):
    run = sample_reports["closed_loop"]
    out = json.loads((run / "results.json").read_text())
    study, data = cx.studies.compute("closed_loop")  # with the report's display options (currency)
    assert out["results"] == to_jsonable(study.to_dict())
    files = {f["name"] for f in out["files"]}
    assert files == {"callbacks.csv", "promoters.csv"}
    calls = pd.read_csv(run / "callbacks.csv")
    assert len(calls) == len(study.callbacks)
    assert list(calls.columns) == [*LIST_COLUMNS, "churn_risk", "priority", "why"]
    assert calls["priority"].is_monotonic_decreasing
    assert np.allclose(calls["priority"], calls["churn_risk"] * calls["revenue"], rtol=1e-12)
    # each detractor's risk over 30 days: lifelines' exponential fit (left-truncated) on detractor customer-months
    panel = state_panel(data, as_of=study.until)
    for bad, rows in panel[panel["nps_state"] == "detractor"].groupby("bad_service_so_far"):
        fit = ExponentialFitter().fit(rows["stop"], rows["event"], entry=rows["start"])
        risk = 1 - np.exp(-30 / fit.lambda_)
        flagged = calls["why"].str.contains("had a bad service experience")
        assert np.allclose(calls.loc[flagged == (bad == "yes"), "churn_risk"], risk, rtol=1e-5)
    top = calls.iloc[0]
    assert top["why"].endswith(f"revenue €{top['revenue']:,.2f} a period; {100 * top['churn_risk']:.1f}% chance of "
                               "leaving within 30 days.")
    over = {t["theme"] for t in out["results"]["detractor_themes"] if t["over_represented"]}
    assert {"technical_problem", "pricing", "billing", "incident"} <= over  # the sample's detractor themes
    html = (run / "report.html").read_text()
    # the flag's state comes first: the sample's incident comments are not above their usual share
    assert study.crisis["state"] == "present" and study.crisis["p_value"] > 0.05
    assert "No crisis flag: " in html.split("Executive summary")[0]
    assert 'href="callbacks.csv"' in html


@pytest.mark.slow
def test_closed_loop_on_a_flat_table(tmp_path):
    frame = pd.DataFrame({"Id": ["x1", "x2", "x3", "x4"], "LTR": ["3", "10", "99", "5"],
                          "When": ["2025-01-05", "2025-01-06", "2025-01-06", "2025-01-07"],
                          "Text": ["<script>alert(1)</script> price went up", "Love it", "", "bug"],
                          "Gone": ["No", "No", "No", "Yes"]})
    path = tmp_path / "feedback.csv"
    frame.to_csv(path, index=False)
    params = {"data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
              "touchpoint_col": None, "revenue_col": None, "segment_col": None, "left_col": "Gone",
              "missing_codes": [99]}
    run = run_study("closed_loop", params, reports_dir=tmp_path / "reports")
    out = json.loads((run / "results.json").read_text())
    assert out["results"]["callbacks"]["rows"] == 1 and out["results"]["callbacks"]["already_left"] == 1
    html = (run / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("payload", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =HYPERLINK(1)",
                                     "\u00a0=1"])
def test_every_formula_payload_is_defused_in_the_written_csv(answers, tmp_path, monkeypatch, payload):
    from cxlib.reports import attach, results

    monkeypatch.setattr(results, "INTERACTIVE_EXPORTS", tmp_path / "exports")
    path = attach(pd.DataFrame({"comment": [payload, "fine"]}), "payloads.csv")
    back = pd.read_csv(path, keep_default_na=False)
    assert back["comment"].tolist() == ["'" + payload, "fine"]


@pytest.mark.slow
def test_the_themes_by_period_table_fits_a_page_and_a_chart_of_no_matches_says_so():
    from cxlib import studies
    from cxlib.plots import theme_shares

    study, _ = studies.compute("closed_loop", {"period": "M"})
    table = study.period_table(last=8)
    months = sorted(study.themes_by_period["period"].unique())
    assert list(table.columns) == months[-8:] and len(months) > 8
    last = study.themes_by_period[study.themes_by_period["period"] == months[-1]].set_index("label")["share"]
    assert table[months[-1]].to_dict() == last.to_dict()
    none = study.themes.assign(share=lambda t: (t["theme"] == "untagged") * 100.0)
    assert theme_shares(none).alt.endswith("comments. No comment matched a theme.")


def test_a_customers_latest_answer_of_a_day_is_the_later_time_not_the_later_row(tmp_path):
    """Two answers on one day: 17:30 (a 2) written above 09:00 (a 9). The 17:30 answer decides: a call-back."""
    frame = pd.DataFrame({"Id": ["a", "a", "b", "b"], "LTR": [2, 9, 9, 2],
                          "When": ["2025-03-01 17:30", "2025-03-01 09:00", "2025-02-10T08:00", "2025-02-10T07:59"],
                          "Text": ["still broken", "fixed, thanks", "great now", "slow"]})
    path = tmp_path / "feedback.csv"
    frame.to_csv(path, index=False)
    study, _ = cx.studies.compute("closed_loop", {"data_path": str(path), "id_col": "Id", "score_col": "LTR",
                                                  "date_col": "When", "comment_col": "Text", "touchpoint_col": None,
                                                  "revenue_col": None, "segment_col": None, "window_days": 30})
    assert study.callbacks["customer_id"].tolist() == ["a"]
    assert study.callbacks["score"].tolist() == [2]
    assert str(study.since.date()) == "2025-01-31" and str(study.until.date()) == "2025-03-01"
    assert study.answers == 4
