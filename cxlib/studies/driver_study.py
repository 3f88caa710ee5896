"""The ``driver_study``: how much of loyalty do CX factors explain against price and brand?"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..drivers.crossprod import with_dummies
from ..drivers.key_drivers import key_drivers_from_source
from ..drivers.result import KeyDrivers
from ..drivers.segments import MIN_SEGMENT_ROWS, TOO_SMALL, segment_drivers_from_source
from ..engine import RowRule, open_source, source_data
from ..formatting import labels
from ..formatting.claims import Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, plural, word_list
from ..formatting.result_view import ResultView
from ..io import CXData
from ..io.scale import check_missing_codes
from ..io.tables import SURVEY_FRAME_COLUMNS
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs, as_inputs
from .parameters import Choice, Column, ColumnGroups, Columns, Integer
from .shared import (
    NOT_ANSWERED,
    analysis_account,
    backend_parameters,
    check_backend_survey,
    check_reading,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    require_scores,
)

__all__ = ["STUDY", "DriverStudy", "key_driver_data", "run_driver_study"]


def key_driver_data(data, *, outcome: str, drivers: Sequence[str] = (), categorical: Sequence[str] = (),
                    segment_col: str | None = None, weight_col: str | None = None, id_col: str | None = None):
    """The rows of a driver study and the loaded object (for provenance and the DataQuality record).

    ``data`` is :class:`~cxlib.studies.inputs.Inputs` or a path. The sample (None) or a
    canonical folder: the responses with customer columns. Otherwise a file (read with
    its reading options): the outcome and the numeric drivers must be
    numbers (a blank stays: the study counts it as not answered; an end point written with its
    answer label, "10 - Very satisfied", reads as its number), the ``categorical`` drivers and
    ``segment_col`` categories; only these columns are checked. With ``id_col``, a
    repeated answer counts once and ids repeated with different values are left out.
    """
    inputs = as_inputs(data)
    if inputs.canonical:
        data = inputs.tables()
        require_scores(data.quality, outcome, "responses", "the driver study's regression of the outcome")
        return data.survey_frame(), data
    numeric = [d for d in drivers if d not in categorical]
    table = inputs.flat("drivers", numbers=[outcome, *numeric], categories=[*categorical,
                        *([segment_col] if segment_col else [])], weights=weight_col, labelled=[outcome, *numeric],
                        id_col=id_col, blank_ok=[outcome, *numeric])
    check_missing_codes(table.data, [outcome, *numeric], "drivers")
    return table.data, table


def _named_reason(reason: str) -> str:
    """A segment's reason with its driver's label: "deductible[Yes] does not vary" -> "Deductible Yes does not vary"."""
    column, _, rest = reason.partition(" ")
    name, _, level = column.removesuffix("]").partition("[")  # a categorical driver's dummy: "plan[Gold]"
    return f"{labels.name(name)}{f' {labels.value(level)}' if level else ''} {rest}"


@dataclass(frozen=True, repr=False)
class DriverStudy(ResultView):
    """Results of the driver study: the key drivers of all answers and, with a segment column, per segment."""

    drivers: KeyDrivers
    segment_col: str | None = None
    segment_shares: pd.DataFrame | None = None
    segment_differences: pd.DataFrame | None = None

    def headline(self) -> dict:
        return self.drivers.headline()

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the largest group's share of what the drivers explain."""
        g = self.drivers.largest_group()
        return [figure("top_group_share", f"{labels.name(g['group'])}'s share of what drives "
                       f"{labels.name(self.drivers.outcome)}",
                       100 * g["share"], 100 * g["ci_low"], 100 * g["ci_high"], "%", self.drivers.n)]

    def claims(self) -> list[Claim]:
        """The executive summary: the drivers' claims, then what the segments show (:mod:`cxlib.formatting.claims`)."""
        return [*self.drivers.claims(), *self.segment_claims()]

    def segment_claims(self) -> list[Claim]:
        """Segments too small to analyse on their own, by name and n; between the others, the clear differences of
        a group's share (bootstrap, Holm-adjusted)."""
        if not self.segment_col:
            return []
        shares, out = self.segment_shares, []
        left_out = shares[~shares["analysed"].astype(bool)].drop_duplicates("segment")
        small, inseparable = left_out[left_out["reason"] == TOO_SMALL], left_out[left_out["reason"] != TOO_SMALL]
        if len(inseparable):
            out.append(Claim("drivers.segments_inseparable", "Not analysed on their own: {segments}. They count in every "
                             "overall figure.",
                             {"segments": word_list([f"{labels.level_of(self.segment_col, r.segment)} ("
                                                     f"{plural(r.n, 'answer', 'answers')}"
                                                     f"; {_named_reason(r.reason)})" for r in inseparable.itertuples()])},
                             {"segments": list(inseparable["segment"]), "n": [int(v) for v in inseparable["n"]],
                              "reasons": list(inseparable["reason"])}))
        if len(small):
            out.append(Claim("drivers.segments_too_small", "Too few complete answers to analyse on their own "
                             "(fewer than {min_n}): {segments}. They count in every overall figure.",
                             {"min_n": fmt_count(MIN_SEGMENT_ROWS),
                              "segments": ", ".join(f"{labels.level_of(self.segment_col, r.segment)} "
                                                    f"({plural(r.n, 'answer', 'answers')})"
                                                    for r in small.itertuples())},
                             {"segments": list(small["segment"]), "n": [int(v) for v in small["n"]],
                              "min_n": MIN_SEGMENT_ROWS}, joins=True))
        d = self.segment_differences
        analysed = shares.loc[shares["analysed"].astype(bool), "segment"].nunique()
        if analysed < 2:
            return out
        clear = d[d["significant"].astype(bool)].sort_values("p_adjusted", kind="stable")
        test = "bootstrap difference of shares between two segments, Holm-adjusted"
        if not len(clear):
            return [*out, Claim("drivers.segments_alike", "What drives {outcome} does not differ clearly between "
                                "the {k} segments of {column} analysed.",
                                {"outcome": labels.name(self.drivers.outcome), "k": analysed,
                                 "column": labels.in_text(self.segment_col)},
                                {"segments": analysed, "comparisons": len(d)}, test)]
        top = clear.iloc[0]
        return [*out, Claim("drivers.segments_differ", "{group}'s share of what drives {outcome} differs between "
                            "{a} and {b}: {diff} percentage points (95% CI {low} to {high}){more}.",
                            {"group": labels.name(top["group"]), "outcome": labels.name(self.drivers.outcome),
                             "a": labels.level_of(self.segment_col, top["segment_a"]),
                             "b": labels.level_of(self.segment_col, top["segment_b"]),
                             "diff": f"{100 * top['difference']:+.0f}", "low": f"{100 * top['ci_low']:+.0f}",
                             "high": f"{100 * top['ci_high']:+.0f}",
                             "more": "" if len(clear) == 1 else
                             f"; {plural(len(clear) - 1, 'other difference is', 'other differences are')} clear too"},
                            {"group": top["group"], "segment_a": top["segment_a"], "segment_b": top["segment_b"],
                             "difference": top["difference"], "p_adjusted": top["p_adjusted"],
                             "clear_differences": len(clear)}, test)]

    def introduction(self, driver_groups: Mapping[str, Sequence[str]]) -> Claim:
        """What this report explains and with what, in the words of its parameters (never the sample's)."""
        groups = "; ".join(labels.name(g) + ("" if list(m) == [g] else f" ({', '.join(labels.name(d) for d in m)})")
                           for g, m in driver_groups.items())
        return Claim("drivers.introduction", "What explains {outcome} across {n} answers: {groups}{by}.",
                     {"outcome": labels.name(self.drivers.outcome), "n": fmt_count(self.drivers.n), "groups": groups,
                      "by": f"; compared between segments of {labels.in_text(self.segment_col)}"
                      if self.segment_col else ""}, {"outcome": self.drivers.outcome, "answers": self.drivers.n})

    def to_dict(self) -> dict:
        out = self.drivers.to_dict()
        if self.segment_col:
            out["segments"] = {"column": self.segment_col, "shares": self.segment_shares,
                               "differences": self.segment_differences}
        out["claims"] = [c.to_dict() for c in self.claims()]
        return out


