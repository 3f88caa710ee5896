"""Closing the loop: who to call back today, who to ask for a referral, and what customers write about.

* **Call-back list**: customers whose latest answer in the window made them detractors
  (0-6), one row per customer, ordered by ``priority = (7 - score) x revenue`` (the
  angriest, most valuable first; without revenue, by score), then most recent first;
  customers who have already left are not called back (counted). Each row carries the
  comment's main theme (the first theme of the taxonomy it matches: the taxonomy lists
  themes in order of precedence) and the theme's owner as the suggested owner.
* **Promoter list**: customers whose latest answer in the window is 9-10, for referrals;
  those whose comment praises the brand or shares content are testimonial candidates
  and come first, then by score and revenue.
* **Themes against detractors**: for each theme, its share among detractors' comments
  against the other comments, with Agresti-Caffo intervals and Holm-adjusted z-tests; a
  theme is over-represented when its adjusted p < 0.05 and detractors mention it more.
* **Crisis flag**: incident comments in the window, their share against the share before
  it (two-proportion test), with examples; any incident comment raises the flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import Markdown

from ..compare import share_difference
from ..formatting.narrative import fmt_count, md
from ..inference import holm, wilson_interval
from ..io import columns as col
from ..io import load, read_table
from ..io.quality import DataError, DataQuality
from .themes import UNTAGGED, Taxonomy, load_taxonomy, tag_themes, theme_table

__all__ = ["CRISIS_THEME", "ClosedLoop", "callback_list", "closed_loop", "crisis_flag", "main_theme",
           "promoter_list", "run_closed_loop", "themes_by_detractors"]

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


def callback_list(rows: pd.DataFrame, flags: pd.DataFrame, taxonomy: Taxonomy, columns: dict) -> pd.DataFrame:
    """Detractors to call back, angriest and most valuable first (module docstring); ``rows`` already in the window."""
    detractors = _latest_per_customer(rows[rows[columns["score"]] <= 6], columns["id"], columns["date"])
    out = _contact_rows(detractors, flags, taxonomy, columns)
    weight = out["revenue"].fillna(out["revenue"].median() if out["revenue"].notna().any() else 1.0)
    out["priority"] = (7 - out["score"]) * weight
    return out.sort_values(["priority", "score", "date"], ascending=[False, True, False],
                           kind="stable").reset_index(drop=True)


def promoter_list(rows: pd.DataFrame, flags: pd.DataFrame, taxonomy: Taxonomy, columns: dict) -> pd.DataFrame:
    """Promoters for referrals; testimonial candidates (praise, shared content) first (module docstring)."""
    promoters = _latest_per_customer(rows[rows[columns["score"]] >= 9], columns["id"], columns["date"])
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
    over_represented.
    """
    has = flags[UNTAGGED].notna() & scores.notna()
    group = np.where(scores[has] <= 6, "detractor", "other")
    if not {"detractor", "other"} <= set(group):
        raise DataError("comparing themes needs comments from detractors and from other customers",
                        rule="both groups present")
    rows = []
    for theme in taxonomy.names:
        d = share_difference(flags.loc[has, theme].astype(bool), pd.Series(group), "detractor", "other",
                             "share %", ci)
        rows.append({"theme": theme, "label": taxonomy.label(theme),
                     "detractor_comments": int((group == "detractor").sum()),
                     "share_detractors": d.components["value_detractor"],
                     "other_comments": int((group == "other").sum()), "share_others": d.components["value_other"],
                     "difference": d.value, "ci_low": d.ci_low, "ci_high": d.ci_high, "p_value": d.p_value})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].fillna(1.0).to_numpy())
    out["over_represented"] = (out["p_adjusted"] < 0.05) & (out["difference"] > 0)
    return out.sort_values("difference", ascending=False, kind="stable").reset_index(drop=True)


