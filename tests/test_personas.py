"""Personas: recovery of planted groups, determinism, profiles against pandas, awkward traits, the study end to end."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from statsmodels.stats.proportion import proportion_confint

import cxlib as cx
from cxlib.io import DataError
from cxlib.personas.clustering import discover_personas, encode_traits, profile_personas
from cxlib.reports import run_study
from cxlib.reports.results import to_jsonable


def planted(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three groups that differ in age, spend, channel and plan, with noise and some missing values."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    age = np.array([28.0, 45.0, 67.0])[truth] + rng.normal(0, 4, n)
    spend = np.array([30.0, 90.0, 55.0])[truth] + rng.normal(0, 8, n)
    channel = np.where(rng.random(n) < 0.85, np.array(["app", "web", "phone"])[truth], rng.choice(["app", "web",
                                                                                                    "phone"], n))
    plan = np.where(rng.random(n) < 0.8, np.array(["basic", "premium", "standard"])[truth], "basic")
    frame = pd.DataFrame({"age": age, "spend": spend, "channel": channel, "plan": plan,
                          "nps": rng.integers(0, 11, n), "csat": rng.integers(1, 6, n).astype(float), "left": rng.random(n) < np.array([0.1, 0.2, 0.3])[truth]})
    frame.loc[rng.choice(n, 40, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 40, replace=False), "channel"] = None
    frame.loc[rng.choice(n, 100, replace=False), "csat"] = np.nan  # not every customer answered
    return frame, truth


@pytest.mark.slow
def test_planted_groups_are_recovered():
    frame, truth = planted()
    model = discover_personas(frame, ["age", "spend", "channel", "plan"], k_range=(2, 6), seed=3, n_boot=10)
    assert model.k == 3 and model.criterion.set_index("k")["silhouette"].idxmax() == 3
    assert adjusted_rand_score(truth, model.labels) >= 0.8
    assert model.stability["mean"] >= 0.8
    assert "age missing" in model.encoding.columns  # missing values flagged, not dropped


@pytest.mark.slow
def test_the_same_seed_gives_the_same_personas():
    frame, _ = planted(600, seed=1)
    first = discover_personas(frame, ["age", "spend", "channel"], seed=7, n_boot=5)
    second = discover_personas(frame, ["age", "spend", "channel"], seed=7, n_boot=5)
    assert np.array_equal(first.labels, second.labels) and first.stability == second.stability
    assert np.bincount(first.labels).tolist() == sorted(np.bincount(first.labels).tolist(), reverse=True)


def test_profiles_equal_direct_pandas_computations():
    frame, _ = planted(900, seed=2)
    model = discover_personas(frame, ["age", "spend", "channel", "plan"], k=3, seed=1, n_boot=0)
    table, contrasts = profile_personas(frame, model, score="nps", churn="left", revenue="spend", csat="csat")
    for row in table.itertuples():
        members = frame[model.labels == row.persona - 1]
        assert row.size == len(members) and row.share == pytest.approx(100 * len(members) / len(frame))
        assert row.churn_rate == pytest.approx(100 * members["left"].mean())
        assert row.revenue == pytest.approx(members["spend"].mean())
        assert row.revenue_share == pytest.approx(100 * members["spend"].sum() / frame["spend"].sum())
        assert row.nps == pytest.approx(cx.nps(members, score="nps").value)
        answered = members["csat"].dropna()
        assert row.csat_n == len(answered) and row.csat == pytest.approx(100 * (answered >= 4).mean())
        low, high = proportion_confint((answered >= 4).sum(), len(answered), method="wilson")
        assert (row.csat_ci_low, row.csat_ci_high) == pytest.approx((100 * low, 100 * high))
        age = contrasts[row.persona].set_index("trait").loc["age"]
        rest = frame.loc[model.labels != row.persona - 1, "age"]
        assert age["in_persona"] == pytest.approx(members["age"].mean())
        assert age["elsewhere"] == pytest.approx(rest.mean())


def test_single_category_trait_is_dropped_and_too_many_groups_is_an_error():
    frame, _ = planted(200, seed=4)
    frame["country"] = "TR"
    encoding = encode_traits(frame, ["age", "country", "plan"])
    assert encoding.dropped == ["country"] and "country=TR" not in encoding.columns
    small = frame.head(6)
    with pytest.raises(DataError, match=r"7 groups asked, but 6 customers .* allow at most 5: set k to 5 or fewer"):
        discover_personas(small, ["age", "plan"], k=7)
    with pytest.raises(DataError, match="no trait varies"):
        discover_personas(frame, ["country"], k=2)
    with pytest.raises(DataError, match=r"trait column 'income' is not in the data"):
        discover_personas(frame, ["income"], k=2)


def test_persona_study_on_the_sample(sample_reports):
    out = json.loads((sample_reports["persona_study"] / "results.json").read_text())["results"]
    study, _ = cx.studies.compute("persona_study")
    assert out == to_jsonable(study.to_dict())
    assert {"k", "criterion", "stability", "personas"} <= set(out)
    assert out["criterion"]["name"] == "silhouette"
    keys = {"persona", "name", "size", "share", "nps", "csat", "churn_rate", "revenue"}
    assert all(keys <= set(p) for p in out["personas"]) and len(out["personas"]) == out["k"]
    assert all(p["csat"] is not None and 0 < p["csat_n"] < p["size"] for p in out["personas"])
    assert sum(p["size"] for p in out["personas"]) == 5000


@pytest.mark.slow
def test_persona_study_on_a_flat_table(tmp_path):
    frame, _ = planted(800, seed=5)
    frame["nps"] = frame["nps"].astype(str)
    frame.loc[:2, "nps"] = "-99"
    frame["left"] = np.where(frame["left"], "Yes", "No")
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    params = {"data_path": str(path), "trait_cols": ["age", "spend", "channel", "plan"], "k": None,
              "k_range": [2, 5], "score_col": "nps", "csat_col": None, "churn_col": "left", "revenue_col": None,
              "missing_codes": [-99], "n_boot": 5}
    run = run_study("persona_study", params, reports_dir=tmp_path / "reports")
    out = json.loads((run / "results.json").read_text())
    assert out["results"]["k"] == 3
    assert all(p["revenue"] is None and p["csat"] is None and p["nps"] is not None for p in out["results"]["personas"])
    assert "Persona 1:" in (run / "report.html").read_text()
