"""The metric studies end to end: on the sample and on a flat table, results.json against cxlib called directly."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from nested import assert_nested_close

import cxlib as cx
from cxlib.drivers.segments import segment_drivers
from cxlib.reports import run_study
from cxlib.reports.results import to_jsonable
from cxlib.studies.cx_scorecard import scorecard
from cxlib.studies.inputs import Inputs
from cxlib.studies.segment_study import load_survey, row_views


def results(run_dir):
    return json.loads((run_dir / "results.json").read_text())


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


def test_scorecard_study_on_the_sample(sample_reports):
    run = sample_reports["cx_scorecard"]
    out = results(run)
    direct = scorecard(cx.io.load(), goal_filter={"region": "North"})
    assert out["results"] == to_jsonable(direct.to_dict())
    overall = {r["metric"]: r for r in out["results"]["overall"]}
    assert overall["NPS"]["value"] == pytest.approx(cx.nps(cx.io.load().responses).value)
    assert {r["metric"] for r in out["results"]["periods"]} == {
        "NPS", "CSAT % satisfied", "CES % low effort", "FCR %", "first response within 24 h %",
        "median resolution time (h)", "churn %"}
    assert all(r["ci_low"] <= r["value"] <= r["ci_high"] for r in out["results"]["periods"])
    assert {r["competitor"] for r in out["results"]["benchmarks"]} == {"industry", "CompetitorA", "CompetitorB"}
    assert out["results"]["goal"]["verdict"] in {"met", "missed", "uncertain"}
    assert "Executive summary" in (run / "report.html").read_text()


def test_segment_study_on_the_sample(sample_reports):
    run = sample_reports["segment_study"]
    out = results(run)["results"]
    study, _ = cx.studies.compute("segment_study")
    assert out == to_jsonable(study.to_dict())
    frame, _ = load_survey(None, score_col="nps")
    assert_same_as_row_estimators(out, frame, "nps", ["plan", "region", "touchpoint"], "survey_date", None)
    assert out["revenue"] == to_jsonable(row_views(frame, revenue_col="monthly_revenue")["revenue"])
    assert set(out["overall"]) >= {"nps", "ci_low", "ci_high", "n"}
    keys = {"segment_col", "segment", "n", "nps", "ci_low", "ci_high", "p_value", "p_adjusted", "significant"}
    assert all(keys <= set(s) for s in out["segments"])
    south = next(s for s in out["segments"] if s["segment"] == "South")
    assert south["significant"] and south["nps"] < out["overall"]["nps"]  # the model's unhappiest region


def assert_same_as_row_estimators(out, frame, score, segment_cols, date_col, weights):
    """The study's numbers (from a backend's histograms) equal cxlib's estimators called on the rows."""
    nps_metric = {"metric": "nps", "scale": (0, 10)}
    overall = cx.nps(frame, score, weights=weights)
    assert out["overall"]["nps"] == pytest.approx(overall.value, abs=1e-12)
    assert out["overall"]["ci_low"] == pytest.approx(overall.ci_low, abs=1e-12) and out["overall"]["n"] == overall.n
    table = cx.segment_table(frame, by=segment_cols, score=score, weights=weights, **nps_metric)
    got = pd.DataFrame(out["segments"])
    for column in ("nps", "ci_low", "ci_high", "difference", "p_adjusted"):
        expected = table["value" if column == "nps" else column].to_numpy(dtype=float)
        np.testing.assert_allclose(got[column].to_numpy(dtype=float), expected, rtol=0, atol=1e-9)
    for column in segment_cols:
        t = cx.trend(frame, score, date=date_col, by=column, weights=weights, **nps_metric)
        rows = pd.DataFrame(out["trends"]).query("segment_col == @column")
        np.testing.assert_allclose(rows["value"].to_numpy(dtype=float), t.periods["value"].to_numpy(dtype=float),
                                   atol=1e-9)
        slopes = pd.DataFrame(out["slopes"]).query("segment_col == @column")
        np.testing.assert_allclose(slopes["slope"].to_numpy(dtype=float), t.slopes["slope"].to_numpy(dtype=float),
                                   atol=1e-9)


