"""Comparisons: two groups, every segment against the rest, and customers surveyed twice.

A difference is reported as the difference of the observed values, with an interval and a
test built on each metric's small-sample-adjusted estimate: for NPS the difference of the
adjusted Wald estimates over the root of the summed variances (Rocks 2016); for shares
the Agresti-Caffo interval (Agresti & Caffo 2000, one success and one failure added to
each group); for means Welch's t (Welch 1947). Many tests at once are adjusted with
Holm's method by default (Holm 1979, :mod:`cxlib.core.inference`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N, Estimate
from ..core.inference import adjust_p, z_value
from ..core.lazy import lazy_module
from ..io.column_names import column_arguments
from ..io.nps_groups import score_groups
from ..io.quality import DataError
from .histogram import ScoreHistogram, score_histogram
from .scores import metric_table, public, resolve_metric

stats = lazy_module("scipy.stats")

__all__ = ["compare", "difference_table", "paired", "segment_table",
           "segment_table_from_histograms", "share_difference"]


def difference_table(a: pd.DataFrame, b: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Row-wise differences a - b of two :func:`~cxlib.metrics.scores.metric_table` results.

    Columns: difference (observed), diff_ci_low, diff_ci_high, diff_se, statistic, p_value.
    """
    center = a["_center"] - b["_center"]
    se = np.sqrt(a["_var"] + b["_var"])
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = center / se
    if "_df" in a.columns:  # Welch-Satterthwaite degrees of freedom for means
        df = (a["_var"] + b["_var"]) ** 2 / (a["_var"] ** 2 / a["_df"] + b["_var"] ** 2 / b["_df"])
        crit = stats.t.ppf(0.5 + ci / 2, df)
        p = 2 * stats.t.sf(np.abs(statistic), df)
    else:
        crit = z_value(ci)
        p = 2 * stats.norm.sf(np.abs(statistic))
    return pd.DataFrame({"difference": a["value"] - b["value"], "diff_ci_low": center - crit * se,
                         "diff_ci_high": center + crit * se, "diff_se": se, "statistic": statistic,
                         "p_value": p}, index=a.index)


@column_arguments("group", "score", "weights")
def compare(data: pd.DataFrame, group: str, a, b, score: str = "nps", metric: str | None = None,
            top=None, scale: tuple[int, int] | None = None, weights: str | None = None, ci: float = 0.95) -> Estimate:
    """Difference of a metric between the rows where ``group == a`` and where ``group == b``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"nps": [10] * 100 + [8] * 90 + [3] * 60 + [10] * 80 + [8] * 100 + [3] * 70,
    ...                      "plan": ["a"] * 250 + ["b"] * 250})
    >>> d = compare(rows, "plan", "a", "b")
    >>> round(d.value, 1), round(d.components["statistic"], 3), round(d.p_value, 4)
    (12.0, 1.714, 0.0865)
    """
    metric, scale, top = resolve_metric(score, metric, scale, top)
    present = set(data[group].dropna().unique())
    for level in (a, b):
        if level not in present:
            raise DataError(f"no rows with {group} == {level!r}; values present: {sorted(map(str, present))[:20]}",
                            column=group, rule="group level present")
    h = score_histogram(data[data[group].isin([a, b])], score, by=group, weights=weights, scale=scale)
    table = metric_table(h, metric, top, ci)
    ia, ib = table.index.get_loc(a), table.index.get_loc(b)  # by position: labels may be True/False
    diff = difference_table(table.iloc[[ia]], table.iloc[[ib]].set_axis(table.index[[ia]]), ci).iloc[0]
    return Estimate(metric=f"{metric} difference ({a} - {b})", value=float(diff["difference"]),
                    ci_low=float(diff["diff_ci_low"]), ci_high=float(diff["diff_ci_high"]),
                    n=int(table["n"].sum()), se=float(diff["diff_se"]), ci=ci, p_value=float(diff["p_value"]),
                    method=metric, components={"statistic": float(diff["statistic"]),
                                               f"value_{a}": float(table.loc[a, "value"]),
                                               f"value_{b}": float(table.loc[b, "value"])})


def share_difference(success: pd.Series, group: pd.Series, a=True, b=False, metric: str = "share %",
                     ci: float = 0.95) -> Estimate:
    """Share (%) of yes where ``group == a`` minus where ``group == b``: Agresti-Caffo interval and z-test.

    ``success`` and ``group`` are aligned; statsmodels ``confint_proportions_2indep(30,
    100, 15, 100, method="agresti-caffo")`` gives the same interval as below.

    >>> d = share_difference(pd.Series([True] * 30 + [False] * 70 + [True] * 15 + [False] * 85),
    ...                      pd.Series([True] * 100 + [False] * 100))
    >>> round(d.value, 1), round(d.ci_low, 1), round(d.ci_high, 1)
    (15.0, 3.3, 26.1)
    """
    rows = pd.DataFrame({"_yes": success.astype(bool).astype(int).to_numpy(), "_group": group.to_numpy()})
    d = compare(rows, "_group", a, b, score="_yes", metric="top_box", scale=(0, 1), top=(1,), ci=ci)
    return dataclasses.replace(d, metric=f"{metric} difference ({a} - {b})")


