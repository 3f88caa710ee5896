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

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N, Estimate, format_ci
from ..core.inference import holm, wilson_interval
from ..engine import Backend, RowRule, SourceData, open_source, source_data
from ..feedback.themes import UNTAGGED, Taxonomy, load_taxonomy, tag_themes, theme_claim, theme_table
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p, ngettext, plural, word_list
from ..formatting.result_view import ResultView
from ..io import CXData, DataError, DataQuality, Table, require
from ..io import columns as col
from ..io.columns import check_yes_no_codes
from ..io.nps_groups import score_groups
from ..io.numbers import unread_words
from ..io.quality import EXCLUDED, NOTE, QualityIssue
from ..io.scale import plain
from ..lifecycle.cox import TIES, UNIT_OF_A_NUMBER, CoxResult, cox
from ..lifecycle.economics import revenue_at_risk
from ..lifecycle.survival import (
    SurvivalCounts,
    customer_durations,
    kaplan_meier,
    logrank,
    median_survival,
    survival_at,
    survival_counts,
)
from ..metrics.compare import share_difference
from ..metrics.rates import count_estimate, rate_table
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs, as_inputs
from .parameters import Choice, Column, Columns, Date, Integer, Literal, Number, Numbers, Steps
from .shared import (
    backend_parameters,
    check_backend,
    check_reading,
    check_segments,
    check_taxonomy,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    read_loose,
    row_issue,
    taxonomy_parameter,
)

__all__ = ["STUDY", "TIME_UNITS", "ChurnStudy", "cancellation_reasons", "churn_frame", "churn_study", "churn_study_from_source", "duration_rules", "event_rules", "load_churn_data",
           "nps_churn_by_touchpoint", "run_churn_study", "service_churn", "state_panel"]

LONG_FOLLOW_UP_YEARS = 50  # a longer follow-up is asked about: durations in another unit than time_unit says?
NOT_CHECKED = "not checked"  # a proportional-hazards check that could not be made (no variance, no estimate)
SLOW_FIRST_RESPONSE_HOURS = 48
REPEAT_CONTACTS = 3
SERVICE_FLAGS = ["unresolved", "slow_first_response", "repeat_contacts"]


CHURN_FRAME_COLUMNS = ("duration", "event", "entry", "nps_group", "service", "unresolved", "slow_first_response",
                       "repeat_contacts", "bad_tickets")  # what churn_frame adds to the customers


def churn_frame(data: CXData, observed_from=None, as_of=None) -> pd.DataFrame:
    """One row per customer: the customer columns and :data:`CHURN_FRAME_COLUMNS`: duration (days), event, entry,
    NPS group and service flags."""
    customers = data.customers
    frame = pd.concat([customers, customer_durations(customers, as_of=as_of, observed_from=observed_from)], axis=1)
    if data.responses is not None and "nps" in data.responses.columns:
        routine = data.responses[(data.responses.get("touchpoint") != "cancellation") & data.responses["nps"].notna()]
        last = routine.sort_values("survey_date", kind="stable").groupby("customer_id")["nps"].last()
        score = frame["customer_id"].map(last).astype(float).to_numpy()
        frame["nps_group"] = score_groups(score, blank="not surveyed")
    if data.tickets is not None:
        t = data.tickets
        waited = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
        flags = pd.DataFrame({"customer_id": t["customer_id"], "unresolved": t["resolved_at"].isna(),
                              "slow_first_response": waited.isna() | (waited > SLOW_FIRST_RESPONSE_HOURS),
                              "repeat_contacts": t["contacts"].fillna(0) >= REPEAT_CONTACTS})
        any_flag = flags.groupby("customer_id")[["unresolved", "slow_first_response", "repeat_contacts"]].any()
        for column in any_flag.columns:
            frame[column] = frame["customer_id"].map(any_flag[column]).fillna(False).astype(bool)
        bad_tickets = flags[SERVICE_FLAGS].any(axis=1).groupby(flags["customer_id"]).sum()
        frame["bad_tickets"] = frame["customer_id"].map(bad_tickets).fillna(0).astype(int)
        bad = frame[SERVICE_FLAGS].any(axis=1)
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
            nps_state=score_groups(score, blank="not yet surveyed"),
            bad_service_so_far=(active["customer_id"].map(first_bad) < month).fillna(False).astype(bool)
            .map({True: "yes", False: "no"}),
        ))
    panel = pd.concat(parts, ignore_index=True)
    return panel[panel["stop"] > panel["start"]]


def _difference_row(estimate: Estimate, a, b) -> dict:
    return {"churn_a": estimate.components[f"value_{a}"], "churn_b": estimate.components[f"value_{b}"],
            "difference": estimate.value, "ci_low": estimate.ci_low, "ci_high": estimate.ci_high,
            "p_value": estimate.p_value}


def service_churn(frame: pd.DataFrame, event: str = "event", ci: float = 0.95) -> pd.DataFrame:
    """Churn % of customers with each kind of bad ticket against those without, and one bad ticket against none.

    Among customers with at least one ticket. Tidy: experience, n_with, churn_with,
    n_without, churn_without, difference (points) with ci_low/ci_high, p_value,
    p_adjusted (Holm). Descriptive: customers who stay longer open more tickets (see the
    module docstring for the time-varying model that answers "does it cause churn?").
    """
    served = frame[frame["service"] != "no ticket"]
    rows = []
    comparisons = [(flag.replace("_", " "), served[flag], True, False) for flag in SERVICE_FLAGS]
    one_or_none = served[served["bad_tickets"] <= 1]
    comparisons.append(("one bad ticket vs none", one_or_none["bad_tickets"] == 1, True, False))
    for label, group, a, b in comparisons:
        subset = served.loc[group.index]
        d = share_difference(subset[event], group, a, b, "churn %", ci)
        row = _difference_row(d, a, b)
        rows.append({"experience": label, "n_with": int(group.sum()), "churn_with": row["churn_a"],
                     "n_without": int((~group).sum()), "churn_without": row["churn_b"],
                     **{k: row[k] for k in ("difference", "ci_low", "ci_high", "p_value")}})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    return out


