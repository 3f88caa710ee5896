"""One account of the data in every report: comments without a score are not lost, and the same rows read give the
same counts whichever study reads them."""

import numpy as np
import pandas as pd

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
