"""The churn study: who leaves and when, and whether what customers say and experience predicts it.

From a customers table (or any table with one row per customer, a duration and an
event), :func:`churn_study` reports the churn rate, Kaplan-Meier survival by segment at
chosen horizons with the median lifetime, the log-rank test across segments, a Cox model,
and -- when responses and tickets are there -- survival by NPS group at the customer's
last survey and by service experience (an unresolved ticket, a first response over 48
hours, three or more contacts), each with its log-rank test.

NPS group at the last survey uses the last routine answer before the customer left (the
cancellation survey is left out: it is answered on the way out). Customers never surveyed
form their own group.

Whether NPS or service *predicts* churn is not read off those fixed groups: customers who
stay longer answer more surveys and open more tickets, so "ever had a bad ticket" is
partly a consequence of staying (immortal-time bias) and would make bad service look
protective. Instead each customer's months become intervals carrying the state at the
start of the month -- the NPS group of the latest answer so far, whether any ticket so
far went badly -- and a Cox model with these time-varying covariates gives the hazard
ratios (counting-process form; Andersen & Gill 1982). On the sample it recovers the
designed ratios (tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython.display import Markdown

from .cox import CoxResult, cox
from .io import CXData, DataQuality, Table, load
from .rates import count_estimate
from .reports.narrative import fmt_count, fmt_p, md
from .survival import customer_durations, kaplan_meier, logrank, median_survival, survival_at, survival_counts

__all__ = ["ChurnStudy", "churn_frame", "churn_study", "load_churn_data", "state_panel"]

SLOW_FIRST_RESPONSE_HOURS = 48
REPEAT_CONTACTS = 3


def churn_frame(data: CXData, observed_from=None, as_of=None) -> pd.DataFrame:
    """One row per customer: the customer columns, duration (days), event, entry, NPS group and service flags."""
    customers = data.customers
    frame = pd.concat([customers, customer_durations(customers, as_of=as_of, observed_from=observed_from)], axis=1)
    if data.responses is not None and "nps" in data.responses.columns:
        routine = data.responses[(data.responses.get("touchpoint") != "cancellation") & data.responses["nps"].notna()]
        last = routine.sort_values("survey_date", kind="stable").groupby("customer_id")["nps"].last()
        score = frame["customer_id"].map(last).astype(float).to_numpy()
        frame["nps_group"] = np.select([score >= 9, score >= 7, ~np.isnan(score)], ["promoter", "passive", "detractor"],
                                       "not surveyed")
    if data.tickets is not None:
        t = data.tickets
        waited = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
        flags = pd.DataFrame({"customer_id": t["customer_id"], "unresolved": t["resolved_at"].isna(),
                              "slow_first_response": waited.isna() | (waited > SLOW_FIRST_RESPONSE_HOURS),
                              "repeat_contacts": t["contacts"].fillna(0) >= REPEAT_CONTACTS})
        any_flag = flags.groupby("customer_id")[["unresolved", "slow_first_response", "repeat_contacts"]].any()
        for column in any_flag.columns:
            frame[column] = frame["customer_id"].map(any_flag[column]).fillna(False).astype(bool)
        bad = frame[["unresolved", "slow_first_response", "repeat_contacts"]].any(axis=1)
        had_ticket = frame["customer_id"].isin(set(t["customer_id"]))
        frame["service"] = np.select([bad, had_ticket], ["bad experience", "good experience"], "no ticket")
    return frame


def state_panel(data: CXData, observed_from=None, as_of=None) -> pd.DataFrame:
    """Customer-months as (start, stop] tenure-day intervals with the state at the start of each month.

    Columns: customer_id, the customer's columns, start, stop, event (churned in the
    interval), nps_state (promoter, passive, detractor, or not yet surveyed) and
    bad_service_so_far (a ticket opened before the month that was unresolved, slow or
    needed three or more contacts).
    """
    customers = data.customers
    as_of = pd.Timestamp(as_of) if as_of is not None else max(customers["signup_date"].max(),
                                                                customers["churn_date"].max())
    first = pd.Timestamp(observed_from) if observed_from is not None else customers["signup_date"].min()
    routine = data.responses[(data.responses["touchpoint"] != "cancellation") & data.responses["nps"].notna()]
    routine = routine.sort_values("survey_date", kind="stable")
    t = data.tickets
    waited = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
    bad = t[t["resolved_at"].isna() | waited.isna() | (waited > SLOW_FIRST_RESPONSE_HOURS)
            | (t["contacts"].fillna(0) >= REPEAT_CONTACTS)]
    first_bad = bad.groupby("customer_id")["opened_at"].min()
    parts = []
    for month in pd.date_range(first.to_period("M").start_time, as_of, freq="MS"):
        end = month + pd.DateOffset(months=1)
        active = customers[(customers["signup_date"] < end)
                           & (customers["churn_date"].isna() | (customers["churn_date"] >= month))
                           & (customers["signup_date"] <= as_of)]
        begin = active["signup_date"].where(active["signup_date"] > month, month)
        churned = active["churn_date"] < end
        stop = active["churn_date"].where(churned, min(end, as_of + pd.Timedelta(days=1)))
        last = routine[routine["survey_date"] < month].groupby("customer_id")["nps"].last().astype(float)
        score = active["customer_id"].map(last).to_numpy(dtype=float)
        parts.append(active.assign(
            start=(begin - active["signup_date"]).dt.days,
            stop=(stop - active["signup_date"]).dt.days + churned.astype(int),
            event=churned.to_numpy(),
            nps_state=np.select([score >= 9, score >= 7, ~np.isnan(score)], ["promoter", "passive", "detractor"],
                                "not yet surveyed"),
            bad_service_so_far=(active["customer_id"].map(first_bad) < month).fillna(False).astype(bool)
            .map({True: "yes", False: "no"}),
        ))
    panel = pd.concat(parts, ignore_index=True)
    return panel[panel["stop"] > panel["start"]]


def load_churn_data(data_path=None, duration_col: str = "duration", event_col: str = "event",
                    event_value=None, segment_col: str | None = None, covariates: Sequence[str] = (),
                    revenue_col: str | None = None, observed_from="2024-01-01", missing_codes=None):
    """The rows of a churn study and the loaded object: the sample (with NPS and service columns) or a flat file.

    A flat file needs ``duration_col`` (whole numbers of days or months, >= 0) and
    ``event_col`` (yes/no: True/False, 1/0, "Yes"/"No"; or any value equal to
    ``event_value``); numeric covariates are numbers, text covariates categories.
    """
    if data_path is None:
        data = load(missing_codes=missing_codes)
        return churn_frame(data, observed_from=observed_from), data
    from .io import columns as col
    from .io import read_table

    rules = {duration_col: col.amount(required=True)}
    rules[event_col] = col.category(required=True) if event_value is not None else col.flag(required=True)
    if segment_col:
        rules[segment_col] = col.category(required=True)
    if revenue_col:
        rules[revenue_col] = col.amount(required=True)
    table: Table = read_table(data_path, rules, name="customers", missing_codes=missing_codes)
    frame = table.data
    if event_value is not None:
        frame = frame.assign(**{event_col: frame[event_col] == str(event_value)})
    missing_covariates = [c for c in covariates if c not in frame.columns]
    if missing_covariates:
        from .io import require

        require(frame, missing_covariates, "customers")
    return frame, table


@dataclass(frozen=True)
class ChurnStudy:
    """Results of the churn study (see the module docstring)."""

    n: int
    events: int
    churn: dict
    survival: pd.DataFrame
    medians: pd.DataFrame
    logrank: dict | None
    cox: CoxResult | None
    by_nps: dict | None
    by_service: dict | None
    horizons: tuple
    quality: DataQuality | None = None

    def headline(self) -> dict:
        return {"customers": fmt_count(self.n), "churned": f"{self.churn['value']:.1f}% "
                f"({self.churn['ci_low']:.1f}-{self.churn['ci_high']:.1f})"}

    def summary(self) -> Markdown:
        c = self.churn
        parts = [md("Of {n} customers, {events} left: {rate}% (95% CI {low} to {high}).", n=fmt_count(self.n),
                    events=fmt_count(self.events), rate=f"{c['value']:.1f}", low=f"{c['ci_low']:.1f}",
                    high=f"{c['ci_high']:.1f}")]
        overall = self.survival[self.survival["segment"] == "all"]
        if len(overall):
            last = overall.iloc[-1]
            parts.append(md("{survival}% are expected to stay at least {t} (95% CI {low} to {high}).",
                            survival=f"{100 * last['survival']:.1f}", t=_duration(last["t"]),
                            low=f"{100 * last['ci_low']:.1f}", high=f"{100 * last['ci_high']:.1f}"))
        if self.logrank:
            parts.append(md("Survival differs between segments: log-rank chi-square {stat} on {df} df, {p}.",
                            stat=f"{self.logrank['statistic']:.1f}", df=self.logrank["df"],
                            p=fmt_p(self.logrank["p_value"])))
        if self.by_nps:
            hr = self.by_nps["hazard_ratios"].set_index("term").loc["nps_state[detractor]"]
            parts.append(md("Customers whose latest answer made them detractors leave at {hr} times the rate of "
                            "promoters (95% CI {low} to {high}; time-varying Cox model).",
                            hr=f"{hr['hazard_ratio']:.2f}", low=f"{hr['ci_low']:.2f}", high=f"{hr['ci_high']:.2f}"))
        if self.by_service:
            hr = self.by_service["hazard_ratio"]
            parts.append(md("After a bad service experience (unresolved, slow or repeated contacts) customers leave "
                            "at {hr} times the rate (95% CI {low} to {high}).", hr=f"{hr['hazard_ratio']:.2f}",
                            low=f"{hr['ci_low']:.2f}", high=f"{hr['ci_high']:.2f}"))
        return Markdown(" ".join(p.data for p in parts))

    def to_dict(self) -> dict:
        return {"n": self.n, "events": self.events, "churn": self.churn, "survival": self.survival,
                "medians": self.medians, "logrank": self.logrank,
                "cox": None if self.cox is None else self.cox.terms[["term", "hazard_ratio", "ci_low", "ci_high",
                                                                      "p_value"]],
                "cox_details": None if self.cox is None else self.cox.to_dict(),
                "by_nps": self.by_nps, "by_service": self.by_service, "horizons": list(self.horizons)}


def _duration(days: float) -> str:
    return f"{days:g} days"


def _descriptive(frame: pd.DataFrame, event: str, column: str) -> pd.DataFrame:
    """Share of customers who left, per group of ``column`` (descriptive: see the module docstring)."""
    from .rates import rate_table

    return rate_table(frame[event].astype("boolean"), by=[frame[column]]).rename(columns={"rate": "churned %"})


def churn_study(frame: pd.DataFrame, duration: str = "duration", event: str = "event", entry: str | None = "entry",
                segment_col: str | None = "plan", covariates: Sequence[str] = ("plan", "region"),
                horizons: Sequence[float] = (90, 365, 730), panel: pd.DataFrame | None = None,
                quality: DataQuality | None = None) -> ChurnStudy:
    """Run the churn study on one row per customer (see the module docstring).

    ``panel`` (from :func:`state_panel`) adds the time-varying Cox model of NPS state and
    service experience; without it (a flat table) those questions are skipped.
    """
    entry = entry if entry and entry in frame.columns else None
    events = int(frame[event].astype(bool).sum())
    churn = count_estimate(events, len(frame), "churned %")
    overall = survival_counts(frame[duration], frame[event], None if entry is None else frame[entry])
    km_all = kaplan_meier(overall)
    survival = [survival_at(km_all, horizons)]
    medians = [median_survival(km_all)]
    test = None
    if segment_col:
        counts = survival_counts(frame[duration], frame[event], None if entry is None else frame[entry],
                                 frame[segment_col])
        km = kaplan_meier(counts)
        survival.append(survival_at(km, horizons, [str(s) for s in counts.segments]))
        medians.append(median_survival(km))
        test = logrank(counts)
    cox_fit = cox(frame, duration, event, list(covariates), entry=entry) if covariates else None
    by_nps = by_service = None
    if panel is not None:
        baseline = [c for c in covariates if c in panel.columns and c not in ("nps_group", "service")]
        states = cox(panel, "stop", "event", [*baseline, "nps_state", "bad_service_so_far"], entry="start",
                     entry_inclusive=False, reference={"nps_state": "promoter", "bad_service_so_far": "no"})
        terms = states.terms
        by_nps = {"hazard_ratios": terms[terms["term"].str.startswith("nps_state")],
                  "churn_by_last_group": _descriptive(frame, event, "nps_group"), "model": states.to_dict()}
        bad = terms[terms["term"] == "bad_service_so_far[yes]"].iloc[0]
        by_service = {"hazard_ratio": {k: bad[k] for k in ("hazard_ratio", "ci_low", "ci_high", "p_value")},
                      "churn_by_experience": _descriptive(frame, event, "service")}
    return ChurnStudy(len(frame), events, {"value": churn.value, "ci_low": churn.ci_low, "ci_high": churn.ci_high,
                                           "n": churn.n},
                      pd.concat(survival, ignore_index=True), pd.concat(medians, ignore_index=True), test, cox_fit,
                      by_nps, by_service, tuple(horizons), quality)
