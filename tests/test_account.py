"""One account of the data in every report: comments without a score are not lost, and the same rows read give the
same counts whichever study reads them."""

import numpy as np
import pandas as pd
import pytest

from cxlib import studies
from cxlib.studies.shared import NOT_ANSWERED


def test_the_closed_loop_themes_every_comment_and_counts_every_answer_in_the_window(tmp_path):
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)],
                          "nps": rng.integers(0, 11, n).astype(float),
                          "survey_date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 120, n), "D"),
                          "comment": rng.choice(["The app keeps crashing", "Great support, thank you", None], n)})
    frame.loc[frame.index[:60], "nps"] = np.nan  # answered the comment, skipped the score
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    study, _ = studies.compute("closed_loop", {"data_path": str(path), "touchpoint_col": None, "revenue_col": None,
                                               "segment_col": None})
    commented = frame["comment"].notna()
    assert (study.themes["comments"] == commented.sum()).all()  # scored or not
    crashing = frame["comment"].eq("The app keeps crashing").sum()
    assert study.themes.set_index("theme").loc["technical_problem", "count"] == crashing
    since = frame["survey_date"].max() - pd.Timedelta(days=29)
    window = frame["survey_date"] >= since
    assert study.answers == int(window.sum())  # every answer in the window, scored or not
    assert study.comments == int((window & commented).sum())
    top = {c.key: c for c in study.claims()}["closed_loop.top_theme"]
    assert f"Across all {commented.sum():,} comments" in top.text()
    assert set(study.callbacks["customer_id"]) <= set(frame.loc[frame["nps"].notna(), "customer_id"])


def test_every_report_counts_a_blank_score_as_not_answered(tmp_path):
    rng = np.random.default_rng(6)
    n = 500
    frame = pd.DataFrame({"nps": rng.integers(0, 11, n).astype(float), "speed": rng.integers(1, 6, n),
                          "price": rng.integers(1, 6, n), "region": rng.choice(["N", "S"], n)})
    frame.loc[frame.index[:37], "nps"] = np.nan
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    _, segment = studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["region"], "date_col": None})
    _, drivers = studies.compute("driver_study", {"data_path": str(path), "driver_groups": ["speed", "price"],
                                                  "n_boot": 20})
    for data in (segment, drivers):
        issues = {(i.column, i.rule): i.n_rows for i in data.quality.issues}
        assert issues == {("nps", NOT_ANSWERED): 37}
        (read,), (kept,) = data.quality.rows_read.values(), data.quality.rows_kept.values()
        assert (read, kept) == (500, 463)


@pytest.mark.slow
def test_the_sample_reports_give_one_account_of_the_blank_nps_answers():
    """The segment study leaves the 573 blank NPS answers out; the data overview, scorecard and closed loop keep the
    rows and say the same 573 are left out of the NPS figures; the wording and the count agree everywhere."""
    from cxlib.io import load
    from cxlib.io.quality import EXCLUDED, FIGURES_ONLY

    blank = int(load().responses["nps"].isna().sum())
    for study, action in [("segment_study", EXCLUDED), ("data_overview", FIGURES_ONLY), ("cx_scorecard", FIGURES_ONLY),
                          ("closed_loop", FIGURES_ONLY), ("driver_study", EXCLUDED)]:
        _, data = studies.compute(study, {"n_boot": 20} if study == "driver_study" else {})
        issues = {(i.table, i.column, i.rule): (i.action, i.n_rows) for i in data.quality.issues}
        assert issues[("responses", "nps", NOT_ANSWERED)] == (action, blank), study
        sentence = data.quality.describe()
        if action == EXCLUDED:
            kept = data.quality.rows_kept["responses"]
            assert f"Of 19,729 rows of responses, {kept:,} were used and {19_729 - kept:,} left out" in sentence
        else:
            assert sentence.startswith("Every row was read and kept: customers (5,000), responses (19,729)"), study
    _, personas = studies.compute("persona_study", {"n_boot": 5, "k": 3})
    assert {i.column for i in personas.quality.issues if i.rule == NOT_ANSWERED} == {"latest_nps", "latest_csat"}


