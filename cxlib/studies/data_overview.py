"""The ``data_overview`` declaration: what do the data hold?"""

from __future__ import annotations

from ..io import load
from ..overview import describe
from .contract import StudyDeclaration
from .parameters import Flag
from .shared import data_path_parameter, missing_codes_parameter

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(DataOverview, data)``."""
    data = load(p["data_path"], missing_codes=p["missing_codes"], strict=p["strict"])
    return describe(data), data


STUDY = StudyDeclaration(
    "data_overview", "Data overview",
    "What do the data hold? Tables, sizes, periods, every excluded row and why, score distributions, coverage.",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv or .parquet)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps (.csv or .parquet)"),
        missing_codes_parameter(),
        Flag("strict", False, "True: stop instead of excluding any row"),
    ),
    run=run,
)
