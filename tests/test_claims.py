"""Every claim of an executive summary holds for the data it was computed on: public data sets, checked against
their numbers and an independent reference (lifelines, statsmodels, brute force).

The churn, driver and segment studies each run on data sets that ship inside Python
packages (lifelines' rossi, gbsg2, kidney_transplant, dd, waltons and lung; statsmodels'
heart; scikit-learn's diabetes; statsmodels' fair and anes96), and the persona study on
scikit-learn's wine, iris and diabetes and lifelines' dd and lung. Where a segment study needs a
0-10 score, one is derived from an ordinal column (said in ``SCORES``).
"""

import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import (
    load_dd,
    load_gbsg2,
    load_kidney_transplant,
    load_lung,
    load_rossi,
    load_waltons,
)
from lifelines.statistics import multivariate_logrank_test
from scipy import stats
from sklearn.datasets import load_diabetes, load_iris, load_wine
from statsmodels.stats.multitest import multipletests

from cxlib import studies
from cxlib.formatting.claims import LEVEL
from cxlib.reports.results import to_jsonable

pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")  # inside lifelines

# derived 0-10 scores: fair's rate_marriage 1-5 and anes96's selfLR 1-7 stretched onto 0-10; diabetes' target
# by its rank, in eleven groups of equal size
SCORES = {
    "fair": lambda f: ((f["rate_marriage"] - 1) * 2.5).round().astype(int),
    "anes96": lambda f: ((f["selfLR"] - 1) * 10 / 6).round().astype(int),
    "diabetes": lambda f: np.minimum((f["target"].rank(method="first") - 1) * 11 // len(f), 10).astype(int),
}


def _frames() -> dict[str, pd.DataFrame]:
    fair = sm.datasets.fair.load_pandas().data
    anes = sm.datasets.anes96.load_pandas().data
    diabetes = load_diabetes(as_frame=True).frame.assign(sex=lambda f: np.where(f["sex"] > 0, "one", "two"))
    return {"rossi": load_rossi(), "gbsg2": load_gbsg2(), "kidney": load_kidney_transplant(), "dd": load_dd(),
            "waltons": load_waltons(), "lung": load_lung(), "heart": sm.datasets.heart.load_pandas().data,
            "wine": load_wine(as_frame=True).frame, "iris": load_iris(as_frame=True).frame,
            "fair": fair.assign(score=SCORES["fair"]), "anes96": anes.assign(score=SCORES["anes96"]),
            "anes96_ratings": anes,
            "diabetes": diabetes.assign(score=SCORES["diabetes"])}


RUNS = [
    ("churn_study", "rossi", dict(duration_col="week", event_col="arrest", segment_col="fin",
                                  covariates=["fin", "age", "prio"], horizons=[26, 52, 100])),
    ("churn_study", "gbsg2", dict(duration_col="time", event_col="cens", segment_col="horTh", time_unit="days",
                                  covariates=["horTh", "tgrade", "age", "pnodes"], horizons=[365, 1825, 5000])),
    ("churn_study", "kidney", dict(duration_col="time", event_col="death", segment_col="black_male", time_unit="days",
                                   covariates=["age", "black_male", "white_male", "black_female"],
                                   horizons=[365, 3000])),
    ("churn_study", "dd", dict(duration_col="duration", event_col="observed", segment_col="regime", time_unit="years",
                               covariates=["regime", "start_year"], horizons=[5, 20, 60])),
    ("churn_study", "waltons", dict(duration_col="T", event_col="E", segment_col="group", time_unit="days",
                                    covariates=["group"], horizons=[30, 60, 90])),
    ("churn_study", "lung", dict(duration_col="time", event_col="status", segment_col="sex", time_unit="days",
                                 covariates=["age", "sex", "ph.ecog"], horizons=[180, 365, 1100])),
    ("churn_study", "heart", dict(duration_col="survival", event_col="censors", segment_col=None, time_unit="days",
                                  covariates=["age"], horizons=[100, 365, 2000])),
    ("persona_study", "wine", dict(trait_cols=["alcohol", "malic_acid", "color_intensity", "proline", "hue"],
                                   k_range=[2, 5], n_boot=10)),
    ("persona_study", "iris", dict(trait_cols=["sepal length (cm)", "sepal width (cm)", "petal length (cm)"],
                                   k_range=[2, 4], n_boot=10)),
    ("persona_study", "dd", dict(trait_cols=["un_continent_name", "regime", "democracy", "start_year"],
                                 k_range=[2, 5], n_boot=10, churn_col="observed")),
    ("persona_study", "diabetes", dict(trait_cols=["age", "bmi", "bp", "s1", "s3", "s5", "s6"], k_range=[2, 5],
                                       n_boot=10)),
    ("persona_study", "lung", dict(trait_cols=["age", "sex", "ph.ecog", "wt.loss"], k_range=[2, 4], n_boot=10,
                                   churn_col="status")),
    ("driver_study", "diabetes", dict(outcome="target", n_boot=200, driver_groups={
        "Body": ["bmi", "bp"], "Blood": ["s1", "s2", "s3", "s4", "s5", "s6"], "Person": ["age"]})),
    ("driver_study", "fair", dict(outcome="rate_marriage", n_boot=200,
                                  driver_groups=["age", "yrs_married", "children", "religious", "educ"])),
    ("driver_study", "anes96", dict(outcome="selfLR", n_boot=200,
                                    driver_groups=["age", "educ", "income", "TVnews", "popul"])),
    ("driver_study", "anes96_ratings", dict(outcome="selfLR", n_boot=200,
                                            driver_groups=["ClinLR", "DoleLR", "PID", "age", "income"])),
    ("segment_study", "fair", dict(score_col="score", segment_cols=["religious", "occupation"])),
    ("segment_study", "anes96", dict(score_col="score", segment_cols=["educ", "PID"])),
    ("segment_study", "diabetes", dict(score_col="score", segment_cols=["sex"])),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each study on each data set, computed in this process: (study, data set) -> (result, frame, parameters)."""
    folder = tmp_path_factory.mktemp("public")
    frames = _frames()
    out = {}
    for study, name, params in RUNS:
        path = folder / f"{name}.csv"
        if not path.exists():
            frames[name].to_csv(path, index=False)
        result, _ = studies.compute(study, {"data_path": str(path), **params})
        out[study, name] = (result, frames[name], params)
    return out


def _km(frame, p, t):
    return float(KaplanMeierFitter().fit(frame[p["duration_col"]], frame[p["event_col"]])
                 .survival_function_at_times(t).iloc[0])


def _logrank(frame, p):
    return multivariate_logrank_test(frame[p["duration_col"]], frame[p["segment_col"]], frame[p["event_col"]]).p_value


def _nps(scores) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def _driver_frame(frame, p):
    drivers = [d for members in (p["driver_groups"].values() if isinstance(p["driver_groups"], dict)
                                 else [[d] for d in p["driver_groups"]]) for d in members]
    return frame[[p["outcome"], *drivers]].dropna(), drivers


def check_churn(claim, result, frame, p):
    n, key = claim.numbers, claim.key
    follow_up = frame[p["duration_col"]].max()
    last = frame[frame[p["duration_col"]] == follow_up]
    if key == "churn.overall":
        assert n["customers"] == len(frame) and n["left"] == frame[p["event_col"]].sum()
        assert n["share"] == pytest.approx(100 * n["left"] / n["customers"])
    elif key == "churn.survival":  # P(T > t), known past the longest follow-up only when the last seen all left
        assert n["t"] <= follow_up or last[p["event_col"]].astype(bool).all()
        assert n["survival"] == pytest.approx(_km(frame, p, n["t"]), abs=1e-9)
        assert f"stay longer than {n['t']:,g}" in claim.text()
    elif key == "churn.not_estimable":
        assert n["follow_up"] == follow_up and all(t > follow_up for t in n["t"])
        assert not last[p["event_col"]].astype(bool).all()  # a customer was still there at the end
    elif key in ("churn.segments_differ", "churn.segments_no_clear_difference"):
        assert n["p_value"] == pytest.approx(_logrank(frame, p), rel=1e-9)
        assert (n["p_value"] < LEVEL) == (key == "churn.segments_differ")
    elif key in ("churn.cox_clear", "churn.cox_none"):
        terms = result.cox.terms
        clear = multipletests(terms["p_value"], alpha=LEVEL, method="holm")[0]
        assert n["sooner"] == list(terms[clear & (terms["hazard_ratio"] > 1)].sort_values(
            "hazard_ratio", ascending=False)["term"])
        assert n["later"] == list(terms[clear & (terms["hazard_ratio"] < 1)].sort_values("hazard_ratio")["term"])
        assert (key == "churn.cox_none") == (not clear.any())
        steps = result.cox.per_step().set_index("term")
        assert n["changing_with_tenure"] == list(steps.index[~steps["proportional"]])
        text = claim.text()
        for term in [*n["sooner"], *n["later"]]:
            row = steps.loc[term]
            assert row["hazard_ratio"] == pytest.approx(np.exp(row["coef"] * row["per"]), rel=1e-12)
            if row["per_kind"] == "standard deviation":
                assert row["per"] == pytest.approx(frame[term].std(), rel=0.05)  # of the rows the model used
            said = f"{row['hazard_ratio']:.2f} times the rate"
            part = text[text.index(said):].split(")")[0]
            assert ("changes with tenure" in part) == (not row["proportional"]), part
        _efron_equals_lifelines(result, frame, p)
    else:
        raise AssertionError(f"no check for the claim {key}")


def _efron_equals_lifelines(result, frame, p):
    """The model behind the sentence is lifelines' (Efron ties) on the rows it used, for numeric covariates."""
    numeric = [c for c in p["covariates"] if c in result.cox.terms["term"].to_numpy()]
    if len(numeric) < len(result.cox.terms):
        return
    rows = frame[[p["duration_col"], p["event_col"], *numeric]].dropna()
    theirs = CoxPHFitter().fit(rows, p["duration_col"], p["event_col"], fit_options={"precision": 1e-12})
    np.testing.assert_allclose(result.cox.terms["coef"], theirs.params_[numeric], rtol=1e-6, atol=1e-9)


def _stability_verdict(low: float) -> str:
    return ("unstable" if low <= 0.1 else "stable" if low >= 0.75 else "moderately stable" if low >= 0.6
            else "not stable")


def check_persona(claim, result, frame, p):
    n, key, personas = claim.numbers, claim.key, result.personas
    labels = result.model.labels
    if key == "persona.stability":
        assert claim.text().split("). The groups are ")[1].startswith(_stability_verdict(n["ci_low"]))
        assert n["ci_low"] <= n["stability"] <= n["ci_high"]
    elif key == "persona.no_clear_groups":
        assert n["best_silhouette"] == result.model.criterion["silhouette"].max() < 0.25
    elif key == "persona.largest":
        assert n["share"] == personas["share"].max() == pytest.approx(100 * np.mean(labels == 0))
    elif key in ("persona.churn", "persona.churn_no_clear_difference"):
        sized = pd.Series(labels).value_counts()[lambda c: c >= 30].index
        known = frame[p["churn_col"]].notna().to_numpy()
        table = pd.crosstab(labels[known], frame.loc[known, p["churn_col"]].astype(bool).to_numpy()).loc[sized]
        p_value = stats.chi2_contingency(table.to_numpy())[1]
        assert n["p_value"] == pytest.approx(p_value, rel=1e-9) and (p_value < 0.05) == (key == "persona.churn")
        rates = (frame.groupby(labels)[p["churn_col"]].mean() * 100).loc[sized]
        if key == "persona.churn":
            assert n["churn_rate"] == pytest.approx(rates.max())
            assert n["persona"] == personas.set_index("persona").loc[rates.idxmax() + 1, "name"]
        else:
            assert (n["lowest"], n["highest"]) == (pytest.approx(rates.min()), pytest.approx(rates.max()))
    else:
        raise AssertionError(f"no check for the claim {key}")
    for row in personas.itertuples():  # names and descriptions say no more than the members bear out
        members = frame[labels == row.persona - 1]
        for share in re.findall(r"mostly [^(;]+\((\d+)%", row.description):
            assert int(share) > 50, row.description
        for trait in result.contrasts[row.persona].itertuples():
            if trait.distinguishing and trait.kind == "categorical":
                held = members[trait.trait].astype("string").fillna("(missing)").isin(trait.name_levels).mean()
                assert held > 0.75 and trait.coverage == pytest.approx(100 * held)


def _scale(values: pd.Series) -> str | None:
    """The answer scale of a driver by its range, as a reader would judge it."""
    low, high = values.min(), values.max()
    if high - low < 2:
        return None
    return next((f"{a}-{b}" for a, b in ((1, 5), (1, 7), (0, 10)) if a <= low and high <= b), None)


def _betas(rows: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.Series:
    """Standardized coefficients from statsmodels OLS on z-scores."""
    z = (rows - rows.mean()) / rows.std()
    return sm.OLS(z[outcome], z[drivers]).fit().params


def check_driver(claim, result, frame, p):
    n, key, kd = claim.numbers, claim.key, result.drivers
    if key == "drivers.variation_explained":
        rows, drivers = _driver_frame(frame, p)
        r2 = sm.OLS(rows[p["outcome"]], sm.add_constant(rows[drivers])).fit().rsquared
        assert n["r2"] == pytest.approx(r2, rel=1e-9) and n["ci_low"] <= n["r2"] <= n["ci_high"]
        assert n["n"] == len(rows)
    elif key == "drivers.rows_dropped":
        rows, _ = _driver_frame(frame, p)
        assert n["rows_dropped"] == len(frame) - len(rows) and n["n"] == len(rows)
        assert n["by_cause"].get(p["outcome"], 0) == frame[p["outcome"]].isna().sum()  # the outcome counted first
        assert sum(n["by_cause"].values()) + n["other"] == n["rows_dropped"]
    elif key == "drivers.top_group":
        assert n["share"] == kd.groups["share"].max() and n["groups"] > 1
    elif key in ("drivers.top_driver_clear", "drivers.top_driver_not_clear"):
        shares = kd.drivers.set_index("driver")["share"].sort_values(ascending=False)
        assert n["driver"] == shares.index[0] and set(n["p_values"]) == set(shares.index[1:])
        behind = [d for d in shares.index[1:] if n["p_values"][d] >= LEVEL]
        assert n["not_clearly_behind"] == behind and (key == "drivers.top_driver_clear") == (not behind)
    elif key == "drivers.fix_first":  # ratings on one scale only, helping the outcome, rated clearly low
        rows, drivers = _driver_frame(frame, p)
        scale = {d: _scale(frame[d]) for d in drivers}
        ratings = [d for d in drivers if scale[d] == n["scale"]]
        assert all(scale[d] == n["scale"] for d in n["drivers"])
        means = rows[ratings].mean()
        high = means + stats.t.ppf(0.975, len(rows) - 1) * rows[ratings].std() / np.sqrt(len(rows))
        shares = kd.drivers.set_index("driver")["share"][ratings]
        betas = _betas(rows, p["outcome"], drivers)
        for driver in n["drivers"]:
            assert shares[driver] >= shares.median() and high[driver] < means.drop(driver).median()
            assert betas[driver] > 0
    elif key == "drivers.share_and_effect_differ":
        rows, drivers = _driver_frame(frame, p)
        betas = _betas(rows, p["outcome"], drivers)
        assert n["driver"] == betas.abs().idxmax() != kd.drivers.set_index("driver")["share"].idxmax()
        assert n["beta"] == pytest.approx(betas[n["driver"]], rel=1e-9)
        assert n["share_rank"] >= 3  # second by share is near agreement, not said as a contradiction
    else:
        raise AssertionError(f"no check for the claim {key}")


def check_segment(claim, result, frame, p):
    n, key, table = claim.numbers, claim.key, result.segments
    if key == "segment.overall":
        assert n["nps"] == pytest.approx(_nps(frame[p["score_col"]]), abs=1e-9) and n["n"] == len(frame)
        assert n["ci_low"] < n["nps"] < n["ci_high"]
    elif key in ("segment.below", "segment.above"):
        rows = frame[frame[n["segment_col"]].astype(str) == str(n["segment"])]
        assert n["nps"] == pytest.approx(_nps(rows[p["score_col"]]), abs=1e-9)
        assert n["p_adjusted"] < LEVEL and (n["difference"] < 0) == (key == "segment.below")
        clear = table[table["p_adjusted"] < LEVEL]
        extreme = clear["difference"].min() if key == "segment.below" else clear["difference"].max()
        assert n["difference"] == extreme
    elif key == "segment.none_below":
        assert not ((table["p_adjusted"] < LEVEL) & (table["difference"] < 0)).any()
    else:
        raise AssertionError(f"no check for the claim {key}")


CHECKS = {"churn_study": check_churn, "driver_study": check_driver, "segment_study": check_segment,
          "persona_study": check_persona}
CODE = re.compile(r"\bnan\b|\bNone\b|\binf\b|\[|\]|\w_\w|Holm|log-rank|chi-square|R²|\bdf\b", re.IGNORECASE)


@pytest.mark.slow
@pytest.mark.parametrize(("study", "name"), [(s, n) for s, n, _ in RUNS])
def test_every_claim_holds_for_its_data(runs, study, name):
    result, frame, params = runs[study, name]
    claims = (result.drivers if study == "driver_study" else result).claims()
    bullets = [c for c in claims if not c.joins]
    assert 2 <= len(bullets) <= 5
    for claim in claims:
        CHECKS[study](claim, result, frame, params)
        text = claim.text()
        assert not CODE.search(text), f"{claim.key}: code or methods words in {text!r}"
        assert all(math.isfinite(v) for v in claim.numbers.values() if isinstance(v, float))


def test_both_sides_of_every_decision_are_met(runs):
    """The data sets exercise each sentence's alternatives: "differs" and "no clear difference" both occur."""
    keys = {c.key for (study, _), (result, _, _) in runs.items()
            for c in (result.drivers if study == "driver_study" else result).claims()}
    for pair in [("churn.segments_differ", "churn.segments_no_clear_difference"), ("churn.survival",
                 "churn.not_estimable"), ("segment.below", "segment.none_below")]:
        assert set(pair) <= keys, pair
    assert "drivers.top_driver_not_clear" in keys and "churn.cox_clear" in keys
    assert {"persona.no_clear_groups", "persona.churn"} <= keys


def test_time_unit_is_asked_for_unless_the_duration_column_names_it(runs, tmp_path):
    """rossi's 'week' states its unit; gbsg2's 'time' does not, so time_unit must be given (exit 2 in cx run)."""
    result, _, _ = runs["churn_study", "rossi"]
    assert result.time_unit == "weeks"
    path = tmp_path / "gbsg2.csv"
    load_gbsg2().to_csv(path, index=False)
    with pytest.raises(studies.ParameterError, match="time_unit must be given.*'time'"):
        studies.compute("churn_study", {"data_path": str(path), "duration_col": "time", "event_col": "cens"})


PLAN = {"basic": "Essential", "standard": "Plus", "premium": "Elite"}
REGION = {"North": "Nord", "South": "Sud", "East": "Est", "West": "Ouest"}
OLD_LABELS = re.compile(r"\b(" + "|".join([*PLAN, *REGION]) + r")\b")


def _relabel(value):
    """The sample's numbers under the new names: plan and region values renamed, everything else equal."""
    if isinstance(value, str):
        return PLAN.get(value, REGION.get(value, value))
    if isinstance(value, list):
        return [_relabel(v) for v in value]
    if isinstance(value, dict):
        return {k: _relabel(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory, sample_dir):
    """A copy of the sample in the canonical data model with its plans and regions renamed."""
    folder = tmp_path_factory.mktemp("relabelled")
    for path in sample_dir.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    customers.assign(plan=customers["plan"].map(PLAN), region=customers["region"].map(REGION)).to_csv(
        folder / "customers.csv", index=False)
    return folder


@pytest.mark.parametrize("study", ["cx_scorecard", "closed_loop", "persona_study", "business_case",
                                   "data_overview", "segment_study"])
def test_the_other_studies_state_the_same_claims_on_a_relabelled_copy_of_the_sample(study, sample_reports,
                                                                                       relabelled):
    """The same claims and numbers under the new names, none of the old names, each claim's decision consistent."""
    params = {"data_path": str(relabelled)}
    if study == "cx_scorecard":
        params["goal_filter"] = {"region": "Nord"}  # the sample's goal (region North) under its new name
    result, _ = studies.compute(study, params)
    claims = result.claims()
    sample = json.loads((sample_reports[study] / "results.json").read_text())["results"]["claims"]
    assert [c.key for c in claims] == [c["claim"] for c in sample]
    for claim, before in zip(claims, sample, strict=True):
        text = claim.text()
        assert not OLD_LABELS.search(text), f"{claim.key}: a name of the sample in {text!r}"
        assert not CODE.search(text.replace("Holm", "")), f"{claim.key}: code in {text!r}"
        numbers = to_jsonable({k: v for k, v in claim.numbers.items() if k != "currency"})
        expected = {k: v for k, v in before["numbers"].items() if k != "currency"}  # not the sample: no currency
        if study != "persona_study":  # the persona's stability resamples differ by data path; its groups do not
            assert numbers == _relabel(expected), claim.key
        n = claim.numbers
        if claim.key.startswith("scorecard.industry"):
            assert (n["p_value"] < LEVEL) == (claim.key == "scorecard.industry_differs")
            assert (n["p_value"] < LEVEL) == (n["ci_high"] < 0 or n["ci_low"] > 0)
        if claim.key.startswith("scorecard.goal_"):
            verdict = claim.key.removeprefix("scorecard.goal_")
            assert verdict == ("met" if n["ci_low"] >= n["target"] else "missed" if n["ci_high"] < n["target"]
                               else "uncertain")
        if claim.key == "business.case":
            assert ("could be negative" in text) == (n["ci_low"] < 0 < n["ci_high"])
        if claim.key == "segment.clear_trends":
            assert all(lo > 0 or hi < 0 for lo, hi in zip(n["ci_low"], n["ci_high"], strict=True))
        if claim.key == "closed_loop.callbacks":
            assert n["callbacks"] == len(result.callbacks)