def nps_churn_by_touchpoint(data: CXData, frame: pd.DataFrame, event: str = "event",
                            ci: float = 0.95) -> pd.DataFrame:
    """Per touchpoint: churn % by NPS group of each customer's last answer there; detractors minus promoters.

    Tidy: touchpoint, customers, churn_detractor, churn_passive, churn_promoter, difference
    (detractor minus promoter, points) with ci_low/ci_high, p_value, p_adjusted (Holm).
    """
    routine = data.responses[(data.responses["touchpoint"] != "cancellation") & data.responses["nps"].notna()]
    routine = routine.sort_values("survey_date", kind="stable")
    last = routine.groupby(["touchpoint", "customer_id"], observed=True)["nps"].last().reset_index()
    last["group"] = score_groups(last["nps"])
    churned = frame.set_index("customer_id")[event].astype(bool)
    rows = []
    for touchpoint, answers in last.groupby("touchpoint", observed=True, sort=True):
        answers = answers.assign(**{event: answers["customer_id"].map(churned).fillna(False).to_numpy(dtype=bool)})
        rates = answers.groupby("group")[event].mean() * 100
        row = {"touchpoint": touchpoint, "customers": len(answers),
               **{f"churn_{g}": rates.get(g, np.nan) for g in ("detractor", "passive", "promoter")}}
        if {"detractor", "promoter"} <= set(rates.index):
            d = share_difference(answers[event], answers["group"], "detractor", "promoter", "churn %", ci)
            row.update({k: v for k, v in _difference_row(d, "detractor", "promoter").items()
                        if k in ("difference", "ci_low", "ci_high", "p_value")})
        rows.append(row)
    out = pd.DataFrame(rows)
    if "p_value" in out.columns:
        out["p_adjusted"] = holm(out["p_value"].to_numpy())
    return out


def cancellation_reasons(comments: pd.Series, taxonomy: str | Taxonomy = "en", ci: float = 0.95,
                         coded: bool | None = None) -> pd.DataFrame:
    """Why customers leave: themes of cancellation comments ranked by share, with Wilson intervals.

    Themes no comment mentions are left out; comments that match no theme are the last
    row (``untagged``). Shares may add to more than 100: a comment can give several reasons.
    Reasons given as codes that the taxonomy mostly cannot read (:func:`reason_codes`:
    "Cena", "Konkurencija" for an English taxonomy) are their own rows, in the same columns,
    each code its own theme. ``coded``: whether they are, where the caller knows (None: found here).
    """
    if reason_codes(comments, taxonomy) if coded is None else coded:
        said = comments.dropna().astype(str).str.strip()
        counts = said[said != ""].value_counts()
        n = float(counts.sum())
        low, high = wilson_interval(counts.to_numpy(float) / n, n, ci)
        return pd.DataFrame({"theme": counts.index, "label": counts.index, "comments": int(n),
                             "count": counts.to_numpy(), "share": 100 * counts.to_numpy() / n, "ci_low": 100 * low,
                             "ci_high": 100 * high, "small_n": n < MIN_N})
    table = theme_table(comments.rename("comment").to_frame(), "comment", taxonomy=load_taxonomy(taxonomy), ci=ci)
    return table[(table["count"] > 0) | (table["theme"] == UNTAGGED)].reset_index(drop=True)


REASON_CODES = 20  # at most this many distinct reasons of a few words, each given several times, are codes
CODE_WORDS = 4


def reason_codes(reasons: pd.Series, taxonomy: str | Taxonomy = "en") -> bool:
    """Are ``reasons`` codes (a choice list: "Cena", "Preselili smo se") that ``taxonomy`` mostly cannot read? At
    most :data:`REASON_CODES` distinct values of at most :data:`CODE_WORDS` words, given five times each on average,
    of which the taxonomy tags fewer than half of the answers (a list it reads keeps its themes)."""
    said = reasons.dropna().astype(str).str.strip()
    said = said[said != ""]
    distinct = said.unique()
    if not (1 < len(distinct) <= REASON_CODES and len(said) >= 5 * len(distinct)
            and max(len(v.split()) for v in distinct) <= CODE_WORDS):
        return False
    untagged = tag_themes(said.rename("comment").to_frame(), "comment", load_taxonomy(taxonomy))[UNTAGGED]
    return bool(untagged.fillna(True).astype(bool).mean() > 0.5)


def load_churn_data(data, *, duration_col: str, event_col: str, event_value=None,
                    segment_col: str | None = None, covariates: Sequence[str] = (), revenue_col: str | None = None,
                    id_col: str | None = None, reason_col: str | None = None, time_unit: str,
                    revenue_needed: bool = False, observed_from=None,
                    blank_covariate: tuple[str, str] = ("covariate missing (left out of the Cox model only)", NOTE)):
    """The rows of a churn study and the loaded object: the sample (with NPS and service columns) or a flat file.

    ``data`` is :class:`~cxlib.studies.inputs.Inputs` or a path (None: the sample). A flat file needs ``duration_col`` (a number of ``time_unit`` from 0 to 150 years; blank,
    negative or longer rows are excluded and counted: 999999999 is a placeholder) and ``event_col`` (yes/no: True/False, 1/0, "Yes"/"No";
    or any value equal to ``event_value``). With ``id_col``, exact repeated rows are kept
    once and ids repeated with different values are all excluded. Customers who left at
    duration 0 are kept and counted in a note. Covariates must exist (numbers stay
    numbers, text becomes categories); a blank one is recorded as ``blank_covariate``
    (rule, action). ``reason_col`` holds cancellation reasons in words. A blank or unreadable
    ``revenue_col`` leaves the customer out of revenue at risk only, unless ``revenue_needed``
    (the business case, where every figure is revenue).
    """
    inputs = as_inputs(data)
    if inputs.canonical:
        data = inputs.tables()
        return churn_frame(data, observed_from=observed_from), data
    rules = {duration_col: col.duration(time_unit, required=True, nullable=False)}
    if id_col:
        rules = {id_col: col.identifier(unique=True), **rules}
    rules[event_col] = (col.category(required=True) if event_value is not None
                        else col.flag(required=True, choose_with="event_value"))
    if segment_col:
        rules[segment_col] = col.category(required=True, nullable=False)
    if revenue_col:
        rules[revenue_col] = col.amount(required=True, nullable=not revenue_needed, optional_view=not revenue_needed)
    if reason_col:
        rules[reason_col] = col.text()
    table: Table = inputs.read(rules, "customers")
    frame, quality = table.data, table.quality
    _require_durations(quality, duration_col, len(frame))
    notes = []
    if event_value is not None:
        codes = [event_value] if not isinstance(event_value, list | tuple) else list(event_value)
        said = frame[event_col].str.strip().str.casefold()
        left = said.isin({str(code).strip().casefold() for code in codes})
        if not left.any():
            seen = ", ".join(repr(v) for v in frame[event_col].dropna().unique()[:8])
            raise DataError(f"customers: no value of {event_col!r} is {' or '.join(repr(str(c)) for c in codes)}, so "
                            f"nobody left; its values: {seen}. Set event_value to the values that mean \"left\" (a "
                            "list for several: [Cancelled, Closed])", table="customers", column=event_col,
                            rule="event_value present")
        others = frame.loc[~left & frame[event_col].notna(), event_col].value_counts()
        if len(others) > 1:  # besides the one code for staying: counted as stayed, said, with how to change that
            notes.append(QualityIssue("customers", event_col, COUNTED_AS_STAYED + ", ".join(
                f"{v!r} ({n:,})" for v, n in others.items()), NOTE, int(others.sum())))
    else:
        left = frame[event_col].fillna(False).astype(bool)
    blank = frame[event_col].isna().to_numpy()
    if blank.any() and (left.to_numpy() | blank).all():
        notes.append(row_issue(frame, blank, event_col, BLANK_MEANS_STAYED, NOTE))
    elif blank.any():
        quality += DataQuality((row_issue(frame, blank, event_col, col.MISSING_VALUE, EXCLUDED),), {},
                               {"customers": int((~blank).sum())})
        frame, left = frame[~blank], left[~blank]
    frame = frame.assign(**{event_col: left.to_numpy(dtype=bool)})
    require(frame, list(covariates), "customers")
    for name in covariates:
        if name in rules:
            continue
        # an age with "n/a" or "bilinmiyor" among its numbers: those answers are not ages
        unread = (f"not a number ({blank_covariate[0].partition('(')[2]}", blank_covariate[1])
        read, read_notes = read_loose(frame, name, inputs.reading.get("decimal"), inputs.reading.get("thousands"),
                                      unread)
        notes += read_notes
        blank = read.isna().to_numpy() & ~unread_words(frame[name], read)
        frame = frame.assign(**{name: col.yes_no_read(read)})  # True/False is a category: "Transplant: yes vs no"
        if blank.any():
            notes.append(row_issue(frame, blank, name, *blank_covariate))
    zero = (frame[duration_col] == 0).to_numpy()
    if zero.any():
        first = UNIT_FORMS.get(time_unit, ("day",))[0]
        notes.append(row_issue(frame, zero, duration_col, f"duration 0 (kept: left or censored within the first "
                               f"{first})", NOTE))
    return frame, Table(frame, quality + DataQuality(tuple(notes)), table.source)


