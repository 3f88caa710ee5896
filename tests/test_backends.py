"""The reduce step on pandas, DuckDB and Dask gives the in-memory numbers (to 1e-9) on the sample."""

import hashlib
import os
import socket

import duckdb
import numpy as np
import pandas as pd
import pytest
from nested import TOL, assert_nested_close

import cxlib as cx
from cxlib.drivers.binary import binary_drivers, binary_drivers_from_source
from cxlib.drivers.key_drivers import (
    key_drivers,
    key_drivers_from_source,
)
from cxlib.drivers.segments import segment_drivers, segment_drivers_from_source
from cxlib.engine import Period, dask_backend, open_source
from cxlib.io.quality import DataError
from cxlib.lifecycle.survival import kaplan_meier, logrank, survival_counts
from cxlib.metrics.compare import segment_table, segment_table_from_histograms
from cxlib.metrics.rates import rate_table, rate_table_from_counts
from cxlib.metrics.trends import trend, trend_from_histogram
from cxlib.reports.results import to_jsonable
from cxlib.sample import DRIVER_GROUPS, DRIVERS
from cxlib.studies.churn_study import churn_frame


@pytest.fixture(scope="module")
def sample():
    return cx.io.load()


@pytest.fixture(scope="module")
def frames(sample):
    responses = sample.responses.merge(sample.customers[["customer_id", "plan", "region"]], on="customer_id")
    responses["promoter"] = (responses["nps"] >= 9).astype("Int64").where(responses["nps"].notna())
    customers = churn_frame(sample, observed_from="2024-01-01")
    customers = customers[["customer_id", "plan", "region", "duration", "event", "entry"]].assign(
        event=lambda f: f["event"].astype(int))
    return {"responses": responses, "customers": customers}


@pytest.fixture(scope="module")
def parquet(frames, tmp_path_factory):
    """Each table as a folder of three Parquet files."""
    root = tmp_path_factory.mktemp("parquet")
    for name, frame in frames.items():
        (root / name).mkdir()
        for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
            frame.iloc[rows].to_parquet(root / name / f"part-{i}.parquet", index=False)
    return root


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    # The nanny sets OPENBLAS_NUM_THREADS=1, PYTHONHASHSEED, ... in this process's environment for its workers and
    # leaves them there; later notebook kernels would inherit them, so the environment is restored afterwards.
    saved = dict(os.environ)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c, \
            distributed.Client(c) as client:
        yield client
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module", params=["pandas", "duckdb", "dask"])
def backend(request, parquet, cluster):
    """A factory: the backend of this test's kind on one of the sample's tables."""
    opened = []

    def make(table):
        scheduler = cluster.scheduler.address if request.param == "dask" else None  # as a user gives it
        opened.append(open_source(parquet / table, request.param, dask_scheduler=scheduler))
        return opened[-1]
    yield make
    for b in opened:
        b.close()


def assert_frames_close(got: pd.DataFrame, want: pd.DataFrame):
    assert list(got.columns) == list(want.columns)
    for column in want.columns:
        if pd.api.types.is_numeric_dtype(want[column]) and not pd.api.types.is_bool_dtype(want[column]):
            np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float), rtol=TOL, atol=TOL,
                                       err_msg=column)
        else:
            assert got[column].astype(str).tolist() == want[column].astype(str).tolist(), column


def by_hand_nps(frame: pd.DataFrame, by: list[str], score: str = "nps") -> pd.DataFrame:
    """NPS and n per group, by a group-by of the raw answers: independent of cxlib's histograms."""
    rows = frame.dropna(subset=[score, *by])
    return rows.groupby(by, observed=True)[score].agg(
        n="count", value=lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean())).reset_index()


@pytest.mark.slow
def test_segment_table_equals_pandas(backend, frames):
    b = backend("responses")
    histograms = {c: b.score_histogram("nps", by=c) for c in ["plan", "region", "touchpoint"]}
    got = segment_table_from_histograms(histograms)
    assert_frames_close(got, segment_table(frames["responses"], by=["plan", "region", "touchpoint"]))
    for column in ["plan", "region", "touchpoint"]:
        want = by_hand_nps(frames["responses"], [column]).set_index(column)
        mine = got[got["segment_col"] == column].set_index("segment")
        assert mine["n"].to_dict() == want["n"].to_dict()
        np.testing.assert_allclose(mine["value"], want.loc[mine.index, "value"], rtol=TOL)
    csat = {"touchpoint": b.score_histogram("csat", by="touchpoint", scale=(1, 5))}
    assert_frames_close(segment_table_from_histograms(csat, "top_box", (4, 5)),
                        segment_table(frames["responses"], by="touchpoint", score="csat"))


def test_weighted_histogram_equals_pandas(backend, frames):
    got = backend("responses").score_histogram("nps", by="plan", weights="weight")
    want = cx.score_histogram(frames["responses"], "nps", by="plan", weights="weight")
    np.testing.assert_allclose(got.weights, want.weights, rtol=TOL)
    np.testing.assert_allclose(got.weights_sq, want.weights_sq, rtol=TOL)
    assert got.segments.tolist() == want.segments.tolist()
    answered = frames["responses"].dropna(subset=["nps", "plan", "weight"])
    by_hand = answered.pivot_table(index="plan", columns="nps", values="weight", aggfunc="sum", fill_value=0.0)
    np.testing.assert_allclose(got.weights, by_hand.loc[got.segments, list(got.values)].to_numpy(), rtol=TOL)


