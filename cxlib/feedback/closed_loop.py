"""Closing the loop: who to call back today, who to ask for a referral, and what customers write about.

* **Call-back list**: customers whose latest answer in the window made them detractors
  (0-6), one row per customer, ordered by the revenue each is expected to take with them
  over the next period, ``expected_loss = risk x revenue``, where ``risk`` is the
  customer's probability of leaving within the period from a churn model (given by the
  caller; :func:`cxlib.studies.closed_loop.churn_risk` on the canonical tables). Without
  a churn model, by ``priority = (7 - score) x revenue`` (the angriest, most valuable
  first; without revenue, by score); then most recent first. Customers who have already
  left are not called back (counted). Each row carries the comment's main theme (the
  first theme of the taxonomy it matches: the taxonomy lists themes in order of
  precedence), the theme's owner as the suggested owner, and why the customer is on the
  list, in words.
* **Promoter list**: customers whose latest answer in the window is 9-10, for referrals;
  those whose comment praises the brand or shares content are testimonial candidates
  and come first, then by score and revenue.
* **Themes against detractors**: for each theme, its share among detractors' comments
  against the other comments, with Agresti-Caffo intervals and Holm-adjusted z-tests; a
  theme is over-represented when its adjusted p < 0.05 and detractors mention it more.
* **Crisis flag**, in three states: "none" (no comment in the window mentions an incident),
  "present" (some do, but their share is not above the share before the window, or there
  is no earlier comment to compare with) and "above usual" (a two-sided z-test of the
  Agresti-Caffo difference between the window's share and the share before it rejects at
  5% and the share rose); only the
  last raises the flag. Examples of the comments come with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.inference import holm, wilson_interval
from ..formatting import labels
from ..io.nps_groups import score_groups
from ..metrics.compare import share_difference
from .themes import UNTAGGED, Taxonomy

__all__ = ["CRISIS_THEME", "callback_list", "crisis_flag", "main_theme",
           "promoter_list", "themes_by_detractors"]

CRISIS_THEME = "incident"
DEFAULT_OWNER = "Customer success"
TESTIMONIAL_THEMES = ("praise", "user_generated_content")
LIST_COLUMNS = ["customer_id", "score", "touchpoint", "date", "theme", "comment", "revenue", "suggested_owner"]


def main_theme(flags: pd.DataFrame, taxonomy: Taxonomy) -> pd.Series:
    """The first theme (in the taxonomy's order of precedence) each comment carries; ``untagged`` or missing."""
    names = taxonomy.names
    tagged = flags[names].fillna(False).to_numpy(dtype=bool)
    first = np.where(tagged.any(axis=1), np.array(names, dtype=object)[tagged.argmax(axis=1)], UNTAGGED)
    return pd.Series(first, index=flags.index, dtype="string").where(flags[UNTAGGED].notna())


def _latest_per_customer(rows: pd.DataFrame, id_col: str, date_col: str) -> pd.DataFrame:
    return rows.sort_values(date_col, kind="stable").groupby(id_col, sort=False).tail(1)


def _contact_rows(rows: pd.DataFrame, flags: pd.DataFrame, taxonomy: Taxonomy, columns: dict) -> pd.DataFrame:
    theme = main_theme(flags.loc[rows.index], taxonomy)
    revenue = rows[columns["revenue"]] if columns["revenue"] else pd.Series(np.nan, index=rows.index)
    touchpoint = rows[columns["touchpoint"]] if columns["touchpoint"] else pd.Series(pd.NA, index=rows.index)
    return pd.DataFrame({
        "customer_id": rows[columns["id"]], "score": rows[columns["score"]].astype(int),
        "touchpoint": touchpoint, "date": rows[columns["date"]], "theme": theme.fillna(""),
        "comment": rows[columns["comment"]].fillna(""), "revenue": revenue.astype(float),
        "suggested_owner": [taxonomy.owner(t) or DEFAULT_OWNER if isinstance(t, str) else DEFAULT_OWNER
                            for t in theme.fillna(UNTAGGED)],
    }, index=rows.index)


def callback_list(rows: pd.DataFrame, flags: pd.DataFrame, taxonomy: Taxonomy, columns: dict,
                  risk: pd.DataFrame | None = None, risk_days: float = 30) -> pd.DataFrame:
    """Detractors to call back, most revenue at stake first (module docstring); ``rows`` already in the window.

    ``risk`` (index: customer id; columns ``risk``, the probability of leaving within
    ``risk_days`` days, and ``bad_service``, yes or no) orders the list by expected
    revenue lost; without it, ``(7 - score) x revenue`` does.
    """
    latest = _latest_per_customer(rows, columns["id"], columns["date"])  # the latest answer decides, any score
    detractors = latest[score_groups(latest[columns["score"]]) == "detractor"]
    out = _contact_rows(detractors, flags, taxonomy, columns)
    weight = out["revenue"].fillna(out["revenue"].median() if out["revenue"].notna().any() else 1.0)
    if risk is not None:
        known = risk.reindex(out["customer_id"])
        out["churn_risk"] = known["risk"].to_numpy(dtype=float)
        out["bad_service"] = known["bad_service"].to_numpy()
        out["priority"] = out["churn_risk"] * weight
    else:
        out["priority"] = (7 - out["score"]) * weight
    out["why"] = [_why(row, taxonomy, risk_days) for row in out.itertuples()]
    return out.sort_values(["priority", "score", "date"], ascending=[False, True, False],
                           kind="stable").reset_index(drop=True)


def _why(row, taxonomy: Taxonomy, risk_days: float) -> str:
    """Why a customer is on the call-back list, in words (the latest answer, the theme, service, the stake)."""
    parts = [f"Scored {row.score} on {row.date:%Y-%m-%d}" + ("" if pd.isna(row.touchpoint) else
                                                              f" ({labels.value(row.touchpoint).lower()})")]
    if row.theme and row.theme != UNTAGGED:
        parts.append(f"comment about: {taxonomy.label(row.theme).lower()}")
    if getattr(row, "bad_service", None) == "yes":
        parts.append("had a bad service experience")
    if not np.isnan(row.revenue):
        parts.append(f"revenue {labels.money(row.revenue, 2)} a period")
    risk = getattr(row, "churn_risk", None)
    if risk is not None and not np.isnan(risk):
        parts.append(f"{100 * risk:.1f}% chance of leaving within {risk_days:g} days")
    return "; ".join(parts) + "."


def promoter_list(rows: pd.DataFrame, flags: pd.DataFrame, taxonomy: Taxonomy, columns: dict) -> pd.DataFrame:
    """Promoters for referrals; testimonial candidates (praise, shared content) first (module docstring)."""
    latest = _latest_per_customer(rows, columns["id"], columns["date"])
    promoters = latest[score_groups(latest[columns["score"]]) == "promoter"]
    out = _contact_rows(promoters, flags, taxonomy, columns)
    present = [t for t in TESTIMONIAL_THEMES if t in flags.columns]
    testimonial = flags.loc[promoters.index, present].fillna(False).any(axis=1).to_numpy(dtype=bool)
    out["suggested_use"] = np.where(testimonial, "testimonial", "referral")
    out["_order"] = ~testimonial
    return (out.sort_values(["_order", "score", "revenue", "date"], ascending=[True, False, False, False],
                            kind="stable", na_position="last").drop(columns="_order").reset_index(drop=True))


def themes_by_detractors(flags: pd.DataFrame, scores: pd.Series, taxonomy: Taxonomy,
                         ci: float = 0.95) -> pd.DataFrame:
    """Each theme's share of detractors' comments against the other comments (module docstring).

    Tidy: theme, label, detractor_comments, share_detractors, other_comments,
    share_others, difference (points) with ci_low/ci_high, p_value, p_adjusted,
    over_represented; no rows when the comments come from one group only. Themes no comment
    mentions are left out: they tell nothing, and would widen the family Holm's adjustment
    allows for.
    """
    has = flags[UNTAGGED].notna() & scores.notna()
    group = np.where(score_groups(scores[has]) == "detractor", "detractor", "other")
    columns = ["theme", "label", "detractor_comments", "share_detractors", "other_comments", "share_others",
               "difference", "ci_low", "ci_high", "p_value", "p_adjusted", "over_represented"]
    if not {"detractor", "other"} <= set(group):  # a bad week, when only detractors comment: nothing to compare
        return pd.DataFrame(columns=columns)
    rows = []
    for theme in taxonomy.names:
        said = flags.loc[has, theme].astype(bool)
        if not said.any():  # a theme no comment mentions tells nothing, and would widen Holm's family
            continue
        d = share_difference(said, pd.Series(group), "detractor", "other", "share %", ci)
        rows.append({"theme": theme, "label": taxonomy.label(theme),
                     "detractor_comments": int((group == "detractor").sum()),
                     "share_detractors": d.components["value_detractor"],
                     "other_comments": int((group == "other").sum()), "share_others": d.components["value_other"],
                     "difference": d.value, "ci_low": d.ci_low, "ci_high": d.ci_high, "p_value": d.p_value})
    if not rows:  # no comment names a theme of the taxonomy (another language's comments): nothing to compare
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["over_represented"] = (out["p_adjusted"] < 0.05) & (out["difference"] > 0)
    return out.sort_values("difference", ascending=False, kind="stable").reset_index(drop=True)


def crisis_flag(flags: pd.DataFrame, dates: pd.Series, comments: pd.Series, since: pd.Timestamp,
                theme: str = CRISIS_THEME, ci: float = 0.95, examples: int = 3) -> dict:
    """Crisis comments in the window against before it (module docstring)."""
    if theme not in flags.columns:
        return {"state": "none", "raised": False, "theme": theme, "count": 0, "comments": 0,
                "note": f"no theme {theme!r}"}
    has = flags[UNTAGGED].notna()
    window = (dates >= since) & has
    before = (dates < since) & has
    hit = flags[theme].fillna(False).astype(bool)
    count, n = int((hit & window).sum()), int(window.sum())
    share = count / n if n else np.nan
    low, high = wilson_interval(np.array(share), np.array(float(n)), ci) if n else (np.nan, np.nan)
    out = {"state": "present" if count else "none", "raised": False, "theme": theme, "count": count, "comments": n,
           "share": 100 * share, "ci_low": 100 * float(low), "ci_high": 100 * float(high),
           "examples": comments[hit & window].iloc[::-1].drop_duplicates().head(examples).tolist()}
    if before.sum() and n:
        d = share_difference(hit[window | before], pd.Series(np.where(window[window | before], "window", "before")),
                             "window", "before", "share %", ci)
        above = bool(count and d.p_value < 1 - ci and d.value > 0)
        out.update({"share_before": d.components["value_before"], "difference": d.value, "p_value": d.p_value,
                    "above_usual": above, "raised": above, "state": "above usual" if above else out["state"]})
    return out


