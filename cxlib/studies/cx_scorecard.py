"""The ``cx_scorecard`` declaration: how are we doing, period by period?"""

from __future__ import annotations

from ..io import load
from ..scorecard import scorecard
from .contract import StudyDeclaration
from .parameters import Choice, Integer, Number, ValueFilter
from .shared import FREQUENCIES, data_path_parameter, missing_codes_parameter

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(Scorecard, data)``."""
    data = load(p["data_path"], missing_codes=p["missing_codes"])
    return scorecard(data, freq=p["freq"], response_hours=p["response_hours"], tenured_days=p["tenured_days"],
                     goal_points=p["goal_points"], goal_filter=p["goal_filter"], min_n=p["min_n"]), data


STUDY = StudyDeclaration(
    "cx_scorecard", "CX scorecard",
    "How are we doing, quarter by quarter, against competitors and our goals?",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv or .parquet)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps"),
        Choice("freq", "Q", 'period: "M" months, "Q" quarters, "Y" years', choices=FREQUENCIES),
        Number("response_hours", 24, "the first-response target, in hours", low=0, above=True),
        Number("tenured_days", 365, 'customers this long or longer are "tenured"', low=0),
        Number("goal_points", 3.0, "the goal: tenured customers gain this many NPS points a period"),
        ValueFilter("goal_filter", {"region": "North"}, "the goal's segment among tenured customers; {} for all "
                    "of them"),
        Integer("min_n", 30, "estimates on fewer answers are flagged", low=1),
        missing_codes_parameter(),
    ),
    run=run,
)