@pytest.fixture(scope="module")
def flat_export(tmp_path_factory):
    """A survey-tool export: its own column names, a missing code, a weight, an out-of-range answer."""
    rng = np.random.default_rng(5)
    n = 3000
    segment = rng.choice(["Gold", "Silver", "<b>Bronze</b>"], n, p=[0.3, 0.5, 0.2])
    shift = np.select([segment == "Gold", segment == "Silver"], [1.0, 0.0], -1.0)
    score = np.clip(np.round(7.5 + shift + rng.normal(0, 2, n)), 0, 10).astype(int)
    frame = pd.DataFrame({"RespID": np.arange(n), "LTR": score.astype(str), "Tier": segment,
                          "Country": rng.choice(["DE", "FR", "TR"], n),
                          "Answered": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
                          "W": rng.uniform(0.5, 2.0, n).round(3)})
    frame.loc[:9, "LTR"] = "99"
    frame.loc[10, "LTR"] = "12"
    path = tmp_path_factory.mktemp("flat") / "export.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_segment_study_on_a_flat_table(reports, flat_export):
    params = {"data_path": str(flat_export), "score_col": "LTR", "segment_cols": ["Tier", "Country"],
              "date_col": "Answered", "weight_col": "W", "revenue_col": None, "tenure_col": None,
              "missing_codes": [99]}
    run = run_study("segment_study", params, reports_dir=reports)
    out = results(run)
    frame, table = load_survey(Inputs(str(flat_export), missing_codes=[99]), score_col="LTR",
                               segment_cols=["Tier", "Country"], date_col="Answered", weight_col="W")
    assert_same_as_row_estimators(out["results"], frame, "LTR", ["Tier", "Country"], "Answered", "W")
    assert out["results"]["overall"]["n"] == 3000 - 11  # ten missing codes, one out-of-range answer
    issues = {(i["rule"], i["action"]): i["rows"] for i in out["data_quality"]["issues"]}
    assert issues == {("declared missing code", "set to missing"): 10,
                      ("not answered (blank)", "excluded"): 10,  # the missing codes leave their answers unanswered, counted
                      ("not a whole number from 0 to 10", "excluded"): 1}
    gold = next(s for s in out["results"]["segments"] if s["segment"] == "Gold")
    assert gold["significant"] and gold["n"] == (frame["Tier"] == "Gold").sum() - frame.loc[frame["Tier"] == "Gold", "LTR"].isna().sum()
    html = (run / "report.html").read_text()
    assert "&lt;b&gt;Bronze&lt;/b&gt;" in html and "<b>Bronze</b>" not in html
    assert out["results"]["revenue"] is None and out["results"]["tenure"] is None
    assert out["provenance"]["inputs"][0]["sha256"] == table.source.sha256


def test_segment_study_names_a_missing_column(reports, flat_export, capsys):
    """A named column absent from the file's header is a wrong command (exit 2), found before a kernel starts."""
    from cxlib.reports import cli

    code = cli.main(["run", "segment_study", "-p", "data_path", str(flat_export), "-p", "score_col", "NPS",
                     "-y", "{segment_cols: [Tier]}", "--reports-dir", str(reports), "--no-progress"])
    assert code == 2
    assert "score_col: column 'NPS' not in " + str(flat_export) + ". Its columns: 'RespID', 'LTR', 'Tier'" in capsys.readouterr().err


def test_driver_study_on_the_sample(sample_reports):
    from cxlib.drivers.key_drivers import key_drivers
    from cxlib.sample import DRIVER_GROUPS

    run = sample_reports["driver_study"]
    out = results(run)["results"]
    frame = cx.io.load().survey_frame()
    direct = key_drivers(frame, "nps", groups=DRIVER_GROUPS, n_boot=1000, seed=1)
    shares, differences = segment_drivers(frame, "nps", "region", DRIVER_GROUPS, n_boot=1000, seed=1)
    expected = to_jsonable({**direct.to_dict(), "segments": {"column": "region", "shares": shares,
                                                             "differences": differences}})
    used = ["nps", *[d for members in DRIVER_GROUPS.values() for d in members]]
    blank = frame[used].isna()
    first_blank = blank.idxmax(axis=1)[blank.any(axis=1)].value_counts()  # each answer under its first blank
    expected["rows_dropped_by"] = {c: int(first_blank[c]) for c in used if c in first_blank}
    assert [c["claim"] for c in out.pop("claims")][:len(expected["claims"])] == [
        c["claim"] for c in expected.pop("claims")]  # then the segments' claims
    assert_nested_close(out, expected)  # the study runs through the pandas backend's reducers: equal to 1e-9
    assert {"r2", "n", "drivers", "groups"} <= set(out)
    assert all({"driver", "group", "share", "ci_low", "ci_high"} <= set(d) for d in out["drivers"])
    assert sum(d["share"] for d in out["drivers"]) == pytest.approx(1.0)
    cx_group = next(g for g in out["groups"] if g["group"] == "CX")
    assert cx_group["ci_low"] <= 0.66 <= cx_group["ci_high"]
    assert "CX accounts for 66% of what the drivers explain in NPS" in (run / "report.html").read_text()


