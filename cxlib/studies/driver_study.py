"""The ``driver_study`` declaration: how much of loyalty do CX factors explain against price and brand?"""

from __future__ import annotations

from ..drivers import run_driver_study
from .contract import StudyDeclaration
from .parameters import Choice, Column, ColumnGroups, Columns, Integer
from .shared import (
    backend_parameters,
    check_backend,
    data_path_parameter,
    in_memory_only,
    missing_codes_parameter,
)

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(key drivers, per-segment (shares, differences) or None, data)``."""
    return run_driver_study(p["data_path"], p["outcome"], p["driver_groups"], p["categorical_drivers"],
                            p["segment_col"], p["weight_col"], p["n_boot"], p["seed"], p["ci_method"],
                            p["missing_codes"], p["backend"], p["dask_scheduler"], p["table"], p["sample_size"])


def check_categorical(values: dict) -> list[str]:
    drivers = {d for members in values["driver_groups"].values() for d in members}
    return [f"categorical_drivers: {name!r} is not a driver in driver_groups"
            for name in values["categorical_drivers"] if name not in drivers]


STUDY = StudyDeclaration(
    "driver_study", "Key drivers of loyalty",
    "How much of loyalty do CX factors explain against price and brand, and which driver matters most?",
    "a CSV or Parquet table with one row per answer: the outcome and the driver ratings",
    (
        data_path_parameter("CSV or Parquet, one row per answer"),
        Column("outcome", "nps", "the column to explain"),
        ColumnGroups("driver_groups", {"CX": ["speed", "ease_of_use", "knowledgeable_help", "friendly_service"],
                                       "Price": ["price_value"], "Brand": ["brand_image"]},
                     "group -> driver columns; a list of columns makes each its own group"),
        Columns("categorical_drivers", [], "drivers that are categories (they enter as dummies)"),
        Column("segment_col", "region", "analyse each segment of this column too; None: no segments",
               nullable=True, own_data=None),
        Column("weight_col", None, "survey weights; None: unweighted", nullable=True),
        Integer("n_boot", 1000, "bootstrap resamples for the intervals", low=0),
        Integer("seed", 1, "the random seed of the bootstrap", low=0),
        Choice("ci_method", "percentile", 'bootstrap interval: "percentile" or "bca"', choices=("percentile", "bca")),
        missing_codes_parameter(),
        *backend_parameters(100_000, "the bootstrap"),
    ),
    checks=(check_backend, in_memory_only("categorical_drivers", "missing_codes"), check_categorical),
    run=run,
)
