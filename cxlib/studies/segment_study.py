"""The ``segment_study``: which segments are unhappy, which are improving, and whose revenue is at stake.

What the ``segment_study`` notebook reports, from any table with one row per survey
answer (the bundled sample, or a flat export whose columns are named by parameters):

* the overall NPS and every segment of every segment column against the rest
  (difference, interval, Holm-adjusted p, small segments flagged);
* revenue-weighted NPS and the share of revenue held by promoters, passives and
  detractors (each answer weighted by its customer's revenue);
* tenured customers against new ones;
* each segment's NPS per period and its change per period against a target change.

One computation path: the NPS, the segments and the trends come from score histograms
that a backend computes (pandas in memory, DuckDB out of core, Dask on a cluster); the
revenue and tenure views weight or filter rows, and run in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..core.estimate import MIN_N, Estimate, format_ci
from ..core.inference import holm
from ..engine import Backend, Period, SourceData, open_source, source_data
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p, ngettext, plural, word_list
from ..formatting.result_view import ResultView
from ..io import CXData, DataQuality, Table
from ..io.nps_groups import GROUP_RANGES, holds_groups
from ..io.tables import SURVEY_FRAME_COLUMNS
from ..metrics.compare import compare, segment_table_from_histograms
from ..metrics.histogram import score_histogram
from ..metrics.scores import nps, proportion_table
from ..metrics.trends import MIN_PERIODS, Trend, goal, period_word, trend_from_histogram
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs, as_inputs
from .parameters import Choice, Column, Columns, Integer, Number
from .shared import (
    FREQUENCIES,
    NOT_ANSWERED,
    analysis_account,
    backend_parameters,
    check_backend_survey,
    check_reading,
    check_segments,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
)

__all__ = ["STUDY", "SegmentStudy", "load_survey", "run_segment_study", "segment_study"]

THIN_VERDICT = "not judged: a period with few answers"
FEW_CARRY = 10  # a weighted view whose effective n is below a tenth of its answers rests on a few of them (Kish)


def load_survey(data, *, score_col: str, segment_cols: Sequence[str] = (), date_col: str | None = None,
                weight_col: str | None = None, revenue_col: str | None = None, tenure_col: str | None = None,
                id_col: str | None = None) -> tuple[pd.DataFrame, CXData | Table]:
    """One row per answer, validated: the sample's responses with customer columns, or a flat file.

    ``data`` (:class:`~cxlib.studies.inputs.Inputs`, or a path; None: the bundled sample)
    is the sample or a canonical folder (responses joined with customers, with
    ``tenure_days``), or a file of any format :func:`cxlib.io.read_table` reads, read with
    its reading options, which must have the named columns; only those are validated.
    With ``id_col``, a repeated answer is kept once and ids repeated with different values
    are left out, counted. An answer that left the score blank (it answered other questions)
    is not in this study and is counted as not answered. Returns the frame and the loaded
    object (for provenance).
    """
    inputs = as_inputs(data)
    if inputs.canonical:
        data = inputs.tables()
        frame, name = data.survey_frame(), "responses"
    else:
        data = inputs.flat("survey", scores={score_col: (0, 10)}, categories=segment_cols,
                           dates=[date_col] if date_col else (), weights=weight_col,
                           amounts=[c for c in (revenue_col, tenure_col) if c], id_col=id_col, blank_ok=[score_col])
        frame, name = data.data, "survey"
    blank = int(frame[score_col].isna().sum())
    data = analysis_account(data, name, [(score_col, NOT_ANSWERED, blank)], data.quality.rows_kept[name] - blank)
    return frame[frame[score_col].notna()], data


@dataclass(frozen=True, repr=False)
class SegmentStudy(ResultView):
    """Results of the segment study (see the module docstring)."""

    score_col: str
    overall: Estimate
    segments: pd.DataFrame
    revenue: dict | None
    tenure: dict | None
    trends: pd.DataFrame | None
    slopes: pd.DataFrame | None
    target_change: float
    quality: DataQuality | None = field(default=None, repr=False)
    from_groups: bool = False  # the score column gave NPS groups (Promoter, ...) rather than 0-10 answers
    min_n: int = MIN_N  # fewer answers than this in a segment or a period are flagged
    freq: str = "Q"  # the trends' period
    undated: str | None = None  # the date column named, when no answer has a date a period can hold
    tenure_one_side: dict | None = None  # tenure_col named, every answer on one side of the threshold: why no view

    def headline(self) -> dict:
        weak = self.segments[self.segments["significant"] & (self.segments["difference"] < 0)]
        return {"NPS": format_ci(self.overall.value, self.overall.ci_low, self.overall.ci_high, 0),
                "segments below the rest": len(weak)}

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the overall NPS."""
        o = self.overall
        return [figure("nps", "NPS", o.value, o.ci_low, o.ci_high, "points", o.n)]

    def undated_claim(self) -> Claim:
        """Why the trends asked for are missing: no answer has a date a period can hold (Unix seconds, ISO weeks)."""
        return Claim("segment.undated", "Not available: no answer has a date a period can hold in {col}, so there "
                     "are no trends; the data quality table says why.", {"col": labels.in_text(self.undated)},
                     {"date_col": self.undated})

    def introduction(self) -> Claim:
        """What this report compares, in the words of its parameters (never the sample's)."""
        cols = list(dict.fromkeys(self.segments["segment_col"])) if len(self.segments) else []
        answers = ("the NPS groups (promoter, passive, detractor; no 0-10 answers, so no means)"
                   if self.from_groups else "the 0-10 answers")
        return Claim("segment.introduction", "NPS from {answers} in {score}{by}; {trend}.",
                     {"answers": answers, "score": labels.name(self.score_col),
                      "by": f", compared across {', '.join(labels.in_text(c) for c in cols)}" if cols else "",
                      "trend": "with trends per period" if self.trends is not None
                      else f"no trends (no answer has a date a period can hold in {labels.in_text(self.undated)}; "
                           "the data quality table says why)" if self.undated
                      else "no trends (no date column named)" if cols
                      else "no trends (they follow each segment over time, and no segment column is named)"},
                     {"segment_cols": cols})

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        o = self.overall
        out = [Claim("segment.overall", "Overall NPS is {value} points (95% CI {low} to {high}; {n} answers).",
                     {"value": f"{o.value:.1f}", "low": f"{o.ci_low:.1f}", "high": f"{o.ci_high:.1f}",
                      "n": fmt_count(o.n)}, {"nps": o.value, "ci_low": o.ci_low, "ci_high": o.ci_high, "n": o.n})]
        significant = self.segments[self.segments["significant"]].sort_values("difference")
        below, above = significant[significant["difference"] < 0], significant[significant["difference"] > 0]
        test = "each segment against the rest, two-sample z-test, Holm-adjusted across segments"
        if len(below):
            w = below.iloc[0]
            out.append(Claim("segment.below", "{count} clearly below the rest; the lowest is {seg} ({col}) at "
                             "{value}, {diff} points below the rest ({p}).",
                             {"count": plural(len(below), "segment scores", "segments score"),
                              "col": labels.in_text(w["segment_col"]), "seg": labels.value(w["segment"]),
                              "value": format_ci(w["value"], w["ci_low"], w["ci_high"]),
                              "diff": f"{-w['difference']:.1f}", "p": fmt_p(w["p_adjusted"])},
                             {"segments_below": len(below), "segment_col": w["segment_col"], "segment": w["segment"],
                              "nps": w["value"], "difference": w["difference"], "p_adjusted": w["p_adjusted"]}, test))
        elif not len(self.segments):
            out.append(Claim("segment.no_segments", "No segments were compared (no segment column named).",
                             numbers={"segments": 0}))
        else:
            out.append(Claim("segment.none_below", "No segment scores clearly below the rest.",
                             numbers={"segments_below": 0, "segments": len(self.segments)}, test=test))
        if len(above):
            b = above.iloc[-1]
            out.append(Claim("segment.above", "The highest clearly above the rest is {seg} ({col}) at {value}.",
                             {"col": labels.in_text(b["segment_col"]), "seg": labels.value(b["segment"]),
                              "value": format_ci(b["value"], b["ci_low"], b["ci_high"])},
                             {"segment_col": b["segment_col"], "segment": b["segment"], "nps": b["value"],
                              "difference": b["difference"], "p_adjusted": b["p_adjusted"]}, test, joins=True))
        if self.revenue and not self.revenue["n"]:
            out.append(Claim("segment.revenue_unreadable", "No answer has a revenue above 0 in {col}, so there is no "
                             "revenue view (the data quality table says why).",
                             {"col": labels.name(self.revenue["column"])}, {"n": 0}))
        elif self.revenue:
            r, d = self.revenue, self.revenue["detractors"]
            part = (f" (on the {fmt_count(r['n'])} of {fmt_count(self.overall.n)} answers with a revenue above 0)"
                    if r["n"] < self.overall.n else "")
            few = (f" A few answers hold most of the revenue: the weights count as "
                   f"{plural(round(r['n_effective']), 'answer', 'answers')} of {fmt_count(r['n'])}."
                   if r["n_effective"] < r["n"] / FEW_CARRY else "")
            out.append(Claim("segment.revenue", "Weighted by revenue{part}, NPS is {value}; detractors hold {det}% of "
                             "the revenue (95% CI {low} to {high}%).{few}",
                             {"part": part, "few": few, "value": format_ci(r["nps"], r["ci_low"], r["ci_high"]),
                              "det": f"{d['share']:.1f}", "low": f"{d['ci_low']:.1f}", "high": f"{d['ci_high']:.1f}"},
                             {"nps": r["nps"], "detractor_share": d["share"], "ci_low": d["ci_low"],
                              "ci_high": d["ci_high"], **({"answers": r["n"]} if part else {})}))
        if self.tenure:
            t = self.tenure
            numbers = {"difference": t["difference"], "ci_low": t["ci_low"], "ci_high": t["ci_high"],
                       "p_value": t["p_value"], "threshold": t["threshold"]}
            values = {"diff": f"{abs(t['difference']):.1f}", "low": f"{t['ci_low']:+.1f}",
                      "high": f"{t['ci_high']:+.1f}", "p": fmt_p(t["p_value"]),
                      "direction": "above" if t["difference"] > 0 else "below"}
            if t["p_value"] < LEVEL:
                out.append(Claim("segment.tenure_differs", "Tenured customers score {diff} points {direction} new "
                                 "ones (95% CI {low} to {high}; {p}).", values, numbers, "two-sample z-test"))
            else:
                out.append(Claim("segment.tenure_no_clear_difference", "No clear difference between tenured and new "
                                 "customers ({p}; 95% CI {low} to {high} points).", values, numbers,
                                 "two-sample z-test"))
        if self.tenure_one_side:
            t = self.tenure_one_side
            out.append(Claim("segment.tenure_one_side", "No tenured against new comparison: every answer's {col} is "
                             "{side} {threshold} days (the longest is {longest}); {col} is read as days as a customer, "
                             "so a tenure in months or years needs converting to days.",
                             {"col": labels.in_text(t["column"]), "side": t["side"],
                              "threshold": f"{t['threshold']:g}", "longest": f"{t['longest']:g}"}, dict(t)))
        if self.slopes is not None and len(self.slopes):
            out.extend(self._trend_claims())
        return out

    def _trend_claims(self) -> list[Claim]:
        """How many segments meet the target (each at 95%, said to be before adjustment), and the trends clear after
        Holm's adjustment across every segment's slope; a slope resting on thin periods says so."""
        # a change per period needs three periods or more, and periods of enough answers to trust its interval
        slopes = self.slopes[self.slopes["slope"].notna() & (self.slopes["thin_periods"] == 0)]
        total, unjudged = len(slopes), len(self.slopes) - len(slopes)
        first = self.trends[self.trends["segment_col"] == self.trends["segment_col"].iloc[0]]
        dated = int(first["n"].sum())  # a date left blank or unreadable leaves the answer out of the trends only
        on = (f"on the {fmt_count(dated)} of {fmt_count(self.overall.n)} answers with a date; "
              if dated < self.overall.n else "")
        if not total and self.slopes["slope"].notna().any():  # slopes there are, each on a period of a few answers
            return [Claim("segment.trend_thin_periods", "No change per {period} is judged ({on}every segment has a "
                          "period with fewer than {min_n} answers, too few to trust its interval); section 4 shows "
                          "each period's NPS.", {"period": period_word(self.freq), "min_n": fmt_count(self.min_n),
                                                 "on": on},
                          {"segments": len(self.slopes), "min_n": self.min_n, **({"answers": dated} if on else {})})]
        if not total:
            return [Claim("segment.trend_too_few_periods", "No change per {period} is estimated: no segment has "
                          "answers in {min_periods} or more {periods} (at most {most}); section 4 shows each "
                          "period's NPS.", {"period": period_word(self.freq), "min_periods": MIN_PERIODS,
                                            "periods": period_word(self.freq) + "s",
                                            "most": fmt_count(int(self.slopes["periods"].max()))},
                          {"segments": len(self.slopes), "most_periods": int(self.slopes["periods"].max()),
                           "min_periods": MIN_PERIODS})]
        met = slopes[slopes["verdict"] == "met"]
        count = "Not one of the {total} segments gains" if not len(met) else ngettext(
            "{count} of {total} segments gains", "{count} of {total} segments gain", len(met))
        out = [Claim("segment.trend_target", count + " at least {target} {points} a {period} ({on}each at 95% "
                     "confidence, before adjustment for the {tested} tested){unjudged}.",
                     {"count": fmt_count(len(met)), "total": fmt_count(total), "target": f"{self.target_change:g}",
                      "on": on,
                      "points": ngettext("NPS point", "NPS points", 1 if self.target_change == 1 else 2),
                      "tested": plural(total, "segment", "segments"), "period": period_word(self.freq),
                      "unjudged": (f"; {plural(unjudged, 'segment', 'segments')} with answers in fewer than "
                                   f"{MIN_PERIODS} periods, or in a period of fewer than {fmt_count(self.min_n)}, "
                                   f"{ngettext('is', 'are', unjudged)} not judged" if unjudged else "")},
                     {"met": len(met), "segments": total, "target_change": self.target_change,
                      **({"answers": dated} if on else {}), **({"not_judged": unjudged} if unjudged else {})},
                     "each segment's slope: 95% interval against the target")]
        clear = self.slopes[self.slopes["p_adjusted"] < LEVEL]
        thin = clear[clear["thin_periods"] > 0]  # a slope on periods of a few answers: its interval is not trusted
        moving = clear[clear["thin_periods"] == 0]
        moving = moving.reindex(moving["slope"].abs().sort_values(ascending=False).index).head(3)
        if len(moving):
            adjusted_for = int(self.slopes["p_value"].notna().sum())  # Holm's adjustment ran over every fitted slope
            out.append(Claim("segment.clear_trends", "Clear trends, allowing for the {tested} tested: {moves}.",
                             {"tested": plural(adjusted_for, "segment", "segments"), "moves": "; ".join(
                                 f"{labels.value(r.segment)} ({labels.in_text(r.segment_col)}) "
                                 f"{r.slope:+.1f} NPS points a {period_word(self.freq)} (95% CI {r.ci_low:+.1f} to "
                                 f"{r.ci_high:+.1f})" for r in moving.itertuples())},
                             {"segments": list(moving["segment"]), "slopes": list(moving["slope"]),
                              "ci_low": list(moving["ci_low"]), "ci_high": list(moving["ci_high"]),
                              "p_adjusted": list(moving["p_adjusted"])},
                             "each segment's slope against zero, Holm-adjusted across the segments", joins=True))
        if len(thin):
            out.append(Claim("segment.thin_trends", "{segments}: " + ngettext(
                "a trend that rests on periods with fewer than {min_n} answers, not judged here.",
                "trends that rest on periods with fewer than {min_n} answers, not judged here.", len(thin)),
                {"segments": word_list([labels.value(v) for v in thin["segment"]]), "min_n": fmt_count(self.min_n)},
                {"segments": list(thin["segment"]), "thin_periods": list(thin["thin_periods"])}, joins=True))
        return out

    def segment_rows(self) -> pd.DataFrame:
        """The segments against the rest for the report; with weights, the effective n (Kish) beside n, since "small
        n" rests on it (40 answers whose weights count as 3)."""
        weighted = bool((self.segments["n_effective"].round(6) != self.segments["n"]).any())
        return self.segments[["segment_col", "segment", "n", *(["n_effective"] if weighted else []), "value",
                              "ci_low", "ci_high", "difference", "diff_ci_low", "diff_ci_high", "p_adjusted",
                              "significant", "small_n"]]

    def tenure_table(self) -> pd.DataFrame:
        """NPS of tenured and of new customers, and their difference, each with its interval."""
        if not self.tenure:
            return pd.DataFrame(columns=["group", "n", "value", "ci_low", "ci_high"])
        t = self.tenure
        difference = {"group": "tenured - new", "n": t["n"], "value": t["difference"], "ci_low": t["ci_low"],
                      "ci_high": t["ci_high"]}
        return pd.DataFrame([*t["groups"], difference])

    def to_dict(self) -> dict:
        o = self.overall  # the score is a 0-10 recommendation whatever its column's name: the metric is NPS
        segments = self.segments.rename(columns={"value": "nps"})
        return {"overall": {"nps": o.value, "ci_low": o.ci_low, "ci_high": o.ci_high, "n": o.n,
                            "n_effective": o.n_effective},
                "segments": segments, "revenue": self.revenue, "tenure": self.tenure, "trends": self.trends,
                "slopes": self.slopes, "target_change": self.target_change,
                "claims": [c.to_dict() for c in self.claims()]}


