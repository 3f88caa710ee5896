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
  channel and period, each channel's trend and each against the others (:mod:`cxlib.social`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..compare import segment_table
from ..estimate import MIN_N, Estimate, format_ci
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p
from ..io import CXData, DataQuality, load
from ..rates import count_estimate, rate_table
from ..retention import churn_rate
from ..scores import ces, csat, nps
from ..service import fcr, fcr_success, resolution_time, response_within, within_success
from ..social import channel_comparison, engagement_table, engagement_trend, response_table
from ..trends import benchmark_difference, goal, trend
from .contract import StudyDeclaration
from .parameters import Choice, Integer, Number, ValueFilter
from .shared import FREQUENCIES, check_reading, common_parameters, data_path_parameter, gate, reading

__all__ = ["STUDY", "Scorecard", "scorecard"]


@dataclass(frozen=True)
class Scorecard:
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

    def latest(self, metric: str) -> pd.Series:
        rows = self.periods[self.periods["metric"] == metric]
        return rows.iloc[-1]

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: CSAT and first-contact resolution (NPS is the segment
        study's)."""
        o = self.overall.set_index("metric")
        return [figure("csat", "CSAT, % of answers satisfied", *o.loc["CSAT % satisfied", ["value", "ci_low", "ci_high"]],
                       "%", o.loc["CSAT % satisfied", "n"]),
                figure("fcr", "Resolved at first contact, %", *o.loc["FCR %", ["value", "ci_low", "ci_high"]], "%",
                       o.loc["FCR %", "n"])]

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
                     "{latest} in {period}; {sat}% of answers were satisfied (95% CI {sat_ci}%) and {fcr}% of "
                     "resolved tickets took one contact (95% CI {fcr_ci}%).",
                     {"first": first, "last": last, "nps": f"{o.loc['NPS', 'value']:.1f}", "nps_ci": ci("NPS"),
                      "n": fmt_count(o.loc["NPS", "n"]), "period": latest["period"],
                      "latest": format_ci(latest["value"], latest["ci_low"], latest["ci_high"]),
                      "sat": f"{o.loc['CSAT % satisfied', 'value']:.1f}", "sat_ci": ci("CSAT % satisfied"),
                      "fcr": f"{o.loc['FCR %', 'value']:.1f}", "fcr_ci": ci("FCR %")},
                     {"nps": o.loc["NPS", "value"], "csat": o.loc["CSAT % satisfied", "value"],
                      "fcr": o.loc["FCR %", "value"], "latest_nps": latest["value"]})]
        weak = self.segments[(self.segments["metric"] == "NPS") & self.segments["significant"]
                             & (self.segments["difference"] < 0)]
        test = "each segment against the rest, two-sample z-test, adjusted for the number of segments (Holm)"
        if len(weak):
            w = weak.sort_values("difference").iloc[0]
            out.append(Claim("scorecard.weakest", "The weakest {col} is {seg}: NPS {value}, {diff} points below the "
                             "rest ({p}, allowing for the number of segments compared).",
                             {"col": labels.name(w["segment_col"]).lower(), "seg": labels.value(w["segment"]),
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
        out.append(Claim("scorecard.goal_" + g["verdict"], "Goal: +{target} NPS points a {freq} for {who}; actual "
                         "{slope} a {freq}: {verdict}.",
                         {"who": self.goal_description, "target": f"{g['target_per_period']:g}",
                          "freq": _period_word(self.freq), "slope": format_ci(g["slope"], g["ci_low"], g["ci_high"]),
                          "verdict": {"met": "goal met", "missed": "goal missed",
                                      "uncertain": "too early to tell (the 95% interval includes the goal)"}[
                              g["verdict"]]},
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
                      "freq": _period_word(self.freq)},
                     {"answered_share": total_share, "lowest_channel": worst["channel"],
                      "highest_engagement_channel": best["channel"], "engagement_rate": best["rate"]})

    def to_dict(self) -> dict:
        return {"freq": self.freq, "overall": self.overall, "periods": self.periods, "segments": self.segments,
                "benchmarks": self.benchmarks, "goal": {**self.goal, "description": self.goal_description},
                "social": self.social, "claims": [c.to_dict() for c in self.claims()]}


def _period_word(freq: str) -> str:
    return {"Q": "quarter", "M": "month", "Y": "year"}.get(freq, "period")


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
    """Compute the scorecard from the canonical tables (see the module docstring)."""
    responses = data.survey_frame()
    routine = responses[responses["touchpoint"] != "cancellation"] if "touchpoint" in responses else responses
    tickets, customers = data.tickets, data.customers
    overall = [_row("NPS", nps(responses, ci=ci)), _row("CSAT % satisfied", csat(responses, ci=ci)),
               _row("CES % low effort", ces(responses, ci=ci))]
    parts = [_periods(trend(responses, "nps", freq=freq, ci=ci).periods, "NPS"),
             _periods(trend(responses, "csat", freq=freq, ci=ci).periods, "CSAT % satisfied"),
             _periods(trend(responses, "ces", freq=freq, ci=ci).periods, "CES % low effort")]
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
        overall.append(_row(f"churn % per {_period_word(freq)}",
                            count_estimate(int(churn["lost"].sum()), int(churn["at_start"].sum()), "churn %", ci)))
    periods = pd.concat(parts, ignore_index=True)
    periods["small_n"] = periods["n"] < min_n

    segments = []
    for score, metric in (("nps", "NPS"), ("csat", "CSAT % satisfied")):
        table = segment_table(responses, by=["touchpoint", "journey_stage"], score=score, min_n=min_n, ci=ci)
        table.insert(0, "metric", metric)
        segments.append(table)

    benchmarks = _benchmarks(responses, data.competitor_nps, freq, ci)

    goal_filter = dict(goal_filter or {})
    mask = routine["tenure_days"] >= tenured_days
    for column, value in goal_filter.items():
        mask &= routine[column] == value
    described = " and ".join(f"{labels.name(k).lower()} {labels.value(v)}" for k, v in goal_filter.items())
    description = f"tenured customers ({tenured_days:,}+ days)" + (f" with {described}" if described else "")
    goal_trend = trend(routine[mask], "nps", freq=freq, ci=ci)
    return Scorecard(freq, pd.DataFrame(overall), periods, pd.concat(segments, ignore_index=True), benchmarks,
                     goal(goal_trend, goal_points), description, data.quality,
                     None if data.social is None else social_metrics(data.social, freq, ci))


def social_metrics(social: pd.DataFrame, freq: str = "Q", ci: float = 0.95) -> dict:
    """The scorecard's social block: engagement and answers within 24 h per channel and period, trends, comparison."""
    return {"engagement": engagement_table(social, "channel", ci=ci),
            "engagement_by_period": engagement_table(social, "channel", freq, ci),
            "answered_24h": response_table(social, "channel", ci=ci),
            "answered_24h_by_period": response_table(social, "channel", freq, ci),
            "trends": engagement_trend(social, "channel", freq, ci),
            "channels": channel_comparison(social, "channel", ci)}


def _benchmarks(responses: pd.DataFrame, competitors: pd.DataFrame | None, freq: str, ci: float) -> pd.DataFrame:
    """Our NPS minus each benchmark's, per period both have."""
    columns = ["period", "competitor", "ours", "benchmark", "benchmark_n", "difference", "ci_low", "ci_high", "p_value"]
    if competitors is None:
        return pd.DataFrame(columns=columns)
    period = responses["survey_date"].dt.to_period(freq).astype(str)
    rows = []
    for _, b in competitors.sort_values(["period", "competitor"]).iterrows():
        ours = responses[period == str(b["period"])]
        if ours["nps"].notna().sum() == 0:
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
    data = load(p["data_path"], missing_codes=p["missing_codes"], **reading(p))
    gate(data.quality, "responses", p, "answers")
    return scorecard(data, freq=p["freq"], response_hours=p["response_hours"], tenured_days=p["tenured_days"],
                     goal_points=p["goal_points"], goal_filter=p["goal_filter"], min_n=p["min_n"]), data


STUDY = StudyDeclaration(
    "cx_scorecard", "CX scorecard",
    "How are we doing, quarter by quarter, against competitors and our goals?",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv or .parquet)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps", folder=True),
        Choice("freq", "Q", 'period: "M" months, "Q" quarters, "Y" years', choices=FREQUENCIES),
        Number("response_hours", 24, "the first-response target, in hours", low=0, above=True),
        Number("tenured_days", 365, 'customers this long or longer are "tenured"', low=0),
        Number("goal_points", 3.0, "the goal: tenured customers gain this many NPS points a period"),
        ValueFilter("goal_filter", {"region": "North"}, "the goal's segment among tenured customers; {} for all "
                    "of them"),
        Integer("min_n", 30, "estimates on fewer answers are flagged", low=1),
        *common_parameters(30),
    ),
    checks=(check_reading,),
    run=run,
)