def test_trend_equals_pandas(backend, frames):
    h = backend("responses").score_histogram("nps", by=["plan", Period("survey_date", "Q")])
    got = trend_from_histogram(h, ["plan"], "Q")
    want = trend(frames["responses"], by="plan")
    assert_frames_close(got.periods, want.periods)
    assert_frames_close(got.slopes, want.slopes)
    answers = frames["responses"].assign(period=frames["responses"]["survey_date"].dt.to_period("Q").astype(str))
    by_hand = by_hand_nps(answers, ["plan", "period"]).set_index(["plan", "period"])
    mine = got.periods.set_index(["plan", "period"])
    assert mine["n"].to_dict() == by_hand["n"].to_dict()
    np.testing.assert_allclose(mine["value"], by_hand.loc[mine.index, "value"], rtol=TOL)


def test_rates_equal_pandas(backend, frames):
    got = rate_table_from_counts(backend("customers").rate_counts("event", by="plan"), ["plan"])
    customers = frames["customers"]
    assert_frames_close(got, rate_table(customers["event"].astype("boolean"), by=[customers["plan"]]))
    overall = backend("customers").rate_counts("event")
    assert overall[["n", "successes"]].values.tolist() == [[len(customers), int(customers["event"].sum())]]
    by_hand = customers.groupby("plan")["event"].agg(["count", "sum"])
    counts = backend("customers").rate_counts("event", by="plan").set_index("plan")
    assert counts[["n", "successes"]].values.tolist() == by_hand.loc[counts.index].values.tolist()


def test_key_drivers_equal_pandas(backend, frames):
    got = key_drivers_from_source(backend("responses"), "nps", groups=DRIVER_GROUPS, n_boot=100, seed=3)
    want = key_drivers(frames["responses"], "nps", groups=DRIVER_GROUPS, n_boot=100, seed=3)
    assert_frames_close(got.drivers, want.drivers)
    assert_frames_close(got.groups, want.groups)
    assert (got.n, got.rows_dropped) == (want.n, want.rows_dropped)
    np.testing.assert_allclose(got.groups.set_index("group")["value"], pd.Series(
        shapley_by_hand(frames["responses"], "nps", DRIVER_GROUPS))[got.groups["group"]], rtol=1e-8)


def shapley_by_hand(frame: pd.DataFrame, outcome: str, groups: dict) -> dict:
    """Each group's Shapley value of R² (LMG), from statsmodels OLS fits of every subset of the groups on the complete
    rows: the formula written out, independent of cxlib's cross-products."""
    import itertools
    import math

    import statsmodels.api as sm

    columns = [c for members in groups.values() for c in members]
    rows = frame.dropna(subset=[outcome, *columns])

    def r2(subset) -> float:
        chosen = [c for g in subset for c in groups[g]]
        return sm.OLS(rows[outcome], sm.add_constant(rows[chosen])).fit().rsquared if chosen else 0.0

    names, k = list(groups), len(groups)
    fits = {s: r2(s) for r in range(k + 1) for s in itertools.combinations(names, r)}
    return {g: sum(math.factorial(len(s)) * math.factorial(k - len(s) - 1) / math.factorial(k)
                   * (fits[tuple(sorted((*s, g), key=names.index))] - fits[s])
                   for s in fits if g not in s) for g in names}


def test_crossproducts_per_segment_equal_pandas(backend, frames):
    got = backend("responses").crossproducts(["nps", *DRIVERS], by="region", weights="weight")
    responses = frames["responses"]
    for region, rows in responses.groupby("region"):
        complete = rows.dropna(subset=["nps", *DRIVERS, "weight"])
        x, w = complete[["nps", *DRIVERS]].to_numpy(float), complete["weight"].to_numpy(float)
        np.testing.assert_allclose(np.ravel(got[region].mean), np.average(x, axis=0, weights=w), rtol=TOL)
        np.testing.assert_allclose(got[region].cov[0], np.cov(x, rowvar=False, aweights=w, ddof=0), rtol=TOL, atol=TOL)


def test_kaplan_meier_and_logrank_equal_pandas(backend, frames):
    got = backend("customers").survival_counts("duration", "event", entry="entry", segment="plan")
    c = frames["customers"]
    want = survival_counts(c["duration"].to_numpy(), c["event"].to_numpy(bool), c["entry"].to_numpy(), c["plan"])
    assert_frames_close(kaplan_meier(got), kaplan_meier(want))
    assert logrank(got) == pytest.approx(logrank(want), rel=TOL)
    from lifelines import KaplanMeierFitter
    from statsmodels.duration.survfunc import survdiff

    curves = kaplan_meier(got)  # at risk at t when entry <= t: the peers' entry < t, with entry - 1/2 (whole days)
    for plan, rows in c.groupby("plan"):
        fit = KaplanMeierFitter().fit(rows["duration"], rows["event"], entry=rows["entry"] - 0.5)
        mine = curves[curves["segment"] == plan].set_index("time")["survival"]
        np.testing.assert_allclose(mine, fit.survival_function_.iloc[:, 0].reindex(mine.index, method="ffill"),
                                   rtol=1e-9)
    chi2, p = survdiff(c["duration"], c["event"], c["plan"], entry=c["entry"] - 0.5)
    assert logrank(got)["statistic"] == pytest.approx(chi2, rel=1e-9)
    assert logrank(got)["p_value"] == pytest.approx(p, rel=1e-6)


