"""The ``closed_loop`` study: which detractors do we call back today, and what are customers writing about?"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import Condition, SourceData
from ..feedback.closed_loop import (
    LIST_COLUMNS,
    callback_list,
    crisis_flag,
    promoter_list,
    themes_by_detractors,
)
from ..feedback.themes import (
    UNTAGGED,
    Taxonomy,
    load_taxonomy,
    placeholder_comments,
    tag_themes,
    theme_claim,
    theme_table,
)
from ..formatting.claims import Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p, ngettext, plural, word_list
from ..formatting.result_view import ResultView
from ..io import CXData
from ..io import columns as col
from ..io.quality import NOTE, DataError, DataQuality
from ..io.tables import SURVEY_FRAME_COLUMNS
from .churn_study import state_panel
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs
from .parameters import Choice, Column, Date, Integer, Number
from .shared import (
    backend_parameters,
    check_backend,
    check_reading,
    check_taxonomy,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    require_scores,
    row_issue,
    taxonomy_parameter,
    unanswered_notes,
)

__all__ = ["STUDY", "ClosedLoop", "closed_loop", "run_closed_loop"]


@dataclass(frozen=True, repr=False)
class ClosedLoop(ResultView):
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
    callback_order: str = "(7 - score) x revenue"
    latest: pd.Timestamp | None = None  # the day of the latest answer read, for a window that holds none

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the call-backs waiting."""
        return [figure("callbacks", "Call-backs waiting", len(self.callbacks), unit="count", better="lower",
                       period=(f"{self.since:%Y-%m-%d}", f"{self.until:%Y-%m-%d}"))]

    def headline(self) -> dict:
        return {"call-backs": fmt_count(len(self.callbacks)), "promoters": fmt_count(len(self.promoters)),
                "crisis flag": "raised" if self.crisis["raised"] else "not raised"}

    def crisis_claim(self) -> Claim:
        """The state of the crisis flag for the top of the report: none, present, or above usual."""
        c = self.crisis
        numbers = {k: c.get(k) for k in ("state", "count", "share", "share_before", "p_value")}
        if c["state"] == "none":
            return Claim("closed_loop.crisis_none", "No comment in the window mentions an incident or crisis.",
                         numbers=numbers)
        values = {"count": plural(c["count"], "comment", "comments"), "share": f"{c['share']:.1f}",
                  "low": f"{c['ci_low']:.1f}", "high": f"{c['ci_high']:.1f}",
                  "verb": ngettext("mentions", "mention", c["count"]),
                  "quoted": "; ".join(f"“{e}”" for e in c["examples"])}
        test = "two-proportion z-test of the window against before it"
        if c["state"] == "above usual":
            return Claim("closed_loop.crisis_above_usual", "Crisis flag: {count} in the window {verb} an incident or "
                         "crisis, {share}% of comments (95% CI {low} to {high}%), above the usual {before}% ({p}). "
                         "Latest: {quoted}", {**values, "before": f"{c['share_before']:.1f}", "p": fmt_p(c["p_value"])},
                         numbers, test)
        usual = ("no earlier comments to compare with" if "share_before" not in c else
                 f"not above the usual {c['share_before']:.1f}% ({fmt_p(c['p_value'])})")
        return Claim("closed_loop.crisis_present", "No crisis flag: {count} in the window {verb} an incident, {share}% "
                     "of comments (95% CI {low} to {high}%), {usual}. Latest: {quoted}", {**values, "usual": usual},
                     numbers, test)

    def no_detractor_themes(self) -> Claim:
        """Why no theme is compared between detractors and the others: no comment names a theme of the taxonomy
        (comments in another language than the taxonomy's), or the scored comments come from one group only."""
        if not (self.themes.loc[self.themes["theme"] != UNTAGGED, "count"] > 0).any():
            return Claim("closed_loop.no_themes", "Not available: no comment names a theme of the taxonomy "
                         "({language}), so no theme can set detractors apart; is taxonomy the comments' language?",
                         {"language": self.taxonomy.language}, {"tagged_comments": 0})
        return Claim("closed_loop.one_group", "Not available: the scored comments all come from detractors, or none "
                     "does, so there is no one to compare with.", {}, {})

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        window = {"since": f"{self.since:%Y-%m-%d}", "until": f"{self.until:%Y-%m-%d}"}
        if not self.answers and self.latest is not None and pd.notna(self.latest):
            where = "after" if self.latest > self.until else "before"
            return [Claim("closed_loop.window_empty", "No answer falls in the window from {since} to {until}, so "
                          "nobody is to be called back: the latest answer is from {latest}, {where} the window. Is "
                          "until (or window_days) right?", {**window, "latest": f"{self.latest:%Y-%m-%d}",
                                                            "where": where},
                          {"answers": 0, "latest": f"{self.latest:%Y-%m-%d}"})]
        out = [Claim("closed_loop.window", "From {since} to {until}, {answers} answers with {comments} comments.",
                     {**window, "answers": fmt_count(self.answers), "comments": fmt_count(self.comments)},
                     {"answers": self.answers, "comments": self.comments})]
        if len(self.callbacks):
            owners = self.callbacks["suggested_owner"].value_counts()
            left = "" if not self.already_left else "; " + ngettext(
                "{n} more detractor has already left", "{n} more detractors have already left",
                self.already_left).format(n=fmt_count(self.already_left))
            out.append(Claim("closed_loop.callbacks", "Call back {n} today ({owners}), {order} first{left}.",
                             {"n": plural(len(self.callbacks), "detractor", "detractors"),
                              "order": "most revenue at stake" if "churn_risk" in self.callbacks
                              else "angriest and most valuable", "left": left,
                              "owners": word_list([f"{owner} {count}" for owner, count in owners.items()])},
                             {"callbacks": len(self.callbacks), "already_left": self.already_left}, joins=True))
        testimonials = int((self.promoters["suggested_use"] == "testimonial").sum())
        out.append(Claim("closed_loop.promoters", "Ask {n} for a referral, {t} of them with a comment fit for a "
                         "testimonial.", {"n": plural(len(self.promoters), "promoter", "promoters"),
                                          "t": fmt_count(testimonials)},
                         {"promoters": len(self.promoters), "testimonials": testimonials}))
        tagged = self.themes[self.themes["theme"] != UNTAGGED]
        if len(tagged) and tagged.iloc[0]["count"] > 0:
            top = tagged.iloc[0]
            out.append(theme_claim("closed_loop.top_theme", "Across all {comments} comments in the data (not only the "
                                   "window), the most frequent theme is {label}: {share}% (95% CI {low} to {high}%).",
                                   top))
        over = self.detractor_themes[self.detractor_themes["over_represented"]]
        if len(over):
            first = over.iloc[0]
            out.append(Claim("closed_loop.detractor_theme", "Detractors' comments are about {label} more often than "
                             "the others': {a}% against {b}% (difference {d} percentage points, 95% CI {low} to "
                             "{high}).",
                             {"label": first["label"].lower(), "a": f"{first['share_detractors']:.0f}",
                              "b": f"{first['share_others']:.0f}", "d": f"{first['difference']:.0f}",
                              "low": f"{first['ci_low']:.0f}", "high": f"{first['ci_high']:.0f}"},
                             {"theme": first["theme"], "difference": first["difference"],
                              "p_adjusted": first["p_adjusted"]}, "two-proportion z-test, Holm-adjusted"))
        return out

    def period_table(self, last: int = 8) -> pd.DataFrame:
        """Each theme's share of comments (%) in the ``last`` periods, one column per period: a table that fits a
        page (every period is in ``themes_by_period`` and results.json)."""
        wide = self.themes_by_period.pivot(index="label", columns="period", values="share")
        return wide.iloc[:, -last:].rename_axis("share of comments, %").rename_axis(None, axis=1)

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "answers": self.answers, "comments": self.comments,
                "callbacks": {"rows": len(self.callbacks), "already_left": self.already_left, "order": self.callback_order,
                              "top": self.callbacks.head(20)},
                "promoters": {"rows": len(self.promoters), "top": self.promoters.head(20)},
                "themes": self.themes, "themes_by_period": self.themes_by_period,
                "themes_by_segment": self.themes_by_segment, "detractor_themes": self.detractor_themes,
                "crisis": self.crisis, "taxonomy": self.taxonomy.source,
                "claims": [c.to_dict() for c in self.claims()]}


