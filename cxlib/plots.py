"""Charts from results, with one colour-blind-safe palette (Okabe & Ito 2008).

Promoters, passives and detractors always have the same colours. Every chart has a
title and labelled axes with units, and returns its matplotlib ``Axes``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["ACCENT", "NPS_GROUP_COLORS", "score_distribution"]

NPS_GROUP_COLORS = {"detractor": "#D55E00", "passive": "#999999", "promoter": "#009E73"}
ACCENT = "#0072B2"
SCORE_LABELS = {"nps": "Likelihood to recommend (0-10)", "csat": "Satisfaction, CSAT (1-5)",
                "ces": "Customer effort, CES (1-7, 7 = easiest)"}


def _nps_color(value: int) -> str:
    group = "promoter" if value >= 9 else "passive" if value >= 7 else "detractor"
    return NPS_GROUP_COLORS[group]


def score_distribution(distributions: pd.DataFrame, score: str = "nps", ax: plt.Axes | None = None) -> plt.Axes:
    """Bar chart of the share of answers at each score value.

    ``distributions`` is a tidy frame with columns score, value, count, share (as in
    :func:`cxlib.overview.describe`). NPS bars take the colours of their group.
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