BLANK_MEANS_STAYED = "blank: did not leave (the column marks only those who left)"
COUNTED_AS_STAYED = "counted as stayed (not in event_value): "  # then each other value with its customers




@dataclass(frozen=True, repr=False)
class ChurnStudy(ResultView):
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
    touchpoints: pd.DataFrame | None
    reasons: pd.DataFrame | None
    revenue_risk: pd.DataFrame | None
    horizons: tuple
    time_unit: str = "days"
    quality: DataQuality | None = None
    km: pd.DataFrame | None = field(default=None, repr=False)
    km_by_nps: pd.DataFrame | None = field(default=None, repr=False)
    revenue_unknown: int = 0  # customers without a readable revenue: left out of revenue at risk only
    reasons_coded: bool = False  # reasons given as codes (a choice list), each its own row of reasons
    taxonomy_language: str = "en"  # the language of the themes reasons in words were read for

    def headline(self) -> dict:
        out = {"customers": fmt_count(self.n), "churned": format_ci(self.churn["value"], self.churn["ci_low"],
                                                                           self.churn["ci_high"], 1, "%")}
        if self.revenue_risk is not None:
            total = self.revenue_risk.iloc[-1]
            out["revenue at risk next period"] = labels.money(total["revenue_at_risk"])
        return out

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the share of customers who left, revenue at risk."""
        c = self.churn
        out = [figure("churn", "Customers who left", c["value"], c["ci_low"], c["ci_high"], "%", self.n, "lower")]
        if self.revenue_risk is not None:
            t = self.revenue_risk.iloc[-1]
            out.append(figure("revenue_at_risk", f"Revenue at risk, {self.next_period(t['period'])}",
                              t["revenue_at_risk"], t["risk_ci_low"], t["risk_ci_high"], labels.money_unit(),
                              better="lower"))
        return out

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        c = self.churn
        follow_up = float(self.survival.loc[self.survival["segment"] == "all", "follow_up"].iloc[0])
        out = [Claim("churn.overall", "Of {n} customers followed for up to {follow}, {events} left: {rate}% (95% CI "
                     "{low} to {high}%).",
                     {"n": fmt_count(self.n), "events": fmt_count(self.events), "rate": f"{c['value']:.1f}",
                      "low": f"{c['ci_low']:.1f}", "high": f"{c['ci_high']:.1f}",
                      "follow": self.duration_text(follow_up)},
                     {"customers": self.n, "left": self.events, "share": c["value"], "ci_low": c["ci_low"],
                      "ci_high": c["ci_high"], "follow_up": follow_up})]
        stayed = [i for i in (self.quality.issues if self.quality else ()) if i.rule.startswith(COUNTED_AS_STAYED)]
        if stayed:  # "Cancelled - Competitor" when event_value names only "Cancelled": the reader must see it
            out.append(Claim("churn.counted_as_stayed", "Counted as stayed, as event_value does not name them: "
                             "{values}.", {"values": stayed[0].rule.removeprefix(COUNTED_AS_STAYED)},
                             {"customers": stayed[0].n_rows}, joins=True))
        years = follow_up * col.UNIT_DAYS[self.time_unit] / col.UNIT_DAYS["years"]
        if years > LONG_FOLLOW_UP_YEARS:  # 1,218 "months" that are days: a century of custom
            out.append(Claim("churn.long_follow_up", "That is {years} years: are the durations in {unit}? If not, "
                             "give time_unit.", {"years": f"{years:,.0f}", "unit": self.time_unit},
                             {"follow_up_years": years}, joins=True))
        overall = self.survival[self.survival["segment"] == "all"]
        known = overall[overall["survival"].notna()]
        if len(known):
            last = known.iloc[-1]
            out.append(Claim("churn.survival", "An estimated {survival}% stay longer than {t} (95% CI {low} to {high}%).",
                             {"survival": f"{100 * last['survival']:.1f}", "t": self.duration_text(last["t"]),
                              "low": f"{100 * last['ci_low']:.1f}", "high": f"{100 * last['ci_high']:.1f}"},
                             {"t": last["t"], "survival": last["survival"], "ci_low": last["ci_low"],
                              "ci_high": last["ci_high"], "follow_up": last["follow_up"]}, "Kaplan-Meier",
                             joins=True))
        beyond = overall[overall["survival"].isna()]
        if len(beyond):
            out.append(Claim("churn.not_estimable", "Survival at {t} is not estimable from these data: the longest "
                             "follow-up is {follow}, and customers were still there at its end.",
                             {"t": " and ".join(self.duration_text(t) for t in beyond["t"]),
                              "follow": self.duration_text(beyond["follow_up"].iloc[0])},
                             {"t": list(beyond["t"]), "follow_up": beyond["follow_up"].iloc[0]}, joins=True))
        if self.logrank:
            p = self.logrank["p_value"]
            numbers = {"p_value": p, "statistic": self.logrank["statistic"], "df": self.logrank["df"]}
            if p < LEVEL:
                out.append(Claim("churn.segments_differ", "How long customers stay differs between segments ({p}): "
                                 "see which in section 1.", {"p": fmt_p(p)}, numbers, "log-rank test"))
            else:
                out.append(Claim("churn.segments_no_clear_difference", "No clear difference between segments in how "
                                 "long customers stay ({p}).", {"p": fmt_p(p)}, numbers, "log-rank test"))
        if self.cox is not None:  # who leaves sooner continues the bullet on segments
            out.append(dataclasses.replace(self._cox_claim(), joins=bool(self.logrank)))
        if self.by_nps and self.by_service:
            hr = self.by_nps["hazard_ratios"].set_index("term").loc["nps_state[detractor]"]
            bad = self.by_service["hazard_ratio"]
            out.append(Claim("churn.nps_and_service", "Customers whose latest answer made them detractors leave at "
                             "{hr} times the rate of promoters (95% CI {low} to {high}), and after a bad service "
                             "experience (unresolved, slow or repeated contacts) at {bhr} times the rate (95% CI "
                             "{blow} to {bhigh}).",
                             {"hr": f"{hr['hazard_ratio']:.2f}", "low": f"{hr['ci_low']:.2f}",
                              "high": f"{hr['ci_high']:.2f}", "bhr": f"{bad['hazard_ratio']:.2f}",
                              "blow": f"{bad['ci_low']:.2f}", "bhigh": f"{bad['ci_high']:.2f}"},
                             {"detractor_hazard_ratio": hr["hazard_ratio"], "ci_low": hr["ci_low"],
                              "ci_high": hr["ci_high"], "bad_service_hazard_ratio": bad["hazard_ratio"],
                              "bad_service_ci_low": bad["ci_low"], "bad_service_ci_high": bad["ci_high"]},
                             "Cox model with time-varying NPS and service states"))
        if self.reasons is not None and len(self.reasons) and self.reasons.iloc[0]["theme"] != UNTAGGED:
            top = self.reasons.iloc[0]
            claim = theme_claim("churn.top_reason", "The most frequent reason given for leaving is {label}: {share}% "
                                "of " + ("the reasons given" if self.reasons_coded else "cancellation comments")
                                + " (95% CI {low} to {high}%).", top)
            out.append(dataclasses.replace(claim, values={**claim.values, "label": f"'{top['label']}'"})
                       if self.reasons_coded else claim)  # a code as written, quoted
        elif self.reasons is not None and len(self.reasons):
            out.append(Claim("churn.no_reason_themes", "No reason for leaving names a theme of the taxonomy "
                             "({language}); is taxonomy the reasons' language?",
                             {"language": self.taxonomy_language}, {"tagged_reasons": 0}))
        if self.revenue_risk is not None:
            total = self.revenue_risk.iloc[-1]
            out.append(Claim("churn.revenue_at_risk", "Revenue at risk over {period}{on}: {risk} (95% CI {low} "
                             "to {high}).",
                             {"period": self.next_period(total["period"]), "risk": labels.money(total["revenue_at_risk"]),
                              "low": labels.money(total["risk_ci_low"]), "high": labels.money(total["risk_ci_high"]),
                              "on": (f", on the {fmt_count(self.n - self.revenue_unknown)} of {fmt_count(self.n)} "
                                     "customers whose revenue is known" if self.revenue_unknown else "")},
                             {"revenue_at_risk": total["revenue_at_risk"], "ci_low": total["risk_ci_low"],
                              "ci_high": total["risk_ci_high"], "period": total["period"],
                              "currency": labels.currency()}, "constant hazard per segment"))
        return out

    def introduction(self, segment_col: str | None = None, covariates: Sequence[str] = ()) -> Claim:
        """What this report follows, in the words of its parameters (never the sample's)."""
        covariates = list(covariates) if self.cox is not None else []
        return Claim("churn.introduction", "{n} customers followed over their time as customers, in {unit}{seg}{cox}"
                     "{risk}.",
                     {"n": fmt_count(self.n), "unit": self.time_unit,
                      "seg": f"; survival compared across {labels.in_text(segment_col)}" if segment_col else "",
                      "cox": f"; who leaves sooner, by {', '.join(labels.in_text(c) for c in covariates)}"
                      if covariates else "",
                      "risk": "; revenue at risk over the next period" if self.revenue_risk is not None else ""},
                     {"customers": self.n, "segment_col": segment_col, "covariates": covariates})

    def reasons_method(self) -> Claim:
        """How the reasons for leaving were read: as the codes they are, or as comments tagged with themes."""
        if self.reasons_coded:
            return Claim("churn.reasons_as_codes", "The reasons as given (a list of codes), each a share of the "
                         "customers who gave one, with 95% Wilson intervals.", {}, {})
        return Claim("churn.reasons_as_themes", "Themes of the comments left in cancellation surveys (or the reason "
                     "column), tagged by the taxonomy ({language}; case, accents and typos tolerated); a comment can "
                     "carry several themes. Shares with 95% Wilson intervals; comments matching no theme are "
                     "counted, not dropped.", {"language": self.taxonomy_language}, {})

    def cox_rows(self) -> Claim:
        """How many customers the Cox model rests on: those with a value in every covariate (a blank in one leaves
        the customer out of the model only; the survival figures keep them)."""
        out = self.n - self.cox.n
        left_out = (f"; {plural(out, 'customer', 'customers')} with a blank covariate {ngettext('is', 'are', out)} "
                    "left out of it (not of the survival figures)") if out else ""
        return Claim("churn.cox_rows", "The model rests on {n} of the {total} customers, {events} of whom left{out}.",
                     {"n": fmt_count(self.cox.n), "total": fmt_count(self.n), "events": fmt_count(self.cox.events),
                      "out": left_out}, {"n": self.cox.n, "customers": self.n, "events": self.cox.events})

    def cox_table(self) -> pd.DataFrame:
        """The Cox terms for a report: each hazard ratio per its step, the step in words ("6.11, one standard
        deviation"; blank for a category, read against its reference level), p, p Holm-adjusted across the terms
        (what the summary's "clearly" rests on) and the proportional-hazards check. A term without an estimate
        (:meth:`no_estimate`) shows dashes, and a check that could not be made reads "not checked"."""
        t = self.cox.per_step()
        step = [_step_words(p, kind) if "[" not in term else "" for term, p, kind in zip(t["term"], t["per"],
                                                                                         t["per_kind"], strict=True)]
        diverged = t["term"].isin(self.no_estimate())
        t = t.assign(per=step, proportional=t["term"].map(self.ph_table().set_index("term")["proportional"]))
        t.loc[diverged, ["hazard_ratio", "ci_low", "ci_high", "p_value", "p_adjusted"]] = np.nan
        return t[["term", "per", "hazard_ratio", "ci_low", "ci_high", "p_value", "p_adjusted", "proportional"]]

    def ph_table(self) -> pd.DataFrame:
        """The proportional-hazards check for a report: a check that could not be made (no variance among the
        residuals, or a term without an estimate) reads "not checked", never "yes"."""
        ph = self.cox.ph_check
        checked = ph["p_value"].notna() & ~ph["term"].isin(self.no_estimate())
        out = ph.assign(proportional=ph["proportional"].astype(object).where(checked, NOT_CHECKED))
        out.loc[~checked, ["rho", "p_value", "p_adjusted"]] = np.nan
        return out

    def _cox_claim(self) -> Claim:
        """Which characteristics make customers leave clearly sooner or later: a hazard ratio whose Wald test rejects
        at the report's level after Holm's adjustment for the number of terms. A number is read per its step (one
        standard deviation unless ``covariate_steps`` names one); a term whose effect the proportional-hazards check
        finds changing with tenure says so."""
        refs = self.cox.references
        terms = self.cox.per_step()
        test = (f"Cox model ({self.cox.ties} ties), Wald test of each hazard ratio, Holm-adjusted across the terms; "
                "proportional-hazards check on Schoenfeld residuals")

        def step(r) -> str:
            if "[" in r.term:
                return ""
            shown, _, kind = _step_words(r.per, r.per_kind).partition(", ")
            return f" per {shown} more{', ' + kind if kind else ''};"

        def listed(rows: pd.DataFrame) -> str:
            return "; ".join(f"{labels.term(r.term, refs)} ({r.hazard_ratio:.2f} times the rate{step(r) or ','} 95% "
                             f"CI {r.ci_low:.2f} to {r.ci_high:.2f}"
                             f"{'' if r.proportional else ', though its effect changes with tenure'})"
                             for r in rows.itertuples())

        diverged = terms["term"].isin(self.no_estimate()).to_numpy()
        clear = (terms["p_adjusted"] < LEVEL) & ~diverged
        sooner = terms[clear & (terms["hazard_ratio"] > 1)].sort_values("hazard_ratio", ascending=False)
        later = terms[clear & (terms["hazard_ratio"] < 1)].sort_values("hazard_ratio")
        numbers = {"sooner": list(sooner["term"]), "later": list(later["term"]), "terms": len(terms),
                   "changing_with_tenure": list(terms.loc[~terms["proportional"], "term"]),
                   "per": dict(zip(terms["term"], terms["per"], strict=True)), "ties": self.cox.ties,
                   **({"no_estimate": list(terms.loc[diverged, "term"])} if diverged.any() else {})}
        parts = ([f"Leave clearly sooner: {listed(sooner)}."] if len(sooner) else []) + (
            [f"Leave clearly later: {listed(later)}."] if len(later) else [])
        unsized = terms.loc[diverged, "term"]
        groups, measured = unsized[unsized.str.contains(r"\[")], unsized[~unsized.str.contains(r"\[")]
        if len(groups):
            parts.append(f"The model cannot size {word_list([labels.term(t, refs) for t in groups])}: nobody, or "
                         "everybody, in one of its groups left, so its hazard ratio has no estimate (the survival "
                         "curves compare the groups).")
        if len(measured):
            parts.append(f"The model cannot size {word_list([labels.term(t, refs) for t in measured])}: it tells "
                         "apart completely who leaves (at each departure the customer who left had the highest, or "
                         "the lowest, value of those still there), so its hazard ratio has no estimate.")
        if not len(sooner) and not len(later) and not diverged.any():
            return Claim("churn.cox_none", "No characteristic in the model clearly changes how soon customers leave, "
                         "once the number of characteristics compared is allowed for.", numbers=numbers, test=test)
        return Claim("churn.cox_clear", "{text}", {"text": " ".join(parts)}, numbers, test)

    @property
    def follow_up(self) -> dict[str, float]:
        """The longest follow-up of each segment ("all" included): how far its curve is known."""
        return self.survival.groupby("segment", sort=False)["follow_up"].first().to_dict()

    def no_estimate(self) -> list[str]:
        """The Cox terms whose hazard ratio has no estimate (:meth:`cxlib.lifecycle.cox.CoxResult.no_estimate`); their Wald
        test and proportional-hazards check say nothing."""
        return self.cox.no_estimate()

    def changing_with_tenure(self) -> Claim | None:
        """The terms the proportional-hazards check rejects (Holm-adjusted across the terms), in words; None when it
        rejects none (terms without an estimate are not read)."""
        ph = self.cox.ph_check if self.cox is not None else None
        if ph is None:
            return None
        changing = ph[~ph["proportional"] & ~ph["term"].isin(self.no_estimate())]
        if changing.empty:
            return None
        terms = [f"{labels.term(r.term, self.cox.references)} (correlation with time {r.rho:+.2f}, adjusted "
                 f"{fmt_p(r.p_adjusted)})" for r in changing.itertuples()]
        return Claim("churn.changing_with_tenure", "The hazard ratio of {terms} changes with tenure: read it as an "
                     "average over the customers' time, not as the same effect at every tenure.",
                     {"terms": word_list(terms)}, {"terms": list(changing["term"])},
                     "Schoenfeld residuals against the rank of time, Holm-adjusted across the terms")

    @property
    def duration_digits(self) -> int:
        """Decimals a duration in the study's unit is shown with: whole days, a tenth of a week or month, hundredths
        of a year (4.50 years is not "5")."""
        return {"days": 0, "weeks": 1, "months": 1, "years": 2}[self.time_unit]

    def duration_text(self, t: float) -> str:
        """A duration in the study's unit, in the form that agrees with it: "1 month", "72 months"."""
        return f"{_count_of(t)} {ngettext(*UNIT_FORMS[self.time_unit], t)}"

    def next_period(self, t: float) -> str:
        """The coming period: "the next month", "the next 30 days"."""
        return ngettext("the next {unit}", "the next {t} {units}", t).format(unit=UNIT_FORMS[self.time_unit][0],
                                                                            t=_count_of(t), units=self.time_unit)

    def to_dict(self) -> dict:
        return {"n": self.n, "events": self.events, "churn": self.churn, "survival": self.survival,
                "medians": self.medians, "logrank": self.logrank,
                "cox": None if self.cox is None else self.cox.terms[["term", "hazard_ratio", "ci_low", "ci_high",
                                                                      "p_value"]],
                "cox_details": None if self.cox is None else self.cox.to_dict(),
                "by_nps": self.by_nps, "by_service": self.by_service, "touchpoints": self.touchpoints,
                "reasons": self.reasons, "revenue_at_risk": self.revenue_risk, "horizons": list(self.horizons),
                "time_unit": self.time_unit, "claims": [c.to_dict() for c in self.claims()]}


def _descriptive(frame: pd.DataFrame, event: str, column: str) -> pd.DataFrame:
    """Share of customers who left, per group of ``column`` (descriptive: see the module docstring)."""
    return rate_table(frame[event].astype("boolean"), by=[frame[column]]).rename(columns={"rate": "churned %"})


def churn_study(frame: pd.DataFrame, *, duration: str, event: str, entry: str | None = None,
                segment_col: str | None = None, covariates: Sequence[str] = (), horizons: Sequence[float] | None = None,
                panel: pd.DataFrame | None = None, data: CXData | None = None, reasons: pd.Series | None = None,
                revenue_col: str | None = None, period: float | None = None, time_unit: str = "days",
                taxonomy: str | Taxonomy = "en", quality: DataQuality | None = None, ties: str = "efron",
                covariate_steps: Mapping[str, float] | None = None) -> ChurnStudy:
    """Run the churn study on one row per customer (see the module docstring).

    ``panel`` (from :func:`state_panel`) adds the time-varying Cox model of NPS state and
    service experience; ``data`` (the loaded tables) adds churn by NPS group per
    touchpoint; ``reasons`` (cancellation comments) the ranked reasons for leaving;
    ``revenue_col`` (revenue per ``period``, in the unit of ``duration``) the revenue at
    risk over the next period. Without them (a flat table) those parts are skipped.
    ``ties`` ("efron" or "breslow") and ``covariate_steps`` (column -> the step its hazard
    ratio is read for) go to :func:`cxlib.lifecycle.cox.cox`. ``horizons`` and ``period`` default to those
    of ``time_unit`` (:data:`UNIT_HORIZONS`, :data:`UNIT_PERIOD`).
    """
    entry = entry if entry and entry in frame.columns else None
    period = period or UNIT_PERIOD[time_unit]
    with open_source(frame) as source:  # the counts and the Cox model as on any backend; in memory, on every row
        core = churn_study_from_source(source, duration=duration, event=event, entry=entry, segment_col=segment_col,
                                       covariates=covariates, horizons=horizons, time_unit=time_unit,
                                       sample_size=len(frame), ties=ties, covariate_steps=covariate_steps)
    by_nps = by_service = km_by_nps = None
    if panel is not None:
        baseline = [c for c in covariates if c in panel.columns and c not in ("nps_group", "service")]
        states = cox(panel, "stop", "event", [*baseline, "nps_state", "bad_service_so_far"], entry="start",
                     entry_inclusive=False, reference={"nps_state": "promoter", "bad_service_so_far": "no"}, ties=ties)
        terms = states.terms
        last_group = survival_counts(frame[duration], frame[event], None if entry is None else frame[entry],
                                     frame["nps_group"])
        km_by_nps = kaplan_meier(last_group)
        by_nps = {"hazard_ratios": terms[terms["term"].str.startswith("nps_state")],
                  "churn_by_last_group": _descriptive(frame, event, "nps_group"),
                  "logrank_by_last_group": logrank(last_group), "model": states.to_dict()}
        bad = terms[terms["term"] == "bad_service_so_far[yes]"].iloc[0]
        by_service = {"hazard_ratio": {k: bad[k] for k in ("hazard_ratio", "ci_low", "ci_high", "p_value")},
                      "churn_by_experience": _descriptive(frame, event, "service"),
                      "comparisons": service_churn(frame, event)}
    touchpoints = nps_churn_by_touchpoint(data, frame, event) if data is not None else None
    coded = reasons is not None and reason_codes(reasons, taxonomy)  # the taxonomy tags the reasons once
    reason_table = cancellation_reasons(reasons, taxonomy, coded=coded) if reasons is not None else None
    known = frame[revenue_col].notna() if revenue_col else None
    risk = (revenue_at_risk(frame[known], revenue_col, duration, event, entry, segment_col, period)
            if revenue_col else None)
    return dataclasses.replace(core, by_nps=by_nps, by_service=by_service, touchpoints=touchpoints,
                               reasons=reason_table, revenue_risk=risk, quality=quality, km_by_nps=km_by_nps,
                               revenue_unknown=int((~known).sum()) if revenue_col else 0,
                               reasons_coded=coded,
                               taxonomy_language=load_taxonomy(taxonomy).language)


def _churn(events: int, n: int) -> dict:
    churn = count_estimate(events, n, "churned %")
    return {"value": churn.value, "ci_low": churn.ci_low, "ci_high": churn.ci_high, "n": churn.n}


def _survival_tables(overall: SurvivalCounts, by_segment: SurvivalCounts | None, horizons: Sequence[float]):
    """Survival at the horizons and medians (overall, then per segment), the log-rank test, and the curves."""
    km = km_all = kaplan_meier(overall)
    survival = [survival_at(km_all, horizons, follow_up=overall.follow_up(), known_until=overall.known_until())]
    medians, test = [median_survival(km_all)], None
    if by_segment is not None:
        km = kaplan_meier(by_segment)
        survival.append(survival_at(km, horizons, [str(s) for s in by_segment.segments], by_segment.follow_up(),
                                    by_segment.known_until()))
        found = median_survival(km)
        silent = [str(s) for s in by_segment.segments if str(s) not in set(found["segment"].astype(str))]
        medians.append(pd.concat([found, pd.DataFrame({"segment": silent, "median": np.inf, "ci_low": np.nan,
                                                       "ci_high": np.inf})], ignore_index=True)
                       if silent else found)  # a segment nobody in which left: its median is not reached
        test = logrank(by_segment)
    return pd.concat(survival, ignore_index=True), pd.concat(medians, ignore_index=True), test, km


def churn_study_from_source(source: Backend, *, duration: str, event: str, entry: str | None = None,
                            segment_col: str | None = None, covariates: Sequence[str] = (),
                            horizons: Sequence[float] | None = None, time_unit: str = "days",
                            sample_size: int = 200_000, seed: int = 0, ties: str = "efron",
                            covariate_steps: Mapping[str, float] | None = None) -> ChurnStudy:
    """The churn study on any backend: churn, Kaplan-Meier, medians and log-rank from counts per time.

    Rows without a duration, with a negative one, without an event, with an event that
    is not 0/1, or (with ``segment_col``) without a segment are left out and counted in
    the source's exclusions, as reading a table in memory does. The Cox model needs rows:
    it is fitted on a seeded random sample of ``sample_size`` of the rows kept (all of
    them when there are fewer), so its intervals are those of the sample. NPS, service,
    reasons and revenue at risk need the sample's tables or a flat table in memory and
    are left out.
    """
    source.restrict([*duration_rules(duration, time_unit), *event_rules(source, event),
                     *([RowRule(segment_col, "present")] if segment_col else [])])
    rates = source.rate_counts(event)
    events, n = int(rates["successes"].iloc[0]), int(rates["n"].iloc[0])
    require_leavers(events, n, event)
    longest = source.value_range(duration)[1]
    if not longest or longest <= 0:  # no time passed for anyone: no curve, no hazard, no change with tenure
        raise DataError(f"customers: every duration in {duration!r} is 0, so no one was followed over time; check the "
                        "column (is it the time from signup to leaving or to the end of observation?)",
                        table="customers", column=duration, rule="some time as a customer")
    overall = source.survival_counts(duration, event, entry)
    counts = source.survival_counts(duration, event, entry, segment_col) if segment_col else None
    if counts is not None:
        check_segments(segment_col, counts.segments, "customers")
    if counts is not None:  # True/False segments are yes and no, as the loader reads them
        counts = dataclasses.replace(counts, segments=pd.Index(col.yes_no_read(counts.segments.to_series())))
    horizons = list(horizons or UNIT_HORIZONS[time_unit])
    survival, medians, test, km = _survival_tables(overall, counts, horizons)
    cox_fit = None
    if covariates:
        rows = source.sample([duration, event, *([entry] if entry else []), *covariates], sample_size, seed)
        for name in covariates:  # as the loader reads them: True/False as yes and no, the segment as a category
            rows[name] = col.yes_no_read(rows[name])
        if segment_col in covariates:
            rows[segment_col] = col.as_text(rows[segment_col])
        try:
            cox_fit = cox(rows, duration, event, list(covariates), entry=entry, ties=ties, units=covariate_steps)
        except DataError as exc:
            if exc.rule != UNIT_OF_A_NUMBER:
                raise
            raise DataError(f"customers: covariate_steps gives a step for {exc.column!r}, a category: its hazard "
                            "ratios are read level against level; leave it out of covariate_steps", table="customers",
                            column=exc.column, rule=exc.rule) from None
    return ChurnStudy(n, events, _churn(events, n), survival, medians, test, cox_fit, None, None, None, None, None,
                      tuple(horizons), time_unit, None, km, None)


def require_leavers(events: int, n: int, event: str) -> None:
    """Stop (exit 3) when nobody left: how long customers stay and who leaves sooner cannot be told from a table
    where every customer stayed, and a share of 0% would hide a wrong ``event_col`` or ``event_value``."""
    if n and not events:
        raise DataError(f"customers: nobody left: {event!r} says 'stayed' for all {plural(n, 'customer', 'customers')}"
                        ". How long customers stay needs some who left; check event_col (and event_value, if its "
                        "values are words)", table="customers", column=event, rule="customers who left")


def duration_rules(duration: str, time_unit: str) -> list[RowRule]:
    """The rules a duration keeps on any backend, as the in-memory loader's :func:`~cxlib.io.columns.duration`:
    a value, from 0 to 150 years."""
    return [RowRule(duration, "present"), RowRule(duration, "not negative", high=col.longest_duration(time_unit),
                                                  label=f"not {col.duration(time_unit).rule}")]


def _require_durations(quality: DataQuality, duration: str, kept: int) -> None:
    """Stop (exit 3) when the duration column holds dates: a start or end date is no time as a customer, and every
    row would be left out as "not a number" (the CRM's start_date/end_date shape)."""
    unread = [i for i in quality.issues if i.column == duration and i.rule == "not a number" and i.action == EXCLUDED]
    examples = [e for i in unread for e in i.examples]
    if not unread or unread[0].n_rows < kept or not examples:
        return
    if pd.to_datetime(pd.Series(examples, dtype="string"), errors="coerce", format="mixed").notna().all():
        raise DataError(f"customers: {duration!r} holds dates ({', '.join(map(repr, examples[:3]))}), not durations: "
                        "give a column of the time as a customer (the end date, or the export date for customers "
                        "still there, minus the start date), in time_unit", table="customers", column=duration,
                        rule="a duration, not a date")


def event_rules(source: Backend, event: str) -> list[RowRule]:
    """The rule a yes/no event column keeps where the data are: a value present. A column with a code other than 0
    and 1 (0/1/2, R's 1/2) is refused first, as the in-memory loader refuses it
    (:func:`~cxlib.io.columns.check_yes_no_codes`)."""
    codes = source.totals([], by=[event])
    counts = pd.Series(codes["rows"].to_numpy(), index=[str(plain(v)).lower() for v in codes[event]])
    check_yes_no_codes(counts, event, "event_value")
    blank = int(source.totals([])["rows"].iloc[0]) - int(counts.sum())
    if blank and all(code in col.TRUE_WORDS for code in counts[counts > 0].index):
        raise DataError(f"customers: {event!r} marks only those who left and leaves {plural(blank, 'row', 'rows')} "
                        f"blank. With backend 'pandas' a blank then means the customer did not leave; out of core, "
                        f"fill the blanks with 0 or use backend pandas", table="customers", column=event,
                        rule=BLANK_MEANS_STAYED)
    return [RowRule(event, "present")]


def run(p: Parameters) -> tuple[ChurnStudy, CXData | Table | SourceData]:
    """The churn study on checked parameters (the ``churn_study`` notebook's call): ``(ChurnStudy, data)``.

    On the sample the durations are in days from signup, customers who joined before
    ``observed_from`` enter late, and the NPS, service, touchpoint and cancellation-reason
    parts are included. A flat table gives what its columns allow. With ``backend``
    "duckdb" or "dask" the table stays where it is (Parquet files, a DuckDB file with
    ``table``, or a SQL query; see :func:`churn_study_from_source`). ``min_rows`` and
    ``max_excluded`` stop the study on too few usable customers. ``horizons`` and
    ``period`` follow ``time_unit`` (or the unit the duration column's name states) unless given.
    """
    unit, inputs = p.time_unit or unit_in_name(p.duration_col), Inputs.of(p)
    if not inputs.in_memory:
        study, data = _run_from_source(p, inputs, unit)
        gate(data.quality, "customers", p)
        return study, data
    frame, data = load_churn_data(inputs, duration_col=p.duration_col, event_col=p.event_col,
                                  event_value=p.event_value, segment_col=p.segment_col, covariates=p.covariates,
                                  revenue_col=p.revenue_col, id_col=p.id_col, reason_col=p.reason_col,
                                  time_unit=unit, observed_from=p.observed_from)
    gate(data.quality, "customers", p)
    options = {"segment_col": p.segment_col, "covariates": p.covariates, "horizons": p.horizons,
               "revenue_col": p.revenue_col, "period": p.period, "time_unit": unit,
               "quality": data.quality, "ties": p.ties, "covariate_steps": p.covariate_steps, "taxonomy": p.taxonomy}
    if isinstance(data, CXData):
        responses = data.responses
        study = churn_study(frame, duration="duration", event="event", entry="entry",
                            panel=state_panel(data, observed_from=p.observed_from), data=data,
                            reasons=responses.loc[responses["touchpoint"] == "cancellation", "comment"], **options)
    else:
        study = churn_study(frame, duration=p.duration_col, event=p.event_col,
                            reasons=frame[p.reason_col] if p.reason_col else None, **options)
    return study, data


def _run_from_source(p: Parameters, inputs: Inputs, unit: str) -> tuple[ChurnStudy, SourceData]:
    with inputs.source() as source:
        study = churn_study_from_source(source, duration=p.duration_col, event=p.event_col,
                                        segment_col=p.segment_col, covariates=p.covariates, horizons=p.horizons,
                                        time_unit=unit, sample_size=p.sample_size, seed=p.seed, ties=p.ties,
                                        covariate_steps=p.covariate_steps)
        notes = []
        if p.covariates and p.sample_size < study.n:
            notes.append(f"The Cox model is fitted on a seeded random sample of {p.sample_size:,} of the {study.n:,} "
                         "rows (sample_size); everything else uses every row.")
        skipped = [c for c in (p.revenue_col, p.id_col, p.reason_col) if c]
        if skipped:
            notes.append(f"The columns {', '.join(skipped)} are used with backend 'pandas' only (revenue at risk, "
                         "repeated ids, reasons).")
        data = source_data(source, "customers", [(p.duration_col, f"{p.duration_col} present", study.n)], notes=notes)
    return dataclasses.replace(study, quality=data.quality), data


def _step_words(step: float, kind: str) -> str:
    """A Cox term's step as a reader takes it: "1", "6.11, one standard deviation", "1,000"."""
    shown = f"{step:,.0f}" if step >= 100 else f"{step:.3g}"
    return f"{shown}, one standard deviation" if kind == "standard deviation" else shown


def _count_of(t: float) -> str:
    """A number of time units as people write it: "2,555", "1.5"."""
    return f"{t:,.0f}" if t == round(t) else f"{t:,.2f}".rstrip("0")


TIME_UNITS = ("days", "weeks", "months", "years")
DATE_NAME = re.compile(r"(^|[_\W])(date|datum|tarih|datetime|timestamp)($|[_\W])", re.IGNORECASE)  # end_date
UNIT_FORMS = {"days": ("day", "days"), "weeks": ("week", "weeks"), "months": ("month", "months"),
              "years": ("year", "years")}  # singular and plural of each unit (ngettext)


def unit_in_name(column: str) -> str | None:
    """The time unit a duration column's name states (``tenure_months``, ``days_active``, ``Weeks``), or None.

    >>> unit_in_name("tenure_months"), unit_in_name("DaysActive"), unit_in_name("week"), unit_in_name("tenure")
    ('months', 'days', 'weeks', None)
    """
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(column)).lower())
    found = {unit for unit in TIME_UNITS for word in words if word in (unit, unit[:-1])}
    return found.pop() if len(found) == 1 else None


