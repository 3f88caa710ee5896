"""Charts from results, with one colour-blind-safe palette (Okabe & Ito 2008).

Promoters, passives and detractors always have the same colours. Every chart has a
title and labelled axes with units, and returns its matplotlib ``Axes``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["ACCENT", "NPS_GROUP_COLORS", "PALETTE", "driver_shares", "hazard_ratios", "importance_performance",
           "score_distribution", "segment_chart", "survival_curves", "theme_shares", "trend_chart"]

GREY = "#999999"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", GREY]

NPS_GROUP_COLORS = {"detractor": "#D55E00", "passive": "#999999", "promoter": "#009E73"}
ACCENT = "#0072B2"
SCORE_LABELS = {"nps": "Likelihood to recommend (0-10)", "csat": "Satisfaction, CSAT (1-5)",
                "ces": "Customer effort, CES (1-7, 7 = easiest)"}


def _error_lengths(value, low, high) -> list:
    """Error-bar lengths below and above each value, never negative or missing.

    An adjusted interval need not contain its point (an adjusted Wald interval at n = 1),
    and a missing bound has no bar: both would stop matplotlib.
    """
    below = (pd.Series(value) - pd.Series(low)).clip(lower=0).fillna(0)
    above = (pd.Series(high) - pd.Series(value)).clip(lower=0).fillna(0)
    return [below.to_numpy(float), above.to_numpy(float)]


def _nps_color(value: int) -> str:
    group = "promoter" if value >= 9 else "passive" if value >= 7 else "detractor"
    return NPS_GROUP_COLORS[group]


def score_distribution(distributions: pd.DataFrame, score: str = "nps", ax: plt.Axes | None = None) -> plt.Axes:
    """Bar chart of the share of answers at each score value.

    ``distributions`` is a tidy frame with columns score, value, count, share (as in
    :func:`cxlib.studies.data_overview.describe`). NPS bars take the colours of their group.
    """
    rows = distributions[distributions["score"] == score]
    if rows.empty:
        raise ValueError(f"no distribution for score {score!r}; scores present: {sorted(distributions['score'].unique())}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    colors = [_nps_color(v) for v in rows["value"]] if score == "nps" else ACCENT
    ax.bar(rows["value"].astype(str), 100 * rows["share"], color=colors)
    n = int(rows["count"].sum())
    ax.set_title(f"{SCORE_LABELS.get(score, score)}: distribution of answers (n = {n:,})", fontsize=10)
    ax.set_xlabel("Score")
    ax.set_ylabel("Share of answers (%)")
    ax.spines[["top", "right"]].set_visible(False)
    if score == "nps":
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in NPS_GROUP_COLORS.values()]
        ax.legend(handles, ["Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)"], frameon=False, fontsize=8)
    return ax


def trend_chart(periods: pd.DataFrame, title: str, ylabel: str = "NPS (points)", ax: plt.Axes | None = None,
                segment_col: str | None = None) -> plt.Axes:
    """A metric per period with its 95% interval as a band (one line per segment if ``segment_col``).

    ``periods`` has columns period, value, ci_low, ci_high (as ``Trend.periods``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    groups = periods.groupby(segment_col, sort=True) if segment_col else [(None, periods)]
    for i, (name, rows) in enumerate(groups):
        color = PALETTE[i % len(PALETTE)]
        x = rows["period"].astype(str)
        ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=color, alpha=0.18, linewidth=0)
        ax.plot(x, rows["value"], marker="o", color=color, label=None if name is None else str(name))
    ax.set_title(f"{title} (band: 95% interval)", fontsize=10)
    ax.set_xlabel("Period")
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if segment_col:
        ax.legend(frameon=False, fontsize=8)
    return ax


