"""What customers say against what they do: each customer's time as a customer with the NPS group of their latest answer and
whether a bad ticket has happened yet, month by month (for a time-varying Cox model), and the naive comparisons
(churn by service experience and by the NPS group at each touchpoint), labelled as descriptive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.estimate import Estimate
from ..core.inference import holm
from ..io import CXData
from ..io.nps_groups import score_groups
from ..metrics.compare import share_difference
from .survival import (
    customer_durations,
)

__all__ = ["CHURN_FRAME_COLUMNS", "REPEAT_CONTACTS", "SERVICE_FLAGS", "SLOW_FIRST_RESPONSE_HOURS",
           "churn_frame", "nps_churn_by_touchpoint", "service_churn", "state_panel"]

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