def test_seeded_sample_is_the_same_rows_everywhere(backend, frames):
    got = backend("responses").sample(["response_id", "nps"], 500, seed=7)
    positions = np.sort(np.random.default_rng(7).choice(len(frames["responses"]), 500, replace=False))
    assert got["response_id"].tolist() == frames["responses"]["response_id"].iloc[positions].tolist()


def test_duckdb_file_table_and_query_give_the_same_numbers(frames, parquet, tmp_path):
    path = tmp_path / "cx.duckdb"
    with duckdb.connect(str(path)) as con:
        con.register("r", frames["responses"])
        con.execute("CREATE TABLE responses AS SELECT * FROM r")
    from_table = open_source(path, "duckdb", table="responses")
    query = f"SELECT * FROM read_parquet('{parquet}/responses/*.parquet') ORDER BY response_id DESC"
    from_query = open_source(query, "duckdb")
    want = cx.score_histogram(frames["responses"], "nps", by="plan")
    positions = np.sort(np.random.default_rng(1).choice(len(frames["responses"]), 50, replace=False))
    in_order = frames["responses"]["response_id"]
    for source, ids in [(from_table, in_order), (from_query, in_order.sort_values(ascending=False))]:
        assert (source.score_histogram("nps", by="plan").counts == want.counts).all()
        assert source.sample(["response_id"], 50, seed=1)["response_id"].tolist() == ids.iloc[positions].tolist()


@pytest.mark.parametrize("name", ["pandas", "duckdb", "dask"])
def test_answers_off_the_scale_are_counted_and_missing_columns_named(name):
    b = open_source(pd.DataFrame({"nps": [9, 11, 3, 12, 12], "g": list("ababa")}), name)
    h = b.score_histogram("nps", by="g")
    assert h.counts.sum() == 2 and h.counts[0, [3, 9]].tolist() == [1, 1]
    assert b.exclusions == {("nps", "not a whole number from 0 to 10"): (3, (11, 12))}
    with pytest.raises(DataError, match="column 'segment' is not in the data"):
        b.score_histogram("nps", by="segment")
    with pytest.raises(ValueError, match="backend must be one of"):
        open_source(pd.DataFrame(), "spark")


