"""The driver report's sentences hold for data nobody here made: small segments named with their n, the largest
group named first, fix-first only for ratings on one scale, rows dropped by cause, and no more than R² says."""

import numpy as np
import pandas as pd
import pytest

from cxlib import studies
from cxlib.drivers.result import rating_scales
from cxlib.io import DataError


def _answers(n: int = 900, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = 0.2 * x[:, 0] + 0.3 * x[:, 1] + 0.8 * x[:, 2] + rng.normal(size=n)
    return pd.DataFrame({"score": np.clip(np.round(6 + 1.5 * y), 0, 10), "ease": np.clip(np.round(3 + x[:, 0]), 1, 5),
                         "speed": np.clip(np.round(3 + x[:, 1]), 1, 5), "price": np.clip(np.round(3 + x[:, 2]), 1, 5)})


def _run(tmp_path, frame: pd.DataFrame, **params):
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    result, data = studies.compute("driver_study", {"data_path": str(path), "outcome": "score", "n_boot": 100,
                                                    **params})
    return result, data, {c.key: c for c in result.claims()}


@pytest.mark.parametrize("sizes", [(600, 150, 90), (150, 90, 60)])
def test_segments_too_small_are_named_with_their_n_and_the_study_finishes(tmp_path, sizes):
    """One segment (or none) large enough used to stop with KeyError: 'difference', and small segments vanished."""
    frame = _answers(sum(sizes)).assign(region=np.repeat(["East", "North", "West"], sizes))
    result, _, claims = _run(tmp_path, frame, driver_groups=["ease", "speed", "price"], segment_col="region")
    shares = result.segment_shares
    assert set(shares["segment"]) == {"East", "North", "West"}  # every segment is in the table
    small = shares[~shares["analysed"]].drop_duplicates("segment").set_index("segment")["n"]
    assert small.to_dict() == {s: n for s, n in zip(["East", "North", "West"], sizes, strict=True) if n < 200}
    assert shares.loc[~shares["analysed"], "share"].isna().all()
    assert result.segment_differences.empty and "difference" in result.segment_differences.columns
    text = claims["drivers.segments_too_small"].text()
    listed = ", ".join(f"{s} ({n} answers)" for s, n in zip(["East", "North", "West"], sizes, strict=True) if n < 200)
    assert f"(fewer than 200): {listed}." in text
    assert "drivers.segments_alike" not in claims and "drivers.segments_differ" not in claims


def test_the_largest_group_is_named_first_whatever_the_order_declared(tmp_path):
    result, _, claims = _run(tmp_path, _answers(), driver_groups={"Ease": ["ease", "speed"], "Value": ["price"]})
    groups = result.drivers.groups.set_index("group")["share"]
    assert groups["Value"] > groups["Ease"]  # declared second, explains most
    assert claims["drivers.top_group"].text().startswith("Value accounts for")
    assert claims["drivers.top_group"].numbers["group"] == "Value"
    assert result.figures()[0]["label"].startswith("Value")
    assert list(result.headline())[1] == "Value share"


def test_segments_that_differ_are_said_to_and_alike_segments_too(tmp_path):
    east, north = _answers(700, seed=1), _answers(700, seed=2)
    north["score"] = np.clip(np.round(6 + 1.2 * (north["ease"] - 3) + np.random.default_rng(3).normal(size=700)),
                             0, 10)  # in the North ease drives the score, in the East price
    frame = pd.concat([east.assign(region="East"), north.assign(region="North")], ignore_index=True)
    result, _, claims = _run(tmp_path, frame, driver_groups={"Ease": ["ease"], "Other": ["speed", "price"]},
                             segment_col="region")
    claim = claims["drivers.segments_differ"]
    d = result.segment_differences.set_index("group").loc["Ease"]
    assert d["significant"] and claim.numbers["difference"] == d["difference"] < 0
    assert claim.text().startswith("Ease's share of what drives Score differs between East and North: ")
    same, _, claims = _run(tmp_path, pd.concat([east.assign(region="East"), _answers(700, seed=4).assign(
        region="North")], ignore_index=True), driver_groups={"Ease": ["ease"], "Other": ["speed", "price"]},
        segment_col="region")
    assert not same.segment_differences["significant"].any()
    assert claims["drivers.segments_alike"].text() == ("What drives Score does not differ clearly between the 2 "
                                                       "segments of region analysed.")


def test_fix_first_only_for_ratings_on_one_scale_that_help_and_are_rated_clearly_low(tmp_path):
    """An age of mean 53 and an income are not ratings, a rating that lowers the outcome is not a fix, and a mean on
    a 0-10 scale is never compared with means on a 1-5 scale."""
    rng = np.random.default_rng(8)
    n = 3000
    frame = pd.DataFrame({"tv": rng.integers(1, 4, n), "staff": rng.integers(3, 6, n), "wait": rng.integers(1, 4, n),
                          "extra": rng.integers(2, 6, n), "app": rng.integers(0, 11, n), "age": rng.integers(18, 91, n),
                          "income": rng.normal(60_000, 15_000, n).round()})
    frame["score"] = np.clip(np.round(2 + 1.2 * frame["tv"] + 0.5 * frame["staff"] - 0.9 * frame["wait"]
                                      + 0.2 * frame["app"] + 0.02 * frame["age"] + rng.normal(0, 1.5, n)), 0, 10)
    result, _, claims = _run(tmp_path, frame, driver_groups=["tv", "staff", "wait", "extra", "app", "age", "income"])
    kd = result.drivers
    assert kd.scales == {"tv": "1-5", "staff": "1-5", "wait": "1-5", "extra": "1-5", "app": "0-10", "age": None,
                         "income": None}
    assert set(kd.priorities()["driver"]) == {"tv", "staff", "wait", "extra"}
    fix = claims["drivers.fix_first"]
    assert fix.numbers["drivers"] == ["tv"]  # wait is rated low and matters, but lowers the score
    others = frame[["staff", "wait", "extra"]].mean().median()
    assert fix.numbers["others_median"] == [pytest.approx(others)]
    assert "below the median of the other ratings on its 1-5 scale (" in fix.text() and "Age" not in fix.text()


def test_fix_first_needs_whole_answers_a_share_above_the_median_and_a_clear_effect(tmp_path):
    """A log or a fraction between 0 and 4.6 is no rating; a driver whose share is the median one does not "matter
    more than the median"; a beta whose interval holds 0 does not "raise" the outcome."""
    rng = np.random.default_rng(9)
    n = 3000
    frame = pd.DataFrame({"a": rng.integers(1, 6, n), "b": rng.integers(1, 6, n), "c": rng.integers(2, 6, n),
                          "log_cost": np.log1p(rng.integers(0, 100, n)).round(4)})
    frame["score"] = np.clip(np.round(4 + 0.8 * frame["b"] + 0.6 * frame["c"] + rng.normal(0, 1.5, n)), 0, 10)
    result, _, claims = _run(tmp_path, frame, driver_groups=["a", "b", "c", "log_cost"])
    kd = result.drivers
    assert kd.scales["log_cost"] is None and kd.scales["a"] == "1-5"
    fix = kd.fix_first()
    betas = kd.drivers.set_index("driver")
    assert (fix["share"] > kd.priorities()["share"].median()).all()
    assert (fix["driver"].map(betas["beta_ci_low"]) > 0).all()
    assert "a" not in set(fix["driver"])  # rated low but no effect: its beta's interval holds 0
    assert betas.loc["a", "beta_ci_low"] < 0 < betas.loc["a", "beta_ci_high"]
    for quadrant, driver in kd.priorities()[["quadrant", "driver"]].itertuples(index=False):
        if quadrant.endswith("though its effect ranks high"):
            assert betas.loc[driver, "beta_ci_low"] > 0 or betas.loc[driver, "beta_ci_high"] < 0
    assert "drivers.fix_first" not in claims or "Log cost" not in claims["drivers.fix_first"].text()


def test_rows_left_out_are_counted_by_cause_and_in_the_data_quality_record(tmp_path):
    frame = _answers(1000)
    frame.loc[:10, "score"] = np.nan  # 11 without the outcome, 3 of them without a driver too
    frame.loc[8:60, "ease"] = np.nan
    frame.loc[100:119, "price"] = np.nan
    result, data, claims = _run(tmp_path, frame, driver_groups=["ease", "speed", "price"])
    claim = claims["drivers.rows_dropped"]
    assert claim.numbers["by_cause"] == {"score": 11, "ease": 50, "price": 20}
    assert claim.text() == ("81 answers are not in the model (8% of 1,000): 11 without Score, 70 with a driver not "
                            "rated (Ease 50, Price 20).")
    assert (data.quality.rows_read, data.quality.rows_kept) == ({"drivers": 1000}, {"drivers": 919})
    issues = {(i.column, i.rule): i.n_rows for i in data.quality.issues}
    assert issues == {("score", "not answered (blank)"): 11, ("ease", "not answered (blank)"): 50,
                      ("price", "not answered (blank)"): 20}


def test_a_driver_constant_within_a_segment_leaves_that_segment_out_with_its_reason(tmp_path):
    """A deductible every member of one plan has varies overall: the study finishes, that plan is named with why."""
    frame = _answers(1200).assign(plan=np.repeat(["Basic", "Plus", "Gold"], 400))
    frame.loc[frame["plan"] == "Gold", "ease"] = 5
    result, _, claims = _run(tmp_path, frame, driver_groups=["ease", "speed", "price"], segment_col="plan")
    shares = result.segment_shares.drop_duplicates("segment").set_index("segment")
    assert shares.loc["Gold", ["analysed", "reason"]].tolist() == [False, "ease does not vary within it"]
    assert shares.loc[["Basic", "Plus"], "analysed"].all()
    assert claims["drivers.segments_inseparable"].text() == (
        "Not analysed on their own: Gold (400 answers; Ease does not vary within it). They count in every overall "
        "figure.")
    with pytest.raises(studies.ParameterError, match="segment_col: 'plan' is also a driver"):
        _run(tmp_path, frame, driver_groups=["ease", "speed", "plan"], categorical_drivers=["plan"],
             segment_col="plan")


def test_an_outcome_that_does_not_vary_stops_with_a_sentence_not_a_traceback(tmp_path):
    frame = _answers(300).assign(score=8)
    with pytest.raises(DataError, match="the outcome 'score' does not vary"):
        _run(tmp_path, frame, driver_groups=["ease", "speed", "price"])


def test_a_missing_code_among_ratings_stops_and_names_missing_codes_which_then_reads_it_as_blank(tmp_path):
    frame = _answers(600)
    frame.loc[frame.index[:31], "speed"] = 99  # "don't know" as the survey tool codes it
    with pytest.raises(DataError, match=r"'speed' holds answers from 1 to 5 and the code\(s\) 99 in 31 rows.*"
                                        r"missing_codes"):
        _run(tmp_path, frame, driver_groups=["ease", "speed", "price"])
    result, data, _ = _run(tmp_path, frame, driver_groups=["ease", "speed", "price"], missing_codes=[99])
    assert result.drivers.n == 600 - 31


def test_codes_that_never_reach_a_scales_top_are_no_rating_on_it():
    """fair-like data: occupation codes 1-6 are no 1-7 rating and religiousness 1-4 no 1-5 one; a rating of 1-3
    beside ratings that reach 5 is on 1-5."""
    scales = rating_scales({"occupation": (1, 6, True), "religious": (1, 4, True), "age": (17, 42, True)})
    assert scales == {"occupation": None, "religious": None, "age": None}
    assert rating_scales({"tv": (1, 3, True), "staff": (1, 5, True)}) == {"tv": "1-5", "staff": "1-5"}


def test_a_driver_that_would_be_fixed_first_but_lowers_the_outcome_is_not_labelled_fix_first(tmp_path):
    """The priorities table and chart agree with the summary: 'fix first' needs a clearly positive effect."""
    rng = np.random.default_rng(21)
    n = 3000
    frame = pd.DataFrame({"a": rng.integers(1, 4, n), "b": rng.integers(3, 6, n), "c": rng.integers(3, 6, n),
                          "d": rng.integers(1, 6, n)})
    frame["score"] = np.clip(np.round(8 - 1.5 * frame["a"] + 0.4 * frame["b"] + 0.3 * frame["d"]
                                      + rng.normal(0, 1, n)), 0, 10)
    result, _, claims = _run(tmp_path, frame, driver_groups=["a", "b", "c", "d"])
    quadrant = result.drivers.priorities().set_index("driver")["quadrant"]
    assert quadrant["a"] == "important and rated low, but raising it shows no clear gain"
    assert "a" not in claims.get("drivers.fix_first", type("", (), {"numbers": {"drivers": []}})).numbers["drivers"]


def test_numbers_that_round_to_zero_never_read_minus_zero():
    from cxlib.formatting.tables import format_table
    shown = format_table(pd.DataFrame({"value": [-0.0001, 0.5], "ci_low": [-0.0002, 0.4], "ci_high": [0.0, 0.6]}),
                         digits={"value": 3})
    assert not shown.iloc[:, 0].str.contains("-0.000").any()