def crisis_flag(flags: pd.DataFrame, dates: pd.Series, comments: pd.Series, since: pd.Timestamp,
                theme: str = CRISIS_THEME, ci: float = 0.95, examples: int = 3) -> dict:
    """Crisis comments in the window against before it (module docstring)."""
    if theme not in flags.columns:
        return {"raised": False, "theme": theme, "count": 0, "comments": 0, "note": f"no theme {theme!r}"}
    has = flags[UNTAGGED].notna()
    window = (dates >= since) & has
    before = (dates < since) & has
    hit = flags[theme].fillna(False).astype(bool)
    count, n = int((hit & window).sum()), int(window.sum())
    share = count / n if n else np.nan
    low, high = wilson_interval(np.array(share), np.array(float(n)), ci) if n else (np.nan, np.nan)
    out = {"raised": count > 0, "theme": theme, "count": count, "comments": n, "share": 100 * share,
           "ci_low": 100 * float(low), "ci_high": 100 * float(high),
           "examples": comments[hit & window].iloc[::-1].drop_duplicates().head(examples).tolist()}
    if before.sum() and n:
        d = share_difference(hit[window | before], pd.Series(np.where(window[window | before], "window", "before")),
                             "window", "before", "share %", ci)
        out.update({"share_before": d.components["value_before"], "difference": d.value, "p_value": d.p_value,
                    "above_usual": bool(d.p_value < 0.05 and d.value > 0)})
    return out


@dataclass(frozen=True)
class ClosedLoop:
    """Results of the closed-loop study."""

    since: pd.Timestamp
    until: pd.Timestamp
    answers: int
    comments: int
    callbacks: pd.DataFrame
    promoters: pd.DataFrame
    already_left: int
    themes: pd.DataFrame
    themes_by_period: pd.DataFrame
    themes_by_segment: pd.DataFrame | None
    detractor_themes: pd.DataFrame
    crisis: dict
    taxonomy: Taxonomy = field(repr=False)
    quality: DataQuality | None = field(default=None, repr=False)

    def headline(self) -> dict:
        return {"call-backs": fmt_count(len(self.callbacks)), "promoters": fmt_count(len(self.promoters)),
                "crisis flag": "raised" if self.crisis["raised"] else "none"}

    def crisis_banner(self) -> Markdown:
        """The flag for the top of the report: a quote block when incident comments are in the window."""
        c = self.crisis
        if not c["raised"]:
            return md("No comment in the window mentions an incident or crisis.")
        usual = ""
        if "share_before" in c:
            usual = f" (usually {c['share_before']:.1f}%: {'above' if c['above_usual'] else 'not above'} usual)"
        return md("> **Crisis flag: {count} comments in the window mention an incident or crisis**, {share}% of "
                  "comments (95% CI {low} to {high}){usual}. Latest: {quoted}", count=fmt_count(c["count"]),
                  share=f"{c['share']:.1f}", low=f"{c['ci_low']:.1f}", high=f"{c['ci_high']:.1f}", usual=usual,
                  quoted="; ".join(f"“{e}”" for e in c["examples"]))

    def summary(self) -> Markdown:
        parts = [md("From {since} to {until}, {answers} answers with {comments} comments.",
                    since=f"{self.since:%Y-%m-%d}", until=f"{self.until:%Y-%m-%d}", answers=fmt_count(self.answers),
                    comments=fmt_count(self.comments))]
        if len(self.callbacks):
            owners = self.callbacks["suggested_owner"].value_counts()
            parts.append(md("{n} detractors to call back ({owners}); {left} more have already left.",
                            n=fmt_count(len(self.callbacks)), left=fmt_count(self.already_left),
                            owners=", ".join(f"{owner} {count}" for owner, count in owners.head(3).items())))
        parts.append(md("{n} promoters to ask for a referral, {t} of them with a comment fit for a testimonial.",
                        n=fmt_count(len(self.promoters)),
                        t=fmt_count(int((self.promoters["suggested_use"] == "testimonial").sum()))))
        tagged = self.themes[self.themes["theme"] != UNTAGGED]
        if len(tagged) and tagged.iloc[0]["count"] > 0:
            top = tagged.iloc[0]
            parts.append(md("The most frequent theme is {label}: {share}% of comments (95% CI {low} to {high}).",
                            label=top["label"].lower(), share=f"{top['share']:.0f}", low=f"{top['ci_low']:.0f}",
                            high=f"{top['ci_high']:.0f}"))
        over = self.detractor_themes[self.detractor_themes["over_represented"]]
        if len(over):
            first = over.iloc[0]
            parts.append(md("Detractors write about {label} more than others: {a}% against {b}% "
                            "(difference {d} points, 95% CI {low} to {high}).", label=first["label"].lower(),
                            a=f"{first['share_detractors']:.0f}", b=f"{first['share_others']:.0f}",
                            d=f"{first['difference']:.0f}", low=f"{first['ci_low']:.0f}",
                            high=f"{first['ci_high']:.0f}"))
        return Markdown(" ".join(p.data for p in parts))

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "answers": self.answers, "comments": self.comments,
                "callbacks": {"rows": len(self.callbacks), "already_left": self.already_left,
                              "top": self.callbacks.head(20)},
                "promoters": {"rows": len(self.promoters), "top": self.promoters.head(20)},
                "themes": self.themes, "themes_by_period": self.themes_by_period,
                "themes_by_segment": self.themes_by_segment, "detractor_themes": self.detractor_themes,
                "crisis": self.crisis, "taxonomy": self.taxonomy.source}