def named_as_date(values: dict) -> list[str]:
    """A duration column named as a date (``end_date``) on the user's data: the problem, or none."""
    if values["data_path"] is None or not DATE_NAME.search(str(values["duration_col"])):
        return []
    return [f"duration_col {values['duration_col']!r} is named as a date; durations are needed: a column of the time "
            "as a customer (the end date, or the export date for customers still there, minus the start date)"]


def check_time_unit(values: dict) -> list[str]:
    """On the user's own table the unit of ``duration_col`` must be given, unless its name states it; a unit
    given against the one the name states is refused (``tenure_days`` with ``time_unit: months``), and so is a
    column named as a date (``end_date``): a duration is a time as a customer, not a day."""
    named, given = unit_in_name(values["duration_col"]), values["time_unit"]
    if named_as_date(values):
        return named_as_date(values)
    if given is not None and named is not None and named != given:
        return [f"time_unit is {given}, but duration_col {values['duration_col']!r} is named in {named}: leave "
                f"time_unit out to read it in {named}, or name the column that holds {given}"]
    if given is not None or named:
        return []
    return [f"time_unit must be given: the name of duration_col {values['duration_col']!r} does not say whether "
            f"it counts {', '.join(TIME_UNITS[:-1])} or {TIME_UNITS[-1]} (e.g. -p time_unit weeks)"]