def churn_risk(data: CXData, until, days: float = 30) -> pd.DataFrame:
    """Each customer's probability of leaving within ``days`` days after ``until`` as a detractor, by service.

    A constant hazard per state: over the customer-months of :func:`state_panel` up to
    ``until``, the leavers over the days at risk of detractors (customers whose latest
    answer was 0-6) with and without a bad service experience so far; the probability is
    ``1 - exp(-hazard x days)``. Everyone on the call-back list is a detractor now, so each
    gets the detractors' hazard of their service state in the last month. Returns a frame
    indexed by customer id with ``bad_service`` (yes or no) and ``risk``.
    """
    panel = state_panel(data, as_of=until)
    detractors = panel[panel["nps_state"] == "detractor"]
    days_at_risk = detractors["stop"] - detractors["start"]
    hazard = (detractors["event"].groupby(detractors["bad_service_so_far"]).sum()
              / days_at_risk.groupby(detractors["bad_service_so_far"]).sum())
    latest = panel.sort_values("start", kind="stable").groupby("customer_id").tail(1).set_index("customer_id")
    rate = latest["bad_service_so_far"].map(hazard).to_numpy(dtype=float)
    return pd.DataFrame({"bad_service": latest["bad_service_so_far"], "risk": 1 - np.exp(-rate * days)},
                        index=latest.index)