def test_rescaled_bootstrap_from_a_sample_matches_the_full_bootstrap(frames):
    """Intervals from a quarter of the rows, rescaled by sqrt(m/n), are as wide as the full bootstrap's."""
    source = open_source(frames["responses"])
    full = key_drivers(frames["responses"], "nps", groups=DRIVER_GROUPS, n_boot=400, seed=5)
    quarter = key_drivers_from_source(source, "nps", groups=DRIVER_GROUPS, n_boot=400, seed=5,
                                      sample_size=len(frames["responses"]) // 4)
    width = (full.groups["ci_high"] - full.groups["ci_low"]).to_numpy()
    rescaled = (quarter.groups["ci_high"] - quarter.groups["ci_low"]).to_numpy()
    assert np.all(np.abs(rescaled / width - 1) < 0.25), (rescaled, width)
    np.testing.assert_allclose(quarter.groups["share"], full.groups["share"], rtol=TOL)


def test_segment_drivers_equal_pandas(backend, frames):
    got_shares, got_differences = segment_drivers_from_source(backend("responses"), "nps", "region", DRIVER_GROUPS,
                                                              n_boot=100, seed=2)
    want_shares, want_differences = segment_drivers(frames["responses"], "nps", "region", DRIVER_GROUPS, n_boot=100,
                                                    seed=2)
    assert_frames_close(got_shares, want_shares)
    assert_frames_close(got_differences, want_differences)


@pytest.mark.slow
def test_segment_study_on_duckdb_equals_the_pandas_run(parquet, tmp_path):
    """The study through the runner: backend "duckdb" on Parquet files gives the in-memory run's numbers."""
    import json

    from cxlib.reports import run_study

    params = {"data_path": str(parquet / "responses"), "segment_cols": ["plan", "region"], "date_col": "survey_date"}
    runs = {b: run_study("segment_study", {**params, "backend": b}, reports_dir=tmp_path / b) for b in ["pandas", "duckdb"]}
    out = {b: json.loads((run / "results.json").read_text()) for b, run in runs.items()}
    assert_nested_close(out["duckdb"]["results"], out["pandas"]["results"])
    assert out["duckdb"]["data_period"] == out["pandas"]["data_period"]
    assert out["duckdb"]["provenance"]["inputs"][0]["rows"] == len(pd.read_parquet(parquet / "responses"))
    html = (runs["duckdb"] / "report.html").read_text()
    assert "out of core in DuckDB" in html
    excluded = {i["column"]: i["rows"] for i in out["duckdb"]["data_quality"]["issues"]}
    assert excluded == {"nps": int(pd.read_parquet(parquet / "responses")["nps"].isna().sum())}


def run_both(study, params, backend, tmp_path):
    import json

    from cxlib.reports import run_study

    runs = {b: run_study(study, {**params, "backend": b}, reports_dir=tmp_path / b) for b in ["pandas", backend]}
    return runs, {b: json.loads((run / "results.json").read_text()) for b, run in runs.items()}


@pytest.mark.slow
def test_driver_study_on_duckdb_equals_the_pandas_run(parquet, tmp_path):
    params = {"data_path": str(parquet / "responses"), "n_boot": 100}
    runs, out = run_both("driver_study", params, "duckdb", tmp_path)
    assert_nested_close(out["duckdb"]["results"], out["pandas"]["results"])
    assert "seeded random sample" in (runs["duckdb"] / "report.html").read_text()


@pytest.mark.slow
def test_churn_study_on_dask_equals_the_pandas_run(parquet, tmp_path):
    params = {"data_path": str(parquet / "customers"), "horizons": [90, 365], "segment_col": "plan", "time_unit": "days",
              "covariates": ["plan", "region"]}
    runs, out = run_both("churn_study", params, "dask", tmp_path)
    assert_nested_close(out["dask"]["results"], out["pandas"]["results"])
    assert out["dask"]["results"]["cox"] and out["dask"]["results"]["logrank"]["df"] == 2
    assert "Computed with Dask from" in (runs["dask"] / "report.html").read_text()


def test_duckdb_moments_of_whole_numbers_are_the_same_bits_every_run(parquet):
    """Shifted by whole numbers, sums of whole-number ratings are exact whatever order DuckDB's threads add them in."""
    runs = []
    for _ in range(3):
        with open_source(parquet / "responses", "duckdb") as source:
            source.connection.execute("SET threads = 4")
            cp = source.crossproducts(["nps", *DRIVERS], by="region")
            runs.append(np.concatenate([np.concatenate([c.mean.ravel(), c.cov.ravel()]) for c in cp.values()]))
    assert all(np.array_equal(runs[0], r) for r in runs[1:])


def test_a_utf8_csv_export_goes_out_of_core_without_conversion(frames, tmp_path):
    """DuckDB and Dask read CSV files (a file or a glob) where they are: the same counts and the same sampled rows."""
    path = tmp_path / "export.csv"
    frames["responses"][["response_id", "nps", "plan"]].to_csv(path, index=False)
    expected = cx.score_histogram(frames["responses"], "nps", by="plan")
    for name, source in (("duckdb", str(path)), ("duckdb", f"SELECT * FROM read_csv('{path}')"),
                         ("duckdb", str(tmp_path / "*.csv")), ("dask", str(path)), ("dask", str(tmp_path / "*.csv"))):
        with open_source(source, name) as backend:
            got = backend.score_histogram("nps", by="plan")
            assert (got.counts == expected.counts).all() and list(got.segments) == list(expected.segments)
            rows = backend.sample(["response_id"], 40, seed=4)
            positions = np.sort(np.random.default_rng(4).choice(len(frames["responses"]), 40, replace=False))
            assert rows["response_id"].tolist() == frames["responses"]["response_id"].iloc[positions].tolist()
    with open_source(path, "duckdb") as backend:
        info = backend.source_info("survey")
    assert info.format == "csv" and info.rows == len(frames["responses"])
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    late_text = tmp_path / "late" / "export.csv"  # a number column with text after the rows Dask types it from
    late_text.parent.mkdir()
    pd.DataFrame({"nps": [9] * 1500 + ["ten"]}).to_csv(late_text, index=False)
    with open_source(late_text, "dask") as backend, pytest.raises(DataError, match="Dask could not read .*'duckdb'"):
        backend.score_histogram("nps")


def test_logistic_drivers_run_on_the_seeded_sample(backend, frames):
    responses = frames["responses"]
    got = binary_drivers_from_source(backend("responses"), "promoter", DRIVERS, sample_size=3000, seed=6)
    positions = np.sort(np.random.default_rng(6).choice(len(responses), 3000, replace=False))
    want = binary_drivers(responses.iloc[positions].reset_index(drop=True), "promoter", DRIVERS)
    assert_frames_close(got.drivers, want.drivers)
    assert got.pseudo_r2 == pytest.approx(want.pseudo_r2, rel=TOL)


def test_in_memory_only_options_are_refused_out_of_core(parquet):
    from cxlib.studies.churn_study import run_churn_study
    from cxlib.studies.driver_study import run_driver_study
    from cxlib.studies.segment_study import run_segment_study

    with pytest.raises(ValueError, match=r"missing_codes cannot be applied.*NULLIF"):
        run_segment_study(data_path=str(parquet / "responses"), missing_codes=[99], backend="duckdb")
    with pytest.raises(ValueError, match="needs data_path"):
        run_segment_study(data_path=None, backend="dask")
    with pytest.raises(ValueError, match="categorical_drivers cannot be applied"):
        run_driver_study(data_path=str(parquet / "responses"), driver_groups=DRIVER_GROUPS, categorical_drivers=["plan"],
                         backend="duckdb")
    with pytest.raises(ValueError, match="event_value cannot be applied"):
        run_churn_study(data_path=str(parquet / "customers"), event_value="churned", backend="duckdb")


@pytest.mark.parametrize("name", ["pandas", "duckdb", "dask"])
def test_bad_weights_durations_and_flags_are_named_or_counted(name):
    frame = pd.DataFrame({"nps": [9, 10, 3, 7], "w": [1.0, 0.0, 2.0, 1.0], "g": list("abab"),
                          "days": [5.0, -1.0, 3.0, 4.0], "left": [0, 1, 2, 1],
                          "stayed": [1, 0, 0, 1]})
    b = open_source(frame, name)
    h = b.score_histogram("nps", by="g", weights="w")
    assert h.counts.sum() == 3 and h.weights.sum() == 4.0
    assert b.exclusions == {("w", "missing or not a number above 0"): (1, ())}
    with pytest.raises(DataError, match="weights in 'w' must be positive"):
        b.crossproducts(["nps", "days"], weights="w")
    with pytest.raises(DataError, match="durations in 'days' must be present and not negative"):
        b.survival_counts("days", "stayed")
    with pytest.raises(DataError, match=r"'left' must hold whole numbers from 0 to 1.*\[2\]"):
        b.rate_counts("left")
    with pytest.raises(DataError, match=r"'left' must hold whole numbers from 0 to 1"):
        b.survival_counts("nps", "left")
    b.close()


def test_an_unreachable_scheduler_names_the_parameter(monkeypatch):
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", "1s")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError, match=rf"no Dask scheduler answered at dask_scheduler='tcp://127.0.0.1:{port}'"):
        open_source(pd.DataFrame({"nps": [9]}), "dask", dask_scheduler=f"tcp://127.0.0.1:{port}")


@pytest.fixture(scope="module")
def dirty_responses(frames, tmp_path_factory):
    """The sample's responses with answers off the scale and bad weights, as a folder of Parquet files."""
    frame = frames["responses"].copy()
    answered = frame.index[frame["nps"].notna()]
    frame["nps"] = frame["nps"].astype(float)
    frame.loc[answered[[5, 50, 500]], "nps"] = 11.0
    frame.loc[answered[[7, 70]], "nps"] = 99.0
    frame.loc[answered[9], "nps"] = 5.5
    frame.loc[answered[[11, 110]], "weight"] = 0.0
    frame.loc[answered[13], "weight"] = np.nan
    root = tmp_path_factory.mktemp("dirty") / "responses"
    root.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(root / f"part-{i}.parquet", index=False)
    return root


@pytest.mark.slow
def test_bad_answers_and_weights_are_excluded_and_counted_as_in_memory(dirty_responses, tmp_path):
    """Out of core, answers off the scale and bad weights are left out and counted, as the in-memory loader does."""
    params = {"data_path": str(dirty_responses), "segment_cols": ["plan", "region"], "weight_col": "weight",
              "revenue_col": None, "tenure_col": None}
    runs, out = run_both("segment_study", params, "duckdb", tmp_path)
    _, dask_out = run_both("segment_study", params, "dask", tmp_path / "dask")
    assert_nested_close(out["duckdb"]["results"], out["pandas"]["results"])
    assert_nested_close(dask_out["dask"]["results"], out["pandas"]["results"])
    missing = int(pd.read_parquet(dirty_responses)["nps"].isna().sum())
    for result in (out["duckdb"], dask_out["dask"]):
        issues = {(i["column"], i["rule"]): (i["rows"], i["example_values"]) for i in result["data_quality"]["issues"]}
        assert issues == {("nps", "not a whole number from 0 to 10"): (6, ["5.5", "11", "99"]),
                          ("weight", "missing or not a number above 0"): (3, []),
                          ("nps", "not answered (blank)"): (missing, [])}
    in_memory = {(i["column"], i["rule"]): i["rows"] for i in out["pandas"]["data_quality"]["issues"]}
    assert in_memory[("nps", "not answered (blank)")] == missing  # the same words in memory and out of core
    assert sum(in_memory.values()) == 6 + missing + 3
    assert "5.5" in (runs["duckdb"] / "report.html").read_text()


def test_segment_study_on_a_csv_export_out_of_core_equals_in_memory(frames, tmp_path):
    path = tmp_path / "export.csv"
    frames["responses"][["nps", "plan", "region", "survey_date"]].rename(columns={"nps": "LTR"}).to_csv(path, index=False)
    given = {"data_path": str(path), "score_col": "LTR", "segment_cols": ["plan", "region"], "date_col": "survey_date"}
    memory, _ = cx.studies.compute("segment_study", {**given, "backend": "pandas"})
    for backend in ("duckdb", "dask"):
        study, data = cx.studies.compute("segment_study", {**given, "backend": backend})
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        assert data.source.format == "csv"


@pytest.fixture(scope="module")
def bad_customers(tmp_path_factory):
    """500 customers as Parquet: 5 negative durations, 1 blank, 3 blank events, 2 blank segments."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"days": rng.exponential(300, 500).round(), "left": rng.integers(0, 2, 500).astype(float),
                          "plan": rng.choice(["basic", "premium"], 500), "age": rng.normal(40, 10, 500)})
    frame.loc[[3, 40, 77, 120, 300], "days"] = -5.0
    frame.loc[9, "days"] = np.nan
    frame.loc[[11, 12, 200], "left"] = np.nan
    frame.loc[[14, 15], "plan"] = None
    path = tmp_path_factory.mktemp("bad") / "customers.parquet"
    frame.to_parquet(path, index=False)
    return path


def test_rows_the_churn_study_cannot_use_are_left_out_and_counted_out_of_core(bad_customers):
    """Negative or blank durations, blank events and blank segments are left out and counted, as in
    memory, instead of stopping the run; everything else (Cox on the rows kept included) is the pandas run's."""
    given = {"data_path": str(bad_customers), "duration_col": "days", "event_col": "left", "segment_col": "plan",
             "covariates": ["plan", "age"], "time_unit": "days"}
    runs = {b: cx.studies.compute("churn_study", {**given, "backend": b}) for b in ("pandas", "duckdb", "dask")}
    memory, memory_data = runs.pop("pandas")
    assert memory.n == 500 - 11
    for study, data in runs.values():
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        issues = {(i.column, i.rule): (i.n_rows, i.examples) for i in data.quality.issues}
        assert issues == {("days", "missing value"): (1, ()), ("days", "not a number from 0 to 54,788 (150 years)"): (5, ("-5",)),
                          ("left", "missing value"): (3, ()),
                          ("plan", "missing value"): (2, ())}
        assert data.quality.rows_read == memory_data.quality.rows_read == {"customers": 500}
        assert data.quality.rows_kept == {"customers": 489}


def test_an_event_column_with_three_codes_is_refused_on_every_backend_naming_event_value(bad_customers, tmp_path):
    """0/1/2 is not yes/no with a few bad rows: every backend stops with the codes, their counts and event_value."""
    frame = pd.read_parquet(bad_customers)
    frame.loc[[20, 21, 22], "left"] = 2.0
    path = tmp_path / "three_codes.parquet"
    frame.to_parquet(path, index=False)
    given = {"data_path": str(path), "duration_col": "days", "event_col": "left", "segment_col": "plan",
             "covariates": [], "time_unit": "days"}
    counts = frame["left"].value_counts()
    for backend in ("pandas", "duckdb", "dask"):
        with pytest.raises(DataError, match=r"'left' should be yes/no but holds 3 different codes") as caught:
            cx.studies.compute("churn_study", {**given, "backend": backend})
        message = str(caught.value)
        assert "'2' (3 rows)" in message and f"'0' ({counts[0.0]:,} rows)" in message
        assert "Set event_value to the code that means yes" in message
    named, _ = cx.studies.compute("churn_study", {**given, "event_value": "1"})  # 1 means left, 0 and 2 do not
    usable = frame[(frame["days"] >= 0) & frame["plan"].notna() & frame["left"].notna()]
    assert (named.n, named.events) == (len(usable), int((usable["left"] == 1).sum()))


def test_bad_weights_leave_rows_out_of_a_driver_study_out_of_core(tmp_path):
    frame = cx.io.load().responses[["nps", "speed", "ease_of_use", "price_value", "weight"]].iloc[:3000].copy()
    frame.loc[[3, 40, 77], "weight"] = 0.0
    frame.loc[9, "weight"] = np.nan
    frame.loc[15, "weight"] = -2.0
    frame.to_parquet(tmp_path / "answers.parquet", index=False)
    given = {"data_path": str(tmp_path / "answers.parquet"), "driver_groups": ["speed", "ease_of_use", "price_value"],
             "weight_col": "weight", "n_boot": 50, "id_col": None, "segment_col": None, "min_rows": 10}
    (memory, _), *others = (cx.studies.compute("driver_study", {**given, "backend": b})
                            for b in ("pandas", "duckdb", "dask"))
    complete = frame.dropna(subset=["nps", "speed", "ease_of_use", "price_value"])
    assert memory.drivers.n == int((complete["weight"] > 0).sum())
    for study, data in others:
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        issues = {(i.column, i.rule): i.n_rows for i in data.quality.issues}
        assert issues[("weight", "missing value")] == 1 and issues[("weight", "not a number above 0")] == 4


@pytest.mark.slow
def test_personas_out_of_core_run_on_a_seeded_sample_and_equal_pandas_when_it_holds_every_row(tmp_path):
    from cxlib.studies.persona_study import _sample_customers

    customers = _sample_customers()[0].drop(columns=["customer_id", "signup_date", "churn_date"])
    customers.to_parquet(tmp_path / "customers.parquet", index=False)
    given = {"data_path": str(tmp_path / "customers.parquet"), "k": 3, "n_boot": 3}
    (memory, _), *others = (cx.studies.compute("persona_study", {**given, "backend": b})
                            for b in ("pandas", "duckdb", "dask"))
    for study, data in others:
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        assert data.describe().endswith("The personas ran on all 5,000 rows.")
    sampled, data = cx.studies.compute("persona_study", {**given, "backend": "duckdb", "sample_size": 1200})
    assert int(sampled.personas["size"].sum()) == 1200 == data.quality.rows_read["customers"]
    assert "a seeded random sample of 1,200 of the 5,000 rows" in data.describe()
    with open_source(tmp_path / "customers.parquet", "dask") as source:
        rows = source.sample(["monthly_revenue"], 1200, 1)
    assert sorted(rows["monthly_revenue"]) == sorted(customers["monthly_revenue"].iloc[
        np.sort(np.random.default_rng(1).choice(5000, 1200, replace=False))])


def test_a_folder_of_canonical_tables_is_refused_out_of_core():
    from cxlib.io.tables import SAMPLE_DIR
    from cxlib.studies import REGISTRY, ParameterError

    with pytest.raises(ParameterError, match=r"reads one table .* the folder of canonical tables .* is read with "
                                             r"backend 'pandas'"):
        REGISTRY["persona_study"].resolve({"data_path": str(SAMPLE_DIR), "backend": "duckdb"})


@pytest.fixture(scope="module")
def flat_customers(sample, tmp_path_factory):
    """One row per customer of the sample: days as a customer, left or not, plan, monthly revenue, latest NPS (0-10),
    with 4 negative durations and 2 blank events that every backend leaves out and counts."""
    from cxlib.studies.persona_study import _sample_customers

    latest = _sample_customers()[0].set_index("customer_id")["latest_nps"]
    frame = churn_frame(sample, observed_from="2024-01-01")
    frame = pd.DataFrame({"days": frame["duration"].astype(float), "left": frame["event"].astype(float),
                          "plan": frame["plan"], "monthly_revenue": frame["monthly_revenue"],
                          "ltr": frame["customer_id"].map(latest).astype(float)})
    frame["group"] = np.select([frame["ltr"] >= 9, frame["ltr"] >= 7, frame["ltr"].notna()],
                               [" Promoter", "PASSIVE", "detractor"], None)  # the groups as an export writes them
    frame.loc[[5, 50, 500, 4000], "days"] = -1.0
    frame.loc[[7, 70], "left"] = np.nan
    path = tmp_path_factory.mktemp("flat") / "customers.parquet"
    frame.to_parquet(path, index=False)
    return path


def test_business_case_on_duckdb_and_dask_equals_the_pandas_run(flat_customers):
    given = {"data_path": str(flat_customers), "duration_col": "days", "event_col": "left", "nps_col": "ltr",
             "n_sim": 2000}
    (memory, memory_data), *others = (cx.studies.compute("business_case", {**given, "backend": b})
                                      for b in ("pandas", "duckdb", "dask"))
    frame = pd.read_parquet(flat_customers)
    kept = frame[(frame["days"] >= 0) & frame["left"].isin([0, 1])]
    active = kept[kept["left"] == 0]
    assert memory.assumptions["detractors"] == int((active["ltr"] <= 6).sum())
    assert memory.revenue_risk.iloc[-1]["revenue"] == pytest.approx(active["monthly_revenue"].sum(), rel=1e-12)
    for study, data in others:
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        issues = {(i.column, i.rule): i.n_rows for i in data.quality.issues}
        assert issues == {("days", "not a number from 0 to 54,788 (150 years)"): 4, ("left", "missing value"): 2}
        assert data.quality.rows_kept == memory_data.quality.rows_kept == {"customers": len(kept)}
    for backend in ("pandas", "duckdb"):  # group names instead of scores: the same groups, the same numbers
        named, _ = cx.studies.compute("business_case", {**given, "nps_col": "group", "backend": backend})
        assert_nested_close(to_jsonable(named.to_dict()), to_jsonable(memory.to_dict()))


@pytest.mark.slow
def test_closed_loop_out_of_core_reads_only_the_answers_it_uses_and_equals_the_pandas_run(sample, tmp_path):
    frame = sample.survey_frame()
    flat = frame[["customer_id", "nps", "survey_date", "comment", "touchpoint", "monthly_revenue", "plan"]].assign(
        left=(frame["churn_date"].notna() & (frame["churn_date"] <= frame["survey_date"].max())).astype(int))
    flat.to_parquet(tmp_path / "answers.parquet", index=False)
    given = {"data_path": str(tmp_path / "answers.parquet"), "revenue_col": "monthly_revenue", "segment_col": "plan",
             "touchpoint_col": "touchpoint", "left_col": "left"}
    (memory, _), *others = (cx.studies.compute("closed_loop", {**given, "backend": b})
                            for b in ("pandas", "duckdb", "dask"))
    since = flat["survey_date"].max() - pd.Timedelta(days=29)
    used = flat["comment"].notna() | (flat["survey_date"] >= since)  # scored or not: themes cover every comment
    assert 0 < used.sum() < len(flat)
    assert memory.to_dict()["taxonomy"] == "en (shipped)"  # no path of the installation in results
    for study, data in others:
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        assert data.quality.rows_read == {"responses": int(used.sum())}
        assert f"Only the {int(used.sum()):,} answers" in data.describe()


@pytest.fixture(scope="module")
def canonical_parquet(sample, tmp_path_factory):
    """The sample's canonical tables as a folder of Parquet files."""
    root = tmp_path_factory.mktemp("canonical")
    for name, table in sample.tables().items():
        table.to_parquet(root / f"{name}.parquet", index=False)
    return root


@pytest.mark.slow
def test_scorecard_out_of_core_on_a_folder_of_canonical_tables_equals_the_pandas_run(canonical_parquet):
    """Survey figures from histograms where the answers are (joined to their customers there); tickets and customers
    from a seeded sample, which holds every row here. Both also read the sample's own CSV folder."""
    from cxlib.io.tables import SAMPLE_DIR

    memory, _ = cx.studies.compute("cx_scorecard", {})
    for backend, folder in (("duckdb", canonical_parquet), ("dask", canonical_parquet), ("duckdb", SAMPLE_DIR),
                            ("dask", SAMPLE_DIR)):
        study, data = cx.studies.compute("cx_scorecard", {"data_path": str(folder), "backend": backend})
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        assert "The tickets figures ran on all 14,999 rows." in data.describe()
    _, sampled = cx.studies.compute("cx_scorecard", {"data_path": str(canonical_parquet), "backend": "duckdb",
                                                     "sample_size": 3000})
    assert sampled.quality.rows_read == {"responses": 19729, "tickets": 3000, "customers": 3000,
                                         "competitor_nps": 24, "social": 2938}
    assert "a seeded random sample of 3,000 of the 14,999 rows" in sampled.describe()


@pytest.mark.slow
def test_data_overview_out_of_core_equals_the_pandas_run(canonical_parquet):
    from cxlib.io.tables import SAMPLE_DIR

    memory, _ = cx.studies.compute("data_overview", {})
    for backend, folder in (("duckdb", canonical_parquet), ("dask", canonical_parquet), ("duckdb", SAMPLE_DIR),
                            ("dask", SAMPLE_DIR)):
        overview, data = cx.studies.compute("data_overview", {"data_path": str(folder), "backend": backend})
        assert_nested_close(to_jsonable(overview.to_dict()), to_jsonable(memory.to_dict()))
        assert data.quality.rows_read == {"customers": 5000, "responses": 19729, "tickets": 14999,
                                          "competitor_nps": 24, "social": 2938}
    with pytest.raises(cx.studies.ParameterError, match="strict cannot be applied with backend 'duckdb'"):
        cx.studies.compute("data_overview", {"data_path": str(canonical_parquet), "backend": "duckdb", "strict": True})


@pytest.mark.slow
@pytest.mark.parametrize("study, given", [("segment_study", {"revenue_col": None, "tenure_col": None}),
                                          ("driver_study", {"n_boot": 100})])
def test_studies_of_answers_read_a_folder_of_canonical_tables_out_of_core(study, given, canonical_parquet):
    """The answers joined to their customers where they are (Parquet, or the sample's own CSV folder)."""
    from cxlib.io.tables import SAMPLE_DIR

    memory, _ = cx.studies.compute(study, given)
    for backend, folder in (("duckdb", canonical_parquet), ("dask", canonical_parquet), ("duckdb", SAMPLE_DIR),
                            ("dask", SAMPLE_DIR)):
        result, data = cx.studies.compute(study, {**given, "data_path": str(folder), "backend": backend})
        assert_nested_close(to_jsonable(result.to_dict()), to_jsonable(memory.to_dict()))
        assert data.source.rows == 19729 and data.source.path == str(folder)


def test_a_csv_that_is_not_comma_separated_is_refused_out_of_core_before_a_kernel_starts(tmp_path):
    from cxlib.studies import REGISTRY, ParameterError

    export = tmp_path / "excel.csv"  # a Turkish Excel export: semicolons, decimal commas
    export.write_text("LTR;Tier;Puan\n9;gold;4,5\n3;silver;2,0\n", encoding="utf-8")
    given = {"data_path": str(export), "score_col": "LTR", "segment_cols": ["Tier"], "date_col": None}
    for backend in ("duckdb", "dask"):
        with pytest.raises(ParameterError, match=r"reads comma-separated UTF-8 CSV; .*excel.csv is separated by ';'"):
            REGISTRY["segment_study"].resolve({**given, "backend": backend})
    assert REGISTRY["segment_study"].resolve(given).values["backend"] == "pandas"


def test_answers_of_unknown_customers_are_left_out_and_counted_out_of_core(sample, tmp_path):
    """As the loader does in memory: an answer whose customer_id is not in customers is excluded, counted once."""
    responses = sample.responses.copy()
    orphans = responses.iloc[:3].assign(customer_id="C-UNKNOWN", response_id=["R-X1", "R-X2", "R-X3"])
    pd.concat([responses, orphans], ignore_index=True).to_parquet(tmp_path / "responses.parquet", index=False)
    sample.customers.to_parquet(tmp_path / "customers.parquet", index=False)
    given = {"data_path": str(tmp_path), "revenue_col": None, "tenure_col": None}
    memory, memory_data = cx.studies.compute("segment_study", given)
    rule = ("customer_id", "customer_id not in customers")
    assert {(i.column, i.rule): i.n_rows for i in memory_data.quality.issues}[rule] == 3
    for backend in ("duckdb", "dask"):
        study, data = cx.studies.compute("segment_study", {**given, "backend": backend})
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
        assert {(i.column, i.rule): i.n_rows for i in data.quality.issues}[rule] == 3
        assert data.source.rows == len(responses) + 3


def test_a_numeric_segment_reads_the_same_out_of_core_on_public_data(tmp_path):
    """lifelines' rossi: fin (0/1) as the segment and a covariate. The loader reads it as the category "1"; out of
    core it is "1" too, never "1.0" (Dask reads a CSV's whole numbers as floats), and the Cox term is fin[1]."""
    from lifelines.datasets import load_rossi

    rossi = load_rossi()
    rossi.to_csv(tmp_path / "rossi.csv", index=False)
    rossi.assign(fin=rossi["fin"].astype(float)).to_parquet(tmp_path / "rossi.parquet", index=False)
    given = {"data_path": str(tmp_path / "rossi.csv"), "duration_col": "week", "event_col": "arrest",
             "segment_col": "fin", "covariates": ["fin", "age", "prio"], "horizons": [13, 26, 52],
             "revenue_col": None}
    memory, _ = cx.studies.compute("churn_study", given)
    assert memory.cox.terms["term"].tolist() == ["fin[1]", "age", "prio"]
    for backend, path in (("dask", "rossi.csv"), ("duckdb", "rossi.csv"), ("duckdb", "rossi.parquet"),
                          ("dask", "rossi.parquet")):
        study, _ = cx.studies.compute("churn_study", {**given, "data_path": str(tmp_path / path), "backend": backend})
        assert_nested_close(to_jsonable(study.to_dict()), to_jsonable(memory.to_dict()))
