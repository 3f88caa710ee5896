"""The ``data_overview`` study: what a data set holds (table sizes and date ranges, survey coverage, scores).

The numbers behind the ``data_overview`` study. They are counts, not estimates, so they
carry no interval; every share states the n it is a share of.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Backend, Period, SourceData, open_source, source_data
from ..formatting import labels
from ..formatting.claims import Claim
from ..formatting.narrative import fmt_count, fmt_date, fmt_pct, word_list
from ..formatting.result_view import ResultView
from ..io import CXData, DataQuality
from ..io.schemas import DATE_COLUMNS
from ..io.tables import table_file
from .contract import StudyDeclaration
from .inputs import Inputs
from .parameters import Flag
from .shared import (
    backend_parameters,
    check_backend_folder,
    check_reading,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    unanswered_notes,
)

__all__ = ["STUDY", "SCORES", "DataOverview", "describe", "run_data_overview"]

# score column -> (lowest, highest) answer
SCORES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


TABLE_NOUNS = {"responses": "survey answers", "tickets": "support tickets", "competitor_nps": "competitor NPS figures",
               "social": "rows of social-media figures"}  # what a row of each canonical table is

@dataclass(frozen=True, repr=False)
class DataOverview(ResultView):
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

    def figures(self) -> list[dict]:
        """No key figure for the index: what this study finds is in its tables and claims."""
        return []

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers (:mod:`cxlib.formatting.claims`)."""
        t = self.tables
        sizes = word_list([f"{fmt_count(r.rows)} {TABLE_NOUNS.get(name, labels.value(name).lower())}"
                           for name, r in t.iterrows()])
        out = [Claim("overview.tables", "The data hold {sizes}.", {"sizes": sizes}, {"rows": t["rows"].to_dict()})]
        if "responses" in t.index and pd.notna(t.loc["responses", "first"]):
            r = t.loc["responses"]
            out.append(Claim("overview.period", "Survey answers run from {first} to {last}.",
                             {"first": r["first"], "last": r["last"]}, {"first": r["first"], "last": r["last"]}))
        read = sum(self.quality.rows_read.values())
        out.append(Claim("overview.excluded", "{account}", {"account": self.quality.account()},
                         {"excluded": self.quality.n_excluded, "read": read}))
        if "nps" in self.scores.index:
            sc = self.scores.loc["nps"]
            out.append(Claim("overview.nps_answers", "{n} answers include the 0-10 recommendation question ({share} "
                             "of answers).", {"n": fmt_count(sc["n"]), "share": fmt_pct(sc["n"] / (sc["n"] + sc["not_answered"]))},
                             {"n": sc["n"], "not_answered": sc["not_answered"]}))
        return out

    def to_dict(self) -> dict:
        return {"tables": self.tables, "scores": self.scores, "distributions": self.distributions,
                "coverage": self.coverage, "claims": [c.to_dict() for c in self.claims()]}


def _first_last(source: Backend, column: str) -> tuple[str, str]:
    """The first and last value of a table's date column: dates as YYYY-MM-DD, other values (a period such as
    2024Q3) as written, in text order; empty when the column is absent or blank."""
    if column not in source.columns():
        return "", ""
    low, high = source.value_range(column)
    if pd.isna(low):
        return "", ""
    if isinstance(low, str):
        return low, high
    return fmt_date(pd.Timestamp(low)), fmt_date(pd.Timestamp(high))


def describe(data: CXData) -> DataOverview:
    """Describe the tables of a loaded data set.

    >>> import cxlib as cx
    >>> ov = describe(cx.io.load())
    >>> ov.tables["rows"].tolist()  # customers, responses, tickets, competitor_nps, social
    [5000, 19729, 14999, 24, 2938]
    """
    sources = {name: open_source(frame) for name, frame in data.tables().items()}
    return describe_sources(sources, data.quality)