def closed_loop(rows: pd.DataFrame, score: str = "nps", id_col: str = "customer_id", date: str = "survey_date",
                comment: str = "comment", touchpoint: str | None = "touchpoint", revenue: str | None = None,
                segment: str | None = None, left: pd.Series | None = None, window_days: int = 30,
                until=None, period: str = "Q", taxonomy: str | Taxonomy = "en",
                quality: DataQuality | None = None, risk: pd.DataFrame | None = None,
                risk_days: float = 30) -> ClosedLoop:
    """The closed-loop study on one row per answer (module docstring).

    The window is the ``window_days`` days up to ``until`` (default: the day of the latest
    answer); a customer's latest answer is the latest by date and, where the data give it,
    time of day (answers at the same moment: the later row in the file).
    ``left`` is a boolean Series aligned with ``rows``: the customer has already left
    (none of their answers is called back, whichever came last). Theme shares cover every comment, scored or not, per ``period`` and
    ``segment``, and the window's counts every answer in it; the call-back and referral
    lists and the detractors' themes need the score, so they use the scored answers.
    ``risk`` (:func:`churn_risk`) orders the call-back list by expected revenue lost over
    the next ``risk_days`` days.
    """
    tax = load_taxonomy(taxonomy)
    flags = tag_themes(rows, comment, tax)
    day = rows[date].dt.normalize()  # the window counts days; the time of day, where given, orders a day's answers
    until = pd.Timestamp(until).normalize() if until is not None else day.max()
    since = until - pd.Timedelta(days=window_days - 1)
    in_window = (day >= since) & (day <= until)
    scored = rows[score].notna()
    columns = {"id": id_col, "score": score, "date": date, "comment": comment, "touchpoint": touchpoint,
               "revenue": revenue}
    window = rows[in_window & scored]
    gone = pd.Series(False, index=window.index)
    if left is not None:  # a customer one of whose answers says they left has left: no answer of theirs is called back
        said = left.reindex(window.index).fillna(False).astype(bool)
        gone = window[id_col].isin(window.loc[said, id_col])
    callbacks = callback_list(window[~gone.to_numpy(dtype=bool)], flags, tax, columns, risk, risk_days)
    everyone = callback_list(window, flags, tax, columns)
    promoters = promoter_list(window[~gone.to_numpy(dtype=bool)], flags, tax, columns)
    periods = day.dt.to_period(period).astype(str).rename("period")
    by_period = theme_table(rows.assign(period=periods), comment, "period", tax)
    by_segment = theme_table(rows, comment, segment, tax) if segment else None
    return ClosedLoop(since, until, int(in_window.sum()), int(flags.loc[in_window, UNTAGGED].notna().sum()),
                      callbacks[LIST_COLUMNS + [c for c in ("churn_risk", "priority", "why") if c in callbacks]],
                      promoters[LIST_COLUMNS + ["suggested_use"]],
                      len(everyone) - len(callbacks), theme_table(rows, comment, None, tax), by_period, by_segment,
                      themes_by_detractors(flags[scored], rows.loc[scored, score], tax),
                      crisis_flag(flags, day, rows[comment], since), tax, quality,
                      "expected revenue lost " + ngettext("over the next day", "over the next {n} days", risk_days)
                      .format(n=f"{risk_days:g}") + " (detractors' churn rate, with and "
                      "without a bad service experience)"
                      if risk is not None else "(7 - score) x revenue: without churn data, no customer's risk of "
                      "leaving can be estimated", day.max())