def check_steps(values: dict) -> list[str]:
    """Steps are for covariates of the model."""
    other = [c for c in values["covariate_steps"] if c not in values["covariates"]]
    return [f"covariate_steps names {other}, which are not among the covariates {values['covariates']}"] if other else []


# what a reader asks of a table in each unit: survival after about a quarter, a year and two years (five years when
# the unit is years) and revenue at risk over the next month (the next year), unless the user names others
UNIT_HORIZONS = {"days": (90, 365, 730), "weeks": (13, 52, 104), "months": (3, 12, 24), "years": (1, 2, 5)}
UNIT_PERIOD = {"days": 30, "weeks": 4, "months": 1, "years": 1}


STUDY = StudyDeclaration(
    "churn_study", "Churn and survival",
    "Who leaves, when and why? Survival per segment, the Cox model, reasons for leaving, revenue at risk.",
    "a CSV or Parquet table with one row per customer: time as a customer and whether they left",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per customer"),
        Column("duration_col", "duration", "time from signup to leaving or to the end of observation"),
        Column("event_col", "event", 'did the customer leave? yes/no (True/1/"Yes" mean yes)'),
        Literal("event_value", None, 'or the value of event_col that means "left", e.g. "churned"; a list for several',
                nullable=True),
        Column("segment_col", "plan", "compare survival between these segments; None: no segments", nullable=True,
               own_data=None),
        Columns("covariates", ["plan", "region"], "columns of the Cox model (text columns become categories); "
                "[]: no model", own_data=[]),
        Steps("covariate_steps", {}, "read the hazard ratio of these number covariates per this step, e.g. "
              '{"age": 10}; others per one standard deviation'),
        Choice("ties", "efron", "how the Cox model treats customers who leave at the same time: efron (as R and "
               "lifelines) or breslow", choices=TIES),
        Numbers("horizons", None, "report survival at these durations, in the unit of duration_col; None: about "
                "a quarter, a year and two years (90, 365, 730 days; 13, 52, 104 weeks; 3, 12, 24 months; 1, 2, 5 "
                "years)", low=0, above=True, nullable=True),
        Column("revenue_col", "monthly_revenue", "revenue per period of each customer; None: no revenue at risk",
               nullable=True, own_data=None),
        Column("id_col", None, "customer id column (repeated ids are handled); None: none", nullable=True),
        Column("reason_col", None, "column with the reason for leaving, in words or as codes; None: none (the "
               "sample uses cancellation surveys)", nullable=True),
        taxonomy_parameter("reasons for leaving written in words"),
        Number("period", None, "the next period for revenue at risk, in the unit of duration_col; None: a month (30 "
               "days, 4 weeks, 1 month) or, in years, 1 year", low=0, above=True, nullable=True),
        Choice("time_unit", "days", "the unit of duration_col; None: stated by its name (tenure_months)",
               choices=TIME_UNITS, nullable=True, own_data=None),
        Date("observed_from", "2024-01-01", "sample only: records begin here (earlier customers enter late)"),
        *common_parameters(30),
        *backend_parameters(200_000, "the Cox model"),
        Integer("seed", 0, "the seed of that sample", low=0),
    ),
    checks=(check_backend, check_reading, check_time_unit, check_steps, check_taxonomy,
            in_memory_only("event_value", "missing_codes")),
    derived_columns=CHURN_FRAME_COLUMNS,
    shared_columns=(("segment_col", "covariates"), ("revenue_col", "covariates"), ("covariates", "covariate_steps"),
                    ("segment_col", "covariate_steps"), ("revenue_col", "covariate_steps")),
    run=run,
)

run_churn_study = STUDY.function("run_churn_study")