def segment_chart(segments: pd.DataFrame, title: str, xlabel: str = "NPS (points)", overall: float | None = None,
                  ax: plt.Axes | None = None) -> plt.Axes:
    """Each segment's value with its 95% interval; significant differences in colour, small segments hatched.

    ``segments`` is a :func:`cxlib.segment_table` result (value, ci_low, ci_high,
    significant, small_n, segment_col, segment).
    """
    rows = segments.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.3 * len(rows) + 1.2), layout="constrained")
    labels = rows["segment_col"].astype(str) + ": " + rows["segment"].astype(str)
    colors = [ACCENT if sig else GREY for sig in rows["significant"]]
    errors = _error_lengths(rows["value"], rows["ci_low"], rows["ci_high"])
    bars = ax.barh(labels, rows["value"], xerr=errors, color=colors, ecolor="#333333", capsize=2)
    for bar, small in zip(bars, rows["small_n"], strict=True):
        if small:
            bar.set_hatch("///")
    if overall is not None:
        ax.axvline(overall, color="#333333", linewidth=1, linestyle="--")
    ax.set_title(f"{title}\n(blue: differs from the rest, Holm-adjusted; hatched: small n; lines: 95% interval)",
                 fontsize=9)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def driver_shares(result, level: str = "groups", ax: plt.Axes | None = None) -> plt.Axes:
    """Share of explained variance (%) of each group (or driver) with its 95% interval.

    ``result`` is a :class:`cxlib.drivers.KeyDrivers`; ``level`` is "groups" or "drivers".
    """
    table = (result.groups if level == "groups" else result.drivers).sort_values("share")
    labels = table["group" if level == "groups" else "driver"].astype(str)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.35 * len(table) + 1.2), layout="constrained")
    errors = _error_lengths(100 * table["share"], 100 * table["ci_low"], 100 * table["ci_high"])
    ax.barh(labels, 100 * table["share"], xerr=errors, color=ACCENT, ecolor="#333333", capsize=3)
    ax.set_title(f"Share of the explained variance in {result.outcome} (R² = {result.r2:.2f}); lines: 95% interval",
                 fontsize=9)
    ax.set_xlabel("Share of R² (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def importance_performance(priorities: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Quadrant chart: importance (share of R², %) against performance (mean rating), with 95% intervals.

    ``priorities`` is ``KeyDrivers.priorities()``; the dashed lines are the medians that
    split the quadrants ("fix first" is important and rated low).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    x, y = priorities["mean"], 100 * priorities["share"]
    ax.errorbar(x, y, xerr=_error_lengths(x, priorities["mean_ci_low"], priorities["mean_ci_high"]),
                yerr=_error_lengths(y, 100 * priorities["ci_low"], 100 * priorities["ci_high"]), fmt="o", color=ACCENT,
                ecolor=GREY, capsize=2)
    for _, row in priorities.iterrows():
        ax.annotate(str(row["driver"]), (row["mean"], 100 * row["share"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.axvline(x.median(), color=GREY, linestyle="--", linewidth=1)
    ax.axhline(y.median(), color=GREY, linestyle="--", linewidth=1)
    ax.set_title("Importance and performance (top left: fix first)", fontsize=10)
    ax.set_xlabel("Performance: mean rating")
    ax.set_ylabel("Importance: share of R² (%)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def survival_curves(km: pd.DataFrame, title: str = "Share of customers still active", time_unit: str = "days",
                    ax: plt.Axes | None = None) -> plt.Axes:
    """Kaplan-Meier step curves per segment with their 95% intervals as bands.

    ``km`` is a :func:`cxlib.survival.kaplan_meier` result; NPS groups keep their colours.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    for i, (name, rows) in enumerate(km.groupby("segment", sort=False)):
        color = NPS_GROUP_COLORS.get(str(name), PALETTE[i % len(PALETTE)])
        t = [0.0, *rows["time"]]
        ax.step(t, [100.0, *(100 * rows["survival"])], where="post", color=color, label=str(name))
        ax.fill_between(t, [100.0, *(100 * rows["ci_low"])], [100.0, *(100 * rows["ci_high"])], step="post",
                        color=color, alpha=0.18, linewidth=0)
    ax.set_title(f"{title} (Kaplan-Meier; band: 95% interval)", fontsize=10)
    ax.set_xlabel(f"Tenure ({time_unit})")
    ax.set_ylabel("Still active (%)")
    ax.spines[["top", "right"]].set_visible(False)
    if km["segment"].nunique() > 1:
        ax.legend(frameon=False, fontsize=8)
    return ax


def hazard_ratios(terms: pd.DataFrame, title: str = "Hazard ratios", ax: plt.Axes | None = None) -> plt.Axes:
    """Forest plot of hazard ratios with 95% intervals on a log scale (``terms`` as ``CoxResult.terms``)."""
    rows = terms.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.35 * len(rows) + 1.2), layout="constrained")
    errors = _error_lengths(rows["hazard_ratio"], rows["ci_low"], rows["ci_high"])
    colors = [NPS_GROUP_COLORS["detractor"] if low > 1 else NPS_GROUP_COLORS["promoter"] if high < 1 else GREY
              for low, high in zip(rows["ci_low"], rows["ci_high"], strict=True)]
    ax.errorbar(rows["hazard_ratio"], rows["term"].astype(str), xerr=errors, fmt="none", ecolor="#333333",
                capsize=2)
    ax.scatter(rows["hazard_ratio"], rows["term"].astype(str), color=colors, zorder=3)
    ax.axvline(1.0, color="#333333", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ax.set_title(f"{title}\n(above 1: leave sooner; orange/green: interval excludes 1)", fontsize=9)
    ax.set_xlabel("Hazard ratio (log scale)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def theme_shares(themes: pd.DataFrame, title: str = "What comments are about", ax: plt.Axes | None = None) -> plt.Axes:
    """Share of comments per theme with 95% intervals (``themes`` as :func:`cxlib.feedback.theme_table`)."""
    rows = themes.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.3 * len(rows) + 1.2), layout="constrained")
    errors = _error_lengths(rows["share"], rows["ci_low"], rows["ci_high"])
    colors = [GREY if theme == "untagged" else ACCENT for theme in rows["theme"]]
    ax.barh(rows["label"].astype(str), rows["share"], xerr=errors, color=colors, ecolor="#333333", capsize=2)
    n = int(themes["comments"].max()) if len(themes) else 0
    ax.set_title(f"{title} (n = {n:,} comments; lines: 95% interval)", fontsize=9)
    ax.set_xlabel("Share of comments (%); a comment can have several themes")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
