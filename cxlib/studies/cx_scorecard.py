"""The CX scorecard: every headline metric per period with intervals, by touchpoint, against benchmarks.

What the ``cx_scorecard`` study reports, computed from a loaded :class:`~cxlib.io.CXData`:

* per period (quarter by default): NPS, CSAT (% satisfied), CES (% low effort) from the
  responses; FCR, first response within N hours and median resolution time from the
  tickets; churn from the customers -- each with its interval and n;
* the whole window's value of each metric;
* NPS and CSAT by touchpoint and journey stage, each segment against the rest;
* our NPS per period against each competitor's and the industry's;
* whether tenured customers (optionally of one segment) gain the goal's points a period;
* with a ``social`` table: engagement rate and messages answered within 24 hours per
  channel and period, each channel's trend and each against the others (:mod:`cxlib.metrics.social`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.estimate import MIN_N, Estimate, format_ci
from ..engine import Backend, Condition, Period, open_source, source_data
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p, ngettext
from ..formatting.result_view import ResultView
from ..io import CXData, DataError, DataQuality, read_table
from ..io.quality import check_columns
from ..io.schemas import SCHEMAS
from ..io.tables import table_file
from ..lifecycle.retention import churn_rate
from ..metrics.compare import segment_table_from_histograms
from ..metrics.histogram import ScoreHistogram
from ..metrics.rates import count_estimate, rate_table
from ..metrics.scores import ces, csat, nps, resolve_metric
from ..metrics.service import fcr, fcr_success, resolution_time, response_within, within_success
from ..metrics.social import channel_comparison, engagement_table, engagement_trend, response_table
from ..metrics.trends import MIN_PERIODS, benchmark_difference, goal, period_word, trend_from_histogram
from .contract import StudyDeclaration
from .inputs import Inputs
from .parameters import Choice, Integer, Number, ValueFilter
from .shared import (
    FREQUENCIES,
    backend_parameters,
    check_backend_folder,
    check_reading,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    unanswered_notes,
)

__all__ = ["STUDY", "Scorecard", "run_cx_scorecard", "scorecard"]


@dataclass(frozen=True, repr=False)
class Scorecard(ResultView):
    """Results of the scorecard (see the module docstring); tables are tidy DataFrames."""

    freq: str
    overall: pd.DataFrame
    periods: pd.DataFrame
    segments: pd.DataFrame
    benchmarks: pd.DataFrame
    goal: dict
    goal_description: str
    quality: DataQuality = field(repr=False)
    social: dict | None = None
    answered: dict = field(default_factory=dict)  # survey question (column) -> answers that gave it a score

    def latest(self, metric: str) -> pd.Series:
        rows = self.periods[self.periods["metric"] == metric]
        return rows.iloc[-1]

    def period_table(self) -> pd.DataFrame:
        """One row per period, each metric's value with its interval, the metrics in the order the summary names
        them (NPS first): ``NPS``, ``NPS ci_low``, ``NPS ci_high``, ... for a report table."""
        wide = self.periods.pivot(index="period", columns="metric", values=["value", "ci_low", "ci_high"])
        columns = {}
        named = [m for m in self.overall["metric"] if m in wide["value"].columns]
        for metric in [*named, *(m for m in self.periods["metric"].unique() if m not in named)]:
            columns.update({metric: wide["value"][metric], f"{metric} ci_low": wide["ci_low"][metric],
                            f"{metric} ci_high": wide["ci_high"][metric]})
        return pd.DataFrame(columns).rename_axis("period").reset_index()

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: CSAT and first-contact resolution (NPS is the segment
        study's)."""
        o = self.overall.set_index("metric")
        return [figure(key, label, *o.loc[metric, ["value", "ci_low", "ci_high"]], "%", o.loc[metric, "n"])
                for key, label, metric in (("csat", "CSAT, % of answers satisfied", "CSAT % satisfied"),
                                           ("fcr", "Resolved at first contact, %", "FCR %")) if metric in o.index]

    def headline(self) -> dict:
        latest = self.latest("NPS")
        return {f"NPS {latest['period']}": format_ci(latest["value"], latest["ci_low"], latest["ci_high"], 0),
                "goal": self.goal["verdict"]}

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        o = self.overall.set_index("metric")

        def ci(metric: str) -> str:
            return f"{o.loc[metric, 'ci_low']:.1f} to {o.loc[metric, 'ci_high']:.1f}"

        first, last = self.periods["period"].min(), self.periods["period"].max()
        latest = self.latest("NPS")
        out = [Claim("scorecard.overall", "From {first} to {last}, NPS was {nps} points (95% CI {nps_ci}; {n} answers), "
                     "{latest} in {period}.",
                     {"first": first, "last": last, "nps": f"{o.loc['NPS', 'value']:.1f}", "nps_ci": ci("NPS"),
                      "n": fmt_count(o.loc["NPS", "n"]), "period": latest["period"],
                      "latest": format_ci(latest["value"], latest["ci_low"], latest["ci_high"])},
                     {"nps": o.loc["NPS", "value"], "latest_nps": latest["value"]})]
        service = {metric: {"value": f"{o.loc[metric, 'value']:.1f}", "ci": ci(metric)}
                   for metric in ("CSAT % satisfied", "FCR %") if metric in o.index}
        if service:
            out.append(Claim("scorecard.service", " and ".join(
                {"CSAT % satisfied": "{sat}% of answers were satisfied (95% CI {sat_ci}%)",
                 "FCR %": "{fcr}% of resolved tickets took one contact (95% CI {fcr_ci}%)"}[m] for m in service) + ".",
                {**({"sat": service["CSAT % satisfied"]["value"], "sat_ci": service["CSAT % satisfied"]["ci"]}
                    if "CSAT % satisfied" in service else {}),
                 **({"fcr": service["FCR %"]["value"], "fcr_ci": service["FCR %"]["ci"]} if "FCR %" in service else {})},
                {metric: float(o.loc[metric, "value"]) for metric in service}, joins=True))
        weak = self.segments[(self.segments["metric"] == "NPS") & self.segments["significant"]
                             & (self.segments["difference"] < 0)]
        test = "each segment against the rest, two-sample z-test, adjusted for the number of segments (Holm)"
        if len(weak):
            w = weak.sort_values("difference").iloc[0]
            out.append(Claim("scorecard.weakest", "The weakest {col} is {seg}: NPS {value}, {diff} points below the "
                             "rest ({p}, allowing for the number of segments compared).",
                             {"col": labels.in_text(w["segment_col"]), "seg": labels.value(w["segment"]),
                              "value": format_ci(w["value"], w["ci_low"], w["ci_high"]),
                              "diff": f"{-w['difference']:.1f}", "p": fmt_p(w["p_adjusted"])},
                             {"segment_col": w["segment_col"], "segment": w["segment"], "difference": w["difference"],
                              "p_adjusted": w["p_adjusted"]}, test))
        industry = self.benchmarks[self.benchmarks["competitor"] == "industry"]
        if len(industry):
            b = industry.iloc[-1]
            values = {"period": b["period"], "diff": f"{abs(b['difference']):.1f}", "low": f"{b['ci_low']:+.1f}",
                      "high": f"{b['ci_high']:+.1f}", "p": fmt_p(b["p_value"]),
                      "direction": "below" if b["difference"] < 0 else "above"}
            numbers = {"difference": b["difference"], "ci_low": b["ci_low"], "ci_high": b["ci_high"],
                       "p_value": b["p_value"]}
            if b["p_value"] < LEVEL:
                out.append(Claim("scorecard.industry_differs", "In {period} our NPS is {diff} points {direction} the "
                                 "industry's (95% CI {low} to {high}; {p}).", values, numbers, "two-sample z-test"))
            else:
                out.append(Claim("scorecard.industry_no_clear_difference", "In {period} our NPS shows no clear "
                                 "difference from the industry's ({p}; 95% CI {low} to {high} points).", values,
                                 numbers, "two-sample z-test"))
        g = self.goal
        out.append(Claim("scorecard.goal_" + g["verdict"].replace(" ", "_"), "Goal: +{target} {points} a {freq} for {who}; actual "
                         "{slope} a {freq}: {verdict}.",
                         {"who": self.goal_description, "target": f"{g['target_per_period']:g}",
                          "points": ngettext("NPS point", "NPS points", 1 if g["target_per_period"] == 1 else 2),
                          "freq": period_word(self.freq), "slope": format_ci(g["slope"], g["ci_low"], g["ci_high"]),
                          "verdict": {"met": "goal met", "missed": "goal missed",
                                      "uncertain": "too early to tell (the 95% interval includes the goal)",
                                      "too few periods": f"not judged: a change per {period_word(self.freq)} needs "
                                                         f"answers in {MIN_PERIODS} or more"}[g["verdict"]]},
                         {"slope": g["slope"], "ci_low": g["ci_low"], "ci_high": g["ci_high"],
                          "target": g["target_per_period"]}, "the slope's 95% interval against the target"))
        if self.social is not None:
            out.append(self._social_claim())
        return out

    def _social_claim(self) -> Claim:
        answered = self.social["answered_24h"]
        total_share = 100 * answered["answered"].sum() / answered["messages"].sum()
        worst = answered.sort_values("share").iloc[0]
        best = self.social["engagement"].sort_values("rate").iloc[-1]
        trend = self.social["trends"].set_index("channel").loc[best["channel"]]
        return Claim("scorecard.social", "On social channels {share}% of messages were answered within 24 hours "
                     "(lowest: {worst}, {wshare}%, 95% CI {wlow} to {whigh}%); engagement is highest on {best} at "
                     "{rate}% (95% CI {low} to {high}%), changing by {slope} percentage points a {freq}.",
                     {"share": f"{total_share:.0f}", "worst": labels.value(worst["channel"]),
                      "wshare": f"{worst['share']:.0f}", "wlow": f"{worst['ci_low']:.0f}",
                      "whigh": f"{worst['ci_high']:.0f}", "best": labels.value(best["channel"]),
                      "rate": f"{best['rate']:.1f}", "low": f"{best['ci_low']:.1f}", "high": f"{best['ci_high']:.1f}",
                      "slope": format_ci(trend["slope"], trend["ci_low"], trend["ci_high"], 2),
                      "freq": period_word(self.freq)},
                     {"answered_share": total_share, "lowest_channel": worst["channel"],
                      "highest_engagement_channel": best["channel"], "engagement_rate": best["rate"]})

    def to_dict(self) -> dict:
        return {"freq": self.freq, "overall": self.overall, "periods": self.periods, "segments": self.segments,
                "benchmarks": self.benchmarks, "goal": {**self.goal, "description": self.goal_description},
                "social": self.social, "claims": [c.to_dict() for c in self.claims()]}


