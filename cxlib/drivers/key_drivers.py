"""Key-driver analysis: how much of the outcome each driver and each group of drivers explains.

``key_drivers`` decomposes the R^2 of a linear model of the outcome (likelihood to
recommend, CSAT, ...) on the drivers into Shapley values (LMG; Lindeman, Merenda & Gold
1980; Grömping 2006) and reports them side by side with Johnson's relative weights
(Johnson 2000, *Multivariate Behavioral Research* 35(1)), standardized coefficients with
intervals, zero-order correlations and variance inflation factors, so the reader sees
whether methods agree. Budescu's (1993) dominance relations say where an ordering holds
in every subset model.

Groups of drivers (CX, Price, Brand) are reported two ways: the Shapley value of the
group as one player (what the group explains, shared credit with other groups split
fairly), and the sum of its members' shares. They differ because a member's share also
credits it for variance it shares with other members of its own group.

Uncertainty: the rows are resampled ``n_boot`` times (seeded); each resample becomes a
covariance matrix without refitting any model on rows, and every share, rank and
pairwise difference is recomputed from it. Intervals are percentile intervals or BCa
(``ci_method="bca"``, acceleration from a delete-a-group jackknife). Everything is
computed from the covariance matrix of the outcome and drivers (see
:mod:`cxlib.drivers.crossprod` and :mod:`cxlib.drivers.shapley`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.lazy import lazy_module
from ..io.column_names import column_arguments
from ..io.quality import DataError
from .crossprod import (
    bootstrap_crossproducts,
    crossproducts,
    design_matrix,
    driver_columns,
    jackknife_crossproducts,
)
from .result import KeyDrivers, rating_scales
from .shapley import MAX_EXACT, dominance, permutation_shapley, shapley_values, subset_r2

stats = lazy_module("scipy.stats")

__all__ = ["key_drivers", "key_drivers_from_source", "relative_weights", "shapley_shares"]


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights of the drivers from a correlation matrix (outcome first); they sum to R^2.

    With ``R_xx = Q L Q'``, ``Lambda = Q L^(1/2) Q'`` relates the drivers to their closest
    orthogonal counterparts, ``beta = Lambda^-1 r_xy`` regresses the outcome on those,
    and the weight of driver j is ``sum_k Lambda_jk^2 beta_k^2``.

    >>> relative_weights(np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]])).round(4).tolist()
    [0.25, 0.09]
    """
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    values, vectors = np.linalg.eigh(rxx)
    lam = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _interval(boot: np.ndarray, estimate: np.ndarray, ci: float, method: str,
              jack: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa interval per column of ``boot`` (resamples x statistics)."""
    alpha = np.array([(1 - ci) / 2, (1 + ci) / 2])
    if method == "percentile":
        low, high = np.quantile(boot, alpha, axis=0)
        return low, high
    z0 = stats.norm.ppf(np.clip((boot < estimate).mean(axis=0), 1e-6, 1 - 1e-6))
    centred = jack.mean(axis=0) - jack
    accel = (centred**3).sum(axis=0) / (6 * ((centred**2).sum(axis=0)) ** 1.5 + 1e-300)
    z = stats.norm.ppf(alpha)[:, None]
    adjusted = stats.norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low = np.array([np.quantile(boot[:, j], adjusted[0, j]) for j in range(boot.shape[1])])
    high = np.array([np.quantile(boot[:, j], adjusted[1, j]) for j in range(boot.shape[1])])
    return low, high


def _check_collinearity(corr: np.ndarray, names: Sequence[str]) -> None:
    """A clear error for a constant outcome or driver, or drivers that are linear combinations of others."""
    if not np.isfinite(corr[0, 0]):
        raise DataError(f"the outcome {names[0]!r} does not vary: every answer gives it the same value, so there is "
                        "nothing for the drivers to explain", column=names[0], rule="outcome varies")
    rxx = corr[1:, 1:]
    constant = [names[j + 1] for j in range(len(rxx)) if not np.isfinite(rxx[j, j])]
    if constant:
        raise DataError(f"driver(s) {constant} do not vary: a constant cannot explain anything; remove them",
                        column=constant[0], rule="driver varies")
    values, vectors = np.linalg.eigh(rxx)
    if values[0] > 1e-10 * values[-1]:
        return
    pairs = [(names[i + 1], names[j + 1], rxx[i, j]) for i in range(len(rxx)) for j in range(i + 1, len(rxx))
             if abs(rxx[i, j]) > 1 - 1e-8]
    if pairs:
        a, b, r = pairs[0]
        raise DataError(f"drivers {a!r} and {b!r} are perfectly collinear (r = {r:.4f}): they carry the same "
                        "information, so their shares cannot be told apart; keep one, or put both in one group",
                        column=a, rule="drivers not collinear")
    involved = [names[j + 1] for j in np.flatnonzero(np.abs(vectors[:, 0]) > 0.1)]
    raise DataError(f"drivers {involved} are linearly dependent (one is a combination of the others); drop one",
                    column=involved[0], rule="drivers not collinear")


def _resolve_groups(drivers: Sequence[str] | None,
                    groups: Mapping[str, Sequence[str]] | None) -> tuple[list[str], dict[str, list[str]]]:
    """The drivers (those given, then any group member not among them) and every group (a lone driver is its own)."""
    groups = {str(k): [v] if isinstance(v, str) else list(v) for k, v in (groups or {}).items()}
    drivers = [drivers] if isinstance(drivers, str) else list(drivers) if drivers is not None else []  # "speed" is one
    for members in groups.values():
        drivers += [d for d in members if d not in drivers]
    grouped = {d for members in groups.values() for d in members}
    groups.update({d: [d] for d in drivers if d not in grouped})
    return drivers, groups


def _players(names: Sequence[str], drivers: Sequence[str]) -> list[list[int]]:
    """Columns (into ``names``, outcome at 0) of each driver: one, or its dummies."""
    return [[i for i, name in enumerate(names) if name == d or name.startswith(f"{d}[")] for d in drivers]


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.outer(sd, sd)


@column_arguments("outcome", "drivers", "weights")
def shapley_shares(data: pd.DataFrame, outcome: str, drivers: Sequence[str], weights: str | None = None,
                   max_exact: int = MAX_EXACT, n_perm: int = 2000, seed: int | None = 0) -> pd.Series:
    """Each driver's share of R^2 (Shapley/LMG) and nothing else: the lean path of :func:`key_drivers`.

    >>> import cxlib as cx
    >>> from cxlib.sample import DRIVERS
    >>> shapley_shares(cx.io.load().responses, "nps", DRIVERS).round(3).tolist()
    [0.199, 0.194, 0.185, 0.181, 0.159, 0.083]
    """
    x, w, names, _ = design_matrix(data, outcome, drivers, weights)
    cov = crossproducts(x, names, w).cov
    _check_collinearity(_correlation(cov[0]), names)
    phi = _shares(cov, _players(names, drivers), max_exact, n_perm, seed)[0][0]
    return pd.Series(phi / phi.sum(), index=list(drivers), name="share")


def _shares(cov: np.ndarray, players: list[list[int]], max_exact: int, n_perm: int,
            seed) -> tuple[np.ndarray, np.ndarray | None, str, np.ndarray]:
    """Shapley values (batch, m), the subset R^2 of the first matrix (or None), the method, and the Monte Carlo SE."""
    m = len(players)
    if m <= max_exact:
        r2 = subset_r2(cov, players)
        return shapley_values(r2, m), r2[0], "exact (all subsets)", np.zeros(m)
    if any(len(p) > 1 for p in players):
        raise DataError(f"{m} drivers with categorical ones: exact Shapley stops at {max_exact} players and "
                        "sampling needs numeric drivers; group the dummies or raise max_exact", rule="players")
    estimates = [permutation_shapley(c, n_perm, seed) for c in cov]
    return (np.stack([e[0] for e in estimates]), None, f"permutation sampling ({n_perm:,} orderings)",
            estimates[0][1])


@column_arguments("outcome", "drivers", "weights", members_of=("groups",))
def key_drivers(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None, n_boot: int = 1000,
                seed: int | None = 0, ci: float = 0.95, ci_method: str = "percentile", missing: str = "listwise",
                max_exact: int = MAX_EXACT, n_perm: int = 2000) -> KeyDrivers:
    """Shapley decomposition of R^2 with bootstrap intervals, relative weights, betas and priorities.

    Parameters
    ----------
    data : DataFrame
        One row per answer.
    outcome : str
        The column to explain (e.g. "nps").
    drivers, groups : list, dict
        The drivers; ``groups`` maps a group name to its drivers (a driver in no group is
        its own group). Give either or both. Text columns enter as dummies (first level
        in sorted order is the reference) and act as one driver.
    weights : str, optional
        Survey weights.
    n_boot, seed : int
        Bootstrap resamples (0: no intervals) and seed.
    ci_method : {"percentile", "bca"}
    missing : {"listwise", "pairwise"}
        Pairwise uses every available pair for each covariance (with a warning: the matrix
        may not be a proper covariance matrix).
    max_exact : int
        Up to this many drivers the decomposition is exact over all 2^p subsets; beyond,
        it is estimated from ``n_perm`` random orderings (Monte Carlo error in ``mc_se``).

    Examples
    --------
    >>> import cxlib as cx
    >>> from cxlib.sample import DRIVER_GROUPS
    >>> kd = key_drivers(cx.io.load().responses, "nps", groups=DRIVER_GROUPS, n_boot=200, seed=1)
    >>> kd.group_shares.round(2).to_dict("list")
    {'group': ['CX', 'Price', 'Brand'], 'share': [0.66, 0.21, 0.13], 'ci_low': [0.64, 0.2, 0.12], 'ci_high': [0.68, 0.22, 0.14]}
    """
    drivers, groups = _check_request(drivers, groups, ci_method)
    if missing == "pairwise" and weights:
        raise ValueError("missing='pairwise' cannot use weights; use listwise deletion with weights")

    x, w, names, dropped = design_matrix(data, outcome, drivers, weights, missing)
    if len(x) < len(names) + 2:
        raise DataError(f"only {len(x)} complete rows for {len(names) - 1} driver columns", rule="enough rows")
    if missing == "pairwise":
        warnings.warn("pairwise deletion: each covariance uses the rows where both values are present, so the "
                      "matrix may not be a proper covariance matrix", stacklevel=2)
        cov = pd.DataFrame(x, columns=names).cov().to_numpy()[None]
        n, mean = int(np.isfinite(x).all(axis=1).sum()), np.nanmean(x, axis=0)
    else:
        cp = crossproducts(x, names, w)
        cov, n, mean = cp.cov, len(x), cp.mean[0]
    rng_seed = None if seed is None else seed + 1
    boot_cov = jack_cov = None
    if n_boot:
        if missing == "pairwise":
            rng = np.random.default_rng(rng_seed)
            boot_cov = np.stack([pd.DataFrame(x[rng.integers(0, len(x), len(x))], columns=names).cov().to_numpy()
                                 for _ in range(n_boot)])
        else:
            boot_cov = bootstrap_crossproducts(x, names, n_boot, rng_seed, w).cov
        if ci_method == "bca":
            jack_cov = jackknife_crossproducts(x, names, 50, seed, w).cov
    kd = _analysis(outcome, names, drivers, groups, cov, n, mean, dropped, boot_cov, jack_cov, weights is not None,
                   seed, ci, ci_method, max_exact, n_perm)
    numeric = [d for d in drivers if pd.api.types.is_numeric_dtype(data[d].dtype)]
    scales = rating_scales({d: (data[d].min(), data[d].max(), _whole(data[d])) for d in numeric})
    return replace(kd, scales={d: scales.get(d) for d in drivers},
                   dropped_by=_first_blanks(data, [outcome, *drivers]) if missing == "listwise" else {})


def _first_blanks(data: pd.DataFrame, columns: list[str]) -> dict[str, int]:
    """Rows left out of a listwise model, each under the first of ``columns`` it leaves blank (the outcome first)."""
    blank = data[columns].isna()
    first = blank.idxmax(axis=1)[blank.any(axis=1)].value_counts()
    return {column: int(first[column]) for column in columns if column in first.index}


def _whole(values: pd.Series) -> bool:
    present = values.dropna().to_numpy(dtype=float)
    return bool((present == np.round(present)).all())


def key_drivers_from_source(source, outcome: str, drivers: Sequence[str] | None = None,
                            groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None,
                            n_boot: int = 1000, sample_size: int = 100_000, seed: int | None = 0, ci: float = 0.95,
                            ci_method: str = "percentile", max_exact: int = MAX_EXACT, n_perm: int = 2000) -> KeyDrivers:
    """:func:`key_drivers` on data of any size: the covariance from a backend's reduce step, intervals from a sample.

    ``source`` is a :class:`cxlib.engine.Backend` (pandas, DuckDB or Dask); drivers
    holds the numeric drivers, and a categorical driver as its dummy columns ``driver[level]``
    (:func:`cxlib.drivers.crossprod.with_dummies`). The shares, betas and R^2 use every complete row. The bootstrap
    draws from a seeded random sample of m rows (``sample_size``): each replicate's
    deviation from the sample's covariance is shrunk by sqrt(m / n) and added to the
    covariance of all n rows, the rescaled m-out-of-n bootstrap (Bickel, Goetze & van
    Zwet 1997; Politis, Romano & Wolf 1999, ch. 2), valid because the shares are smooth
    functions of a covariance matrix that is asymptotically normal at rate sqrt(n).
    When m >= n it is the ordinary bootstrap, the same numbers as :func:`key_drivers`.
    """
    drivers, groups = _check_request(drivers, groups, ci_method)
    names = [outcome, *driver_columns(source.columns(), drivers)]
    full = source.crossproducts(names, weights=weights)["all"]
    rows = source.sample([*names, *([weights] if weights else [])], sample_size, seed or 0) if n_boot else None
    kd = _rescaled(full, rows, source.rows_read(), names, drivers, groups, weights, n_boot, seed, ci, ci_method,
                   max_exact, n_perm)
    seen = rows if rows is not None else source.sample(names, 10_000, seed or 0)  # whole numbers, as far as seen
    scales = rating_scales({d: (*source.value_range(d), _whole(seen[d])) for d in drivers if d in names})
    return replace(kd, scales={d: scales.get(d) for d in drivers})


def _check_request(drivers, groups, ci_method) -> tuple[list[str], dict]:
    drivers, groups = _resolve_groups(drivers, groups)
    if len(drivers) < 2:
        raise DataError(f"key-driver analysis needs at least two drivers, got {drivers}", rule="two or more drivers")
    if ci_method not in ("percentile", "bca"):
        raise ValueError(f"ci_method must be 'percentile' or 'bca', got {ci_method!r}")
    return drivers, groups


def _rescaled(full, rows, rows_read, names, drivers, groups, weights, n_boot, seed, ci, ci_method, max_exact,
              n_perm) -> KeyDrivers:
    """The analysis of all rows' cross-products ``full`` of ``names`` (the outcome, then the drivers' columns),
    bootstrapped on the sample ``rows`` rescaled to n."""
    outcome = names[0]
    n = int(full.n[0])
    if n < len(names) + 2:
        raise DataError(f"only {n} complete rows for {len(drivers)} drivers", rule="enough rows")
    boot_cov = jack_cov = None
    if n_boot:
        x, w, _, _ = design_matrix(rows, outcome, names[1:], weights)
        sample_cov = crossproducts(x, names, w).cov
        shrink = np.sqrt(len(x) / n)
        boot = bootstrap_crossproducts(x, names, n_boot, None if seed is None else seed + 1, w).cov
        boot_cov = full.cov + shrink * (boot - sample_cov)
        if ci_method == "bca":
            jack_cov = full.cov + shrink * (jackknife_crossproducts(x, names, 50, seed, w).cov - sample_cov)
    return _analysis(outcome, names, drivers, groups, full.cov, n, full.mean[0], rows_read - n, boot_cov, jack_cov,
                     weights is not None, seed, ci, ci_method, max_exact, n_perm)


def _analysis(outcome, names, drivers, groups, cov, n, mean, dropped, boot_cov, jack_cov, weighted, seed, ci,
              ci_method, max_exact, n_perm) -> KeyDrivers:
    """Everything key_drivers reports, from the covariance matrix and its bootstrap (and jackknife) replicates."""
    corr = _correlation(cov[0])
    _check_collinearity(corr, names)
    n_boot = 0 if boot_cov is None else len(boot_cov)
    players = _players(names, drivers)
    group_players = [[c for d in members for c in players[drivers.index(d)]] for members in groups.values()]
    phi, r2_all, method, mc_se = _shares(cov, players, max_exact, n_perm, seed)
    phi = phi[0]
    r2 = float(phi.sum())
    group_phi = _shares(cov, group_players, max_exact, n_perm, seed)[0][0]
    if n_boot:
        boot_phi = _shares(boot_cov, players, max_exact, max(100, n_perm // 10), seed)[0]
        boot_group = _shares(boot_cov, group_players, max_exact, max(100, n_perm // 10), seed)[0]
    jack_phi = jack_group = None
    if jack_cov is not None:
        jack_phi = _shares(jack_cov, players, max_exact, max(100, n_perm // 10), seed)[0]
        jack_group = _shares(jack_cov, group_players, max_exact, max(100, n_perm // 10), seed)[0]

    def shares_of(values: np.ndarray) -> np.ndarray:
        return values / values.sum(axis=-1, keepdims=True)

    def intervals(estimate, boot, jack):
        if not n_boot:
            return np.full(len(estimate), np.nan), np.full(len(estimate), np.nan)
        return _interval(boot, estimate, ci, ci_method, jack)

    share = shares_of(phi)
    share_low, share_high = intervals(share, shares_of(boot_phi) if n_boot else None,
                                      shares_of(jack_phi) if jack_phi is not None else None)
    rank = (-share).argsort().argsort() + 1
    if n_boot:
        boot_rank = (-shares_of(boot_phi)).argsort(axis=1).argsort(axis=1) + 1
        rank_low, rank_high = np.quantile(boot_rank, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        r2_low, r2_high = np.quantile(boot_phi.sum(axis=1), [(1 - ci) / 2, (1 + ci) / 2])
    else:
        rank_low = rank_high = np.full(len(share), np.nan)
        r2_low = r2_high = np.nan

    driver_group = {d: g for g, members in groups.items() for d in members}
    rw = relative_weights(corr)
    rw_driver = np.array([rw[[c - 1 for c in p]].sum() for p in players])
    coefficients = _coefficients(cov[0], corr, names, drivers, players, n, ci, weighted,
                                 boot_cov if n_boot else None)
    means = _means(cov[0], n, drivers, players, ci, mean)
    table = pd.DataFrame({
        "driver": drivers, "group": [driver_group[d] for d in drivers], "value": phi, "mc_se": mc_se, "share": share,
        "ci_low": share_low, "ci_high": share_high, "rank": rank, "rank_ci_low": rank_low, "rank_ci_high": rank_high,
        "relative_weight": rw_driver, "relative_weight_share": rw_driver / rw_driver.sum(),
        "correlation": [corr[0, p[0]] if len(p) == 1 else np.nan for p in players],
        "vif": [_vif(corr, p) for p in players],
    }).merge(coefficients.loc[~coefficients["driver"].duplicated(keep=False),  # numeric drivers: one column each
                              ["driver", "beta", "beta_ci_low", "beta_ci_high"]], on="driver", how="left")
    table = table.merge(means, on="driver", how="left")

    group_share = shares_of(group_phi)
    g_low, g_high = intervals(group_share, shares_of(boot_group) if n_boot else None,
                              shares_of(jack_group) if jack_group is not None else None)
    group_table = pd.DataFrame({
        "group": list(groups), "value": group_phi, "share": group_share, "ci_low": g_low, "ci_high": g_high,
        "sum_of_member_shares": [share[[drivers.index(d) for d in m]].sum() for m in groups.values()],
        "members": [", ".join(m) for m in groups.values()],
    })
    differences = _differences(drivers, share, shares_of(boot_phi) if n_boot else None, ci)
    dom = _dominance_table(r2_all, drivers) if r2_all is not None else pd.DataFrame()
    return KeyDrivers(outcome, n, dropped, r2, (float(r2_low), float(r2_high)), table, group_table, differences, dom,
                      method, ci, n_boot, coefficients, shares_of(boot_group) if n_boot else None)


def _vif(corr: np.ndarray, player: list[int]) -> float:
    """Variance inflation of a numeric driver: diag of the inverse driver correlation matrix."""
    if len(player) != 1:
        return float("nan")
    inverse = np.linalg.inv(corr[1:, 1:])
    return float(inverse[player[0] - 1, player[0] - 1])


def _coefficients(cov, corr, names, drivers, players, n, ci, weighted, boot_cov) -> pd.DataFrame:
    """Unstandardized b (for what-if) and standardized beta with intervals.

    Unweighted: OLS standard errors from the covariance matrix, ``Var(b) = s^2 S_xx^-1 / (n - 1)``
    with ``s^2 = (n - 1)(s_yy - s_xy' S_xx^-1 s_xy) / (n - p - 1)``, t intervals. Weighted:
    percentile intervals over the bootstrap resamples.
    """
    p = cov.shape[0] - 1
    b = np.linalg.solve(cov[1:, 1:], cov[1:, 0])
    sd = np.sqrt(np.diag(cov))
    beta = b * sd[1:] / sd[0]
    if weighted and boot_cov is not None:
        boot_b = np.linalg.solve(boot_cov[:, 1:, 1:], boot_cov[:, 1:, 0:1])[..., 0]
        boot_sd = np.sqrt(np.einsum("bii->bi", boot_cov))
        boot_beta = boot_b * boot_sd[:, 1:] / boot_sd[:, :1]
        low, high = np.quantile(boot_b, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        beta_low, beta_high = np.quantile(boot_beta, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        se = boot_b.std(axis=0, ddof=1)
    else:
        resid = (n - 1) * (cov[0, 0] - cov[1:, 0] @ b) / (n - p - 1)
        se = np.sqrt(resid * np.diag(np.linalg.inv(cov[1:, 1:])) / (n - 1))
        t = stats.t.ppf((1 + ci) / 2, n - p - 1)
        low, high = b - t * se, b + t * se
        beta_low, beta_high = low * sd[1:] / sd[0], high * sd[1:] / sd[0]
    column_driver = {}
    for d, player in zip(drivers, players, strict=True):
        for c in player:
            column_driver[names[c]] = d
    return pd.DataFrame({"column": names[1:], "driver": [column_driver[c] for c in names[1:]], "b": b, "se": se,
                         "ci_low": low, "ci_high": high, "beta": beta, "beta_ci_low": beta_low,
                         "beta_ci_high": beta_high})


def _means(cov: np.ndarray, n: int, drivers, players, ci: float, mean: np.ndarray) -> pd.DataFrame:
    """Mean rating of each numeric driver over the analysed rows, with a t interval (performance, for priorities)."""
    rows = []
    t = stats.t.ppf((1 + ci) / 2, n - 1)
    for d, player in zip(drivers, players, strict=True):
        if len(player) != 1:
            rows.append({"driver": d, "mean": np.nan, "mean_ci_low": np.nan, "mean_ci_high": np.nan})
            continue
        c = player[0]
        half = t * np.sqrt(cov[c, c] / n)
        rows.append({"driver": d, "mean": mean[c], "mean_ci_low": mean[c] - half, "mean_ci_high": mean[c] + half})
    return pd.DataFrame(rows)


def _differences(drivers, share, boot_share, ci) -> pd.DataFrame:
    """Every pair's difference of shares with a bootstrap interval and a two-sided bootstrap p-value."""
    rows = []
    for i in range(len(drivers)):
        for j in range(i + 1, len(drivers)):
            row = {"driver_a": drivers[i], "driver_b": drivers[j], "difference": share[i] - share[j]}
            if boot_share is not None:
                diff = boot_share[:, i] - boot_share[:, j]
                row["ci_low"], row["ci_high"] = np.quantile(diff, [(1 - ci) / 2, (1 + ci) / 2])
                row["p_value"] = float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))
            rows.append(row)
    return pd.DataFrame(rows)


def _dominance_table(r2: np.ndarray, drivers: Sequence[str]) -> pd.DataFrame:
    rows = dominance(r2, len(drivers))
    name = {None: None, **dict(enumerate(drivers))}
    return pd.DataFrame([{"driver_a": drivers[r["i"]], "driver_b": drivers[r["j"]],
                          "complete": name[r["complete"]], "conditional": name[r["conditional"]],
                          "general": name[r["general"]]} for r in rows])


