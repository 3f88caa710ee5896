"""Answers on a scale (NPS 0-10, CSAT 1-5, a 0/1 flag): the rule "a whole number from low to high", written once.

Reading (:mod:`cxlib.io.columns`), the in-memory histogram and every backend use these,
so the rule, its exclusion label and its error message read the same everywhere.

>>> off_scale(np.array([3.0, 11.0, 7.5, np.nan]), 0, 10).tolist()
[False, True, True, False]
>>> str(scale_error("nps", 0, 10, 2, [11.0, 99.0]))
"column 'nps' must hold whole numbers from 0 to 10 (or be blank); 2 rows do not, e.g. [11, 99]"
"""

from __future__ import annotations

import numpy as np

from ..formatting.narrative import plural
from .quality import DataError

__all__ = ["check_missing_codes", "excluded_label", "off_scale", "plain", "scale_error", "scale_rule"]


def scale_rule(low: float, high: float) -> str:
    """``'a whole number from 0 to 10'``."""
    return f"a whole number from {low:g} to {high:g}"


def excluded_label(low: float, high: float) -> str:
    """The data-quality rule of an answer left out for being off the scale: ``'not a whole number from 0 to 10'``."""
    return f"not {scale_rule(low, high)}"


def off_scale(values, low: float, high: float):
    """True where a value is present but not a whole number from ``low`` to ``high`` (arrays or Series)."""
    with np.errstate(invalid="ignore"):
        return (values == values) & ((values < low) | (values > high) | (values != np.round(values)))


def plain(value):
    """A whole float as an int (11.0 -> 11) for messages."""
    return int(value) if isinstance(value, float | np.floating) and float(value).is_integer() else value


def scale_error(column: str, low: float, high: float, rows: int, examples, where: str = "") -> DataError:
    """The error for values off the scale where they cannot be left out: the count and a few examples."""
    return DataError(f"column {column!r} must hold whole numbers from {low:g} to {high:g} (or be blank); "
                     f"{plural(rows, 'row does', 'rows do')} not, e.g. {[plain(v) for v in examples]}{where}", column=column,
                     rule=scale_rule(low, high))


ANSWER_SCALES = ((1, 5), (1, 7), (0, 10))  # the scales ratings are asked on
MISSING_CODE_VALUES = frozenset({-999, -99, -9, -1, 88, 97, 98, 99, 888, 999, 9999})  # "don't know", "refused"
MOSTLY_ON_SCALE = 0.8  # a share of answers on one scale that makes a column a rating


def check_missing_codes(frame, columns, table: str = "table") -> None:
    """Stop when a rating holds a survey tool's missing code beside its answers: 99 ("don't know") among answers on
    1-5 is no rating of 99, and would pull the mean and every share toward it. The message names the codes and
    ``missing_codes``, which turns them into blanks; nothing is guessed.
    """
    for column in columns:
        values = frame[column].dropna().to_numpy(dtype=float) if column in frame else np.array([])
        if not len(values) or (values != np.round(values)).any():
            continue
        for low, high in ANSWER_SCALES:
            inside = (values >= low) & (values <= high)
            outside = np.unique(values[~inside])
            if inside.mean() >= MOSTLY_ON_SCALE and len(outside) and set(outside) <= MISSING_CODE_VALUES:
                codes = ", ".join(f"{plain(v)}" for v in outside)
                raise DataError(f"{table}: {column!r} holds answers from {low} to {high} and the code(s) {codes} in "
                                f"{plural(int((~inside).sum()), 'row', 'rows')}, a survey tool's 'don't know' or "
                                f"'refused'? List them in missing_codes (-p missing_codes '[{codes}]') to read them "
                                "as blanks", table=table, column=column, rule="no missing codes among answers")