SURVEY_METRICS = {"nps": ("NPS", nps), "csat": ("CSAT % satisfied", csat), "ces": ("CES % low effort", ces)}
SEGMENT_COLUMNS = ("touchpoint", "journey_stage")  # the survey's segments, where the data have them


def _row(metric: str, e: Estimate) -> dict:
    return {"metric": metric, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n,
            "small_n": bool(e.small_n)}


def _periods(frame: pd.DataFrame, metric: str, value: str = "value", n: str = "n") -> pd.DataFrame:
    out = frame.rename(columns={value: "value", n: "n"})[["period", "n", "value", "ci_low", "ci_high"]].copy()
    out.insert(0, "metric", metric)
    return out


def scorecard(data: CXData, freq: str = "Q", response_hours: float = 24, tenured_days: int = 365,
              goal_points: float = 3.0, goal_filter: dict | None = None, min_n: int = MIN_N, n_boot: int = 1000,
              seed: int = 0, ci: float = 0.95) -> Scorecard:
    """Compute the scorecard from the canonical tables in memory (see the module docstring)."""
    with open_source(data.survey_frame()) as survey:
        return scorecard_from_sources(survey, data.tickets, data.customers, data.competitor_nps, data.social,
                                      data.quality, freq, response_hours, tenured_days, goal_points, goal_filter,
                                      min_n, n_boot, seed, ci)


