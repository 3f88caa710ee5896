"""The ``business_case`` declaration: what does churn cost and what is retention worth?"""

from __future__ import annotations

from ..business_study import run_business_case
from .contract import StudyDeclaration
from .parameters import Column, Date, Integer, Literal, Number, Numbers
from .shared import data_path_parameter, missing_codes_parameter

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(BusinessCaseStudy, data)``."""
    return run_business_case(p["data_path"], p["duration_col"], p["event_col"], p["event_value"], p["nps_col"],
                             p["revenue_col"], p["segment_col"], p["id_col"], p["period"], p["margin"],
                             p["discount_rate"], p["acquisition_cost"], p["share_moved"], p["program_cost"],
                             p["running_cost_per_year"], p["horizon_years"], p["retention_points"],
                             p["sensitivity_shares"], p["n_sim"], p["seed"], p["observed_from"], p["missing_codes"])


def check_shares(values: dict) -> list[str]:
    return [f"sensitivity_shares must be shares from 0 to 1, got {values['sensitivity_shares']!r}"] \
        if any(s > 1 for s in values["sensitivity_shares"]) else []


STUDY = StudyDeclaration(
    "business_case", "CX business case",
    "What does churn cost and what is retention worth? Revenue at risk, CLV, retention scenarios, ROI and payback.",
    "a CSV or Parquet table with one row per customer: days as a customer, left or not, revenue, latest NPS",
    (
        data_path_parameter("CSV or Parquet, one row per customer"),
        Column("duration_col", "duration", "days from signup to leaving or to the end of observation"),
        Column("event_col", "event", "did the customer leave? yes/no"),
        Literal("event_value", None, 'or the value of event_col that means "left"', nullable=True),
        Column("nps_col", "nps_group", "latest NPS score (0-10) or group of each customer"),
        Column("revenue_col", "monthly_revenue", "revenue per period (below) of each customer"),
        Column("segment_col", "plan", "revenue at risk and CLV per segment; None: overall only", nullable=True,
               own_data=None),
        Column("id_col", None, "customer id column; None: none", nullable=True),
        Number("period", 30, "days covered by revenue_col, and the horizon of revenue at risk", low=0, above=True),
        Number("margin", 0.30, "profit share of revenue", low=0, high=1),
        Number("discount_rate", 0.08, "per year", low=0),
        Number("acquisition_cost", 150.0, "cost of winning one new customer", low=0),
        Number("share_moved", 0.20, "share of active detractors the programme turns into passives", low=0, high=1),
        Number("program_cost", 5000.0, "one-off cost of the programme", low=0),
        Number("running_cost_per_year", 1000.0, "yearly cost of running it", low=0),
        Number("horizon_years", 3.0, "years over which the programme is judged", low=0, above=True),
        Numbers("retention_points", [1, 2, 5], "retention scenarios: + these points of yearly retention", low=0,
                above=True),
        Numbers("sensitivity_shares", [0.05, 0.10, 0.20, 0.30], "shares of detractors moved in the sensitivity "
                "table", low=0),
        Integer("n_sim", 10_000, "simulations for the intervals of the business case", low=100),
        Integer("seed", 1, "their random seed", low=0),
        Date("observed_from", "2024-01-01", "sample only: records begin here"),
        missing_codes_parameter(),
    ),
    checks=(check_shares,),
    run=run,
)