def _estimate_row(e: Estimate) -> dict:
    return {"n": e.n, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _revenue(frame: pd.DataFrame, score: str, revenue: str, ci: float) -> dict:
    """Revenue-weighted NPS and the share of revenue held by each NPS group (Wilson on Kish's n); ``{"n": 0}`` when
    no answer has a revenue above 0 (every value unreadable: the data quality table says why)."""
    paying = frame[(frame[revenue] > 0) & frame[score].notna()]
    if paying.empty:
        return {"n": 0, "column": revenue}
    h = score_histogram(paying, score, weights=revenue, scale=(0, 10))
    est = nps(h, ci=ci)
    out = {"nps": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n, "n_effective": est.n_effective}
    for group, (low, high) in GROUP_RANGES.items():
        row = proportion_table(h, range(low, high + 1), ci).iloc[0]
        out[f"{group}s"] = {"share": row["share"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]}
    return out


def _trend_tables(results: Mapping[str, Trend], target_change: float,
                  min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each segment column's periods in one table, and each segment's slope against the target and against zero.

    ``p_value`` tests "no trend" (slope 0); ``p_adjusted`` is Holm's across every segment's
    slope that could be fitted, so that "clear trends" among many segments are not what chance
    alone gives; ``thin_periods`` counts the periods the slope rests on with fewer than ``min_n``
    answers, and such a slope's verdict is :data:`THIN_VERDICT`, never "met".
    """
    periods, slope_rows = [], []
    for column, result in results.items():
        periods.append(result.periods.drop(columns=[column]).assign(segment_col=column))
        for row in result.slopes.itertuples():
            own = result.periods[result.periods["segment"] == row.segment]
            thin = int((own["n"] < min_n).sum())
            judged = goal(result, target_change, row.segment)
            if thin and judged["verdict"] != "too few periods":  # its interval is not trusted: never "met"
                judged["verdict"] = THIN_VERDICT
            slope_rows.append({"segment_col": column, **judged, "p_value": row.p_value, "periods": row.periods,
                               "thin_periods": thin})
    trends = pd.concat(periods, ignore_index=True)[["segment_col", "segment", "period", "n", "value", "ci_low",
                                                    "ci_high"]]
    slopes = pd.DataFrame(slope_rows)
    # a slope never fitted is no test to adjust for (holm leaves its p missing)
    slopes.insert(slopes.columns.get_loc("p_value") + 1, "p_adjusted", holm(slopes["p_value"].to_numpy()))
    return trends, slopes


def segment_study(source: Backend, *, score_col: str, segment_cols: Sequence[str], date_col: str | None,
                  weight_col: str | None = None, target_change: float, freq: str, min_n: int = MIN_N,
                  ci: float = 0.95) -> SegmentStudy:
    """The segment study on any backend (pandas, DuckDB, Dask): everything comes from score histograms.

    The overall NPS, each segment against the rest (:func:`cxlib.metrics.compare.segment_table`'s
    numbers) and the trends (:func:`cxlib.metrics.trends.trend`'s). The revenue and tenure views
    weight or filter rows: :func:`row_views` adds them in memory.
    """
    overall = nps(source.score_histogram(score_col, weights=weight_col), ci=ci)
    histograms = {c: source.score_histogram(score_col, by=c, weights=weight_col) for c in segment_cols}
    for column, histogram in histograms.items():
        check_segments(column, histogram.segments, "survey")
    segments = segment_table_from_histograms(histograms, "nps", None, min_n, ci)
    trends = slopes = undated = None
    if date_col and segment_cols:
        dated = {c: source.score_histogram(score_col, by=[c, Period(date_col, freq)], weights=weight_col)
                 for c in segment_cols}
        if any(h.n.sum() for h in dated.values()):
            trends, slopes = _trend_tables({c: trend_from_histogram(h, [c], freq, "nps", None, ci)
                                            for c, h in dated.items()}, target_change, min_n)
        else:  # every date unreadable, a placeholder or in the future: no trend, and every other figure stands
            undated = date_col
    return SegmentStudy(score_col, overall, segments, None, None, trends, slopes, target_change, min_n=min_n,
                        freq=freq, undated=undated)


def run(p: Parameters) -> tuple[SegmentStudy, CXData | Table | SourceData]:
    """The segment study on checked parameters (the ``segment_study`` notebook's call): ``(SegmentStudy, data)``.

    ``backend="pandas"`` validates the rows in memory (bad values excluded and counted).
    ``"duckdb"`` and ``"dask"`` leave the data where they are (``data_path``: a Parquet
    file, folder or glob, a DuckDB file with ``table``, or a SQL query); answers off the
    scale and bad weights are left out and counted there too, so both give the same numbers.
    ``min_rows`` and ``max_excluded`` stop the study on too few usable answers
    (:func:`~cxlib.studies.shared.gate`).
    """
    options = {"score_col": p.score_col, "segment_cols": p.segment_cols, "date_col": p.date_col,
               "weight_col": p.weight_col, "target_change": p.target_change, "freq": p.freq, "min_n": p.min_n}
    inputs = Inputs.of(p)
    if inputs.in_memory:
        frame, data = load_survey(inputs, score_col=p.score_col, segment_cols=p.segment_cols,
                                  date_col=p.date_col, weight_col=p.weight_col, revenue_col=p.revenue_col,
                                  tenure_col=p.tenure_col, id_col=p.id_col)
        gate(data.quality, "responses" if isinstance(data, CXData) else "survey", p, "answers")
        with open_source(frame) as source:
            study = segment_study(source, **options)
        return dataclasses.replace(study, **row_views(frame, p.score_col, p.weight_col, p.revenue_col, p.tenure_col,
                                                      p.tenured_days),
                                   quality=data.quality, from_groups=holds_groups(data.quality, p.score_col)), data
    with inputs.answers() as source:
        study = segment_study(source, **options)
        skipped = [c for c in (p.revenue_col, p.tenure_col) if c]
        notes = [f"The views by {' and '.join(skipped)} filter rows and run with backend 'pandas' only."] if skipped else []
        data = source_data(source, "survey", [(p.score_col, NOT_ANSWERED, study.overall.n)], p.date_col, notes)
    gate(data.quality, "survey", p, "answers")
    return dataclasses.replace(study, quality=data.quality), data


def row_views(frame: pd.DataFrame, score_col: str = "nps", weight_col: str | None = None,
              revenue_col: str | None = None, tenure_col: str | None = None, tenured: float = 365,
              ci: float = 0.95) -> dict:
    """The views that weight or filter rows: revenue-weighted NPS and tenured against new customers.

    Returns ``{"revenue": ..., "tenure": ..., "tenure_one_side": ...}`` (None where the column is not given;
    where all customers fall on one side of ``tenured``, no tenure view and ``tenure_one_side`` says so).
    """
    nps_metric = {"metric": "nps", "scale": (0, 10)}  # the score is a 0-10 recommendation, whatever its name
    revenue = _revenue(frame, score_col, revenue_col, ci) if revenue_col else None
    tenure = one_side = None
    if tenure_col:
        grouped = frame.assign(_tenure=(frame[tenure_col] >= tenured).map({True: "tenured", False: "new"}))
        grouped = grouped[frame[tenure_col].notna()]
        if grouped["_tenure"].nunique() == 1:
            one_side = {"column": tenure_col, "threshold": tenured, "longest": float(grouped[tenure_col].max()),
                        "side": "below" if grouped["_tenure"].iloc[0] == "new" else "at or above"}
        if grouped["_tenure"].nunique() == 2:
            d = compare(grouped, "_tenure", "tenured", "new", score=score_col, weights=weight_col, ci=ci, **nps_metric)
            groups = [{"group": g, **_estimate_row(nps(grouped[grouped["_tenure"] == g], score_col, weight_col, ci))}
                      for g in ("tenured", "new")]
            tenure = {"threshold": tenured, "difference": d.value, "ci_low": d.ci_low, "ci_high": d.ci_high,
                      "p_value": d.p_value, "n": d.n, "groups": groups}
    return {"revenue": revenue, "tenure": tenure, "tenure_one_side": one_side}


STUDY = StudyDeclaration(
    "segment_study", "Segment study",
    "Which segments are unhappy, which are improving, how much revenue sits with detractors?",
    "a CSV or Parquet table with one row per answer",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per answer"),
        Column("score_col", "nps", "the 0-10 likelihood-to-recommend column"),
        Column("id_col", "response_id", "answer ids: a repeated answer counts once; None: rows as they are",
               nullable=True, own_data=None),
        Columns("segment_cols", ["plan", "region", "touchpoint"], "columns that define segments; []: overall only",
                own_data=[]),
        Column("date_col", "survey_date", "answer dates, for trends; None: no trends", nullable=True, own_data=None),
        Column("weight_col", None, "survey weights; None: unweighted", nullable=True),
        Column("revenue_col", "monthly_revenue", "revenue of the answering customer; None: no revenue view",
               nullable=True, own_data=None),
        Column("tenure_col", "tenure_days", "days as a customer at the answer; None: no tenure view", nullable=True,
               own_data=None),
        Number("tenured_days", 365, "tenure from which a customer counts as tenured", low=0),
        Number("target_change", 3.0, "NPS points a period a segment should gain", low=-200, high=200),
        Choice("freq", "Q", 'period of the trends: "M" month, "Q" quarter, "Y" year', choices=FREQUENCIES),
        Integer("min_n", 30, "segments with fewer answers are flagged", low=1),
        *common_parameters(30),
        *backend_parameters(),
    ),
    derived_columns=SURVEY_FRAME_COLUMNS,
    checks=(check_backend_survey, check_reading, in_memory_only("missing_codes", "id_col")),
    run=run,
)

run_segment_study = STUDY.function("run_segment_study")