def scorecard_from_sources(survey: Backend, tickets: pd.DataFrame | None, customers: pd.DataFrame | None,
                           competitor_nps: pd.DataFrame | None, social: pd.DataFrame | None, quality: DataQuality,
                           freq: str = "Q", response_hours: float = 24, tenured_days: int = 365,
                           goal_points: float = 3.0, goal_filter: dict | None = None, min_n: int = MIN_N,
                           n_boot: int = 1000, seed: int = 0, ci: float = 0.95) -> Scorecard:
    """The scorecard with the answers on any backend: every survey figure comes from score histograms of
    ``survey`` (answers with their customer's columns and ``tenure_days``); tickets, customers, competitor and
    social figures from their tables (in memory, or a seeded sample of them)."""
    period = Period("survey_date", freq)
    present = set(survey.columns())
    scores = {score: resolve_metric(score, None, None, None)  # metric, scale, top
              for score in SURVEY_METRICS if score in present}

    def histogram(score: str, by=(), source: Backend = survey) -> ScoreHistogram:
        return source.score_histogram(score, by=by, scale=scores[score][1])

    def over_time(score: str, by_period: ScoreHistogram):
        metric, _, top = scores[score]
        return trend_from_histogram(by_period, [], freq, metric, top, ci)

    by_period = {score: histogram(score, [period]) for score in scores}
    answered = {score: int(h.n.sum()) for score, h in by_period.items()}
    if not answered.get("nps"):
        raise DataError("responses: no answer has an NPS score (column 'nps'); the scorecard starts from NPS",
                        table="responses", column="nps", rule="NPS answers present")
    if "tenure_days" not in present:
        raise DataError("responses: the answers come without their customers' tenure. The scorecard's goal is about "
                        "tenured customers, so it needs the customers table (customer_id, signup_date) beside the "
                        "responses; tickets, competitor_nps and social are optional", table="customers",
                        rule="customers table present")
    check_columns(goal_filter or {}, present, "goal_filter column")
    shown = [score for score in SURVEY_METRICS if answered.get(score)]  # a question nobody answered has no figures
    overall = [_row(SURVEY_METRICS[score][0], SURVEY_METRICS[score][1](histogram(score), ci=ci)) for score in shown]
    parts = [_periods(over_time(score, by_period[score]).periods, SURVEY_METRICS[score][0]) for score in shown]
    if tickets is not None:
        overall += [_row("FCR %", fcr(tickets, ci=ci)),
                    _row(f"first response within {response_hours:g} h %", response_within(tickets, response_hours, ci=ci))]
        quarter = tickets["opened_at"].dt.to_period(freq).astype(str).rename("period")
        parts.append(_periods(rate_table(fcr_success(tickets), [quarter], ci), "FCR %", value="rate"))
        parts.append(_periods(rate_table(within_success(tickets, response_hours), [quarter], ci),
                              f"first response within {response_hours:g} h %", value="rate"))
        times = resolution_time(tickets, by=quarter, n_boot=n_boot, seed=seed, ci=ci)
        median = resolution_time(tickets, n_boot=n_boot, seed=seed, ci=ci).set_index("statistic").loc["median"]
        overall.append({"metric": "median resolution time (h)", "value": median["value"], "ci_low": median["ci_low"],
                        "ci_high": median["ci_high"], "n": int(median["n"]), "small_n": bool(median["n"] < min_n)})
        parts.append(_periods(times[times["statistic"] == "median"], "median resolution time (h)"))
    if customers is not None:
        churn = churn_rate(customers, freq=freq, ci=ci)
        parts.append(_periods(churn, "churn %", value="churn_rate", n="at_start"))
        overall.append(_row(f"churn % per {period_word(freq)}",
                            count_estimate(int(churn["lost"].sum()), int(churn["at_start"].sum()), "churn %", ci)))
    periods = pd.concat(parts, ignore_index=True)
    periods["small_n"] = periods["n"] < min_n

    segments = []
    for score in [s for s in ("nps", "csat") if s in shown]:
        table = segment_table_from_histograms({c: histogram(score, c) for c in SEGMENT_COLUMNS if c in present},
                                              scores[score][0], scores[score][2], min_n, ci)
        table.insert(0, "metric", SURVEY_METRICS[score][0])
        segments.append(table)

    benchmarks = _benchmarks(by_period["nps"], competitor_nps, ci)

    goal_filter = dict(goal_filter or {})
    tenured = [*([Condition("touchpoint", "not equal", "cancellation")] if "touchpoint" in present else []),
               Condition("tenure_days", "at least", tenured_days),
               *(Condition(column, "equal", value) for column, value in goal_filter.items())]
    described = " and whose ".join(f"{labels.in_text(k)} is {labels.value(v)}" for k, v in goal_filter.items())
    description = f"tenured customers ({tenured_days:,}+ days)" + (f" whose {described}" if described else "")
    goal_answers = histogram("nps", [period], survey.subset(tenured))
    if not goal_answers.n.sum():
        raise DataError(f"goal_filter: no NPS answer from {description} (goal_filter {goal_filter}); "
                        + "; ".join(f"{column} holds {_levels(histogram('nps', column))}" for column in goal_filter)
                        + ". Name values that occur, or {} for all tenured customers.",
                        column=", ".join(goal_filter) or None, rule="goal segment has answers")
    goal_trend = over_time("nps", goal_answers)
    return Scorecard(freq, pd.DataFrame(overall), periods, pd.concat(segments, ignore_index=True), benchmarks,
                     goal(goal_trend, goal_points), description, quality,
                     None if social is None else social_metrics(social, freq, ci), answered)


