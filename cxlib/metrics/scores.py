"""Score metrics with confidence intervals: NPS, top-box shares (CSAT, CES), means.

Each metric has a core that works on a :class:`~cxlib.metrics.histogram.ScoreHistogram` (one row
per segment, vectorized) and a front that takes rows. All values are on a points scale:
NPS from -100 to 100, shares as percentages, means on the score's own scale.

NPS (Reichheld 2003) is the percentage of promoters (9-10) minus that of detractors
(0-6). Its default interval is the adjusted Wald interval of Rocks (2016, *The American
Statistician* 70(4)): add 3 to n and 3/4 to the promoters and to the detractors, then use
the trinomial variance ``(p + d - (p - d)^2) / n``; Rocks found it among the best at small
n. The adjustment pulls the interval towards 0, so with a single answer it can exclude
the observed NPS (one detractor: -100, interval -98.5 to 48.5); from two answers on it
contains it. Such estimates are flagged ``small_n``. The plain Wald interval and a bootstrap that resamples the histogram (multinomial
draws, never rows) are options. With survey weights the shares are weighted and n is
Kish's effective n, ``(sum w)^2 / sum w^2``.

Shares (top-2-box CSAT, low-effort CES) take Wilson's interval (Wilson 1927; Brown,
Cai & DasGupta 2001), means Student's t interval with the linearized (sandwich)
variance ``n/(n-1) * sum w^2 (x - mean)^2 / (sum w)^2``, which is ``s^2/n`` without weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.estimate import Estimate
from ..core.inference import wilson_interval, z_value
from ..core.lazy import lazy_module
from ..io.column_names import column_arguments
from ..io.header_row import normal_name
from ..io.nps_groups import GROUP_RANGES
from .histogram import ScoreHistogram, score_histogram

stats = lazy_module("scipy.stats")

__all__ = ["ces", "csat", "mean_score", "mean_table", "metric_table", "nps", "nps_from_counts", "nps_table",
           "proportion_table", "public", "resolve_metric", "top_box"]

NPS_METHODS = ("adjusted-wald", "wald", "bootstrap")
CSAT_TOP = (4, 5)
CES_LOW_EFFORT = (5, 6, 7)
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}  # the canonical scores' answer ranges
TOP_BOX = {"csat": CSAT_TOP, "ces": CES_LOW_EFFORT}
METRICS = ("nps", "top_box", "mean")


def metric_table(h: ScoreHistogram, metric: str = "nps", top=None, ci: float = 0.95) -> pd.DataFrame:
    """One metric per segment with the common columns n, n_effective, value, ci_low, ci_high, se.

    ``metric`` is "nps", "top_box" (share of answers in ``top``, %) or "mean".
    """
    if metric == "nps":
        return nps_table(h, ci).rename(columns={"nps": "value"})
    if metric == "top_box":
        if top is None:
            raise ValueError("metric='top_box' needs top=, the values that count (e.g. (4, 5) for CSAT)")
        return proportion_table(h, top, ci).rename(columns={"share": "value"})
    if metric == "mean":
        return mean_table(h, ci).rename(columns={"mean": "value"})
    raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")


def resolve_metric(score: str, metric: str | None, scale: tuple[int, int] | None, top) -> tuple[str, tuple, tuple]:
    """Defaults from the score's name (any case: "NPS" is nps): nps -> NPS on 0-10, csat -> top-2-box on 1-5,
    ces -> low effort on 1-7."""
    name = normal_name(score)
    metric = metric or ("nps" if name == "nps" else "top_box" if name in TOP_BOX else "mean")
    scale = scale or SCALES.get(name)
    if scale is None:
        raise ValueError(f"give scale=(lowest, highest) for score {score!r}")
    return metric, tuple(scale), (top or TOP_BOX.get(name)) if metric == "top_box" else None


def _shares(h: ScoreHistogram, members) -> np.ndarray:
    """Weighted share of answers whose value is in ``members``, per segment."""
    mask = np.isin(h.values, list(members))
    total = h.weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return h.weights[:, mask].sum(axis=1) / total


def public(table: pd.DataFrame) -> pd.DataFrame:
    """A metric table without the hidden ``_`` columns that comparisons use."""
    return table.loc[:, ~table.columns.str.startswith("_")]


def _frame(h: ScoreHistogram, **columns) -> pd.DataFrame:
    out = pd.DataFrame(columns, index=h.segments)
    out.insert(0, "n", h.n)
    out.insert(1, "n_effective", h.n_effective)
    return out


def nps_table(h: ScoreHistogram, ci: float = 0.95, method: str = "adjusted-wald", n_boot: int = 2000,
              seed: int | None = None) -> pd.DataFrame:
    """NPS per segment of a histogram: n, nps, ci_low, ci_high, se, and the three shares.

    Hidden columns ``_center`` and ``_var`` (adjusted-Wald estimate and variance, in
    points) serve comparisons; :func:`public` leaves them out.
    """
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {NPS_METHODS}, got {method!r}")
    p, d = (_shares(h, range(GROUP_RANGES[g][0], GROUP_RANGES[g][1] + 1)) for g in ("promoter", "detractor"))
    n = h.n_effective
    z = z_value(ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_adj = n + 3
        p_adj, d_adj = (p * n + 0.75) / n_adj, (d * n + 0.75) / n_adj
        var_adj = (p_adj + d_adj - (p_adj - d_adj) ** 2) / n_adj
        center = p_adj - d_adj
        if method == "wald":
            center_ci, se = p - d, np.sqrt((p + d - (p - d) ** 2) / n)
        else:
            center_ci, se = center, np.sqrt(var_adj)
    low, high = np.clip(center_ci - z * se, -1, 1), np.clip(center_ci + z * se, -1, 1)
    if method == "bootstrap":
        low, high = _nps_bootstrap(p, d, n, ci, n_boot, seed)
    out = _frame(h, nps=100 * (p - d), ci_low=100 * low, ci_high=100 * high, se=100 * se,
                 promoters=100 * p, passives=100 * (1 - p - d), detractors=100 * d)
    out["_center"], out["_var"] = 100 * center, 1e4 * var_adj
    return out


def _nps_bootstrap(p, d, n, ci, n_boot, seed) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval from multinomial resamples of each segment's histogram (its effective n)."""
    rng = np.random.default_rng(seed)
    low, high = np.full(len(p), np.nan), np.full(len(p), np.nan)
    alpha = (1 - ci) / 2
    for i in range(len(p)):
        size = int(round(n[i]))
        if size < 1:
            continue
        draws = rng.multinomial(size, [p[i], max(0.0, 1 - p[i] - d[i]), d[i]], size=n_boot)
        boot = (draws[:, 0] - draws[:, 2]) / size
        low[i], high[i] = np.quantile(boot, [alpha, 1 - alpha])
    return low, high