def _run(reports_dir, study: str, run_id: str, started: str, value: float, label: str, parameters: dict,
         overrides: list[str]) -> None:
    import json

    folder = reports_dir / study / run_id
    folder.mkdir(parents=True)
    figure = {"key": "k", "label": label, "value": value, "ci_low": value - 1, "ci_high": value + 1, "unit": "points",
              "n": 100, "better": "higher"}
    (folder / "results.json").write_text(json.dumps({
        "study": study, "status": "success", "parameters": parameters, "overrides": overrides, "headline": {},
        "figures": [figure], "results": {}, "run": {"started_at": started}}))
    (folder / "report.html").write_text("<html></html>")


def test_index_tiles_belong_together_by_data_source_and_a_what_if_never_replaces_a_tile(tmp_path):
    from cxlib.reports.index import build_index

    _run(tmp_path, "segment_study", "a", "2026-12-01T06:00:00+00:00", 16.3, "NPS", {"data_path": None}, [])
    _run(tmp_path, "business_case", "b", "2026-12-01T06:01:00+00:00", 120.0, "ROI", {"data_path": None}, [])
    _run(tmp_path, "business_case", "c", "2026-12-02T06:00:00+00:00", -20.8, "ROI",
         {"data_path": None, "share_moved": 0.9}, ["share_moved"])  # a what-if, newer
    _run(tmp_path, "churn_study", "d", "2026-12-03T06:00:00+00:00", 1314.0, "Revenue at risk",
         {"data_path": "/exports/crm.csv", "duration_col": "tenure"}, ["data_path", "duration_col"])
    _run(tmp_path, "churn_study", "e", "2026-12-03T07:00:00+00:00", 9.0, "Customers who left",
         {"data_path": None, "horizons": [30]}, ["horizons"])  # only a what-if for this study on the sample
    index = build_index(tmp_path).read_text()
    sample = index[index.index("<h3>Data: the bundled sample</h3>"):index.index("<h3>Data: crm.csv</h3>")]
    crm = index[index.index("<h3>Data: crm.csv</h3>"):index.index("<h2>Latest report")]
    assert "120.0 points" in sample and "-20.8" not in sample  # the what-if did not replace the default run's tile
    assert "16.3 points" in sample and "Revenue at risk" not in sample
    assert "Revenue at risk" in crm and "Churn and survival · crm.csv" in crm
    assert "what-if: horizons: 30" in sample and "9.0 points" in sample  # marked when it is all there is


def test_money_without_a_currency_says_so_on_its_tile():
    from cxlib.formatting.figures import figure, figure_parts

    value, interval = figure_parts(figure("risk", "Revenue at risk", 1314.2, 1200.0, 1400.0, "amount"))
    assert value == "1,314 (money; no currency given)" and interval == "95% CI 1,200 to 1,400"
    assert figure_parts(figure("risk", "Revenue at risk", 1314.2, None, None, "EUR"))[0] == "€1,314"


def test_the_scorecard_period_table_reads_in_the_order_of_the_text_with_nps_first():
    import cxlib as cx

    card, _ = studies.compute("cx_scorecard")
    table = card.period_table()
    metrics = [c for c in table.columns if c != "period" and not c.endswith(("ci_low", "ci_high"))]
    assert metrics[0] == "NPS" and metrics[: len(card.overall) - 1] == list(card.overall["metric"])[:-1]
    nps = card.periods[card.periods["metric"] == "NPS"].set_index("period")
    assert table.set_index("period")["NPS"].to_dict() == nps["value"].to_dict()
    shown = cx.reports.format_table(table)
    assert list(shown.columns[:2]) == ["period", "NPS (95% CI)"]


def test_business_assumptions_read_as_a_director_writes_them():
    study, _ = studies.compute("business_case", {"n_sim": 200})
    table = study.assumptions_table().set_index("assumption")["value"]
    assert table["Margin"] == "30%" and table["Discount rate"] == "8%" and table["Detractors moved"] == "20%"
    assert table["Acquisition cost"] == "€150" and table["Programme cost"] == "€5,000"
    assert table["Revenue period"] == "30 days" and table["Horizon"] == "3 years"
    assert table["Yearly retention"] == f"{study.assumptions['yearly_retention']:.1f}%"
    assert not {"n_sim", "seed", "N sim", "Seed"} & set(table.index)


