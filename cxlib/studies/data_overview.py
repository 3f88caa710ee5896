"""The ``data_overview`` study: what a data set holds (table sizes and date ranges, survey coverage, scores).

The numbers behind the ``data_overview`` study. They are counts, not estimates, so they
carry no interval; every share states the n it is a share of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..formatting import labels
from ..formatting.claims import Claim
from ..formatting.narrative import fmt_count, fmt_date, fmt_pct
from ..io import CXData, DataQuality, load
from .contract import StudyDeclaration
from .parameters import Flag
from .shared import check_reading, common_parameters, data_path_parameter, gate, reading

__all__ = ["STUDY", "SCORES", "DataOverview", "describe"]

# score column -> (lowest, highest) answer
SCORES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
DATE_COLUMNS = {"customers": "signup_date", "responses": "survey_date", "tickets": "opened_at",
                "competitor_nps": "period", "social": "date"}


TABLE_NOUNS = {"responses": "survey answers", "tickets": "support tickets", "competitor_nps": "competitor NPS figures",
               "social": "rows of social-media figures"}  # what a row of each canonical table is

@dataclass(frozen=True)
class DataOverview:
    """Sizes, date ranges, coverage and score distributions of the loaded tables."""

    tables: pd.DataFrame
    scores: pd.DataFrame
    distributions: pd.DataFrame
    coverage: pd.DataFrame
    quality: DataQuality = field(repr=False)

    def headline(self) -> dict:
        """Figures for reports/index.html."""
        rows = self.tables["rows"].to_dict()
        return {"responses": fmt_count(rows.get("responses", 0)), "customers": fmt_count(rows.get("customers", 0)),
                "rows excluded": fmt_count(self.quality.n_excluded)}

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers (:mod:`cxlib.formatting.claims`)."""
        t = self.tables
        sizes = ", ".join(f"{fmt_count(r.rows)} {TABLE_NOUNS.get(name, labels.value(name).lower())}"
                          for name, r in t.iterrows())
        out = [Claim("overview.tables", "The data hold {sizes}.", {"sizes": sizes}, {"rows": t["rows"].to_dict()})]
        if "responses" in t.index and pd.notna(t.loc["responses", "first"]):
            r = t.loc["responses"]
            out.append(Claim("overview.period", "Survey answers run from {first} to {last}.",
                             {"first": r["first"], "last": r["last"]}, {"first": r["first"], "last": r["last"]}))
        read = sum(self.quality.rows_read.values())
        out.append(Claim("overview.excluded", "Validation left out {n} of {read} rows ({share}).",
                         {"n": fmt_count(self.quality.n_excluded), "read": fmt_count(read),
                          "share": fmt_pct(self.quality.n_excluded / read if read else float("nan"), 2)},
                         {"excluded": self.quality.n_excluded, "read": read}))
        if "nps" in self.scores.index:
            sc = self.scores.loc["nps"]
            out.append(Claim("overview.nps_answers", "{n} answers include the 0-10 recommendation question ({share} "
                             "of answers).", {"n": fmt_count(sc["n"]), "share": fmt_pct(sc["n"] / (sc["n"] + sc["missing"]))},
                             {"n": sc["n"], "missing": sc["missing"]}))
        return out

    def to_dict(self) -> dict:
        return {"tables": self.tables, "scores": self.scores, "distributions": self.distributions,
                "coverage": self.coverage, "claims": [c.to_dict() for c in self.claims()]}


def _date_range(frame: pd.DataFrame, column: str) -> tuple[str, str]:
    if column not in frame.columns or frame[column].notna().sum() == 0:
        return "", ""
    values = frame[column].dropna()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return fmt_date(values.min()), fmt_date(values.max())
    ordered = sorted(values.astype(str))
    return ordered[0], ordered[-1]


def describe(data: CXData) -> DataOverview:
    """Describe the tables of a loaded data set.

    >>> import cxlib as cx
    >>> ov = describe(cx.io.load())
    >>> ov.tables["rows"].tolist()  # customers, responses, tickets, competitor_nps, social
    [5000, 19729, 14999, 24, 2938]
    """
    rows = []
    for name, frame in data.tables().items():
        first, last = _date_range(frame, DATE_COLUMNS[name])
        rows.append({"table": name, "rows": len(frame), "columns": frame.shape[1], "first": first, "last": last})
    tables = pd.DataFrame(rows, columns=["table", "rows", "columns", "first", "last"]).set_index("table")

    responses = data.responses if data.responses is not None else pd.DataFrame()
    score_rows, dist_rows = [], []
    for score, (low, high) in SCORES.items():
        if score not in responses.columns:
            continue
        values = responses[score].dropna().astype("int64")
        score_rows.append({"score": score, "scale": f"{low}-{high}", "n": len(values),
                           "missing": int(responses[score].isna().sum()),
                           "mean": values.mean() if len(values) else float("nan"),
                           "sd": values.std() if len(values) > 1 else float("nan")})
        counts = values.value_counts().reindex(range(low, high + 1), fill_value=0)
        for value, count in counts.items():
            dist_rows.append({"score": score, "value": int(value), "count": int(count),
                              "share": count / len(values) if len(values) else float("nan")})
    scores = pd.DataFrame(score_rows, columns=["score", "scale", "n", "missing", "mean", "sd"]).set_index("score")
    distributions = pd.DataFrame(dist_rows, columns=["score", "value", "count", "share"])

    if {"survey_date", "touchpoint"} <= set(responses.columns):
        quarter = responses["survey_date"].dt.to_period("Q").astype(str).rename("quarter")
        coverage = pd.crosstab(quarter, responses["touchpoint"].fillna("(blank)")).rename_axis(columns=None)
    else:
        coverage = pd.DataFrame()
    return DataOverview(tables, scores, distributions, coverage, data.quality)


def run(p: dict):
    """The study on checked parameters: ``(DataOverview, data)``."""
    data = load(p["data_path"], missing_codes=p["missing_codes"], strict=p["strict"], **reading(p))
    gate(data.quality, "responses", p, "answers")
    return describe(data), data


STUDY = StudyDeclaration(
    "data_overview", "Data overview",
    "What do the data hold? Tables, sizes, periods, every excluded row and why, score distributions, coverage.",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv or .parquet)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps (.csv or .parquet)", folder=True),
        Flag("strict", False, "True: stop instead of excluding any row"),
        *common_parameters(1),
    ),
    checks=(check_reading,),
    run=run,
)