def run(p: Parameters):
    """The driver study on checked parameters (the ``driver_study`` notebook's call): ``(DriverStudy, data)``.

    Every backend runs the same code (:func:`key_drivers_from_source`): cross-products of
    all complete rows, and a bootstrap of a seeded sample. ``backend="pandas"`` validates
    the rows in memory first and bootstraps all of them (categorical drivers enter as
    dummies); ``"duckdb"`` and ``"dask"`` leave the data where they are and bootstrap a
    sample of ``sample_size`` rows; their drivers must be numeric. ``min_rows`` and
    ``max_excluded`` stop the study on too few complete rows.
    """
    drivers = [d for members in (p.driver_groups or {}).values() for d in members]
    data, sample_size, inputs = None, p.sample_size, Inputs.of(p)
    if inputs.in_memory:
        frame, data = key_driver_data(inputs, outcome=p.outcome, drivers=drivers, categorical=p.categorical_drivers,
                                      segment_col=p.segment_col, weight_col=p.weight_col, id_col=p.id_col)
        # too few rows read stop here; too few answered, after the analysis's own account below
        gate(data.quality, "responses" if isinstance(data, CXData) else "drivers", p, "answers")
        source, sample_size = open_source(with_dummies(frame, p.categorical_drivers)), len(frame)  # all rows
    else:
        source = inputs.answers()
    with source:
        if p.weight_col:  # as reading does in memory, a bad weight first
            source.restrict([RowRule(p.weight_col, "present"), RowRule(p.weight_col, "positive")])
        answered = [p.outcome, *(d for d in drivers if d not in p.categorical_drivers and d in source.columns())]
        source.restrict([RowRule(c, "present", label=NOT_ANSWERED) for c in answered])  # counted by the first blank
        kd = key_drivers_from_source(source, p.outcome, groups=p.driver_groups, weights=p.weight_col,
                                     n_boot=p.n_boot, sample_size=sample_size, seed=p.seed, ci_method=p.ci_method)
        segments = (segment_drivers_from_source(source, p.outcome, p.segment_col, p.driver_groups, n_boot=p.n_boot,
                                                seed=p.seed, sample_size=sample_size, weights=p.weight_col)
                    if p.segment_col else None)
        unanswered = {column: rows for (column, rule), (rows, _) in source.exclusions.items() if rule == NOT_ANSWERED}
        if data is None:
            note = (f"Shares, betas and R² use all {kd.n:,} complete rows; the bootstrap intervals come from a "
                    f"seeded random sample of up to {sample_size:,} rows, rescaled to all rows (sqrt(m/n)).")
            data = source_data(source, "drivers", [(None, f"{p.outcome} and every driver present", kd.n)],
                               notes=[note])
        else:
            data = analysis_account(data, "responses" if isinstance(data, CXData) else "drivers",
                                    [(c, NOT_ANSWERED, n) for c, n in unanswered.items()], kd.n)
    table_name = "responses" if isinstance(data, CXData) else "drivers"
    gate(data.quality, table_name, p, "answers")
    read = data.quality.rows_read[table_name]
    kd = dataclasses.replace(kd, rows_dropped=read - kd.n, dropped_by=unanswered)
    return DriverStudy(kd, p.segment_col, *(segments or (None, None))), data


