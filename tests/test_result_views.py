"""Results read short: evaluating a model or a study in a notebook shows one screen, not every table as text, and
result tables show shares of 1 as percentages there as in the reports."""

import dataclasses
import importlib
import pkgutil
import re

import numpy as np

import cxlib
import cxlib as cx
from cxlib.drivers.key_drivers import key_drivers
from cxlib.formatting.result_view import ResultView
from cxlib.formatting.tables import format_table
from cxlib.studies.segment_study import run_segment_study


def _result_classes():
    """Every dataclass of cxlib that holds a table (a field annotated as a DataFrame)."""
    for info in pkgutil.walk_packages(cxlib.__path__, "cxlib."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == info.name
                    and any(re.fullmatch(r"(pd\.)?DataFrame( \| None)?", str(f.type)) for f in dataclasses.fields(value))):
                yield value


def test_every_result_holding_a_table_has_a_short_view_or_its_own():
    classes = list(_result_classes())
    plain = [c.__qualname__ for c in classes if not issubclass(c, ResultView)
             and vars(c)["__repr__"].__code__.co_filename == "<string>"]  # the repr dataclasses writes
    assert len(classes) > 15 and plain == []


def test_a_study_and_a_model_read_in_a_few_lines():
    study, _ = run_segment_study()
    view = repr(study).splitlines()
    assert view[0] == "SegmentStudy" and len(view) < 12
    assert "  overall: <NPS 16.3 (15.2 to 17.4), n = 19,156>" in view[1]
    assert "  segments: 12 rows (segment_col, segment, n, n_effective, value, ci_low, ci_high, se, …)" in view
    r = cx.io.load().survey_frame()
    kd = key_drivers(r, "nps", drivers=["speed", "price_value"], n_boot=20, seed=1)
    assert repr(kd).splitlines()[1].startswith(f"  outcome: 'nps'  n: {kd.n:,}  rows_dropped: {kd.rows_dropped:,}  "
                                               f"r2: {kd.r2:.4g}")


def test_driver_shares_and_survival_show_as_percentages_wherever_they_are_shown():
    r = cx.io.load().survey_frame()
    kd = key_drivers(r, "nps", drivers=["speed", "price_value"], n_boot=20, seed=1)
    first = kd.drivers.iloc[0]
    shown = format_table(kd.drivers[["driver", "share", "ci_low", "ci_high"]]).iloc[0, 1]
    assert shown == f"{100 * first['share']:.1f}% ({100 * first['ci_low']:.1f}–{100 * first['ci_high']:.1f})"
    assert abs(kd.drivers["share"].sum() - 1) < 1e-12  # the numbers stay fractions
    assert format_table(kd.priorities())["share (95% CI)"].iloc[0] == shown  # a view derived from the table too
    km = cx.lifecycle.kaplan_meier(cx.lifecycle.survival_counts(np.array([1, 2, 3]), np.array([1, 0, 1])))
    assert format_table(km)[["survival (95% CI)", "se"]].iloc[0].tolist() == ["66.7% (5.4–94.5)", "27.2%"]


def test_the_segment_column_is_headed_by_in_every_table_as_the_keyword_is_named():
    r = cx.io.load().survey_frame()
    assert list(format_table(cx.segment_table(r, by="plan")).columns[:2]) == ["by", "segment"]


def test_differences_of_shares_show_in_percentage_points_without_a_percent_sign():
    r = cx.io.load().survey_frame()
    kd = key_drivers(r, "nps", drivers=["speed", "price_value"], n_boot=20, seed=1)
    row = kd.differences.iloc[0]
    shown = format_table(kd.differences)["difference (95% CI)"].iloc[0]
    assert shown == f"{100 * row['difference']:.1f} ({100 * row['ci_low']:.1f}–{100 * row['ci_high']:.1f})"


def test_answers_left_out_of_a_key_driver_model_are_counted_by_their_first_blank():
    r = cx.io.load().survey_frame()
    kd = key_drivers(r, "nps", drivers=["speed", "price_value"], n_boot=0)
    nps_blank = r["nps"].isna()
    speed_blank = ~nps_blank & r["speed"].isna()
    price_blank = ~nps_blank & ~speed_blank & r["price_value"].isna()
    assert kd.dropped_by == {"nps": nps_blank.sum(), "speed": speed_blank.sum(), "price_value": price_blank.sum()}
    assert sum(kd.dropped_by.values()) == kd.rows_dropped


def test_a_bound_that_rounds_to_zero_reads_as_zero_with_a_dash():
    """A Wilson bound of -1e-17 read "0.00 (0.00 to 0.15)", as if a negative bound were shown."""
    from cxlib.formatting.tables import _interval

    assert (_interval(-1e-17, 0.15, 2), _interval(-0.5, 2.3, 1)) == ("0.00–0.15", "-0.5 to 2.3")
