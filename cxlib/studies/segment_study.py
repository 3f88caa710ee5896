"""The ``segment_study`` declaration: which segments are unhappy, which are improving, whose revenue is at stake."""

from __future__ import annotations

from ..segments import run_segment_study
from .contract import StudyDeclaration
from .parameters import Choice, Column, Columns, Integer, Number
from .shared import FREQUENCIES, backend_parameters, check_backend, data_path, in_memory_only, missing_codes

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(SegmentStudy, data)``."""
    return run_segment_study(p["data_path"], p["score_col"], p["segment_cols"], p["date_col"], p["weight_col"],
                             p["revenue_col"], p["tenure_col"], p["tenured_days"], p["target_change"], p["freq"],
                             p["min_n"], p["missing_codes"], p["backend"], p["dask_scheduler"], p["table"])


STUDY = StudyDeclaration(
    "segment_study", "Segment study",
    "Which segments are unhappy, which are improving, how much revenue sits with detractors?",
    "a CSV or Parquet table with one row per answer",
    (
        data_path("CSV or Parquet, one row per answer"),
        Column("score_col", "nps", "the 0-10 likelihood-to-recommend column"),
        Columns("segment_cols", ["plan", "region", "touchpoint"], "columns that define segments; []: overall only",
                own_data=[]),
        Column("date_col", "survey_date", "answer dates, for trends; None: no trends", nullable=True, own_data=None),
        Column("weight_col", None, "survey weights; None: unweighted", nullable=True),
        Column("revenue_col", "monthly_revenue", "revenue of the answering customer; None: no revenue view",
               nullable=True, own_data=None),
        Column("tenure_col", "tenure_days", "days as a customer at the answer; None: no tenure view", nullable=True,
               own_data=None),
        Number("tenured_days", 365, "tenure from which a customer counts as tenured", low=0),
        Number("target_change", 3.0, "NPS points a period a segment should gain"),
        Choice("freq", "Q", 'period of the trends: "M" month, "Q" quarter, "Y" year', choices=FREQUENCIES),
        Integer("min_n", 30, "segments with fewer answers are flagged", low=1),
        missing_codes(),
        *backend_parameters(),
    ),
    checks=(check_backend, in_memory_only("missing_codes")),
    run=run,
)
