"""Segment and trend sentences that hold: verdicts that agree with their tests, clear trends adjusted for the number
of segments, thin periods flagged, and counts in the form that agrees with them."""

import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from cxlib import studies
from cxlib.formatting.narrative import ngettext, plural
from cxlib.io import DataError
from cxlib.metrics.trends import goal, trend


def _answers(seed: int = 0, segments: int = 14, per_quarter: int = 60, drift: dict | None = None) -> pd.DataFrame:
    """Answers over eight quarters in ``segments`` segments; ``drift`` gives a segment a true gain per quarter."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(segments):
        for q in range(8):
            gain = (drift or {}).get(f"S{s:02d}", 0.0) * q / 100
            p = np.clip(np.array([0.3 - gain / 2, 0.3, 0.4 + gain / 2]), 0.01, None)
            group = rng.choice(3, per_quarter, p=p / p.sum())
            score = np.where(group == 0, rng.integers(0, 7, per_quarter),
                             np.where(group == 1, rng.integers(7, 9, per_quarter), rng.integers(9, 11, per_quarter)))
            rows.append(pd.DataFrame({"ltr": score, "team": f"S{s:02d}",
                                      "date": pd.Timestamp("2024-01-15") + pd.DateOffset(months=3 * q)}))
    return pd.concat(rows, ignore_index=True)


def test_a_goal_verdict_agrees_with_its_p_value():
    """'p below target 0.026 ... uncertain' cannot happen: the p-value is two-sided, as the interval is."""
    frame = _answers(segments=1, per_quarter=150, drift={"S00": 6.0})
    t = trend(frame, score="ltr", date="date", freq="Q", scale=(0, 10))
    for target in np.linspace(-4, 8, 25):
        g = goal(t, target)
        assert (g["verdict"] == "uncertain") == (g["p_vs_target"] >= 0.05), (target, g)


def test_clear_trends_are_holm_adjusted_across_segments_and_thin_periods_are_flagged(tmp_path):
    frame = _answers(seed=3, drift={"S00": 12.0})
    for quarter in ("2024-01-15", "2024-04-15"):  # two thin quarters: 20 answers each
        frame = frame.drop(frame[(frame["team"] == "S00") & (frame["date"] == quarter)].index[:40])
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    result, _ = studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": ["team"],
                                                  "date_col": "date", "target_change": 3})
    slopes = result.slopes.set_index("segment")
    expected = multipletests(slopes["p_value"], method="holm")[1]
    np.testing.assert_allclose(slopes["p_adjusted"], expected)
    claims = {c.key: c for c in result.claims()}
    clear = claims.get("segment.clear_trends")
    unadjusted = set(slopes.index[slopes["p_value"] < 0.05])
    adjusted = set(slopes.index[slopes["p_adjusted"] < 0.05])
    thin = set(slopes.index[slopes["thin_periods"] > 0])
    assert set(clear.numbers["segments"] if clear else []) == adjusted - thin
    assert adjusted <= unadjusted and unadjusted - adjusted  # a chance trend among 14 that Holm's adjustment removes
    assert "S00" in adjusted and slopes.loc["S00", "thin_periods"] == 2  # the real one stays clear after Holm ...
    assert claims["segment.thin_trends"].text() == (  # ... but rests on thin quarters: not called a clear trend
        "S00: a trend that rests on periods with fewer than 30 answers, not judged here.")
    assert "S00" not in (clear.text() if clear else "")
    target = claims["segment.trend_target"].text()  # S00, on thin quarters, is not judged against the target
    assert "before adjustment for the 13 segments tested); 1 segment with answers in fewer than 3 periods, or in a " \
           "period of fewer than 30, is not judged" in target and "3 NPS points a quarter" in target
    assert slopes.loc["S00", "verdict"] == "not judged: a period with few answers"


def test_counts_take_the_form_that_agrees_with_them():
    assert ngettext("{count} of {total} segments gains", "{count} of {total} segments gain", 1).format(
        count=1, total=14) == "1 of 14 segments gains"
    assert plural(1, "row", "rows") == "1 row" and plural(2, "row", "rows") == "2 rows"


@pytest.mark.parametrize("period, said", [(1, "over the next month"), (3, "over the next 3 months")])
def test_the_next_period_reads_as_people_say_it(tmp_path, period, said):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"tenure_months": rng.integers(1, 40, 300), "left": rng.random(300) < 0.3,
                          "revenue": rng.uniform(10, 90, 300).round(2)})
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    result, _ = studies.compute("churn_study", {"data_path": str(path), "duration_col": "tenure_months",
                                                "event_col": "left", "segment_col": None, "covariates": [],
                                                "horizons": [12], "revenue_col": "revenue", "period": period})
    text = {c.key: c for c in result.claims()}["churn.revenue_at_risk"].text()
    assert text.startswith(f"Revenue at risk {said}:")


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_whole_number_codes_with_blanks_read_as_written(tmp_path, backend):
    """A code column stored as floats because of a blank (Parquet, SPSS) shows '4', never '4.0'."""
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({"ltr": rng.integers(0, 11, n), "grp": rng.choice([1.0, 2.0, 4.0, np.nan], n),
                          "days": rng.integers(1, 900, n), "left": (rng.random(n) < 0.4).astype(int),
                          "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")})
    path = tmp_path / "answers.parquet"
    frame.to_parquet(path, index=False)
    segment, _ = studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": ["grp"],
                                                   "date_col": "date", "backend": backend})
    churn, _ = studies.compute("churn_study", {"data_path": str(path), "duration_col": "days", "event_col": "left",
                                               "segment_col": "grp", "covariates": ["grp"] if backend == "pandas" else [],
                                               "horizons": [365], "time_unit": "days", "backend": backend})
    labels = [*segment.segments["segment"], *segment.slopes["segment"], *churn.survival["segment"],
              *(churn.cox.terms["term"] if churn.cox is not None else [])]
    assert {"1", "2", "4"} <= {str(v) for v in segment.segments["segment"]}
    assert not [v for v in labels if ".0" in str(v)]
    assert not [c.text() for c in [*segment.claims(), *churn.claims()] if re.search(r"(?<![\d.])[124]\.0\b", c.text())]


def test_without_segment_columns_the_report_says_none_were_compared(tmp_path):
    path = tmp_path / "answers.csv"
    _answers(segments=2).to_csv(path, index=False)
    study, _ = studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": [],
                                                 "date_col": "date", "revenue_col": None, "tenure_col": None})
    keys = [c.key for c in study.claims()]
    assert "segment.no_segments" in keys and "segment.none_below" not in keys and len(study.segments) == 0
    assert study.claims()[0].numbers["n"] == 2 * 8 * 60
    assert study.introduction().text().endswith("no trends (they follow each segment over time, and no segment "
                                                "column is named).")  # a date column was named


def test_a_scorecard_goal_for_a_segment_nobody_is_in_names_goal_filter_and_the_values_there_are():
    with pytest.raises(DataError, match=r"goal_filter: no NPS answer .* region holds 'East', 'North', 'South', 'West'"):
        studies.compute("cx_scorecard", {"goal_filter": {"region": "Nowhere"}})


def test_answers_dated_in_the_future_are_left_out_of_the_trends_and_counted(tmp_path):
    frame = _answers(segments=2)
    frame.loc[:2, "date"] = "2099-05-01"
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    study, data = studies.compute("segment_study", {"data_path": str(path), "score_col": "ltr", "segment_cols": ["team"],
                                                    "date_col": "date", "revenue_col": None, "tenure_col": None})
    assert not study.trends["period"].astype(str).str.startswith("2099").any()
    assert {i.rule: i.n_rows for i in data.quality.issues}["a date in the future (after today), so a wrong one"] == 3
    assert study.overall.n == len(frame)  # the answers stay in every other figure
