"""The ``closed_loop`` declaration: which detractors do we call back today, and what are customers writing about?"""

from __future__ import annotations

from ..feedback import run_closed_loop
from .contract import StudyDeclaration
from .parameters import Choice, Column, Date, Integer, Text
from .shared import data_path_parameter, missing_codes_parameter

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(ClosedLoop, data)``."""
    return run_closed_loop(p["data_path"], p["id_col"], p["score_col"], p["date_col"], p["comment_col"],
                           p["touchpoint_col"], p["revenue_col"], p["segment_col"], p["left_col"], p["window_days"],
                           p["until"], p["period"], p["taxonomy"], p["missing_codes"])


STUDY = StudyDeclaration(
    "closed_loop", "Closing the loop",
    "Which detractors do we call back today, who calls, and what are customers writing about?",
    "a CSV or Parquet table with one row per answer: customer id, score, date and comment",
    (
        data_path_parameter("CSV or Parquet, one row per answer"),
        Column("id_col", "customer_id", "customer id column"),
        Column("score_col", "nps", "likelihood to recommend, 0-10"),
        Column("date_col", "survey_date", "date of the answer"),
        Column("comment_col", "comment", "the open-ended comment"),
        Column("touchpoint_col", "touchpoint", "where the answer came from; None: none", nullable=True,
               own_data=None),
        Column("revenue_col", "monthly_revenue", "revenue per customer (orders the call-back list); None: none",
               nullable=True, own_data=None),
        Column("segment_col", "plan", "theme shares per segment; None: none", nullable=True, own_data=None),
        Column("left_col", None, 'yes/no column "customer has already left"; None: none', nullable=True),
        Integer("window_days", 30, "the lists cover answers of the last window_days days", low=1),
        Date("until", None, "last day of the window (YYYY-MM-DD); None: the latest answer", nullable=True),
        Choice("period", "Q", 'theme shares per period: "M" month, "Q" quarter, "Y" year', choices=("M", "Q", "Y")),
        Text("taxonomy", "en", 'shipped taxonomy ("en", "tr") or the path of your YAML file'),
        missing_codes_parameter(),
    ),
    run=run,
)