def check_drivers(values: dict) -> list[str]:
    """Each driver in one group only, the outcome and the segment column not among them, categorical drivers among
    them."""
    listed = [d for members in values["driver_groups"].values() for d in members]
    problems = [f"driver_groups: {name!r} is listed {listed.count(name)} times; a driver belongs to one group"
                for name in dict.fromkeys(listed) if listed.count(name) > 1]
    if values["outcome"] in listed:
        problems.append(f"driver_groups: the outcome {values['outcome']!r} cannot also be a driver")
    problems += [f"categorical_drivers: {name!r} is not a driver in driver_groups"
                 for name in values["categorical_drivers"] if name not in listed]
    if values["segment_col"] in listed:
        problems.append(f"segment_col: {values['segment_col']!r} is also a driver; within each of its segments it "
                        "would not vary. Compare segments by another column, or leave it out of driver_groups")
    return problems


STUDY = StudyDeclaration(
    "driver_study", "Key drivers of loyalty",
    "How much of loyalty do CX factors explain against price and brand, and which driver matters most?",
    "a CSV or Parquet table with one row per answer: the outcome and the driver ratings",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per answer"),
        Column("outcome", "nps", "the column to explain"),
        Column("id_col", "response_id", "answer ids: a repeated answer counts once; None: rows as they are",
               nullable=True, own_data=None),
        ColumnGroups("driver_groups", {"CX": ["speed", "ease_of_use", "knowledgeable_help", "friendly_service"],
                                       "Price": ["price_value"], "Brand": ["brand_image"]},
                     "group -> driver columns; a list of columns makes each its own group"),
        Columns("categorical_drivers", [], "drivers that are categories (they enter as dummies)"),
        Column("segment_col", "region", "analyse each segment of this column too; None: no segments",
               nullable=True, own_data=None),
        Column("weight_col", None, "survey weights; None: unweighted", nullable=True),
        Integer("n_boot", 1000, "bootstrap resamples for the intervals (fewer than 20 give no interval)", low=20,
                high=100_000),
        Integer("seed", 1, "the random seed of the bootstrap", low=0),
        Choice("ci_method", "percentile", 'bootstrap interval: "percentile" or "bca"', choices=("percentile", "bca")),
        *common_parameters(50),
        *backend_parameters(100_000, "the bootstrap"),
    ),
    checks=(check_backend_survey, check_reading, in_memory_only("categorical_drivers", "missing_codes", "id_col"), check_drivers),
    shared_columns=(("driver_groups", "categorical_drivers"),),
    derived_columns=SURVEY_FRAME_COLUMNS,
    run=run,
)

run_driver_study = STUDY.function("run_driver_study")