SAME_MOMENT = ("answers of one customer at one moment with different scores (a date without a time of day): the "
               "later row in the file is taken as the latest")


def _same_moment(rows: pd.DataFrame, id_col: str, date: str, score: str) -> np.ndarray:
    """True for scored answers of a customer that share their date and time with another of different score."""
    scored = rows[rows[score].notna() & rows[id_col].notna() & rows[date].notna()]
    differ = scored.groupby([id_col, date])[score].transform("nunique") > 1
    return rows.index.isin(differ.index[differ.to_numpy(dtype=bool)])


def run(p: Parameters):
    """The closed-loop study on checked parameters (the ``closed_loop`` notebook's call): the answers (the sample,
    or a flat table) loaded, then ``(ClosedLoop, data)``.

    On the sample, customers with a churn date on or before the end of the window have
    already left. In a flat table ``left_col`` (yes/no) says so, if given. ``min_rows`` and
    ``max_excluded`` stop the study on too few usable answers. With ``backend`` "duckdb" or
    "dask" only the answers the study uses are read from a flat table, filtered where the
    data are: those with a score and either a comment or a date in the window.
    """
    inputs = Inputs.of(p)
    if inputs.canonical:
        data = inputs.tables()
        rows = data.survey_frame()
        end = pd.Timestamp(p.until) if p.until is not None else rows[p.date_col].max()
        left = rows["churn_date"].notna() & (rows["churn_date"] <= end)
        quality, risk = data.quality, churn_risk(data, end, p.risk_days)
    else:
        rules = {p.id_col: col.identifier(), p.score_col: col.score(0, 10, required=True),
                 p.date_col: col.timestamp(required=True, nullable=False, past=True, local=True), p.comment_col: col.text(required=True)}
        rules.update({c: col.category(required=True) for c in (p.touchpoint_col, p.segment_col) if c})
        if p.revenue_col:
            rules[p.revenue_col] = col.amount(required=True, optional_view=True)  # the order of the list only
        if p.left_col:
            rules[p.left_col] = col.left_flag(required=True)
        if not inputs.in_memory:
            rows, data = _used_answers(p, inputs, rules)
        else:
            data = inputs.read(rules, "responses")
            rows = data.data
        quality = data.quality
        require_scores(quality, p.score_col, "responses", "the call-back list's order (7 - score) x revenue")
        left = rows[p.left_col].fillna(False).astype(bool) if p.left_col else None
        risk = None
    gate(quality, "responses", p, "answers")
    placeholders = placeholder_comments(rows[p.comment_col]).to_numpy()
    if placeholders.any():  # "No comment" is no comment: counted here, left out of every theme's share
        data = dataclasses.replace(data, quality=data.quality + DataQuality((row_issue(
            rows, placeholders, p.comment_col, "a placeholder, not a comment (left out of the themes)", NOTE,
            "responses"),)))
    tied = _same_moment(rows, p.id_col, p.date_col, p.score_col)
    if tied.any():  # 3 then 9 on one day with no time: which came last is the file's order, and the reader must know
        data = dataclasses.replace(data, quality=data.quality + DataQuality((row_issue(
            rows, tied, p.date_col, SAME_MOMENT, NOTE, "responses"),)))
    data = unanswered_notes(data, "responses", {p.score_col: int(rows[p.score_col].notna().sum())})
    quality = data.quality
    study = closed_loop(rows, score=p.score_col, id_col=p.id_col, date=p.date_col, comment=p.comment_col,
                        touchpoint=p.touchpoint_col, revenue=p.revenue_col, segment=p.segment_col, left=left,
                        window_days=p.window_days, until=p.until, period=p.period, taxonomy=p.taxonomy,
                        quality=quality, risk=risk, risk_days=p.risk_days)
    return study, data


