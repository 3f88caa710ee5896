"""Column rules: what a column must hold, and parsing a raw column against them.

A :class:`Column` says what kind of values a column holds and their valid range. Parsing
turns raw values (text from a CSV, or typed values from Parquet or SQL) into typed ones
and reports every value that breaks a rule, so the caller can exclude those rows and
count them. Nothing is coerced silently: a value is either parsed exactly, set to
missing because it is a missing marker (counted), or reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .scale import scale_rule

__all__ = [
    "STANDARD_MISSING_MARKERS", "Column", "amount", "category", "count", "date", "flag", "identifier",
    "number", "rating", "score", "text", "timestamp", "weight",
]

Kind = Literal["id", "integer", "number", "category", "text", "date", "datetime", "boolean"]

# Text that means "no value" in a numeric, date or boolean column (never in a text column,
# where "NA" may be North America). Each such value is counted in the DataQuality record.
STANDARD_MISSING_MARKERS = frozenset({"na", "n/a", "nan", "null", "none", "#n/a", "-", "?", "missing"})
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f"})


@dataclass(frozen=True)
class Column:
    """What one column must hold.

    Parameters
    ----------
    kind : {"id", "integer", "number", "category", "text", "date", "datetime", "boolean"}
    low, high : float, optional
        Inclusive valid range of a numeric column.
    low_exclusive : bool
        ``low`` itself is invalid (weights must be > 0).
    required : bool
        The column must be present in the table.
    nullable : bool
        Blank values are allowed; otherwise a blank makes the row excluded.
    unique : bool
        Values identify rows (duplicates are resolved at table level).
    """

    kind: Kind
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False
    required: bool = True
    nullable: bool = True
    unique: bool = False
    description: str = ""

    @property
    def rule(self) -> str:
        """The range rule in words, e.g. ``'a whole number from 0 to 10'``."""
        noun = "a whole number" if self.kind == "integer" else "a number"
        if self.kind == "integer" and self.low is not None and self.high is not None:
            return scale_rule(self.low, self.high)
        if self.low is not None and self.high is not None:
            return f"{noun} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{noun} {'above' if self.low_exclusive else 'of at least'} {self.low:g}"
        return noun


def score(low: int, high: int, **kw) -> Column:
    """A survey score: a whole number in ``[low, high]`` (NPS 0-10, CSAT 1-5, CES 1-7)."""
    return Column("integer", low, high, required=kw.pop("required", False), **kw)


def rating(low: float = 0, high: float = 10, **kw) -> Column:
    """A driver rating: a number in ``[low, high]`` (averages of items allowed)."""
    return Column("number", low, high, required=kw.pop("required", False), **kw)


def number(low: float | None = None, high: float | None = None, **kw) -> Column:
    return Column("number", low, high, required=kw.pop("required", False), **kw)


def amount(**kw) -> Column:
    """Money or a duration: a number of at least 0."""
    return Column("number", 0, None, required=kw.pop("required", False), **kw)


def count(low: int = 0, **kw) -> Column:
    return Column("integer", low, None, required=kw.pop("required", False), **kw)


def weight(**kw) -> Column:
    """A survey weight: a number above 0."""
    return Column("number", 0, None, low_exclusive=True, required=kw.pop("required", False), **kw)


def identifier(unique: bool = False, **kw) -> Column:
    return Column("id", unique=unique, nullable=kw.pop("nullable", False), **kw)


def category(**kw) -> Column:
    return Column("category", required=kw.pop("required", False), **kw)


def text(**kw) -> Column:
    return Column("text", required=kw.pop("required", False), **kw)


def date(**kw) -> Column:
    return Column("date", **kw)


def timestamp(**kw) -> Column:
    return Column("datetime", **kw)


def flag(**kw) -> Column:
    """Yes/no: true/false, yes/no, y/n, 1/0, t/f in any case."""
    return Column("boolean", required=kw.pop("required", False), **kw)


@dataclass
class ParsedColumn:
    """A parsed column and the problems met: ``problems`` maps a rule to a boolean mask of rows."""

    values: pd.Series
    problems: dict[str, np.ndarray]
    set_missing: dict[str, np.ndarray]


def _as_text(raw: pd.Series) -> pd.Series:
    """Raw values as stripped text; blanks become missing."""
    out = raw.astype("str").str.strip()
    return out.mask(out == "")


def _missing_code_mask(raw: pd.Series, codes: Iterable) -> np.ndarray:
    """Values equal to a declared missing code, as text or as a number (-99 matches '-99.0')."""
    codes = list(codes)
    if not codes:
        return np.zeros(len(raw), dtype=bool)
    as_text = _as_text(raw)
    mask = as_text.isin([str(c).strip() for c in codes]).fillna(False).to_numpy(dtype=bool)
    numeric_codes = [float(c) for c in codes if _is_number(c)]
    if numeric_codes:
        as_number = pd.to_numeric(as_text, errors="coerce")
        mask = mask | as_number.isin(numeric_codes).fillna(False).to_numpy(dtype=bool)
    return mask


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def parse(raw: pd.Series, column: Column, missing_codes: Iterable = (), date_format: str | None = None) -> ParsedColumn:
    """Parse one raw column against its rules.

    Returns the typed values (rows that broke a rule keep a missing value) and, per
    rule broken, the mask of rows that broke it.
    """
    problems: dict[str, np.ndarray] = {}
    set_missing: dict[str, np.ndarray] = {}
    declared = _missing_code_mask(raw, missing_codes)
    if declared.any():
        set_missing["declared missing code"] = declared
    raw = raw.mask(declared)

    if column.kind in ("id", "category", "text"):
        values = _as_text(raw) if column.kind != "text" else raw.astype("str").mask(raw.isna())
    elif column.kind in ("integer", "number"):
        values = _parse_number(raw, column, problems, set_missing)
    elif column.kind in ("date", "datetime"):
        values = _parse_datetime(raw, column, date_format, problems, set_missing)
    elif column.kind == "boolean":
        values = _parse_boolean(raw, problems, set_missing)
    else:  # pragma: no cover - Column's Literal type rules this out
        raise ValueError(f"unknown column kind {column.kind!r}")

    broken = np.zeros(len(raw), dtype=bool)
    for mask in problems.values():
        broken |= mask
    if not column.nullable:
        blank = values.isna().to_numpy(dtype=bool) & ~broken
        if blank.any():
            problems["missing value"] = blank
    return ParsedColumn(values, problems, set_missing)


def _standard_missing(text: pd.Series, set_missing: dict[str, np.ndarray]) -> pd.Series:
    marker = text.str.lower().isin(STANDARD_MISSING_MARKERS).fillna(False).to_numpy(dtype=bool)
    if marker.any():
        set_missing["missing marker (n/a, null, ...)"] = marker
    return text.mask(marker)


def _parse_number(raw: pd.Series, column: Column, problems: dict, set_missing: dict) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        problems["not a number"] = raw.notna().to_numpy(dtype=bool)
        return pd.Series(np.nan, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.astype("float64")
    else:
        text = _standard_missing(_as_text(raw), set_missing)
        values = _text_to_float(text)
        bad = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if bad.any():
            problems["not a number"] = bad
    arr = values.to_numpy()
    with np.errstate(invalid="ignore"):
        infinite = np.isinf(arr)
        if infinite.any():
            problems["not finite"] = infinite
        arr = np.where(infinite, np.nan, arr)
        if column.kind == "integer":
            fractional = ~np.isnan(arr) & (arr != np.round(arr))
            if fractional.any():
                problems["not a whole number"] = fractional
            arr = np.where(fractional, np.nan, arr)
        out_of_range = np.zeros(len(arr), dtype=bool)
        if column.low is not None:
            out_of_range |= (arr <= column.low) if column.low_exclusive else (arr < column.low)
        if column.high is not None:
            out_of_range |= arr > column.high
    if out_of_range.any():
        problems[f"not {column.rule}"] = out_of_range
    arr = np.where(out_of_range, np.nan, arr)
    if column.kind == "integer":
        return pd.Series(pd.array(np.where(np.isnan(arr), 0, arr).astype("int64"), dtype="Int64"),
                         index=raw.index).mask(np.isnan(arr))
    return pd.Series(arr, index=raw.index, dtype="float64")


def _text_to_float(text: pd.Series) -> pd.Series:
    """Numbers from text; text that is not a number becomes NaN.

    Arrow's cast is about 25 times faster than ``pd.to_numeric`` but stops at the first
    bad value, so it serves clean columns and ``to_numeric`` finds the bad values.
    """
    try:
        return pd.Series(pc.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(zero_copy_only=False),
                         index=text.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _parse_datetime(raw: pd.Series, column: Column, date_format: str | None, problems: dict,
                    set_missing: dict) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw
    else:
        text = _standard_missing(_as_text(raw), set_missing)
        values = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")
        bad = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if bad.any():
            problems[f"not a date ({date_format or 'YYYY-MM-DD'})"] = bad
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    values = values.astype("datetime64[ns]")
    if column.kind == "date":
        has_time = (values.notna() & (values != values.dt.normalize())).to_numpy(dtype=bool)
        if has_time.any():
            problems["a date with a time of day"] = has_time
            values = values.mask(has_time)
    return values


def _parse_boolean(raw: pd.Series, problems: dict, set_missing: dict) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean")
    text = _standard_missing(_as_text(raw), set_missing).str.lower()
    text = text.str.replace(r"\.0$", "", regex=True)
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[text.isin(TRUE_WORDS).fillna(False)] = True
    values[text.isin(FALSE_WORDS).fillna(False)] = False
    bad = (values.isna() & text.notna()).to_numpy(dtype=bool)
    if bad.any():
        problems["not yes/no (true/false, yes/no, 1/0)"] = bad
    return values
