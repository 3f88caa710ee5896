"""Key-driver analysis against brute force (statsmodels OLS on every subset), known truth and invariances."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import cxlib as cx
from cxlib.drivers.binary import binary_drivers
from cxlib.drivers.key_drivers import key_drivers, relative_weights
from cxlib.drivers.segments import segment_drivers
from cxlib.io import DataError
from cxlib.sample import DRIVER_GROUPS, DRIVERS


def simulated(n=3000, p=6, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    y = x @ rng.normal(size=p) + 3 * rng.normal(size=n)
    return pd.DataFrame(x, columns=[f"d{i}" for i in range(p)]).assign(y=y)


def brute_force(frame: pd.DataFrame, outcome: str, players: list[list[str]], weights=None) -> np.ndarray:
    """Shapley values of R^2 by fitting statsmodels OLS (or WLS) on every subset of players."""
    m = len(players)
    r2 = {}
    for size in range(m + 1):
        for subset in itertools.combinations(range(m), size):
            columns = [c for i in subset for c in players[i]]
            if not columns:
                r2[subset] = 0.0
                continue
            x = sm.add_constant(frame[columns].to_numpy(dtype=float))
            fit = sm.WLS(frame[outcome], x, weights=frame[weights]).fit() if weights else sm.OLS(frame[outcome], x).fit()
            r2[subset] = fit.rsquared
    values = np.zeros(m)
    for j in range(m):
        for size in range(m):
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for subset in itertools.combinations([i for i in range(m) if i != j], size):
                values[j] += weight * (r2[tuple(sorted((*subset, j)))] - r2[subset])
    return values


def test_shapley_values_equal_brute_force_ols():
    frame = simulated()
    kd = key_drivers(frame, "y", drivers=[f"d{i}" for i in range(6)], n_boot=0)
    expected = brute_force(frame, "y", [[f"d{i}"] for i in range(6)])
    np.testing.assert_allclose(kd.drivers["value"], expected, atol=1e-10)
    full = sm.OLS(frame["y"], sm.add_constant(frame.drop(columns="y"))).fit().rsquared
    assert kd.r2 == pytest.approx(full, abs=1e-10)
    assert kd.drivers["share"].sum() == pytest.approx(1.0, abs=1e-12)


def test_group_shapley_equals_brute_force_with_groups_as_players():
    frame = simulated(p=7, seed=1)
    groups = {"A": ["d0", "d1", "d2"], "B": ["d3", "d4"], "C": ["d5"], "D": ["d6"]}
    kd = key_drivers(frame, "y", groups=groups, n_boot=0)
    expected = brute_force(frame, "y", list(groups.values()))
    np.testing.assert_allclose(kd.groups["value"], expected, atol=1e-10)
    members = kd.drivers.groupby("group", sort=False)["share"].sum()
    np.testing.assert_allclose(kd.groups["sum_of_member_shares"], members.loc[list(groups)], atol=1e-12)


def test_weighted_shapley_equals_brute_force_wls():
    frame = simulated(p=5, seed=2).assign(w=np.random.default_rng(2).uniform(0.2, 3, 3000))
    kd = key_drivers(frame, "y", drivers=[f"d{i}" for i in range(5)], weights="w", n_boot=0)
    np.testing.assert_allclose(kd.drivers["value"], brute_force(frame, "y", [[f"d{i}"] for i in range(5)], "w"),
                               atol=1e-10)


def test_categorical_driver_enters_as_its_dummies():
    frame = simulated(p=4, seed=3)
    rng = np.random.default_rng(3)
    frame["plan"] = rng.choice(["basic", "premium", "standard"], len(frame))
    frame["y"] += np.where(frame["plan"] == "premium", 4.0, 0.0)
    kd = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3", "plan"], n_boot=0)
    dummies = pd.get_dummies(frame["plan"], prefix="plan", dtype=float).iloc[:, 1:]
    wide = pd.concat([frame, dummies], axis=1)
    players = [["d0"], ["d1"], ["d2"], ["d3"], list(dummies.columns)]
    np.testing.assert_allclose(kd.drivers["value"], brute_force(wide, "y", players), atol=1e-10)
    assert list(kd.coefficients["column"][-2:]) == ["plan[premium]", "plan[standard]"]


def test_invariant_to_driver_order_and_linear_rescaling():
    frame = simulated(seed=4)
    drivers = [f"d{i}" for i in range(6)]
    base = key_drivers(frame, "y", drivers=drivers, n_boot=0).drivers.set_index("driver")["share"]
    reordered = key_drivers(frame, "y", drivers=drivers[::-1], n_boot=0).drivers.set_index("driver")["share"]
    rescaled = frame.assign(d0=3 * frame["d0"] + 10, y=-2 * frame["y"] + 5)
    scaled = key_drivers(rescaled, "y", drivers=drivers, n_boot=0).drivers.set_index("driver")["share"]
    pd.testing.assert_series_equal(base, reordered.loc[base.index], atol=1e-12)
    pd.testing.assert_series_equal(base, scaled, atol=1e-12)


def test_relative_weights_sum_to_r2_and_equal_shapley_for_uncorrelated_drivers():
    frame = simulated(seed=5)
    kd = key_drivers(frame, "y", drivers=[f"d{i}" for i in range(6)], n_boot=0)
    assert kd.drivers["relative_weight"].sum() == pytest.approx(kd.r2, abs=1e-10)
    corr = np.array([[1.0, 0.4, 0.3, 0.2], [0.4, 1, 0, 0], [0.3, 0, 1, 0], [0.2, 0, 0, 1]])
    np.testing.assert_allclose(relative_weights(corr), [0.16, 0.09, 0.04], atol=1e-12)


def test_betas_and_coefficients_match_statsmodels():
    frame = simulated(p=4, seed=6)
    kd = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3"], n_boot=0)
    fit = sm.OLS(frame["y"], sm.add_constant(frame[["d0", "d1", "d2", "d3"]])).fit()
    c = kd.coefficients.set_index("column")
    np.testing.assert_allclose(c["b"], fit.params.iloc[1:], rtol=1e-10)
    np.testing.assert_allclose(c["se"], fit.bse.iloc[1:], rtol=1e-10)
    np.testing.assert_allclose(c[["ci_low", "ci_high"]], fit.conf_int().iloc[1:], rtol=1e-10)
    z = (frame - frame.mean()) / frame.std()
    zfit = sm.OLS(z["y"], z[["d0", "d1", "d2", "d3"]]).fit()
    np.testing.assert_allclose(c["beta"], zfit.params, rtol=1e-10)
    what_if = kd.what_if("d1", 2.0)
    assert what_if.value == pytest.approx(2 * fit.params["d1"])
    np.testing.assert_allclose(kd.drivers["vif"], [1 / (1 - sm.OLS(frame[d], sm.add_constant(
        frame[[o for o in ["d0", "d1", "d2", "d3"] if o != d]])).fit().rsquared) for d in ["d0", "d1", "d2", "d3"]],
        rtol=1e-10)


def test_dominance_relations_by_brute_force():
    frame = simulated(p=4, seed=7)
    kd = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3"], n_boot=0)
    r2 = {}
    for size in range(5):
        for subset in itertools.combinations(["d0", "d1", "d2", "d3"], size):
            r2[frozenset(subset)] = sm.OLS(frame["y"], sm.add_constant(frame[list(subset)])).fit().rsquared \
                if subset else 0.0
    for row in kd.dominance.itertuples():
        others = [d for d in ["d0", "d1", "d2", "d3"] if d not in (row.driver_a, row.driver_b)]
        diffs = [r2[frozenset(s) | {row.driver_a}] - r2[frozenset(s) | {row.driver_b}]
                 for size in range(3) for s in itertools.combinations(others, size)]
        expected = row.driver_a if min(diffs) >= 0 else row.driver_b if max(diffs) <= 0 else None
        assert (row.complete if isinstance(row.complete, str) else None) == expected


@pytest.mark.slow
def test_sample_group_shares_recover_the_designed_truth_inside_the_bootstrap_interval():
    kd = key_drivers(cx.io.load().responses, "nps", groups=DRIVER_GROUPS, n_boot=1000, seed=1)
    truth = cx.sample.generate(n_customers=10).truth.group_shares
    for row in kd.groups.itertuples():
        assert row.ci_low <= truth[row.group] <= row.ci_high, (row.group, row.ci_low, truth[row.group], row.ci_high)
    assert kd.rows_dropped == len(cx.io.load().responses) - kd.n
    assert (kd.drivers["ci_low"] <= kd.drivers["share"]).all() and (kd.drivers["share"] <= kd.drivers["ci_high"]).all()


def test_bootstrap_is_seeded_and_bca_works():
    frame = simulated(n=800, p=4, seed=8)
    a = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3"], n_boot=300, seed=3)
    b = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3"], n_boot=300, seed=3)
    pd.testing.assert_frame_equal(a.drivers, b.drivers)
    bca = key_drivers(frame, "y", drivers=["d0", "d1", "d2", "d3"], n_boot=300, seed=3, ci_method="bca")
    assert (bca.drivers["ci_low"] < bca.drivers["share"]).all() and (bca.drivers["share"] < bca.drivers["ci_high"]).all()
    assert not np.allclose(bca.drivers["ci_low"], a.drivers["ci_low"])
    diff = a.differences.iloc[0]
    assert diff["ci_low"] <= diff["difference"] <= diff["ci_high"] and 0 <= diff["p_value"] <= 1


def test_permutation_sampling_beyond_the_exact_limit_is_close_to_exact():
    frame = simulated(n=2000, p=12, seed=9)
    drivers = [f"d{i}" for i in range(12)]
    exact = key_drivers(frame, "y", drivers=drivers, n_boot=0)
    sampled = key_drivers(frame, "y", drivers=drivers, n_boot=0, max_exact=8, n_perm=4000, seed=2)
    assert sampled.method.startswith("permutation")
    np.testing.assert_allclose(sampled.drivers["value"], exact.drivers["value"], atol=0.004)
    assert sampled.r2 == pytest.approx(exact.r2, abs=1e-12)  # every ordering ends at the full model


def test_collinear_and_constant_drivers_get_clear_errors():
    frame = simulated(p=3, seed=10)
    with pytest.raises(DataError, match="drivers 'd0' and 'copy' are perfectly collinear"):
        key_drivers(frame.assign(copy=2 * frame["d0"] + 1), "y", drivers=["d0", "d1", "copy"], n_boot=0)
    with pytest.raises(DataError, match="linearly dependent"):
        key_drivers(frame.assign(s=frame["d0"] + frame["d1"]), "y", drivers=["d0", "d1", "d2", "s"], n_boot=0)
    with pytest.raises(DataError, match=r"\['flat'\] do not vary"):
        key_drivers(frame.assign(flat=1.0), "y", drivers=["d0", "flat"], n_boot=0)
    with pytest.raises(DataError, match=r"column 'nope' is not in the data"):
        key_drivers(frame, "y", drivers=["d0", "nope"], n_boot=0)


def test_missing_values_listwise_and_pairwise():
    frame = simulated(p=3, seed=11)
    holey = frame.copy()
    holey.loc[:99, "d0"] = np.nan
    listwise = key_drivers(holey, "y", drivers=["d0", "d1", "d2"], n_boot=0)
    assert listwise.rows_dropped == 100 and listwise.n == len(frame) - 100
    with pytest.warns(UserWarning, match="pairwise deletion"):
        pairwise = key_drivers(frame, "y", drivers=["d0", "d1", "d2"], n_boot=0, missing="pairwise")
    complete = key_drivers(frame, "y", drivers=["d0", "d1", "d2"], n_boot=0)
    np.testing.assert_allclose(pairwise.drivers["value"], complete.drivers["value"], atol=1e-12)


def test_segment_drivers_find_a_planted_difference():
    frame = simulated(n=4000, p=3, seed=12)
    frame["segment"] = np.where(np.arange(len(frame)) < 2000, "a", "b")
    b_rows = frame["segment"] == "b"
    frame.loc[b_rows, "y"] = frame.loc[b_rows, "y"] + 6 * frame.loc[b_rows, "d2"]  # d2 matters more in b
    shares, differences = segment_drivers(frame, "y", "segment", {"X": ["d0", "d1"], "Z": ["d2"]}, n_boot=300)
    z = differences[differences["group"] == "Z"].iloc[0]
    assert z["significant"] and z["difference"] < 0
    assert set(shares["segment"]) == {"a", "b"}


def test_priorities_quadrants_and_sample_drivers():
    kd = key_drivers(cx.io.load().responses, "nps", groups=DRIVER_GROUPS, n_boot=0)
    table = kd.priorities()
    assert set(table["driver"]) == set(DRIVERS)
    assert set(table["quadrant"].str.removesuffix(" by share, though its effect ranks high")) <= {
        "fix first", "keep up", "possible overkill", "low priority"}
    assert set(table["scale"]) == {"0-10"}
    table = table.set_index("driver")
    assert table.loc["speed", "quadrant"] == "fix first"  # the most important driver, rated lowest of the CX drivers
    # price value: a small share but the largest effect with the others held fixed; the label says both
    assert table.loc["price_value", "beta_rank"] == 1
    assert table.loc["price_value", "quadrant"] == "low priority by share, though its effect ranks high"


def test_binary_outcome_shapley_of_mcfadden_r2_matches_statsmodels():

    rng = np.random.default_rng(13)
    rows = pd.DataFrame(rng.normal(size=(3000, 3)), columns=["a", "b", "c"])
    rows["churned"] = (rng.random(3000) < 1 / (1 + np.exp(-(1.0 * rows["a"] + 0.5 * rows["b"])))).astype(int)
    result = binary_drivers(rows, "churned", drivers=["a", "b", "c"])
    full = sm.Logit(rows["churned"], sm.add_constant(rows[["a", "b", "c"]])).fit(disp=0)
    assert result.pseudo_r2 == pytest.approx(full.prsquared, abs=1e-8)
    assert result.drivers["value"].sum() == pytest.approx(full.prsquared, abs=1e-8)
    r2 = {(): 0.0}
    for size in (1, 2, 3):
        for subset in itertools.combinations("abc", size):
            r2[subset] = sm.Logit(rows["churned"], sm.add_constant(rows[list(subset)])).fit(disp=0).prsquared
    shapley_a = (r2[("a",)] + r2[("a", "b", "c")] - r2[("b", "c")]) / 3 + (
        r2[("a", "b")] - r2[("b",)] + r2[("a", "c")] - r2[("c",)]) / 6
    assert result.drivers.set_index("driver").loc["a", "value"] == pytest.approx(shapley_a, abs=1e-8)
    with pytest.raises(DataError, match="must hold 0 and 1"):
        binary_drivers(rows.assign(churned=rows["churned"] * 2), "churned", drivers=["a", "b"])


def test_permutation_sampling_at_forty_exchangeable_drivers():
    """40 equicorrelated drivers equally related to the outcome: by symmetry each holds R^2 / 40 exactly."""
    from cxlib.drivers.shapley import permutation_shapley

    p, rho, r = 40, 0.3, 0.25
    cov = np.full((p + 1, p + 1), rho)
    np.fill_diagonal(cov, 1.0)
    cov[0, 1:] = cov[1:, 0] = r
    r2 = cov[0, 1:] @ np.linalg.solve(cov[1:, 1:], cov[1:, 0])
    values, se = permutation_shapley(cov, n_perm=3000, seed=5)
    assert values.sum() == pytest.approx(r2, abs=1e-12)  # every ordering ends at the full model
    assert np.all(np.abs(values - r2 / p) < 4.5 * se), np.abs(values - r2 / p).max() / se.max()
    # the same through key_drivers on rows: the method and its Monte Carlo error are reported
    rows = np.random.default_rng(14).multivariate_normal(np.zeros(p + 1), cov, size=5000)
    frame = pd.DataFrame(rows, columns=["y", *[f"d{i:02d}" for i in range(p)]])
    kd = key_drivers(frame, "y", drivers=[f"d{i:02d}" for i in range(p)], n_boot=0, n_perm=500, seed=5)
    assert kd.method == "permutation sampling (500 orderings)" and (kd.drivers["mc_se"] > 0).all()
    assert kd.drivers["value"].sum() == pytest.approx(kd.r2, abs=1e-12)