def describe_sources(sources: Mapping[str, Backend], quality: DataQuality) -> DataOverview:
    """Describe tables on any backend: sizes, date ranges, score histograms and answers per quarter and touchpoint
    come from each table's reduce step."""
    rows = []
    for name, source in sources.items():
        first, last = _first_last(source, DATE_COLUMNS[name])
        rows.append({"table": name, "rows": source.n_rows(), "columns": len(source.columns()), "first": first,
                     "last": last})
    tables = pd.DataFrame(rows, columns=["table", "rows", "columns", "first", "last"]).set_index("table")

    responses = sources.get("responses")
    present = responses.columns() if responses is not None else []
    score_rows, dist_rows = [], []
    for score, (low, high) in SCORES.items():
        if score not in present:
            continue
        counts = responses.score_histogram(score, scale=(low, high)).counts[0]
        values = np.arange(low, high + 1)
        n = int(counts.sum())
        mean = float(values @ counts / n) if n else float("nan")
        sd = float(np.sqrt(counts @ (values - mean) ** 2 / (n - 1))) if n > 1 else float("nan")
        score_rows.append({"score": score, "scale": f"{low}-{high}", "n": n, "not_answered": responses.n_rows() - n,
                           "mean": mean, "sd": sd})
        dist_rows.extend({"score": score, "value": int(v), "count": int(c), "share": c / n if n else float("nan")}
                         for v, c in zip(values, counts, strict=True))
    scores = pd.DataFrame(score_rows, columns=["score", "scale", "n", "not_answered", "mean", "sd"]).set_index("score")
    distributions = pd.DataFrame(dist_rows, columns=["score", "value", "count", "share"])

    coverage = pd.DataFrame()
    if {"survey_date", "touchpoint"} <= set(present):
        quarter = Period("survey_date", "Q", "quarter")
        counts = responses.totals([], by=[quarter, "touchpoint"]).pivot(index="quarter", columns="touchpoint",
                                                                         values="rows")
        every = responses.totals([], by=[quarter]).set_index("quarter")["rows"]
        blank = every - counts.sum(axis=1).reindex(every.index, fill_value=0)
        coverage = counts.reindex(every.index).assign(**({"(blank)": blank} if blank.any() else {}))
        coverage = coverage[sorted(coverage.columns)].fillna(0).astype("int64").rename_axis(columns=None)
    return DataOverview(tables, scores, distributions, coverage, quality)


def run(p: dict):
    """The study on checked parameters: ``(DataOverview, data)``."""
    inputs = Inputs.of(p)
    if inputs.in_memory:
        data = inputs.tables(strict=p["strict"])
        gate(data.quality, "responses", p, "answers")
        overview = describe(data)
        data = unanswered_notes(data, "responses", overview.scores["n"].to_dict())
        return dataclasses.replace(overview, quality=data.quality), data
    folder = Path(p["data_path"])
    paths = {name: path for name in DATE_COLUMNS if (path := table_file(folder, name)) is not None}
    sources = {name: inputs.source(path) for name, path in paths.items()}
    try:
        overview = describe_sources(sources, DataQuality(()))
        reads = {name: source_data(source, name, []) for name, source in sources.items()}
    finally:
        for source in sources.values():
            source.close()
    quality = sum((r.quality for r in reads.values()), DataQuality(()))
    data = SourceData(reads["responses"].source, quality, None, p["backend"], (
        "Each table was counted where it is; out of core, only answers off their scale are checked (row by row "
        "validation of every column needs backend 'pandas').",))
    gate(quality, "responses", p, "answers")
    data = unanswered_notes(data, "responses", overview.scores["n"].to_dict())
    return dataclasses.replace(overview, quality=data.quality), data


STUDY = StudyDeclaration(
    "data_overview", "Data overview",
    "What do the data hold? Tables, sizes, periods, every excluded row and why, score distributions, coverage.",
    "a folder with customers, responses, tickets, competitor_nps and social tables (.csv, .parquet, .xlsx and "
    "others; names in any case)",
    (
        data_path_parameter("folder with customers, responses, tickets, competitor_nps (.csv, .parquet, .xlsx …)",
                            folder=True),
        Flag("strict", False, "True: stop instead of excluding any row"),
        *common_parameters(1),
        *backend_parameters(tables=False),
    ),
    checks=(check_backend_folder, check_reading, in_memory_only("strict", "missing_codes")),
    run=run,
)

run_data_overview = STUDY.function("run_data_overview")
