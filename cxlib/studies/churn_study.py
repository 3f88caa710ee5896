"""The ``churn_study`` declaration: who leaves, when and why?"""

from __future__ import annotations

from ..churn import run_churn_study
from .contract import StudyDeclaration
from .parameters import Choice, Column, Columns, Date, Integer, Literal, Number, Numbers
from .shared import (
    backend_parameters,
    check_backend,
    data_path_parameter,
    in_memory_only,
    missing_codes_parameter,
)

__all__ = ["STUDY", "TIME_UNITS"]

TIME_UNITS = ("days", "weeks", "months", "years")


def run(p: dict):
    """The study on checked parameters: ``(ChurnStudy, data)``."""
    return run_churn_study(p["data_path"], p["duration_col"], p["event_col"], p["event_value"], p["segment_col"],
                           p["covariates"], p["horizons"], p["revenue_col"], p["id_col"], p["reason_col"], p["period"],
                           p["time_unit"], p["observed_from"], missing_codes=p["missing_codes"],
                           backend=p["backend"], dask_scheduler=p["dask_scheduler"], table=p["table"],
                           sample_size=p["sample_size"], seed=p["seed"])


STUDY = StudyDeclaration(
    "churn_study", "Churn and survival",
    "Who leaves, when and why? Survival per segment, the Cox model, reasons for leaving, revenue at risk.",
    "a CSV or Parquet table with one row per customer: time as a customer and whether they left",
    (
        data_path_parameter("CSV or Parquet, one row per customer"),
        Column("duration_col", "duration", "time from signup to leaving or to the end of observation"),
        Column("event_col", "event", 'did the customer leave? yes/no (True/1/"Yes" mean yes)'),
        Literal("event_value", None, 'or the value of event_col that means "left", e.g. "churned"', nullable=True),
        Column("segment_col", "plan", "compare survival between these segments; None: no segments", nullable=True,
               own_data=None),
        Columns("covariates", ["plan", "region"], "columns of the Cox model (text columns become categories); "
                "[]: no model", own_data=[]),
        Numbers("horizons", [90, 365, 730], "report survival at these durations", low=0, above=True),
        Column("revenue_col", "monthly_revenue", "revenue per period of each customer; None: no revenue at risk",
               nullable=True, own_data=None),
        Column("id_col", None, "customer id column (repeated ids are handled); None: none", nullable=True),
        Column("reason_col", None, "text column with the reason for leaving; None: none (the sample uses "
               "cancellation surveys)", nullable=True),
        Number("period", 30, "the next period for revenue at risk, in the units of duration_col", low=0, above=True),
        Choice("time_unit", "days", "the unit of duration_col", choices=TIME_UNITS),
        Date("observed_from", "2024-01-01", "sample only: records begin here (earlier customers enter late)"),
        missing_codes_parameter(),
        *backend_parameters(200_000, "the Cox model"),
        Integer("seed", 0, "the seed of that sample", low=0),
    ),
    checks=(check_backend, in_memory_only("event_value", "missing_codes")),
    run=run,
)