def _levels(h: ScoreHistogram, limit: int = 8) -> str:
    """The values a column holds, as a message lists them."""
    shown = ", ".join(map(repr, h.segments[:limit].tolist()))
    return shown + (f" and {len(h.segments) - limit:,} more" if len(h.segments) > limit else "")


def social_metrics(social: pd.DataFrame, freq: str = "Q", ci: float = 0.95) -> dict:
    """The scorecard's social block: engagement and answers within 24 h per channel and period, trends, comparison."""
    return {"engagement": engagement_table(social, "channel", ci=ci),
            "engagement_by_period": engagement_table(social, "channel", freq, ci),
            "answered_24h": response_table(social, "channel", ci=ci),
            "answered_24h_by_period": response_table(social, "channel", freq, ci),
            "trends": engagement_trend(social, "channel", freq, ci),
            "channels": channel_comparison(social, "channel", ci)}


def _benchmarks(by_period: ScoreHistogram, competitors: pd.DataFrame | None, ci: float) -> pd.DataFrame:
    """Our NPS (from the answers' histogram by period) minus each benchmark's, per period both have."""
    columns = ["period", "competitor", "ours", "benchmark", "benchmark_n", "difference", "ci_low", "ci_high", "p_value"]
    if competitors is None:
        return pd.DataFrame(columns=columns)
    periods = by_period.segments.astype(str)
    rows = []
    for _, b in competitors.sort_values(["period", "competitor"]).iterrows():
        ours = by_period.select(periods == str(b["period"]))
        if ours.n.sum() == 0:
            continue
        est = nps(ours, ci=ci)
        n = None if pd.isna(b.get("n")) else int(b["n"])
        d = benchmark_difference(est, float(b["nps"]), n, str(b["competitor"]))
        rows.append({"period": str(b["period"]), "competitor": b["competitor"], "ours": est.value,
                     "benchmark": float(b["nps"]), "benchmark_n": n, "difference": d.value, "ci_low": d.ci_low,
                     "ci_high": d.ci_high, "p_value": d.p_value})
    return pd.DataFrame(rows, columns=columns)