def test_labels_apply_in_the_exclusion_sentence_and_the_churn_share_has_its_time_frame(tmp_path):
    from cxlib.formatting import labels
    from cxlib.io.quality import EXCLUDED, DataQuality, QualityIssue

    dq = DataQuality((QualityIssue("survey", "ltr_q1", "not a number", EXCLUDED, 312, (4,), ("ten",)),),
                     {"survey": 19500}, {"survey": 19188})
    labels.use(labels={"ltr_q1": "Likelihood to recommend"})
    assert "not a number in Likelihood to recommend (312)" in dq.left_out("survey", "answers")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"tenure_months": rng.integers(1, 25, 200), "left": rng.random(200) < 0.3})
    frame.to_csv(tmp_path / "c.csv", index=False)
    study, _ = studies.compute("churn_study", {"data_path": str(tmp_path / "c.csv"), "duration_col": "tenure_months",
                                               "event_col": "left", "segment_col": None, "covariates": [],
                                               "horizons": [12]})
    overall = {c.key: c for c in study.claims()}["churn.overall"].text()
    assert overall.startswith(f"Of 200 customers followed for up to {frame['tenure_months'].max()} months, ")


def test_a_chart_says_per_period_once():
    import cxlib as cx

    periods = pd.DataFrame({"period": ["2024Q1", "2024Q2"], "value": [10.0, 12.0], "ci_low": [8.0, 10.0],
                            "ci_high": [12.0, 14.0]})
    alt = cx.plots.trend_chart(periods, "NPS per period").alt
    assert alt.count("per period") == 1 and alt.startswith("Line chart: NPS per period, with 95% intervals.")


def test_the_business_case_says_what_its_data_show_when_passives_leave_as_detractors_do(tmp_path):
    """No segments: one customer value, not "763 to 763 depending on the segment"; no clear detractor-passive gap:
    the case does not say passives leave less often; a blank NPS is not called a Cox covariate."""
    rng = np.random.default_rng(3)
    n = 2000
    nps = rng.integers(0, 11, n).astype(float)
    nps[:300] = np.nan
    frame = pd.DataFrame({"days": rng.integers(1, 900, n), "left": rng.random(n) < 0.3,
                          "rev": rng.gamma(2, 30, n).round(2), "nps": nps})
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    study, data = studies.compute("business_case", {"data_path": str(path), "duration_col": "days",
                                                    "event_col": "left", "nps_col": "nps", "revenue_col": "rev",
                                                    "n_sim": 200})
    claims = {c.key: c.text() for c in study.claims()}
    assert study.gap["annual_gap"]["ci_low"] < 0 < study.gap["annual_gap"]["ci_high"]
    assert "depending on the segment" not in claims["business.clv"]
    assert claims["business.clv"].startswith(f"A customer kept is worth {study.clv['clv'].iloc[0]:,.0f}, ")
    assert "less often" not in claims["business.case"] and "no clear difference from detractors" in claims[
        "business.case"]
    assert [(i.column, i.rule, i.n_rows) for i in data.quality.issues] == [("nps", NOT_ANSWERED, 300)]


def test_a_segment_where_nobody_left_is_worth_what_discounting_bounds(tmp_path):
    rng = np.random.default_rng(4)
    n = 1500
    frame = pd.DataFrame({"days": rng.integers(1, 900, n), "left": rng.random(n) < 0.3,
                          "rev": rng.gamma(2, 30, n).round(2), "nps": rng.integers(0, 11, n),
                          "area": rng.choice(["A", "B"], n)})
    frame.loc[frame.index[:3], ["area", "left"]] = ["Isle", False]  # three customers, none left
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    study, _ = studies.compute("business_case", {"data_path": str(path), "duration_col": "days", "event_col": "left",
                                                 "nps_col": "nps", "revenue_col": "rev", "segment_col": "area",
                                                 "n_sim": 200})
    isle = study.clv.set_index("segment").loc["Isle"]
    assert isle["retention"] == 100
    d = (1 + study.assumptions["discount_rate"]) ** (isle["period"] / 365.25) - 1  # the discount rate per period
    assert isle["clv"] == pytest.approx(study.assumptions["margin"] * isle["revenue_per_customer"] * (1 + d) / d,
                                        rel=1e-9)
    assert "expected leaver" in study.claims()[0].text()