def proportion_table(h: ScoreHistogram, members, ci: float = 0.95) -> pd.DataFrame:
    """Share (%) of answers in ``members`` per segment, with Wilson intervals on the effective n.

    Hidden ``_center``/``_var`` are the Agresti-Caffo adjusted share (one success and one
    failure added) and its variance, for differences between groups (Agresti & Caffo 2000).
    """
    share = _shares(h, members)
    n = h.n_effective
    low, high = wilson_interval(share, n, ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(share * (1 - share) / n)
        adjusted = (share * n + 1) / (n + 2)
        var = adjusted * (1 - adjusted) / (n + 2)
    out = _frame(h, share=100 * share, ci_low=100 * low, ci_high=100 * high, se=100 * se)
    out["_center"], out["_var"] = 100 * adjusted, 1e4 * var
    return out


def mean_table(h: ScoreHistogram, ci: float = 0.95) -> pd.DataFrame:
    """Mean score per segment with Student's t interval (df = effective n - 1)."""
    total = h.weights.sum(axis=1)
    n = h.n_effective
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (h.weights * h.values).sum(axis=1) / total
        squares = (h.weights_sq * (h.values[None, :] - mean[:, None]) ** 2).sum(axis=1)
        var = n / (n - 1) * squares / total**2
        se = np.sqrt(var)
        t = stats.t.ppf(0.5 + ci / 2, np.maximum(n - 1, 1))
    out = _frame(h, mean=mean, ci_low=mean - t * se, ci_high=mean + t * se, se=se)
    out["_center"], out["_var"], out["_df"] = mean, var, n - 1
    return out


def _estimate(row: pd.Series, metric: str, value_col: str, method: str, ci: float, components=()) -> Estimate:
    return Estimate(metric=metric, value=float(row[value_col]), ci_low=float(row["ci_low"]),
                    ci_high=float(row["ci_high"]), n=int(row["n"]), se=float(row["se"]), ci=ci, method=method,
                    n_effective=float(row["n_effective"]), components={c: float(row[c]) for c in components})


def _histogram(data, score: str, weights: str | None, scale: tuple[int, int]) -> ScoreHistogram:
    if isinstance(data, ScoreHistogram):
        return data.total()
    return score_histogram(data, score, weights=weights, scale=scale)


@column_arguments("score", "weights")
def nps(data: pd.DataFrame | ScoreHistogram, score: str = "nps", weights: str | None = None, ci: float = 0.95,
        method: str = "adjusted-wald", n_boot: int = 2000, seed: int | None = None) -> Estimate:
    """Net Promoter Score with its confidence interval.

    Parameters
    ----------
    data : DataFrame (or ScoreHistogram)
        One row per answer; ``score`` holds whole numbers 0-10 (blank = not answered).
    weights : str, optional
        Column of survey weights (or revenue, for revenue-weighted NPS).
    method : {"adjusted-wald", "wald", "bootstrap"}
        Interval method (see the module docstring); the bootstrap takes ``n_boot`` and ``seed``.

    Returns
    -------
    Estimate
        value (points, -100..100), ci_low, ci_high, n, n_effective, se, and components
        promoters, passives, detractors (percent).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"nps": [10] * 100 + [8] * 90 + [3] * 60})
    >>> print(nps(answers))
    NPS 16.0 (6.2 to 25.5), n = 250
    """
    row = nps_table(_histogram(data, score, weights, (0, 10)), ci, method, n_boot, seed).iloc[0]
    return _estimate(row, "NPS", "nps", method, ci, ("promoters", "passives", "detractors"))


def nps_from_counts(promoters: int, passives: int, detractors: int, ci: float = 0.95,
                    method: str = "adjusted-wald") -> Estimate:
    """NPS from the three counts (the core, for published or hand-counted figures).

    >>> e = nps_from_counts(100, 90, 60)
    >>> round(e.value, 2), round(e.ci_low, 2), round(e.ci_high, 2)
    (16.0, 6.16, 25.46)
    """
    counts = np.zeros((1, 11))
    counts[0, [10, 8, 0]] = promoters, passives, detractors
    h = ScoreHistogram(pd.Index(["all"]), np.arange(11), counts.astype(int), counts, counts)
    return nps(h, ci=ci, method=method)


@column_arguments("score", "weights")
def top_box(data: pd.DataFrame | ScoreHistogram, score: str, top=CSAT_TOP, scale: tuple[int, int] = (1, 5),
            weights: str | None = None, ci: float = 0.95, metric: str | None = None) -> Estimate:
    """Share (%) of answers in the ``top`` values, with Wilson's interval.

    >>> import pandas as pd
    >>> print(top_box(pd.DataFrame({"csat": [5] * 30 + [4] * 45 + [2] * 25}), "csat"))
    csat top-box % 75.0 (65.7 to 82.5), n = 100
    """
    row = proportion_table(_histogram(data, score, weights, scale), top, ci).iloc[0]
    return _estimate(row, metric or f"{score} top-box %", "share", "wilson", ci)


@column_arguments("score", "weights")
def csat(data, score: str = "csat", weights: str | None = None, ci: float = 0.95) -> Estimate:
    """CSAT: share (%) of satisfied answers, 4 or 5 on the 1-5 scale (top-2-box)."""
    return top_box(data, score, CSAT_TOP, (1, 5), weights, ci, metric="CSAT % satisfied")


@column_arguments("score", "weights")
def ces(data, score: str = "ces", weights: str | None = None, ci: float = 0.95) -> Estimate:
    """CES: share (%) of low-effort answers, 5-7 on the 1-7 scale (CES 2.0: 7 = easiest)."""
    return top_box(data, score, CES_LOW_EFFORT, (1, 7), weights, ci, metric="CES % low effort")


@column_arguments("score", "weights")
def mean_score(data: pd.DataFrame | ScoreHistogram, score: str, scale: tuple[int, int] = (1, 5),
               weights: str | None = None, ci: float = 0.95) -> Estimate:
    """Mean score with Student's t interval.

    >>> import pandas as pd
    >>> print(mean_score(pd.DataFrame({"csat": [1, 2, 3, 4, 5] * 10}), "csat"))
    mean csat 3.0 (2.6 to 3.4), n = 50
    """
    row = mean_table(_histogram(data, score, weights, scale), ci).iloc[0]
    return _estimate(row, f"mean {score}", "mean", "t", ci)