def closed_loop(rows: pd.DataFrame, score: str = "nps", id_col: str = "customer_id", date: str = "survey_date",
                comment: str = "comment", touchpoint: str | None = "touchpoint", revenue: str | None = None,
                segment: str | None = None, left: pd.Series | None = None, window_days: int = 30,
                until=None, period: str = "Q", taxonomy: str | Taxonomy = "en",
                quality: DataQuality | None = None) -> ClosedLoop:
    """The closed-loop study on one row per answer (module docstring).

    The window is the ``window_days`` days up to ``until`` (default: the latest answer).
    ``left`` is a boolean Series aligned with ``rows``: the customer has already left
    (not called back). Theme shares cover every comment, per ``period`` and ``segment``.
    """
    tax = load_taxonomy(taxonomy)
    rows = rows[rows[score].notna()]
    flags = tag_themes(rows, comment, tax)
    until = pd.Timestamp(until) if until is not None else rows[date].max()
    since = until - pd.Timedelta(days=window_days - 1)
    in_window = (rows[date] >= since) & (rows[date] <= until)
    columns = {"id": id_col, "score": score, "date": date, "comment": comment, "touchpoint": touchpoint,
               "revenue": revenue}
    window = rows[in_window]
    gone = (left.reindex(window.index).fillna(False).astype(bool) if left is not None
            else pd.Series(False, index=window.index))
    callbacks = callback_list(window[~gone.to_numpy(dtype=bool)], flags, tax, columns)
    everyone = callback_list(window, flags, tax, columns)
    promoters = promoter_list(window[~gone.to_numpy(dtype=bool)], flags, tax, columns)
    periods = rows[date].dt.to_period(period).astype(str).rename("period")
    by_period = theme_table(rows.assign(period=periods), comment, "period", tax)
    by_segment = theme_table(rows, comment, segment, tax) if segment else None
    return ClosedLoop(since, until, int(in_window.sum()), int(flags.loc[in_window, UNTAGGED].notna().sum()),
                      callbacks[LIST_COLUMNS + ["priority"]], promoters[LIST_COLUMNS + ["suggested_use"]],
                      len(everyone) - len(callbacks), theme_table(rows, comment, None, tax), by_period, by_segment,
                      themes_by_detractors(flags, rows[score], tax),
                      crisis_flag(flags, rows[date], rows[comment], since), tax, quality)


def run_closed_loop(data_path=None, id_col: str = "customer_id", score_col: str = "nps", date_col: str = "survey_date",
                    comment_col: str = "comment", touchpoint_col: str | None = "touchpoint",
                    revenue_col: str | None = "monthly_revenue", segment_col: str | None = "plan",
                    left_col: str | None = None, window_days: int = 30, until=None, period: str = "Q",
                    taxonomy: str = "en", missing_codes=None):
    """Load the answers (the sample, or a flat table) and run the closed-loop study; what the notebook calls.

    On the sample, customers with a churn date on or before the end of the window have
    already left. In a flat table ``left_col`` (yes/no) says so, if given.
    """
    if data_path is None:
        data = load(missing_codes=missing_codes)
        rows = data.survey_frame()
        end = pd.Timestamp(until) if until is not None else rows[date_col].max()
        left = rows["churn_date"].notna() & (rows["churn_date"] <= end)
        quality = data.quality
    else:
        rules = {id_col: col.identifier(), score_col: col.score(0, 10, required=True),
                 date_col: col.date(required=True, nullable=False), comment_col: col.text(required=True)}
        rules.update({c: col.category(required=True) for c in (touchpoint_col, segment_col) if c})
        if revenue_col:
            rules[revenue_col] = col.amount(required=True)
        if left_col:
            rules[left_col] = col.flag(required=True)
        data = read_table(data_path, rules, name="responses", missing_codes=missing_codes)
        rows, quality = data.data, data.quality
        left = rows[left_col].fillna(False).astype(bool) if left_col else None
    study = closed_loop(rows, score_col, id_col, date_col, comment_col, touchpoint_col, revenue_col, segment_col, left,
                        window_days, until, period, taxonomy, quality)
    return study, data