def _used_answers(p: Parameters, inputs: Inputs, rules: dict) -> tuple[pd.DataFrame, SourceData]:
    """The answers the closed loop uses, read out of core: those with a comment or a date in the window (which ends
    at ``until`` or at the latest answer), scored or not, validated as in memory (:meth:`Inputs.rows`)."""

    def used(source) -> pd.DataFrame:
        latest = source.date_range(p.date_col)
        if latest is None:
            raise DataError(f"responses: no answer has a date in {p.date_col!r}", table="responses",
                            column=p.date_col, rule="answers present")
        since = pd.Timestamp(p.until if p.until is not None else latest["to"]) - pd.Timedelta(days=p.window_days - 1)
        return source.rows(list(rules), [], [Condition(p.comment_col, "present"),
                                             Condition(p.date_col, "on or after", since)])

    return inputs.rows("responses", rules, used, lambda read, total: (
        f"Only the {read:,} answers the call-backs and themes use (a comment, or a date in the window) were read "
        "into memory; the data quality table counts those."))


STUDY = StudyDeclaration(
    "closed_loop", "Closing the loop",
    "Which detractors do we call back today, who calls, and what are customers writing about?",
    "a CSV or Parquet table with one row per answer: customer id, score, date and comment",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per answer"),
        Column("id_col", "customer_id", "customer id column"),
        Column("score_col", "nps", "likelihood to recommend, 0-10"),
        Column("date_col", "survey_date", "date of the answer"),
        Column("comment_col", "comment", "the open-ended comment"),
        Column("touchpoint_col", "touchpoint", "where the answer came from; None: none", nullable=True,
               own_data=None),
        Column("revenue_col", "monthly_revenue", "revenue per customer (orders the call-back list); None: none",
               nullable=True, own_data=None),
        Column("segment_col", "plan", "theme shares per segment; None: none", nullable=True, own_data=None),
        Column("left_col", None, 'yes/no, or a status (Active/Cancelled): "customer has already left"; None: none',
               nullable=True),
        Integer("window_days", 30, "the lists cover answers of the last window_days days", low=1, high=3660),
        Number("risk_days", 30, "sample only: the call-back list is ordered by revenue expected to be lost over "
               "these next days (revenue_col is revenue per this period)", low=0, above=True, high=3660),
        Date("until", None, "last day of the window (YYYY-MM-DD); None: the latest answer", nullable=True),
        Choice("period", "Q", 'theme shares per period: "M" month, "Q" quarter, "Y" year', choices=("M", "Q", "Y")),
        taxonomy_parameter("comments"),
        *common_parameters(1),
        *backend_parameters(),
    ),
    derived_columns=SURVEY_FRAME_COLUMNS,
    checks=(check_taxonomy, check_backend, check_reading, in_memory_only("missing_codes")),
    run=run,
)

run_closed_loop = STUDY.function("run_closed_loop")
