"""The ``persona_study`` declaration: who are our customers?"""

from __future__ import annotations

from ..personas import run_persona_study
from ..sample import DRIVERS
from .contract import StudyDeclaration
from .parameters import Column, Columns, Integer, IntegerRange
from .shared import data_path_parameter, missing_codes_parameter

__all__ = ["STUDY"]


def run(p: dict):
    """The study on checked parameters: ``(PersonaStudy, data)``; on the sample, with its driver ratings."""
    return run_persona_study(p["data_path"], p["trait_cols"], k=p["k"], k_range=p["k_range"], score_col=p["score_col"],
                             csat_col=p["csat_col"], churn_col=p["churn_col"], revenue_col=p["revenue_col"],
                             id_col=p["id_col"], seed=p["seed"], n_boot=p["n_boot"], missing_codes=p["missing_codes"],
                             drivers=DRIVERS if p["data_path"] is None else ())


def check_traits(values: dict) -> list[str]:
    return [] if values["trait_cols"] else ["trait_cols must name at least one column, got []"]


STUDY = StudyDeclaration(
    "persona_study", "Customer personas",
    "Who are our customers? Groups found from shared traits, each with a name, a card, NPS, CSAT, churn and revenue.",
    "a CSV or Parquet table with one row per customer",
    (
        data_path_parameter("CSV or Parquet, one row per customer"),
        Columns("trait_cols", ["age_band", "region", "plan", "channel", "monthly_revenue"],
                "traits that define the groups"),
        Integer("k", None, "number of personas; None: chosen by the silhouette criterion within k_range", low=2,
                nullable=True),
        IntegerRange("k_range", [2, 8], "smallest and largest number of personas to consider", low=2),
        Column("score_col", "latest_nps", "each customer's latest 0-10 answer (NPS); None: none", nullable=True,
               own_data=None),
        Column("csat_col", "latest_csat", "each customer's latest 1-5 answer (CSAT); None: none", nullable=True,
               own_data=None),
        Column("churn_col", "churned", "yes/no: the customer has left; None: none", nullable=True, own_data=None),
        Column("revenue_col", "monthly_revenue", "revenue per customer; None: none", nullable=True, own_data=None),
        Column("id_col", None, "customer id column (repeated ids are handled); None: none", nullable=True),
        Integer("seed", 1, "random seed of the clustering and of the stability check", low=0),
        Integer("n_boot", 30, "resamples for the stability check", low=1),
        missing_codes_parameter(),
    ),
    checks=(check_traits,),
    run=run,
)