@pytest.mark.slow
def test_driver_study_on_a_flat_table_with_a_categorical_driver(reports, tmp_path):
    rng = np.random.default_rng(8)
    n = 1500
    frame = pd.DataFrame({"Q1_speed": rng.integers(1, 11, n), "Q2_price": rng.integers(1, 11, n),
                          "Tier": rng.choice(["A", "B"], n)})
    frame["LTR"] = np.clip(np.round(0.5 * frame["Q1_speed"] + 0.2 * frame["Q2_price"] + (frame["Tier"] == "B")
                                    + rng.normal(0, 1.5, n)), 0, 10)
    frame.loc[:4, "Q2_price"] = -99
    path = tmp_path / "drivers.parquet"
    frame.to_parquet(path)
    params = {"data_path": str(path), "outcome": "LTR",
              "driver_groups": {"Service": ["Q1_speed"], "Price": ["Q2_price"], "Tier": ["Tier"]},
              "categorical_drivers": ["Tier"], "segment_col": None, "n_boot": 200, "missing_codes": [-99]}
    run = run_study("driver_study", params, reports_dir=reports)
    out = results(run)
    assert out["results"]["n"] == n - 5
    assert [g["group"] for g in out["results"]["groups"]] == ["Service", "Price", "Tier"]
    assert out["data_quality"]["issues"][0]["rows"] == 5
    assert "segments" not in out["results"]



def test_every_headline_reads_intervals_one_way(sample_reports):
    """Index headlines: an interval reads "(a to b)" with the unit on both bounds, never "a-b"."""
    headlines = {study: json.loads((run / "results.json").read_text())["headline"]
                 for study, run in sample_reports.items()}
    texts = [str(v) for h in headlines.values() for v in h.values()]
    intervals = [t for t in texts if " to " in t]
    assert len(intervals) >= 5, headlines
    assert not [t for t in texts if re.search(r"\d-\d", t)]
    for text in intervals:
        value, low, high = re.fullmatch(r"(-?[\d.,]+%?) \((-?[\d.,]+%?) to (-?[\d.,]+%?)\)", text).groups()
        assert value.endswith("%") == low.endswith("%") == high.endswith("%")
        assert float(low.rstrip("%")) <= float(value.rstrip("%")) <= float(high.rstrip("%"))


def test_segments_of_one_answer_are_drawn_not_crashed(tmp_path):
    """Adjusted intervals at n = 1 need not contain their point: the chart draws them (bars clipped at the point)."""
    import matplotlib

    matplotlib.use("Agg")
    rows = ["nps,plan"] + [f"{s},basic" for s in [9, 10, 3, 7, 8] * 10] + ["10,solo promoter", "0,solo detractor"]
    path = tmp_path / "solo.csv"
    path.write_text("\n".join(rows) + "\n")
    study, _ = cx.studies.compute("segment_study", {"data_path": str(path), "segment_cols": ["plan"]})
    solo = study.segments.set_index("segment").loc[["solo promoter", "solo detractor"]]
    assert solo["n"].tolist() == [1, 1] and solo["small_n"].all()
    chart = cx.plots.segment_chart(study.segments, "NPS by segment", overall=study.overall.value)
    assert len(chart.ax.patches) == 3 and "lowest solo detractor (Plan) at -100.0" in chart.alt
    assert 'srcset="data:image/png;base64,' in chart._repr_html_()  # the phone rendition draws too
