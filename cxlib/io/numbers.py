"""Numbers written as text the way spreadsheets in different locales write them.

"7.5" and "1,234.5" (English), "7,5" and "1.234,5" (Turkish, German, Serbian and most of
Europe), "1 234,5" with a space or a no-break space (French). A column's convention is
detected from its values when they tell it unambiguously:

* a comma followed by other than three digits ("7,5", "13,37"), or a dot before a comma
  ("1.234,5"), means a decimal comma;
* a dot followed by other than three digits ("7.5"), or a comma before a dot ("1,234.5"),
  means a decimal point;
* "1,234" and "1.234" alone could be either (a thousand, or one and a fraction).

A column with evidence for the decimal comma only is read with it (dots and spaces then
group thousands); a column with evidence for both is read with the convention most of its
values show, the others reported; a column whose only odd values are ambiguous has them
reported, with the parameters (``decimal``, ``thousands``) that settle it. Given
``decimal``/``thousands``, no detection takes place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["LABELLED_SCORE", "ParsedNumbers", "parse_numbers", "text_to_float"]

SPACES = "[ \u00a0\u202f]"
COMMA_EVIDENCE = re.compile(r"^[+-]?(\d*,(\d{1,2}|\d{4,})|\d{1,3}([.\u00a0\u202f ]\d{3})+,\d*)$")
DOT_EVIDENCE = re.compile(r"^[+-]?(\d*\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d*)$")
AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")
# a score written with its label, as survey tools export the end points: "10 - Extremely likely", "9 (Promoter)"
LABELLED_SCORE = re.compile(r"^\s*([+-]?\d{1,3})\s*(?:[-\u2013\u2014=:.)(]\s*)?[^\d\s.,].*$", re.DOTALL)
UNCLEAR = "not a number (decimal mark unclear: set decimal and thousands)"


@dataclass
class ParsedNumbers:
    """Numbers from text: values (NaN where unreadable), problems (rule -> mask), and a note on what was read."""

    values: pd.Series
    problems: dict[str, np.ndarray]
    note: str | None = None


def text_to_float(text: pd.Series) -> pd.Series:
    """Numbers from text with a decimal point; text that is not such a number becomes NaN.

    Arrow's cast is about 25 times faster than ``pd.to_numeric`` but stops at the first
    bad value, so it serves clean columns and ``to_numeric`` finds the bad values.
    """
    try:
        return pd.Series(pc.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(zero_copy_only=False),
                         index=text.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _convert(text: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    """Text in the given convention rewritten with a decimal point and no grouping, then cast."""
    out = text
    if thousands:
        group = SPACES if thousands.isspace() else re.escape(thousands)
        out = out.str.replace(f"(?<=\\d){group}(?=\\d{{3}}(\\D|$))", "", regex=True)
    if decimal != ".":
        out = out.str.replace(decimal, ".", regex=False)
    return text_to_float(out)


def parse_numbers(text: pd.Series, decimal: str | None = None, thousands: str | None = None) -> ParsedNumbers:
    """Numbers from stripped text (missing stays missing), in the given or the detected convention.

    >>> parse_numbers(pd.Series(["7,5", "1.234,5", "3"])).values.tolist()
    [7.5, 1234.5, 3.0]
    >>> parse_numbers(pd.Series(["7.5", "1,234.5"])).values.tolist()
    [7.5, 1234.5]
    >>> p = parse_numbers(pd.Series(["1,234", "2"]))
    >>> p.values.tolist(), list(p.problems)
    ([nan, 2.0], ['not a number (decimal mark unclear: set decimal and thousands)'])
    """
    given = text.notna().to_numpy(dtype=bool)
    if decimal is not None or thousands is not None:
        decimal = decimal or ("," if thousands == "." else ".")
        values = _convert(text, decimal, thousands)
        return ParsedNumbers(values, {})
    values = text_to_float(text)
    failed = given & values.isna().to_numpy(dtype=bool)
    if not failed.any():
        return ParsedNumbers(values, {})
    shown = text[given]
    comma = shown.str.match(COMMA_EVIDENCE).sum()
    dot = shown.str.match(DOT_EVIDENCE).sum()
    if comma > dot:
        european = _convert(text, ",", ".")
        spaced = _convert(text, ",", " ")
        values = european.fillna(spaced)
        example = shown[shown.str.match(COMMA_EVIDENCE)].iloc[0]
        note = f"decimal comma read (e.g. {example!r} = {_convert(pd.Series([example]), ',', '.').iloc[0]:g})"
        problems = {}
        if dot:
            conflicting = given & text.str.match(DOT_EVIDENCE).fillna(False).to_numpy(dtype=bool)
            values = values.mask(conflicting)
            problems[UNCLEAR] = conflicting
        return ParsedNumbers(values, problems, note)
    grouped = _convert(text, ".", ",").fillna(_convert(text, ".", " "))
    values = values.fillna(grouped.where(~text.str.match(AMBIGUOUS).fillna(False) | (dot > 0)))
    unclear = given & values.isna().to_numpy(dtype=bool) & text.str.match(
        f"{AMBIGUOUS.pattern}|{COMMA_EVIDENCE.pattern}").fillna(False).to_numpy(dtype=bool)
    return ParsedNumbers(values, {UNCLEAR: unclear} if unclear.any() else {},
                         "thousands separators read (e.g. '1,234.5' = 1234.5)" if values.notna().sum() > (
                             given & ~failed).sum() else None)
