"""Which rows an analysis uses: periods, bands and words that make keys, rules a row must meet, and
conditions that select rows; each as a pandas mask and as the same DuckDB condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..drivers.crossprod import numbers_error
from ..io.amounts import NEGATIVE
from ..io.columns import MISSING_VALUE, NOT_YES_NO, amount, weight
from ..io.dates import ANSWERS_FROM, tomorrow

__all__ = ["BACKENDS", "PERIOD_FORMATS", "Band", "Condition", "Key", "Period", "RowRule",
           "Words", "broken_chunk", "column_range", "condition_sql", "kept_rows", "numbers_of", "select_rows",
           "selected", "sql_name", "sql_strings", "usable_rows"]

BACKENDS = ("pandas", "duckdb", "dask")
PERIOD_FORMATS = {"M": "%Y-%m", "Y": "%Y"}  # quarters are built as 2024Q1, as pandas prints them


def sql_name(name: str) -> str:
    """A column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_strings(files: Sequence[str]) -> str:
    """File names as a DuckDB list of string literals."""
    return ", ".join("'" + f.replace("'", "''") + "'" for f in files)


def numbers_of(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        return frame[column].astype("float64")
    except (TypeError, ValueError):
        raise numbers_error(frame[column], column) from None


@dataclass(frozen=True)
class Period:
    """A grouping key derived from a date column: the calendar period (``freq`` "M", "Q" or "Y"). A date in the
    future is a wrong one (:data:`cxlib.io.dates.FUTURE_DATE`), one before 1990 a placeholder
    (:data:`cxlib.io.dates.EARLY_ANSWER`): they have no period, as a missing date has none."""

    column: str
    freq: str = "Q"
    name: str = "_period"

    def labels(self, values: pd.Series) -> pd.Series:
        return values.dt.to_period(self.freq).astype("str").where(values.notna() & (values >= ANSWERS_FROM)
                                                                   & (values < tomorrow()))

    def sql(self) -> str:
        column = sql_name(self.column)
        label = (f"strftime({column}, '%Y') || 'Q' || quarter({column})" if self.freq == "Q"
                 else f"strftime({column}, '{PERIOD_FORMATS[self.freq]}')")
        return (f"CASE WHEN CAST({column} AS TIMESTAMP) >= TIMESTAMP '{ANSWERS_FROM:%Y-%m-%d}' AND CAST({column} AS "
                f"TIMESTAMP) < TIMESTAMP '{tomorrow():%Y-%m-%d}' THEN {label} END")


@dataclass(frozen=True)
class Band:
    """A grouping key derived from a number: the label of the highest ``cuts`` entry (low, label) the value reaches,
    ``below`` under all of them, ``missing`` for no value.

    >>> Band("nps").labels(pd.Series([10, 8, 3, None])).tolist()
    ['promoter', 'passive', 'detractor', 'not surveyed']
    """

    column: str
    cuts: tuple = ((9, "promoter"), (7, "passive"))
    below: str = "detractor"
    missing: str = "not surveyed"
    name: str = "_band"

    def labels(self, values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="raise").astype("float64")
        conditions = [numbers >= low for low, _ in self.cuts] + [numbers.notna()]
        return pd.Series(np.select(conditions, [label for _, label in self.cuts] + [self.below], self.missing),
                         index=values.index)

    def sql(self) -> str:
        c = sql_name(self.column)
        cases = " ".join(f"WHEN CAST({c} AS DOUBLE) >= {low!r} THEN '{label}'" for low, label in self.cuts)
        return f"CASE {cases} WHEN {c} IS NOT NULL THEN '{self.below}' ELSE '{self.missing}' END"


@dataclass(frozen=True)
class Words:
    """A grouping key from a text column: its values trimmed and in lower case (a dotted capital İ as i), each
    word of ``synonyms`` (pairs of a word in lower case and its label) as its label, ``missing`` for no value.

    >>> Words("group", synonyms=(("kötüleyen", "detractor"),)).labels(pd.Series([" Kötüleyen", "PROMOTER", None])).tolist()
    ['detractor', 'promoter', 'not surveyed']
    """

    column: str
    missing: str = "not surveyed"
    name: str = "_words"
    synonyms: tuple[tuple[str, str], ...] = ()

    def labels(self, values: pd.Series) -> pd.Series:
        words = values.astype("string").str.strip().str.lower().str.replace("\u0307", "", regex=False)
        return words.replace(dict(self.synonyms)).fillna(self.missing).astype(object)

    def sql(self) -> str:
        word = f"replace(lower(trim(CAST({sql_name(self.column)} AS VARCHAR))), '\u0307', '')"
        if self.synonyms:
            cases = " ".join(f"WHEN {sql_strings([w])} THEN {sql_strings([label])}" for w, label in self.synonyms)
            word = f"CASE {word} {cases} ELSE {word} END"
        return f"coalesce({word}, '{self.missing}')"


Key = str | Period | Band | Words


@dataclass(frozen=True)
class RowRule:
    """A rule every row of an analysis must keep; :meth:`Backend.restrict` leaves out and counts the rows that break it.

    ``kind`` is "present" (a value), "not negative" (a number of at least 0, and at most
    ``high`` when given, where present),
    "yes/no" (0 or 1 where present), "positive" (a number above 0 where present) or "not
    flagged" (a true/false marker column a join computed is not true); :attr:`rule` is the
    data-quality label, in the in-memory loader's words, unless ``label`` gives it, and the
    rows left out are counted under ``reported_as`` (default: ``column``).

    >>> RowRule("days", "not negative").broken(pd.DataFrame({"days": [3.0, -1.0, None]})).tolist()
    [False, True, False]
    """

    column: str
    kind: str
    label: str | None = None
    reported_as: str | None = None
    high: float | None = None

    @property
    def rule(self) -> str:
        return self.label or {"present": MISSING_VALUE, "not negative": NEGATIVE if self.high is None else
                              f"not {amount().rule}", "yes/no": NOT_YES_NO,
                              "positive": f"not {weight().rule}"}[self.kind]

    @property
    def shows_values(self) -> bool:
        """Whether the values that broke the rule are worth showing as examples (not for a blank or a marker)."""
        return self.kind not in ("present", "not flagged")

    def broken(self, frame: pd.DataFrame) -> pd.Series:
        """True where a row of ``frame`` breaks the rule."""
        if self.kind == "present":
            return frame[self.column].isna()
        if self.kind == "not flagged":
            return frame[self.column].astype("boolean").fillna(False).astype(bool)
        values = numbers_of(frame, self.column)
        if self.kind == "yes/no":
            return values.notna() & ~values.isin([0.0, 1.0])
        if self.kind == "positive":
            return values <= 0
        return (values < 0) | (values > self.high) if self.high is not None else values < 0

    def sql(self) -> str:
        """The rule as a DuckDB condition, true where a row breaks it (never NULL)."""
        c = sql_name(self.column)
        if self.kind == "present":
            return f"{c} IS NULL"
        if self.kind == "not flagged":
            return f"coalesce(CAST({c} AS BOOLEAN), false)"
        test = {"not negative": "< 0" if self.high is None else f"NOT BETWEEN 0 AND {self.high!r}",
                "yes/no": "NOT IN (0, 1)", "positive": "<= 0"}[self.kind]
        return f"coalesce(CAST({c} AS DOUBLE) {test}, false)"


@dataclass(frozen=True)
class Condition:
    """A condition on one column, for :meth:`Backend.rows` and :meth:`Backend.subset`: "present" (a value),
    "equal" or "not equal" to ``value`` (a missing value is not equal), "at least" ``value``, or "on or after"
    or "before" the date ``value``.

    >>> Condition("day", "on or after", "2025-01-02").holds(pd.DataFrame({"day": pd.to_datetime(
    ...     ["2025-01-01", "2025-01-02", None])})).tolist()
    [False, True, False]
    """

    column: str
    kind: str
    value: object = None

    def holds(self, frame: pd.DataFrame) -> pd.Series:
        values = frame[self.column]
        if self.kind == "present":
            return values.notna()
        if self.kind == "not equal":  # a missing value is not equal to anything
            return (values != self.value).astype("boolean").fillna(True).astype(bool)
        value = pd.Timestamp(self.value) if self.kind in ("on or after", "before") else self.value
        met = values == value if self.kind == "equal" else values < value if self.kind == "before" else values >= value
        return met.astype("boolean").fillna(False).astype(bool)

    def sql(self) -> str:
        c = sql_name(self.column)
        if self.kind == "present":
            return f"{c} IS NOT NULL"
        if self.kind in ("on or after", "before"):
            return (f"coalesce({c} {'>=' if self.kind == 'on or after' else '<'} "
                    f"TIMESTAMP '{pd.Timestamp(self.value).isoformat(sep=' ')}', false)")
        value = (f"'{self.value.replace(chr(39), chr(39) * 2)}'" if isinstance(self.value, str)
                 else repr(float(self.value)))
        if self.kind == "not equal":
            return f"{c} IS DISTINCT FROM {value}"
        return f"coalesce({c} {'=' if self.kind == 'equal' else '>='} {value}, false)"


def selected(frame: pd.DataFrame, where: Sequence[Condition], any_of: Sequence[Condition]) -> pd.Series:
    """True where a row meets every condition of ``where`` and, if given, one of ``any_of``."""
    keep = pd.Series(True, index=frame.index)
    for condition in where:
        keep &= condition.holds(frame)
    if any_of:
        keep &= np.logical_or.reduce([condition.holds(frame) for condition in any_of])
    return keep


def select_rows(frame: pd.DataFrame, columns: list[str], where, any_of) -> pd.DataFrame:
    return frame.loc[selected(frame, where, any_of), columns]


def column_range(frame: pd.DataFrame, column: str, where) -> tuple:
    values = frame.loc[selected(frame, where, ()), column]
    return values.min(), values.max()


def usable_rows(frame: pd.DataFrame, rules: Sequence[RowRule]) -> pd.Series:
    """True where a row keeps every rule."""
    keep = pd.Series(True, index=frame.index)
    for r in rules:
        keep &= ~r.broken(frame)
    return keep


def broken_chunk(frame: pd.DataFrame, rules: Sequence[RowRule]) -> list[tuple[int, list]]:
    """Per rule, the rows that break it first (a row counts under the first rule it breaks) and their smallest
    distinct values (up to five)."""
    counted = pd.Series(False, index=frame.index)
    out = []
    for r in rules:
        bad = r.broken(frame) & ~counted
        counted |= bad
        values = frame.loc[bad, r.column].dropna().drop_duplicates() if r.shows_values else pd.Series([])
        out.append((int(bad.sum()), values.sort_values().iloc[:5].tolist()))
    return out


def kept_rows(frame: pd.DataFrame, keep) -> pd.DataFrame:
    return frame[keep(frame)]


def condition_sql(where: Sequence[Condition], any_of: Sequence[Condition] = ()) -> str:
    """Every condition of ``where`` and one of ``any_of`` as one DuckDB condition (``true`` for none)."""
    tests = [c.sql() for c in where] + ([f"({' OR '.join(c.sql() for c in any_of)})"] if any_of else [])
    return " AND ".join(tests) or "true"