def run(p: dict):
    """The study on checked parameters: ``(Scorecard, data)``."""
    options = {k: p[k] for k in ("freq", "response_hours", "tenured_days", "goal_points", "goal_filter", "min_n")}
    inputs = Inputs.of(p)
    if inputs.in_memory:
        data = inputs.tables()
        gate(data.quality, "responses", p, "answers")
        return _unanswered_noted(scorecard(data, **options), data)
    folder = Path(p["data_path"])
    with inputs.answers() as survey:
        survey_data = source_data(survey, "responses", [(None, "answers kept", survey.n_rows())], "survey_date")
        gate(survey_data.quality, "responses", p, "answers")
        tables, quality, notes = {}, survey_data.quality, []
        for name in ("tickets", "customers", "competitor_nps", "social"):
            path = table_file(folder, name)
            if path is None:
                continue
            if name in ("tickets", "customers"):
                tables[name], read = inputs.sampled(name, SCHEMAS[name], None, f"The {name.replace('_', ' ')} "
                                                    "figures", size=p["sample_size"], path=path)
                quality, notes = quality + read.quality, [*notes, *read.notes]
            else:  # a few rows per period: read in memory
                read = read_table(path, name)
                tables[name], quality = read.data, quality + read.quality
        result = scorecard_from_sources(survey, tables.get("tickets"), tables.get("customers"),
                                        tables.get("competitor_nps"), tables.get("social"), quality, **options)
    data = dataclasses.replace(survey_data, quality=quality, notes=(
        "Every survey figure uses every answer, counted where the data are.", *notes))
    return _unanswered_noted(result, data)


def _unanswered_noted(result: Scorecard, data):
    """The scorecard and its data with the answers that left each survey question blank in the quality record."""
    data = unanswered_notes(data, "responses", result.answered)
    return dataclasses.replace(result, quality=data.quality), data


STUDY = StudyDeclaration(
    "cx_scorecard", "CX scorecard",
    "How are we doing, quarter by quarter, against competitors and our goals?",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv, .parquet, .xlsx and "
    "others; names in any case)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps", folder=True),
        Choice("freq", "Q", 'period: "M" months, "Q" quarters, "Y" years', choices=FREQUENCIES),
        Number("response_hours", 24, "the first-response target, in hours", low=0, above=True),
        Number("tenured_days", 365, 'customers this long or longer are "tenured"', low=0),
        Number("goal_points", 3.0, "the goal: tenured customers gain this many NPS points a period", low=-200,
               high=200),
        ValueFilter("goal_filter", {"region": "North"}, "the goal's segment among tenured customers; {} for all "
                    "of them"),
        Integer("min_n", 30, "estimates on fewer answers are flagged", low=1),
        *common_parameters(30),
        *backend_parameters(200_000, "the tickets and customers figures", tables=False),
    ),
    checks=(check_backend_folder, check_reading, in_memory_only("missing_codes")),
    run=run,
)

run_cx_scorecard = STUDY.function("run_cx_scorecard")
