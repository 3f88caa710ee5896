"""Trends, goals and benchmarks: a metric per period, its change per period, and comparisons.

The change per period is the slope of an inverse-variance weighted least-squares line
through the period estimates (``statsmodels`` WLS; weights 1/se^2, so noisy periods
count less). Sampling variances are treated as known and the slope's variance is
inflated by the residual dispersion when periods scatter more than sampling explains
(scale = max(1, chi^2/df), the Birge ratio of meta-regression; Thompson & Sharp 1999).

A goal ("gain at least G points a period") is *met* when the slope's lower bound is at
least G, *missed* when its upper bound is below G, and *uncertain* otherwise, with the
two-sided p-value of "slope = G": the verdict is "uncertain" exactly when that p-value is
at least 1 - ci, so a table never shows a p-value below 0.05 beside "uncertain".

A benchmark (a competitor's or the industry's published NPS) enters with its own
sampling variance when its n is known, bounded by ``(1 - NPS^2) / n`` (the largest
trinomial variance for that NPS, reached with no passives), so the comparison is
conservative; without n it is treated as exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.estimate import Estimate
from ..core.inference import z_value
from ..core.lazy import lazy_module
from ..formatting.result_view import ResultView
from ..io.column_names import column_arguments
from ..io.tables import survey_rows
from .histogram import ScoreHistogram, score_histogram
from .scores import metric_table, public, resolve_metric

stats = lazy_module("scipy.stats")
linear_model = lazy_module("statsmodels.regression.linear_model")

MIN_PERIODS = 3  # a change per period is fitted on at least this many periods (two leave no scatter to judge it)

__all__ = ["MIN_PERIODS", "Trend", "benchmark_difference", "goal", "period_slope", "trend", "trend_from_histogram"]


@dataclass(frozen=True, repr=False)
class Trend(ResultView):
    """A metric per period (``periods``) and its change per period (``slopes``), per segment."""

    metric: str
    freq: str
    by: tuple[str, ...]
    periods: pd.DataFrame
    slopes: pd.DataFrame

    def to_dict(self) -> dict:
        return {"metric": self.metric, "freq": self.freq, "by": list(self.by), "periods": self.periods,
                "slopes": self.slopes}

    def slope(self, segment=None) -> Estimate:
        """The change per period of one segment (the only one when there is no ``by``)."""
        rows = self.slopes if segment is None else self.slopes[self.slopes["segment"] == str(segment)]
        if len(rows) != 1:
            raise KeyError(f"segment {segment!r} not in {self.slopes['segment'].tolist()}")
        r = rows.iloc[0]
        return Estimate(metric=f"{self.metric} change per period", value=r["slope"], ci_low=r["ci_low"],
                        ci_high=r["ci_high"], n=int(r["n"]), se=r["se"], p_value=r["p_value"], method="WLS",
                        components={"periods": int(r["periods"])})


PERIOD_WORDS = {"M": ("month", "months"), "Q": ("quarter", "quarters"), "Y": ("year", "years")}


def period_word(freq: str) -> str:
    """The period a ``freq`` stands for, as a sentence says it ("Q" -> "quarter")."""
    return PERIOD_WORDS.get(freq, ("period", "periods"))[0]


def period_slope(periods: pd.DataFrame, ci: float = 0.95) -> dict:
    """Change per period of a metric: WLS of ``value`` on ``t`` with weights 1/se^2 (columns t, value, se, n).

    The slope's standard error is inflated by the residual dispersion when it exceeds 1
    (more period-to-period variation than sampling alone explains). Fewer than 3 usable
    periods give missing values.
    """
    usable = periods[(periods["se"] > 0) & periods["value"].notna()]
    out = {"periods": len(usable), "n": int(periods["n"].sum())}
    if len(usable) < MIN_PERIODS:
        return {**out, "slope": np.nan, "ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "p_value": np.nan,
                "dispersion": np.nan}
    t = usable["t"].to_numpy(dtype=float)
    x = np.column_stack([np.ones_like(t), t])
    fit = linear_model.WLS(usable["value"].to_numpy(dtype=float), x, weights=1 / usable["se"].to_numpy() ** 2).fit()
    dispersion = max(1.0, float(fit.scale))
    se = float(np.sqrt(fit.normalized_cov_params[1, 1] * dispersion))
    slope = float(fit.params[1])
    z = z_value(ci)
    return {**out, "slope": slope, "ci_low": slope - z * se, "ci_high": slope + z * se, "se": se,
            "p_value": float(2 * stats.norm.sf(abs(slope / se))), "dispersion": dispersion}


@column_arguments("score", "date", "by", "weights")
def trend(data: pd.DataFrame, score: str = "nps", date: str = "survey_date", freq: str = "Q",
          by: str | Sequence[str] | None = None, metric: str | None = None, top=None,
          scale: tuple[int, int] | None = None, weights: str | None = None, ci: float = 0.95) -> Trend:
    """A metric per period (``freq``: "M" months, "Q" quarters, "Y" years) and its change per period.

    ``periods`` has one row per (segment, period): period, t (periods since the first),
    n, value, ci_low, ci_high, se; ``slopes`` one row per segment: slope (points per
    period), ci_low, ci_high, se, p_value, periods, dispersion.

    >>> import cxlib as cx
    >>> r = cx.io.load().responses
    >>> print(trend(r[r["touchpoint"] != "cancellation"]).slope())
    nps change per period 0.9 (0.4 to 1.4), n = 18,739, p = 0.000427
    """
    metric, scale, top = resolve_metric(score, metric, scale, top)
    by = [by] if isinstance(by, str) else list(by or [])
    data = survey_rows(data)
    frame = data.assign(_period=data[date].dt.to_period(freq))
    h = score_histogram(frame, score, by=[*by, "_period"], weights=weights, scale=scale)
    return trend_from_histogram(h, by, freq, metric, top, ci)


def trend_from_histogram(h: ScoreHistogram, by: Sequence[str], freq: str, metric: str = "nps", top=None,
                         ci: float = 0.95) -> Trend:
    """The trend from a histogram whose last segment level, ``_period``, is the period (any backend's reduce step)."""
    by = list(by)
    table = public(metric_table(h, metric, top, ci)).reset_index()
    table = table.rename(columns={"_period": "period"})
    periods = [pd.Period(str(p), freq) for p in table["period"]]
    first = min(periods)
    table["t"] = [(p - first).n for p in periods]
    table["segment"] = table[by].astype(str).agg(" / ".join, axis=1) if by else "all"
    table["period"] = [str(p) for p in periods]
    slopes = pd.DataFrame([{"segment": seg, **period_slope(rows, ci)} for seg, rows in table.groupby("segment", sort=True)])
    columns = ["segment", *by, "period", "t", "n", "n_effective", "value", "ci_low", "ci_high", "se"]
    return Trend(metric, freq, tuple(by), table[columns + [c for c in table.columns if c not in columns]], slopes)


def goal(result: Trend, target: float, segment=None) -> dict:
    """Does the segment gain at least ``target`` points a period? The slope, its interval, the two-sided p-value
    against the target and a verdict that agrees with both (module docstring); "too few periods" where fewer than
    :data:`MIN_PERIODS` periods leave no slope."""
    est = result.slope(segment)
    p_target = float(2 * stats.norm.sf(abs(est.value - target) / est.se)) if est.se > 0 else float("nan")
    verdict = ("too few periods" if np.isnan(est.value) else "met" if est.ci_low >= target
               else "missed" if est.ci_high < target else "uncertain")
    return {"segment": "all" if segment is None else str(segment), "target_per_period": float(target),
            "slope": float(est.value), "ci_low": float(est.ci_low), "ci_high": float(est.ci_high),
            "p_vs_target": p_target, "verdict": verdict}


def benchmark_difference(estimate: Estimate, benchmark: float, benchmark_n: int | None = None,
                         name: str = "benchmark") -> Estimate:
    """Our NPS minus a benchmark NPS, with an interval and a test (see the module docstring).

    >>> from cxlib.metrics.scores import nps_from_counts
    >>> print(benchmark_difference(nps_from_counts(100, 90, 60), 30.0, 1000, "industry"))
    NPS - industry -14.0 (-25.5 to -2.9), n = 250, p = 0.014
    """
    var_ours = estimate.se**2
    var_benchmark = 0.0 if benchmark_n is None else 1e4 * (1 - (benchmark / 100) ** 2) / benchmark_n
    se = float(np.sqrt(var_ours + var_benchmark))
    center = (estimate.ci_low + estimate.ci_high) / 2 - benchmark  # the interval's centre: the adjusted estimate
    z = z_value(estimate.ci)
    return Estimate(metric=f"{estimate.metric} - {name}", value=estimate.value - benchmark, ci_low=center - z * se,
                    ci_high=center + z * se, n=estimate.n, se=se, ci=estimate.ci, method="normal",
                    p_value=float(2 * stats.norm.sf(abs(center / se))),
                    components={"benchmark": benchmark, "benchmark_n": benchmark_n})