@column_arguments("by", "score", "weights")
def segment_table(data: pd.DataFrame, by: str | Sequence[str], score: str = "nps", metric: str | None = None,
                  top=None, scale: tuple[int, int] | None = None, weights: str | None = None,
                  min_n: int = MIN_N, ci: float = 0.95, adjust: str = "holm") -> pd.DataFrame:
    """Each segment of each column in ``by`` against the rest of the data.

    Returns one row per (segment_col, segment): n, n_effective, value, ci_low, ci_high,
    se, difference from the rest with its interval, p_value, p_adjusted (``adjust``
    across every row of the table; any ``multipletests`` method), significant
    (p_adjusted < 1 - ci), and small_n (n_effective < min_n). Small segments are flagged,
    never hidden. For NPS the shares of promoters, passives and detractors are included.

    Examples
    --------
    >>> import cxlib as cx
    >>> data = cx.io.load()
    >>> t = segment_table(data.responses, by="touchpoint")
    >>> t.loc[t["segment"] == "cancellation", ["n", "value", "significant"]].round(1).to_dict("records")
    [{'n': 417, 'value': -57.1, 'significant': True}]
    """
    metric, scale, top = resolve_metric(score, metric, scale, top)
    by = [by] if isinstance(by, str) else list(by)
    histograms = {column: score_histogram(data, score, by=column, weights=weights, scale=scale) for column in by}
    return segment_table_from_histograms(histograms, metric, top, min_n, ci, adjust)


def segment_table_from_histograms(histograms: Mapping[str, ScoreHistogram], metric: str = "nps", top=None,
                                  min_n: int = MIN_N, ci: float = 0.95, adjust: str = "holm") -> pd.DataFrame:
    """The segment table from one histogram per segment column (any backend's reduce step).

    Without segment columns the table is empty, with the columns every metric's table has.
    """
    if not histograms:
        numbers = ["n_effective", "value", "ci_low", "ci_high", "difference", "diff_ci_low", "diff_ci_high",
                   "p_value", "p_adjusted"]
        return pd.DataFrame({"segment_col": pd.Series(dtype=str), "segment": pd.Series(dtype=str),
                             "n": pd.Series(dtype="int64"), **{c: pd.Series(dtype=float) for c in numbers},
                             "significant": pd.Series(dtype=bool), "small_n": pd.Series(dtype=bool)})
    parts = []
    for column, h in histograms.items():
        seg = metric_table(h, metric, top, ci)
        diff = difference_table(seg, metric_table(h.rest(), metric, top, ci), ci)
        part = pd.concat([public(seg), diff], axis=1)
        part.insert(0, "segment", seg.index.astype(str))
        part.insert(0, "segment_col", column)
        parts.append(part.reset_index(drop=True))
    table = pd.concat(parts, ignore_index=True)
    testable = table["p_value"].notna().to_numpy()
    table["p_adjusted"] = np.nan
    if testable.any():
        table.loc[testable, "p_adjusted"] = adjust_p(table.loc[testable, "p_value"].to_numpy(), adjust)
    table["significant"] = (table["p_adjusted"] < 1 - ci).to_numpy()
    table["small_n"] = (table["n_effective"] < min_n).to_numpy()
    return table


@column_arguments("score", "id", "order")
def paired(data: pd.DataFrame, score: str = "nps", id: str = "customer_id", order: str = "survey_date",
           ci: float = 0.95) -> Estimate:
    """Change in NPS among customers surveyed at least twice: last answer against first.

    Each answer is scored +100 (promoter), 0 (passive) or -100 (detractor); the NPS
    change equals the mean of the paired differences, with a t interval and test
    (a paired t-test on the recoded answers; Reichheld's NPS is the mean of this coding).
    """
    rows = data[[id, order, score]].dropna().sort_values([id, order], kind="stable")
    coded = pd.Series(score_groups(rows[score])).map({"promoter": 100.0, "passive": 0.0, "detractor": -100.0}
                                                      ).to_numpy()
    rows = rows.assign(_coded=coded)
    first = rows.groupby(id, sort=False)["_coded"].first()
    last = rows.groupby(id, sort=False)["_coded"].last()
    count = rows.groupby(id, sort=False).size()
    change = (last - first)[count >= 2]
    n = len(change)
    if n < 2:
        raise DataError(f"fewer than two customers were surveyed twice (column {id!r})", column=id,
                        rule="at least two paired customers")
    test = stats.ttest_1samp(change, 0.0)
    interval = test.confidence_interval(ci)
    return Estimate(metric="NPS change (last - first survey)", value=float(change.mean()),
                    ci_low=float(interval.low), ci_high=float(interval.high), n=n,
                    se=float(change.std(ddof=1) / np.sqrt(n)), ci=ci, method="paired t", p_value=float(test.pvalue),
                    components={"nps_first": float(first[count >= 2].mean()), "nps_last": float(last[count >= 2].mean())})
